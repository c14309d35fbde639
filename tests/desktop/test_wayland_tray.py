"""The tray icon as a StatusNotifierItem host (waybar on headless sway) shows it.

KDE Plasma, GNOME's AppIndicator extension and waybar all draw the icon from the item's
``IconPixmap``, its tooltip from ``ToolTip``, highlight it by ``Status`` and build its menu from
DBusMenu: these tests read exactly those, over the session bus, and take a screenshot of the
bar with ``grim`` (kept in the test artifacts: ``wayland-tray.png``, the whole screen, and
``wayland-bar.png``, the right end of the bar enlarged twice, as in the README).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QImage

from tests.desktop.steps import dominant_state
from tests.desktop.wayland_steps import pixmap_state, start_app, start_with_token
from tests.support.processes import wait_until
from tests.support.sni import TrayItem
from tests.support.tokenserver import Scripted, TokenServer
from tests.support.wayland_desktop import WaylandDesktop
from tests.support.xdesktop import AppLauncher
from tray_app.gui.icons import IconState

pytestmark = pytest.mark.desktop

MENU_AFTER_STATUS = [
    "Copy _token",
    "Copy _header",
    "Copy as c_url",
    "_Refresh now",
    "Token _details…",
    "",  # a separator
    "_Settings…",
    "Open _log folder",
    "_Quit",
]
BAR_HEIGHT = 34
TRAY_WIDTH = 44
BAR_CROP = 200


def icon_state(item: TrayItem) -> IconState | None:
    return pixmap_state(item.property("IconPixmap"))


def tooltip(item: TrayItem) -> str:
    """The tooltip text a host shows: title and description of ``ToolTip``."""
    _icon_name, _pixmaps, title, description = item.property("ToolTip")
    return f"{title}\n{description}"


def test_icon_tooltip_and_status_follow_the_token_state(
    wayland: WaylandDesktop, launch_wayland_app: AppLauncher, standard_server: TokenServer
) -> None:
    standard_server.script(Scripted.json(401, {"error": "invalid_client"}))
    _app, item = start_app(wayland, launch_wayland_app, standard_server)

    wait_until(lambda: icon_state(item) is IconState.ERROR, what="a red icon")
    assert item.property("Status") == "NeedsAttention"  # the "needs your attention" message
    assert "Standard API needs your attention" in tooltip(item)
    assert item.labels()[0].startswith("Standard API — ")

    item.click("_Refresh now")  # after a failure it tries again at once

    wait_until(lambda: icon_state(item) is IconState.OK, what="a green icon")
    wait_until(lambda: item.property("Status") == "Active", timeout=30, what="attention to end")
    assert "Standard API — valid for" in tooltip(item)
    assert item.property("Title") == "Token Tray"


def test_the_menu_arrives_over_dbusmenu_with_its_mnemonics(
    wayland: WaylandDesktop, launch_wayland_app: AppLauncher, standard_server: TokenServer
) -> None:
    _app, item = start_with_token(wayland, launch_wayland_app, standard_server, clear_seconds=0)

    entries = item.menu().children
    wait_until(lambda: item.labels()[0].startswith("Standard API — valid for"), what="status")
    assert item.labels()[1:] == MENU_AFTER_STATUS
    assert not entries[0].enabled  # the status line is not clickable
    assert all(entry.enabled for entry in entries[1:])


def test_screenshot_of_the_tray_in_waybar(
    wayland: WaylandDesktop,
    launch_wayland_app: AppLauncher,
    standard_server: TokenServer,
    artifacts: Path,
) -> None:
    _app, item = start_with_token(wayland, launch_wayland_app, standard_server, clear_seconds=0)
    wait_until(lambda: icon_state(item) is IconState.OK, what="a green icon")
    shot = artifacts / "wayland-tray.png"

    def drawn_green() -> bool:
        wayland.screenshot(shot)
        screen = QImage(str(shot))
        tray = QRect(screen.width() - TRAY_WIDTH, 0, TRAY_WIDTH, BAR_HEIGHT)
        return dominant_state(screen.copy(tray)) is IconState.OK

    wait_until(drawn_green, what="waybar to draw the green icon")
    screen = QImage(str(shot))
    bar = screen.copy(QRect(screen.width() - BAR_CROP, 0, BAR_CROP, BAR_HEIGHT))
    big = bar.scaled(bar.size() * 2, mode=Qt.TransformationMode.SmoothTransformation)
    assert big.save(str(artifacts / "wayland-bar.png"))
