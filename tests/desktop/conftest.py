"""Fixtures for end-to-end tests on a real (virtual) desktop.

Each test gets its own Xvfb display with ``trayer`` as the tray host, a private D-Bus session
with an unlocked gnome-keyring, a loopback token server, and a launcher for Token Tray
processes. Teardown runs in reverse order: the app processes are stopped first, then trayer,
Xvfb and the keyring daemons. Daemon and app output goes to ``<tmp>/desktop.log``, which is
printed when a test fails (pytest shows captured output); the app's own log file is in
``<tmp>/state`` (``XDG_STATE_HOME``).

:func:`wayland` is the same for Wayland: a headless sway with waybar as the tray
(:mod:`tests.support.wayland_desktop`), run as an unprivileged user when the tests run as root.

Screenshots are test artifacts: :func:`artifacts` is ``$TOKEN_TRAY_TEST_ARTIFACTS`` or
``test-artifacts/desktop`` in the repository (git ignores it), kept after the run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest

from tests.support.keyring_session import gnome_keyring, stop_process
from tests.support.processes import REPO_ROOT
from tests.support.wayland_desktop import WaylandDesktop, wayland_desktop
from tests.support.xdesktop import (
    AppLauncher,
    Desktop,
    desktop_env,
    launch_tray,
    require_tools,
    tray_host,
    xvfb,
)

ARTIFACTS_ENV = "TOKEN_TRAY_TEST_ARTIFACTS"


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where screenshots of the desktop tests are kept (created on first use)."""
    folder = Path(os.environ.get(ARTIFACTS_ENV) or REPO_ROOT / "test-artifacts" / "desktop")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def desktop_log(tmp_path: Path) -> Iterator[IO[bytes]]:
    path = tmp_path / "desktop.log"
    with path.open("ab") as log:
        yield log
    sys.stdout.write(path.read_text(encoding="utf-8", errors="replace")[-6000:])


@pytest.fixture
def x_display(desktop_log: IO[bytes]) -> Iterator[str]:
    require_tools()
    with xvfb(log=desktop_log) as display:
        yield display


@pytest.fixture
def keyring_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    with gnome_keyring(tmp_path / "keyring") as env:
        yield env


@pytest.fixture
def bare_desktop(
    x_display: str, keyring_env: dict[str, str], isolated_config_dir: Path, tmp_path: Path
) -> Iterator[Desktop]:
    """The X display *without* a tray host (a test may start one later with ``tray_host``)."""
    session = Desktop(desktop_env(keyring_env, x_display, isolated_config_dir, tmp_path / "state"))
    yield session
    session.close()


@pytest.fixture
def desktop(
    x_display: str,
    keyring_env: dict[str, str],
    desktop_log: IO[bytes],
    isolated_config_dir: Path,
    tmp_path: Path,
) -> Iterator[Desktop]:
    """The X display with a tray host, and the environment the app must run in."""
    env = desktop_env(keyring_env, x_display, isolated_config_dir, tmp_path / "state")
    with tray_host(env, desktop_log):
        session = Desktop(env)
        yield session
        session.close()


@pytest.fixture
def launch_app(desktop: Desktop, desktop_log: IO[bytes]) -> Iterator[AppLauncher]:
    """Start ``python -m tray_app`` on the desktop; every process is stopped at the end."""
    processes: list[subprocess.Popen[bytes]] = []

    def launch() -> subprocess.Popen[bytes]:
        process = launch_tray(desktop.env, desktop_log)
        processes.append(process)
        return process

    yield launch
    for process in processes:
        stop_process(process)


@pytest.fixture
def wayland(desktop_log: IO[bytes]) -> Iterator[WaylandDesktop]:
    """A headless sway desktop with waybar's tray, a keyring and wl-clipboard."""
    with wayland_desktop(desktop_log) as session:
        yield session


@pytest.fixture
def launch_wayland_app(wayland: WaylandDesktop, desktop_log: IO[bytes]) -> Iterator[AppLauncher]:
    """Start ``python -m tray_app`` in the Wayland session; every process is stopped at the end."""
    processes: list[subprocess.Popen[bytes]] = []

    def launch() -> subprocess.Popen[bytes]:
        process = wayland.popen([sys.executable, "-m", "tray_app"], desktop_log)
        processes.append(process)
        return process

    yield launch
    for process in processes:
        stop_process(process)
