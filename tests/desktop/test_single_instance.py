"""One Token Tray per user, on a real X desktop with a tray host.

A second ``token-tray`` asks the running one to show its settings window and exits 0; after
the running one is killed (``SIGKILL``: its socket file stays behind), the next start takes
the socket over and serves again.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from tests.support.processes import REPO_ROOT, wait_until
from tests.support.tokenserver import TokenServer
from tests.support.xdesktop import AppLauncher, Desktop, add_profile_via_cli
from tray_app.ipc import protocol

pytestmark = pytest.mark.desktop

BIG = 200


def big_windows(desktop: Desktop, pid: int) -> list[str]:
    """Visible windows of ``pid`` larger than a tray icon or a menu (the settings window)."""
    found = []
    for window in desktop.windows_of(pid):
        _x, _y, width, height = desktop.geometry(window)
        if width >= BIG and height >= BIG:
            found.append(window)
    return found


def launch_again(desktop: Desktop) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tray_app"],
        env=desktop.env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def started(desktop: Desktop, launch_app: AppLauncher) -> int:
    process = launch_app()
    wait_until(lambda: desktop.tray_icon_of(process.pid), what="the tray icon")
    assert big_windows(desktop, process.pid) == []  # a profile exists: no window at start
    return process.pid


def test_a_second_launch_shows_the_running_ones_window(
    desktop: Desktop, launch_app: AppLauncher, standard_server: TokenServer
) -> None:
    add_profile_via_cli(
        desktop.env,
        "Work",
        token_url=standard_server.token_url,
        client_id=standard_server.client_id,
        secret=standard_server.client_secret,
    )
    first = started(desktop, launch_app)

    second = launch_again(desktop)

    assert second.returncode == 0, second.stderr
    assert "already running" in second.stderr
    wait_until(lambda: big_windows(desktop, first), what="the settings window of the first")


def test_a_killed_trays_socket_does_not_block_the_next_start(
    desktop: Desktop, launch_app: AppLauncher, standard_server: TokenServer
) -> None:
    add_profile_via_cli(
        desktop.env,
        "Work",
        token_url=standard_server.token_url,
        client_id=standard_server.client_id,
        secret=standard_server.client_secret,
    )
    socket_path = os.path.join(desktop.env[protocol.RUNTIME_DIR_ENV], protocol.SOCKET_NAME)
    first = started(desktop, launch_app)
    wait_until(lambda: os.path.exists(socket_path), what="the tray to serve")  # icon comes first
    os.kill(first, signal.SIGKILL)
    wait_until(lambda: not desktop.windows_of(first), what="the killed tray to vanish")
    assert os.path.exists(socket_path)  # left behind by the killed instance

    after = started(desktop, launch_app)

    assert launch_again(desktop).returncode == 0
    wait_until(lambda: big_windows(desktop, after), what="the settings window of the new one")
