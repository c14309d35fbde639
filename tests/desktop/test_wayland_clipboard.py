"""One-click copy on a real Wayland desktop: headless sway, waybar's tray, wl-clipboard.

Every click is what waybar sends when the user clicks: ``Activate`` on the app's
StatusNotifierItem, or DBusMenu ``Event "clicked"`` on a menu entry found by its label (the
headless seat has no pointer, so a real click would need a virtual-pointer client; the D-Bus
calls are exactly what the tray host makes of one). What reaches the clipboard is read with
``wl-paste``, as any Wayland program would paste it, and the token is tried on the server.
"""

from __future__ import annotations

import pytest

from tests.desktop.steps import api_status, copy_with
from tests.desktop.wayland_steps import start_with_token
from tests.support.keyring_session import stop_process
from tests.support.processes import wait_until
from tests.support.tokenserver import TokenServer
from tests.support.wayland_desktop import WaylandDesktop
from tests.support.xdesktop import AppLauncher, app_log

pytestmark = pytest.mark.desktop

CLEARED = "Cleared our copy from the clipboard"
LEFT_ALONE = "Left the clipboard alone"
TEXT_TYPES = {"text/plain;charset=utf-8", "text/plain", "UTF8_STRING", "TEXT", "STRING"}
HINT = "x-kde-passwordManagerHint"
USER_TEXT = "something the user copied in another program"
MIDDLE_CLICK_TEXT = "text selected for middle-click pasting"


def test_a_left_click_copies_a_working_token_marked_secret_and_clears_it(
    wayland: WaylandDesktop, launch_wayland_app: AppLauncher, standard_server: TokenServer
) -> None:
    primary = wayland.copy(MIDDLE_CLICK_TEXT, primary=True)
    app, item = start_with_token(wayland, launch_wayland_app, standard_server, clear_seconds=3)

    token = copy_with(wayland, item.activate, standard_server.issued_tokens.__contains__)

    assert api_status(standard_server, f"Authorization: Bearer {token}") == 200
    types = set(wayland.paste_types())
    assert TEXT_TYPES | {HINT} <= types, types
    assert wayland.paste(HINT) == "secret"
    assert wayland.paste("UTF8_STRING") == token
    wait_until(lambda: wayland.paste() is None, timeout=15, what="the clipboard to empty")
    assert CLEARED in app_log(wayland.env)
    assert wayland.run("wl-paste", "--primary", "--no-newline").stdout == MIDDLE_CLICK_TEXT
    assert app.poll() is None
    stop_process(primary)


def test_the_menu_copies_the_token_and_the_header(
    wayland: WaylandDesktop, launch_wayland_app: AppLauncher, standard_server: TokenServer
) -> None:
    _app, item = start_with_token(wayland, launch_wayland_app, standard_server, clear_seconds=0)

    token = copy_with(
        wayland, lambda: item.click("Copy _token"), standard_server.issued_tokens.__contains__
    )
    header = copy_with(
        wayland, lambda: item.click("Copy _header"), lambda text: text.startswith("Authorization")
    )

    assert header == f"Authorization: Bearer {token}"
    assert api_status(standard_server, header) == 200
    assert HINT in wayland.paste_types()


def test_text_copied_meanwhile_survives_the_clear_timer_and_quitting(
    wayland: WaylandDesktop, launch_wayland_app: AppLauncher, standard_server: TokenServer
) -> None:
    app, item = start_with_token(wayland, launch_wayland_app, standard_server, clear_seconds=4)
    copy_with(wayland, item.activate, standard_server.issued_tokens.__contains__)

    other = wayland.copy(USER_TEXT)  # wl-copy, as any other program copies

    wait_until(lambda: LEFT_ALONE in app_log(wayland.env), timeout=20, what="the clear timer")
    assert wayland.paste() == USER_TEXT
    stop_process(app)
    assert app.returncode == 0
    assert wayland.paste() == USER_TEXT
    stop_process(other)


def test_quitting_clears_our_copy(
    wayland: WaylandDesktop, launch_wayland_app: AppLauncher, standard_server: TokenServer
) -> None:
    app, item = start_with_token(wayland, launch_wayland_app, standard_server, clear_seconds=0)
    copy_with(wayland, item.activate, standard_server.issued_tokens.__contains__)

    stop_process(app)  # SIGTERM, as a logout sends

    assert app.returncode == 0
    assert CLEARED in app_log(wayland.env)
    assert wayland.paste() is None


def test_a_manager_that_takes_our_copy_over_does_not_keep_the_token(
    wayland: WaylandDesktop, launch_wayland_app: AppLauncher, standard_server: TokenServer
) -> None:
    app, item = start_with_token(wayland, launch_wayland_app, standard_server, clear_seconds=4)
    token = copy_with(wayland, item.activate, standard_server.issued_tokens.__contains__)

    manager = wayland.copy(token)  # a clipboard manager that ignores the secret hint re-owns it

    wait_until(lambda: CLEARED in app_log(wayland.env), timeout=20, what="the clear timer")
    assert LEFT_ALONE not in app_log(wayland.env)
    assert wayland.paste() is None
    assert app.poll() is None
    stop_process(manager)
