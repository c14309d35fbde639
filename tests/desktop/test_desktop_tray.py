"""End to end on a real X desktop: profiles made on the command line, tokens copied from the tray.

What a user does, step by step: ``token-tray profile add … --secret-stdin`` (secret into the
real gnome-keyring), start ``token-tray``, right-click the tray icon, press ``h`` (the
``Copy &header`` mnemonic), paste; left-click the icon, paste. The pasted text is checked
against the loopback server's protected ``/api/me``: it must authorize.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable

import pytest

from tests.desktop.conftest import AppLauncher
from tests.support.tokenserver import TokenServer
from tests.support.xdesktop import Desktop, add_profile_via_cli, wait_until

pytestmark = pytest.mark.desktop

KDE_HINT = "x-kde-passwordManagerHint"
COPY_TIMEOUT = 8.0


def add_profile(desktop: Desktop, name: str, server: TokenServer, *extra: str) -> None:
    add_profile_via_cli(
        desktop.env,
        name,
        token_url=server.token_url,
        client_id=server.client_id,
        secret=server.client_secret,
        extra=["--api-url", server.api_url, *extra],
    )


def api_status(server: TokenServer, header: str) -> int:
    """The HTTP status of ``GET /api/me`` sent with ``header`` ("Name: value")."""
    name, _, value = header.partition(": ")
    request = urllib.request.Request(server.api_url, headers={name: value})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return error.code


def _acceptable(text: str | None, accept: Callable[[str], bool]) -> str | None:
    return text if text is not None and accept(text) else None


def copy_with(desktop: Desktop, act: Callable[[], None], accept: Callable[[str], bool]) -> str:
    """Do ``act`` until the clipboard holds acceptable text.

    A copy made before the first token arrived copies nothing (by design: it explains why in
    a tray message), so one more attempt is allowed.
    """
    for _attempt in range(2):
        act()
        try:
            return wait_until(
                lambda: _acceptable(desktop.clipboard(), accept),
                timeout=COPY_TIMEOUT,
                what="the clipboard to hold the copy",
            )
        except AssertionError:
            continue
    raise AssertionError(f"nothing acceptable was copied; clipboard: {desktop.clipboard()!r}")


def menu_key(desktop: Desktop, pid: int, icon: str, key: str) -> Callable[[], None]:
    def act() -> None:
        desktop.click(icon, 3)
        wait_until(lambda: desktop.popup_menu_of(pid), timeout=10, what="the tray menu")
        desktop.key(key)
        wait_until(lambda: desktop.popup_menu_of(pid) is None, timeout=10, what="menu to close")

    return act


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

    token = copy_with(
        desktop,
        lambda: desktop.click(icon, 1),
        lambda text: not text.startswith("Authorization"),
    )
    assert token in standard_server.issued_tokens
    assert api_status(standard_server, f"Authorization: Bearer {token}") == 200
    assert len(standard_server.token_requests) == 1  # both copies used the held token
    assert app.poll() is None


def test_first_start_without_a_profile_opens_settings(
    desktop: Desktop, launch_app: AppLauncher
) -> None:
    app = launch_app()

    wait_until(lambda: desktop.tray_icon_of(app.pid), what="the tray icon")
    found = wait_until(
        lambda: desktop.run(
            "xdotool", "search", "--onlyvisible", "--name", "Settings", check=False
        ),
        what="the settings window",
    )
    assert set(found.split()) <= set(desktop.windows_of(app.pid))
