"""KDE Plasma on X11 draws tray icons from StatusNotifierItems too: the same D-Bus route.

Qt uses a StatusNotifierItem instead of an XEmbed icon whenever a StatusNotifierWatcher is on
the session bus, also on X11. Here the app runs on an X display (Xvfb, ``QT_QPA_PLATFORM=xcb``,
``XDG_CURRENT_DESKTOP=KDE``) while waybar is the StatusNotifierItem host on the same session
bus; the clicks come over D-Bus as from Plasma's tray, and the copy is read with ``xclip``.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from typing import IO

import pytest

from tests.desktop.steps import api_status, copy_with
from tests.desktop.wayland_steps import add_profile, tray_item
from tests.support.keyring_session import stop_process
from tests.support.processes import wait_until
from tests.support.tokenserver import TokenServer
from tests.support.wayland_desktop import WaylandDesktop
from tests.support.xdesktop import Desktop, require_tools

pytestmark = pytest.mark.desktop

X11_KDE = {
    "QT_QPA_PLATFORM": "xcb",
    "WAYLAND_DISPLAY": "",
    "XDG_SESSION_TYPE": "x11",
    "XDG_CURRENT_DESKTOP": "KDE",
}


@pytest.fixture
def x11(wayland: WaylandDesktop, x_display: str) -> Iterator[Desktop]:
    """The X display, driven with the session's environment (xclip reads its clipboard)."""
    require_tools(("xclip",))
    desktop = Desktop({**wayland.env, **X11_KDE, "DISPLAY": x_display})
    yield desktop
    desktop.close()


@pytest.fixture
def app_on_x11(
    wayland: WaylandDesktop, x11: Desktop, desktop_log: IO[bytes], standard_server: TokenServer
) -> Iterator[subprocess.Popen[bytes]]:
    add_profile(wayland, "Standard API", standard_server)
    app = wayland.popen([sys.executable, "-m", "tray_app"], desktop_log, x11.env)
    yield app
    stop_process(app)


def test_on_x11_the_status_notifier_item_copies_through_the_x11_clipboard(
    wayland: WaylandDesktop,
    x11: Desktop,
    app_on_x11: subprocess.Popen[bytes],
    standard_server: TokenServer,
) -> None:
    item = tray_item(wayland, app_on_x11)
    wait_until(lambda: standard_server.issued_tokens, what="the first token")

    token = copy_with(x11, item.activate, standard_server.issued_tokens.__contains__)
    header = copy_with(
        x11, lambda: item.click("Copy _header"), lambda text: text.startswith("Authorization")
    )

    assert header == f"Authorization: Bearer {token}"
    assert api_status(standard_server, header) == 200
    assert x11.clipboard("x-kde-passwordManagerHint") == "secret"
    assert item.labels()[0].startswith("Standard API — valid for")
