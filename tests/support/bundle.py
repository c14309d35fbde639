"""The prebuilt PyInstaller bundle (``make package``) for the tests that run it.

Tests never build it (that takes a minute or two): :func:`bundle_executable` and
:func:`bundle_tarball` return what ``make package`` left in ``dist/``, or skip the test saying
"run make package first" — or fail it when ``TOKEN_TRAY_REQUIRE_BUNDLE_TESTS=1`` (CI builds the
bundle first and sets it, so a missing or broken bundle cannot pass silently).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
from collections.abc import Mapping
from pathlib import Path

import pytest

from tests.support.processes import REPO_ROOT, RUN_TIMEOUT

REQUIRE_ENV = "TOKEN_TRAY_REQUIRE_BUNDLE_TESTS"
DIST = REPO_ROOT / "dist"
EXECUTABLE = DIST / "bundles" / "token-tray" / "token-tray"


def _missing(what: str) -> None:
    reason = f"no {what} in dist/: run make package first"
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{reason} ({REQUIRE_ENV}=1)")
    pytest.skip(reason)


def require_pyinstaller() -> None:
    """Skip (or, in CI, fail) a test that runs PyInstaller's own code when it is not installed."""
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        reason = "PyInstaller is not installed: make package installs it"
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"{reason} ({REQUIRE_ENV}=1)")
        pytest.skip(reason)


def bundle_executable() -> Path:
    """The bundled ``token-tray`` executable."""
    if not os.access(EXECUTABLE, os.X_OK):
        _missing("Token Tray bundle")
    return EXECUTABLE


def bundle_tarball() -> Path:
    """The Linux archive ``token-tray-<version>-linux-<arch>.tar.gz``."""
    found = sorted(DIST.glob("token-tray-*-linux-*.tar.gz"))
    if not found:
        _missing("Linux archive")
    return found[-1]


def run_bundle(
    program: Path, *args: str, env: Mapping[str, str], stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(program), *args],
        input=stdin,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )


def install_from_tarball(tarball: Path, folder: Path, env: Mapping[str, str]) -> Path:
    """Unpack the archive into ``folder`` and run its ``install.sh`` as a user would; the
    installed executable (``$HOME/.local/opt/token-tray/token-tray``)."""
    with tarfile.open(tarball) as archive:
        archive.extractall(folder, filter="tar")
    (top,) = folder.iterdir()
    result = subprocess.run(
        ["sh", str(top / "install.sh")], env=dict(env), capture_output=True, text=True,
        timeout=RUN_TIMEOUT, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    installed = Path(env["HOME"]) / ".local" / "opt" / "token-tray" / "token-tray"
    assert os.access(installed, os.X_OK), result.stdout
    return installed


def without_python_overrides(env: Mapping[str, str]) -> dict[str, str]:
    """``env`` without variables that would make the bundle use the checkout's Python bits."""
    return {k: v for k, v in env.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}


def desktop_file_validate() -> str | None:
    return shutil.which("desktop-file-validate")
