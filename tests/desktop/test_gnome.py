"""GNOME on Wayland: mutter has no data-control, so the copy takes the XWayland route.

mutter runs headless beside sway on the same session bus; the app starts with the variables a
GNOME session gives it, its icon is in waybar (D-Bus only), and the clicks come over D-Bus as
from GNOME's AppIndicator extension. What reaches GNOME's clipboard is read from mutter itself
(:mod:`tests.support.mutter_clipboard`): headless mutter has no keyboard, so ``wl-paste``
cannot read it there.

* With XWayland (every GNOME session has it) the app runs Qt on XWayland by itself, and mutter
  takes its X11 copy into the clipboard every Wayland program pastes from.
* Without XWayland nothing can set the clipboard from the tray: a click must say so — as a
  desktop notification, on the menu's status line, in the item's attention state — and name
  the command that works, which does work (in a terminal of the sway session).
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterator
from typing import IO

import pytest

from tests.desktop.steps import api_status, change_settings
from tests.desktop.wayland_steps import add_profile, tray_item
from tests.support.keyring_session import stop_process
from tests.support.mutter_clipboard import MutterClipboard
from tests.support.notifications import Notifications
from tests.support.processes import wait_until
from tests.support.sni import TrayItem
from tests.support.tokenserver import TokenServer
from tests.support.wayland_desktop import WaylandDesktop, gnome_compositor
from tests.support.xdesktop import Desktop, app_log

pytestmark = pytest.mark.desktop

FAILED = (
    "Nothing was copied: this desktop does not let Token Tray set the clipboard from the tray. "
    "In a terminal, run: token-tray token | wl-copy -n"
)
HINT = "x-kde-passwordManagerHint"
USER_TEXT = "something the user copied in another program"


@dataclasses.dataclass(frozen=True)
class GnomeApp:
    item: TrayItem
    env: dict[str, str]
    """What the GNOME session gives its programs (the app's environment)."""


def launch_in_gnome(
    wayland: WaylandDesktop, gnome: dict[str, str], log: IO[bytes], server: TokenServer
) -> Iterator[GnomeApp]:
    add_profile(wayland, "Standard API", server)
    app = wayland.popen([sys.executable, "-m", "tray_app"], log, gnome)
    try:
        item = tray_item(wayland, app)
        wait_until(lambda: server.issued_tokens, what="the first token")
        yield GnomeApp(item, {**wayland.env, **gnome})
    finally:
        stop_process(app)


@pytest.fixture
def gnome_app(
    wayland: WaylandDesktop, desktop_log: IO[bytes], standard_server: TokenServer
) -> Iterator[GnomeApp]:
    change_settings(wayland, clipboard_clear_seconds=5)
    with gnome_compositor(wayland, xwayland=True) as gnome:
        yield from launch_in_gnome(wayland, gnome, desktop_log, standard_server)


@pytest.fixture
def gnome_without_xwayland_app(
    wayland: WaylandDesktop, desktop_log: IO[bytes], standard_server: TokenServer
) -> Iterator[GnomeApp]:
    with gnome_compositor(wayland, xwayland=False) as gnome:
        yield from launch_in_gnome(wayland, gnome, desktop_log, standard_server)


def test_on_gnome_a_click_reaches_the_clipboard_through_xwayland(
    wayland: WaylandDesktop,
    gnome_app: GnomeApp,
    standard_server: TokenServer,
) -> None:
    item = gnome_app.item
    with MutterClipboard(wayland.bus) as clipboard:
        item.activate()
        token = wait_until(
            lambda: _issued(clipboard.read(), standard_server), what="GNOME's clipboard"
        )
        assert clipboard.read(HINT) == "secret"
        item.click("Copy _header")
        header = f"Authorization: Bearer {token}"
        wait_until(lambda: clipboard.read() == header, what="the header on GNOME's clipboard")
        assert api_status(standard_server, header) == 200

        # Qt gives up the X11 clipboard; mutter keeps an empty selection: nothing to paste.
        wait_until(lambda: not clipboard.read(), timeout=20, what="the clear time")
    log = app_log(wayland.env)
    assert "Copying through XWayland's clipboard" in log
    assert "Cleared our copy from the clipboard" in log


def test_on_gnome_another_programs_copy_survives_the_clear_timer(
    wayland: WaylandDesktop,
    gnome_app: GnomeApp,
    standard_server: TokenServer,
) -> None:
    with MutterClipboard(wayland.bus) as clipboard:
        gnome_app.item.activate()
        wait_until(lambda: _issued(clipboard.read(), standard_server), what="our copy")
        other = Desktop(gnome_app.env)
        other.set_selection(USER_TEXT)  # an XWayland program copies (xclip -i)

        wait_until(
            lambda: "Left the clipboard alone" in app_log(wayland.env),
            timeout=20,
            what="the clear timer",
        )
        assert clipboard.read() == USER_TEXT
        other.close()


def test_without_any_route_a_click_says_nothing_was_copied_and_what_works(
    wayland: WaylandDesktop,
    gnome_without_xwayland_app: GnomeApp,
    standard_server: TokenServer,
) -> None:
    item = gnome_without_xwayland_app.item
    with Notifications(wayland.bus) as notifications:
        item.activate()

        wait_until(lambda: item.labels()[0] == FAILED, what="the status line")
        wait_until(lambda: ("Token Tray", FAILED) in notifications.shown, what="a notification")
    assert item.property("Status") == "NeedsAttention"
    assert "Could not copy" in app_log(wayland.env)
    assert "Cleared our copy" not in app_log(wayland.env)

    shell = f"{sys.executable} -m tray_app token | wl-copy -n >/dev/null 2>&1"
    wayland.run("sh", "-c", shell)  # in a terminal of the sway session
    assert wayland.paste() in standard_server.issued_tokens


def _issued(text: str | None, server: TokenServer) -> str | None:
    return text if text in server.issued_tokens else None
