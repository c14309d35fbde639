"""Take ``docs/screenshots/tray-menu.png``: the real tray menu with two profiles.

Usage: ``.venv/bin/python -m tools.screenshot_tray [--output PATH] [--main-only]``

It runs everything the desktop tests run, privately: Xvfb, trayer, a D-Bus session with an
unlocked gnome-keyring and two loopback token servers (a Tarkov-style JSON one and a standard
form + Basic one). Both profiles are created with ``token-tray profile add``, the tray is
started, its menu opened with a right-click and the other profile's submenu with the keyboard
(unless ``--main-only``), the screen captured with ImageMagick's ``import`` and cropped to
the panel corner and the menu. Needs the same tools as ``tests/desktop``.
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QRect
from PySide6.QtGui import QImage

from tests.support.keyring_session import gnome_keyring, stop_process
from tests.support.processes import REPO_ROOT, wait_until
from tests.support.tokenserver import TokenServer
from tests.support.xdesktop import (
    Desktop,
    add_profile_via_cli,
    desktop_env,
    launch_tray,
    require_tools,
    set_root_background,
    tray_host,
    xvfb,
)

DEFAULT_OUTPUT = REPO_ROOT / "docs" / "screenshots" / "tray-menu.png"
MARGIN = 16
BACKGROUND = 0x3B4A5A
"""A calm slate 'wallpaper' instead of Xvfb's black."""


def add_profiles(env: dict[str, str], tarkov: TokenServer, standard: TokenServer) -> None:
    add_profile_via_cli(
        env,
        "Tarkov API",
        token_url=tarkov.token_url,
        client_id=tarkov.client_id,
        secret=tarkov.client_secret,
        extra=["--body", "json", "--default", "--api-url", tarkov.api_url],
    )
    add_profile_via_cli(
        env,
        "Acme staging",
        token_url=standard.token_url,
        client_id=standard.client_id,
        secret=standard.client_secret,
        extra=["--scope", "read write"],
    )


def wait_for_tokens(desktop: Desktop, pid: int, icon: str, servers: list[TokenServer]) -> None:
    """Wait until every server issued a token and the tray holds the default one."""
    for server in servers:
        wait_until(server_issued(server), what="tokens to be issued")
    wait_until(lambda: left_click_copies(desktop, icon, servers[0]), what="the default token")
    # The copy shows a message balloon under the icon; let it time out before the menu opens.
    wait_until(lambda: desktop.windows_of(pid) == [icon], timeout=30, what="the message to go")


def server_issued(server: TokenServer) -> Callable[[], list[str]]:
    return lambda: server.issued_tokens


def left_click_copies(desktop: Desktop, icon: str, server: TokenServer) -> bool:
    """Left-click the icon; True once the clipboard holds a token ``server`` issued."""
    desktop.click(icon, 1)
    try:
        wait_until(lambda: desktop.clipboard() in server.issued_tokens, timeout=2, what="copy")
    except AssertionError:
        return False
    return True


def open_menu(desktop: Desktop, pid: int, icon: str, submenu: bool) -> list[str]:
    """Right-click the icon; optionally open the first submenu; return the menu windows.

    The click is on the icon's bottom-left pixel: the menu opens at the pointer, so it then
    hangs below the icon instead of covering it.
    """
    _x, _y, _width, height = desktop.geometry(icon)
    desktop.click(icon, 3, x=0, y=height - 1)
    wait_until(lambda: desktop.popup_menu_of(pid), what="the tray menu")
    if submenu:
        for key in ("Up", "Up", "Up", "Up", "Right"):  # Quit → log folder → Settings… → submenu
            desktop.key(key)
        wait_until(lambda: len(menus_of(desktop, pid)) == 2, what="the submenu")
    return menus_of(desktop, pid)


def menus_of(desktop: Desktop, pid: int) -> list[str]:
    return [w for w in desktop.windows_of(pid) if "POPUP_MENU" in desktop.window_type(w)]


def crop_box(desktop: Desktop, windows: list[str], screen: QRect) -> QRect:
    """The smallest rectangle around ``windows`` and the panel row, plus a margin."""
    box = QRect()
    for window in windows:
        x, y, width, height = desktop.geometry(window)
        box = box.united(QRect(x, y, width, height))
    box = box.united(QRect(box.x(), 0, box.width(), 1))
    return box.adjusted(-MARGIN, 0, MARGIN, MARGIN).intersected(screen)


def capture(desktop: Desktop, windows: list[str], output: Path, scratch: Path) -> None:
    full = scratch / "full.png"
    desktop.screenshot(full)
    image = QImage(str(full))
    cropped = image.copy(crop_box(desktop, windows, image.rect()))
    output.parent.mkdir(parents=True, exist_ok=True)
    if not cropped.save(str(output)):
        raise SystemExit(f"could not write {output}")


def take(output: Path, *, submenu: bool) -> None:
    require_tools((*("Xvfb", "trayer", "xdotool", "xclip", "xprop"), "import"))
    with (
        tempfile.TemporaryDirectory(prefix="tt-shot-") as tmp,
        TokenServer("seed") as tarkov,
        TokenServer("standard") as standard,
        xvfb("1024x600x24") as display,
        gnome_keyring(Path(tmp) / "keyring") as keyring_env,
    ):
        env = desktop_env(keyring_env, display, Path(tmp) / "config")
        set_root_background(display, BACKGROUND)
        with tray_host(env):
            desktop = Desktop(env)
            add_profiles(env, tarkov, standard)
            app = launch_tray(env)
            try:
                icon = wait_until(lambda: desktop.tray_icon_of(app.pid), what="the tray icon")
                wait_for_tokens(desktop, app.pid, icon, [tarkov, standard])
                menus = open_menu(desktop, app.pid, icon, submenu)
                capture(desktop, [icon, *menus], output, Path(tmp))
            finally:
                stop_process(app)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--main-only", action="store_true", help="do not open the submenu")
    args = parser.parse_args(argv)
    take(args.output, submenu=not args.main_only)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
