"""Start at login, end to end: turn it on, then "log in" — run the command of the autostart
entry exactly as the session would (its ``Exec`` line) — and the tray icon is back.

Once for this checkout's ``token-tray`` script and once for the Linux archive that
``make package`` built, installed with its own ``install.sh`` (skipped without a bundle unless
``TOKEN_TRAY_REQUIRE_BUNDLE_TESTS=1``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import IO

import pytest

from tests.support.bundle import bundle_tarball, install_from_tarball, without_python_overrides
from tests.support.keyring_session import stop_process
from tests.support.processes import REPO_ROOT, wait_until
from tests.support.xdesktop import Desktop
from tray_app.core.desktop_entry import exec_of

pytestmark = pytest.mark.desktop


def turn_on(
    desktop: Desktop, installation: str, tmp_path: Path
) -> tuple[list[str], dict[str, str]]:
    """Turn start at login on with the installation's own command; (its program, env)."""
    if installation == "bundle":
        env = without_python_overrides(desktop.env)
        program = [str(install_from_tarball(bundle_tarball(), tmp_path / "unpacked", env))]
    else:
        env = dict(desktop.env)
        program = [sys.executable, "-m", "tray_app"]
    result = subprocess.run(
        [*program, "autostart", "on"], env=env, cwd=REPO_ROOT, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return program, env


@pytest.mark.parametrize("installation", ["package", "bundle"])
def test_after_login_the_tray_is_back(
    desktop: Desktop, desktop_log: IO[bytes], tmp_path: Path, installation: str
) -> None:
    program, env = turn_on(desktop, installation, tmp_path)
    entry = Path(env["XDG_CONFIG_HOME"]) / "autostart" / "token-tray.desktop"
    command = exec_of(entry.read_text(encoding="utf-8"))
    assert command is not None
    if installation == "bundle":
        assert command == program  # the installed bundle, not the archive it came from
    else:
        assert command == [str(Path(sys.executable).parent / "token-tray")]

    login = subprocess.Popen(command, env=env, stdout=desktop_log, stderr=desktop_log)  # "log in"
    try:
        wait_until(lambda: desktop.tray_icon_of(login.pid), what="the tray icon after login")
        assert login.poll() is None
    finally:
        stop_process(login)
