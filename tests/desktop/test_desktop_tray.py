"""End to end on a real X desktop: profiles made on the command line, tokens copied from the tray.

What a user does, step by step: ``token-tray profile add … --secret-stdin`` (secret into the
real gnome-keyring), start ``token-tray``, right-click the tray icon, press ``h`` (the
``Copy &header`` mnemonic), paste; left-click the icon, paste. The pasted text is checked
against the loopback server's protected ``/api/me``: it must authorize. Along the way the
tray icon's state is read from its pixels, and the menu and each state are saved as
screenshots (test artifacts).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import IO

import pytest

from tests.desktop.steps import (
    add_profile,
    api_status,
    capture,
    change_settings,
    copy_with,
    menu_key,
    open_menu,
    wait_for_icon,
)
from tests.support.keyring_session import stop_process
from tests.support.processes import wait_until
from tests.support.tokenserver import Scripted, TokenServer
from tests.support.xdesktop import AppLauncher, Desktop, add_profile_via_cli, launch_tray, tray_host
from tray_app.gui.icons import IconState

pytestmark = pytest.mark.desktop

KDE_HINT = "x-kde-passwordManagerHint"
SLOW_ANSWER = 8.0
"""Seconds the first token request is held, so the 'getting a token' icon can be seen."""


def test_copy_header_and_token_from_the_tray(
    desktop: Desktop,
    launch_app: AppLauncher,
    standard_server: TokenServer,
    seed_server: TokenServer,
) -> None:
    add_profile(desktop, "Standard API", standard_server, "--default")
    add_profile(desktop, "Tarkov API", seed_server, "--body", "json")
    app = launch_app()

    icon = wait_until(lambda: desktop.tray_icon_of(app.pid), what="the tray icon")
    wait_until(lambda: standard_server.issued_tokens, what="the first token to be issued")

    header = copy_with(
        desktop,
        menu_key(desktop, app.pid, icon, "h"),
        lambda text: text.startswith("Authorization: Bearer "),
    )
    assert api_status(standard_server, header) == 200
    targets = desktop.clipboard("TARGETS") or ""
    assert KDE_HINT in targets.split()
    assert desktop.clipboard(KDE_HINT) == "secret"

    token = copy_with(
        desktop,
        lambda: desktop.click(icon, 1),
        lambda text: not text.startswith("Authorization"),
    )
    assert token in standard_server.issued_tokens
    assert api_status(standard_server, f"Authorization: Bearer {token}") == 200
    assert len(standard_server.token_requests) == 1  # both copies used the held token
    assert app.poll() is None


def test_icon_states_from_getting_a_token_to_a_failing_refresh(
    desktop: Desktop, launch_app: AppLauncher, standard_server: TokenServer, artifacts: Path
) -> None:
    add_profile(desktop, "Standard API", standard_server)
    change_settings(desktop, notifications=False)  # no balloon over the menu screenshot
    _status, answer, _headers = standard_server.issue()  # a real token, handed out slowly
    standard_server.script(Scripted.json(200, answer, delay=SLOW_ANSWER))
    app = launch_app()
    icon = wait_until(lambda: desktop.tray_icon_of(app.pid), what="the tray icon")

    wait_for_icon(desktop, icon, IconState.REFRESHING, timeout=SLOW_ANSWER)
    capture(desktop, [icon], artifacts / "icon-refreshing.png")
    wait_until(lambda: standard_server.issued_tokens, what="a token", timeout=3 * SLOW_ANSWER)
    wait_for_icon(desktop, icon, IconState.OK)
    capture(desktop, [icon], artifacts / "icon-ok.png")

    menu = open_menu(desktop, app.pid, icon)
    capture(desktop, [icon, menu], artifacts / "tray-menu.png", margin=12)
    desktop.key("Escape")
    wait_until(lambda: desktop.popup_menu_of(app.pid) is None, what="the menu to close")

    standard_server.script(*[Scripted.json(503, {"error": "temporarily_unavailable"})] * 20)
    menu_key(desktop, app.pid, icon, "r")()  # &Refresh now, answered 503: the token stays
    wait_for_icon(desktop, icon, IconState.WARNING)
    capture(desktop, [icon], artifacts / "icon-warning.png")
    token = copy_with(desktop, lambda: desktop.click(icon, 1), bool)
    assert api_status(standard_server, f"Authorization: Bearer {token}") == 200


SHORT_LIFETIME = 60
"""Seconds a token lives in the outage test: refreshed 30 s in, so 30 s of retries remain."""


def test_after_an_outage_the_token_is_replaced_before_it_expires(
    desktop: Desktop, launch_app: AppLauncher, artifacts: Path
) -> None:
    with TokenServer("standard", expires_in=SHORT_LIFETIME) as server:
        add_profile(desktop, "Standard API", server)
        change_settings(desktop, notifications=False)
        app = launch_app()
        icon = wait_until(lambda: desktop.tray_icon_of(app.pid), what="the tray icon")
        wait_until(lambda: server.issued_tokens, what="the first token")
        expires = time.monotonic() + SHORT_LIFETIME
        server.outage = True  # down from now on: the refresh 30 s in meets it, and retries

        wait_until(lambda: len(server.token_requests) >= 3, timeout=45, what="failed retries")
        wait_for_icon(desktop, icon, IconState.WARNING)  # the held token is still served
        capture(desktop, [icon], artifacts / "icon-outage.png")
        wait_until(lambda: time.monotonic() >= expires - 10, timeout=60, what="the outage")
        server.outage = False  # back 10 s before the token would expire

        wait_until(lambda: len(server.issued_tokens) == 2, timeout=20, what="a new token")
        assert time.monotonic() < expires  # replaced in time: the icon never turned red
        wait_for_icon(desktop, icon, IconState.OK)
        token = copy_with(desktop, lambda: desktop.click(icon, 1), bool)
        assert token == server.issued_tokens[-1]
        assert api_status(server, f"Authorization: Bearer {token}") == 200


def test_rejected_credentials_turn_the_icon_red(
    desktop: Desktop, launch_app: AppLauncher, standard_server: TokenServer, artifacts: Path
) -> None:
    add_profile_via_cli(
        desktop.env,
        "Standard API",
        token_url=standard_server.token_url,
        client_id=standard_server.client_id,
        secret="not-the-secret-we-were-given",
    )
    app = launch_app()
    icon = wait_until(lambda: desktop.tray_icon_of(app.pid), what="the tray icon")

    wait_for_icon(desktop, icon, IconState.ERROR)
    capture(desktop, [icon], artifacts / "icon-error.png")
    desktop.click(icon, 1)  # nothing to copy: the clipboard stays empty
    assert desktop.clipboard() is None
    assert standard_server.issued_tokens == []


def test_first_start_without_a_profile_opens_settings(
    desktop: Desktop, launch_app: AppLauncher, artifacts: Path
) -> None:
    app = launch_app()

    icon = wait_until(lambda: desktop.tray_icon_of(app.pid), what="the tray icon")
    found = wait_until(
        lambda: desktop.run(
            "xdotool", "search", "--onlyvisible", "--name", "Settings", check=False
        ),
        what="the settings window",
    )
    assert set(found.split()) <= set(desktop.windows_of(app.pid))
    wait_for_icon(desktop, icon, IconState.EMPTY)
    capture(desktop, [icon], artifacts / "icon-empty.png")


def test_a_tray_that_appears_after_the_app_is_used(
    bare_desktop: Desktop, desktop_log: IO[bytes], standard_server: TokenServer
) -> None:
    """Desktops often start their panel after autostarted programs: the app waits for it."""
    add_profile(bare_desktop, "Standard API", standard_server)
    app = launch_tray(bare_desktop.env, desktop_log)
    try:
        wait_until(lambda: standard_server.issued_tokens, what="the first token")
        assert bare_desktop.tray_icon_of(app.pid) is None  # nowhere to show it yet

        with tray_host(bare_desktop.env, desktop_log):
            icon = wait_until(lambda: bare_desktop.tray_icon_of(app.pid), what="the tray icon")
            token = copy_with(bare_desktop, lambda: bare_desktop.click(icon, 1), bool)
        assert token in standard_server.issued_tokens
    finally:
        stop_process(app)
