"""On a compositor without data-control (GNOME's Mutter; here weston) a copy fails openly.

The app runs on weston, which has no data-control protocol, while its icon is in waybar (the
StatusNotifierItem protocol is D-Bus only). A click must then say that nothing was copied —
as a desktop notification, on the menu's status line and in the item's attention state — and
name the command that works; that command, run in a terminal of a wlroots session, does work.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from typing import IO

import pytest

from tests.desktop.wayland_steps import add_profile, tray_item
from tests.support.keyring_session import stop_process
from tests.support.notifications import Notifications
from tests.support.processes import wait_until
from tests.support.tokenserver import TokenServer
from tests.support.wayland_desktop import WaylandDesktop, compositor_without_data_control
from tests.support.xdesktop import app_log

pytestmark = pytest.mark.desktop

FAILED = (
    "Nothing was copied: this desktop does not let Token Tray set the clipboard from the tray. "
    "In a terminal, run: token-tray token | wl-copy -n"
)


@pytest.fixture
def app_on_weston(
    wayland: WaylandDesktop, desktop_log: IO[bytes], standard_server: TokenServer
) -> Iterator[subprocess.Popen[bytes]]:
    add_profile(wayland, "Standard API", standard_server)
    with compositor_without_data_control(wayland, desktop_log) as weston:
        app = wayland.popen(
            [sys.executable, "-m", "tray_app"], desktop_log, {"WAYLAND_DISPLAY": weston}
        )
        yield app
        stop_process(app)


def test_a_click_says_nothing_was_copied_and_what_works_instead(
    wayland: WaylandDesktop, app_on_weston: subprocess.Popen[bytes], standard_server: TokenServer
) -> None:
    with Notifications(wayland.bus) as notifications:
        item = tray_item(wayland, app_on_weston)
        wait_until(lambda: standard_server.issued_tokens, what="the first token")

        item.activate()

        wait_until(lambda: item.labels()[0] == FAILED, what="the status line")
        wait_until(lambda: ("Token Tray", FAILED) in notifications.shown, what="a notification")
    assert item.property("Status") == "NeedsAttention"
    assert "Could not copy" in app_log(wayland.env)
    assert "Cleared our copy" not in app_log(wayland.env)

    shell = f"{sys.executable} -m tray_app token | wl-copy -n >/dev/null 2>&1"
    wayland.run("sh", "-c", shell)  # in a terminal of the sway session
    assert wayland.paste() in standard_server.issued_tokens
