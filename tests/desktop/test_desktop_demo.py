"""``token-tray --demo`` on a real (virtual) desktop: the tray appears with the Demo profile,
its token is a JWT from the built-in server that opens the demo API (copied as curl from the
menu), and quitting leaves nothing in the user's config folder."""

from __future__ import annotations

import shlex
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest

from tests.desktop.steps import copy_with, menu_key
from tests.support.keyring_session import stop_process
from tests.support.processes import REPO_ROOT, run_app, wait_until
from tests.support.xdesktop import Desktop
from tray_app.core.jwt_claims import decode_jwt
from tray_app.demo.server import DEMO_CLIENT_ID, DEMO_LIFETIME

pytestmark = pytest.mark.desktop


@pytest.fixture
def demo_app(desktop: Desktop, desktop_log: IO[bytes]) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tray_app", "--demo"],
        env=desktop.env,
        cwd=REPO_ROOT,
        stdin=subprocess.DEVNULL,
        stdout=desktop_log,
        stderr=desktop_log,
    )
    yield process
    stop_process(process)


def test_demo_mode_on_a_real_tray(
    desktop: Desktop, demo_app: subprocess.Popen[bytes], isolated_config_dir: Path
) -> None:
    icon = wait_until(lambda: desktop.tray_icon_of(demo_app.pid), what="the tray icon")

    curl = copy_with(
        desktop,
        menu_key(desktop, demo_app.pid, icon, "u"),
        lambda text: text.startswith("curl "),
    )
    _curl, _flag, header, api_url = shlex.split(curl)
    token = header.removeprefix("Authorization: Bearer ")
    decoded = decode_jwt(token)
    assert decoded is not None
    assert decoded.claims["sub"] == DEMO_CLIENT_ID
    assert decoded.claims["exp"] - decoded.claims["iat"] == DEMO_LIFETIME
    assert api_url.startswith("http://127.0.0.1:")
    request = urllib.request.Request(api_url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 200

    stop_process(demo_app)
    assert list(isolated_config_dir.iterdir()) == []  # the demo used a folder of its own


def test_the_demo_is_the_one_instance_but_gives_scripts_no_token(
    desktop: Desktop, demo_app: subprocess.Popen[bytes]
) -> None:
    wait_until(lambda: desktop.tray_icon_of(demo_app.pid), what="the tray icon")

    def demo_status() -> subprocess.CompletedProcess[str] | None:
        done = run_app(("status",), desktop.env)
        return done if done.returncode == 0 and "running the demo" in done.stderr else None

    # the icon shows before the command line is served
    status = wait_until(demo_status, what="`token-tray status` reporting the demo")
    assert "Demo" in status.stdout

    second = run_app((), desktop.env)  # a second `token-tray`: hands over, no second tray
    assert second.returncode == 0, second.stderr
    assert "already running" in second.stderr
    assert demo_app.poll() is None

    token = run_app(("token",), desktop.env)  # no profile of the user's own: no token at all
    assert token.returncode != 0
    assert token.stdout == ""
