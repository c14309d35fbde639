"""What the desktop tests do as a user, and what they look at: shared by tests/desktop.

Each step drives the real app through the X server (xdotool clicks and keys, xclip reads);
waits poll a condition against a deadline (:func:`~tests.support.xdesktop.wait_until`).
"""

from __future__ import annotations

import dataclasses
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QImage

from tests.support.processes import wait_until
from tests.support.tokenserver import TokenServer
from tests.support.wayland_desktop import WaylandDesktop
from tests.support.xdesktop import Desktop, add_profile_via_cli
from tray_app.core.config import ConfigStore
from tray_app.gui.icons import IconState

COPY_TIMEOUT = 8.0
STATE_COLOURS = {
    IconState.OK: QColor("#2e7d32"),
    IconState.REFRESHING: QColor("#1565c0"),
    IconState.WARNING: QColor("#f9a825"),
    IconState.ERROR: QColor("#c62828"),
    IconState.EMPTY: QColor("#8a8a8a"),
}
"""The disc (or, when empty, outline) colour of each state's SVG."""


def add_profile(desktop: Desktop, name: str, server: TokenServer, *extra: str) -> None:
    """``token-tray profile add`` for ``server``'s client, secret typed on stdin."""
    add_profile_via_cli(
        desktop.env,
        name,
        token_url=server.token_url,
        client_id=server.client_id,
        secret=server.client_secret,
        extra=["--api-url", server.api_url, *extra],
    )


def change_settings(desktop: Desktop | WaylandDesktop, **changes: object) -> None:
    """Change application settings in config.json (as the Application tab would save them)."""
    store = ConfigStore(Path(desktop.env["TOKEN_TRAY_CONFIG_DIR"]))
    config = store.load()
    config.settings = dataclasses.replace(config.settings, **changes)  # type: ignore[arg-type]
    store.save(config)
    if isinstance(desktop, WaylandDesktop):
        desktop.user.own(Path(desktop.env["TOKEN_TRAY_CONFIG_DIR"]))


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


def copy_with(
    desktop: Desktop | WaylandDesktop, act: Callable[[], None], accept: Callable[[str], bool]
) -> str:
    """Do ``act`` until the clipboard (xclip or wl-paste) holds acceptable text.

    A copy made before the first token arrived copies nothing (by design: it explains why in
    a tray message), so one more attempt is allowed.
    """
    read = desktop.paste if isinstance(desktop, WaylandDesktop) else desktop.clipboard
    for _attempt in range(2):
        act()
        try:
            return wait_until(
                lambda: _acceptable(read(), accept),
                timeout=COPY_TIMEOUT,
                what="the clipboard to hold the copy",
            )
        except AssertionError:
            continue
    raise AssertionError(f"nothing acceptable was copied; clipboard: {read()!r}")


def open_menu(desktop: Desktop, pid: int, icon: str) -> str:
    """Right-click the icon (bottom-left pixel, so the menu hangs below); the menu window.

    Qt's X11 (XEmbed) tray icon ignores the first right-click after its menu was closed with
    the keyboard (Escape or a mnemonic); a mouse-closed menu reopens at once. A user clicks
    again, and so does this step, once.
    """
    _x, _y, _width, height = desktop.geometry(icon)
    for _attempt in range(2):
        desktop.click(icon, 3, x=0, y=height - 1)
        try:
            return wait_until(lambda: desktop.popup_menu_of(pid), timeout=3, what="the menu")
        except AssertionError:
            continue
    raise AssertionError("the tray menu did not open after two right-clicks")


def menu_key(desktop: Desktop, pid: int, icon: str, key: str) -> Callable[[], None]:
    """An action: open the tray menu and press ``key`` (a mnemonic), until the menu closes."""

    def act() -> None:
        open_menu(desktop, pid, icon)
        desktop.key(key)
        wait_until(lambda: desktop.popup_menu_of(pid) is None, timeout=10, what="menu to close")

    return act


def capture(desktop: Desktop, windows: list[str], path: Path, margin: int = 6) -> QImage:
    """Save the screen area around ``windows`` (plus ``margin``) as ``path``; return it."""
    full = path.with_suffix(".full.png")
    desktop.screenshot(full)
    screen = QImage(str(full))
    full.unlink()
    box = QRect()
    for window in windows:
        x, y, width, height = desktop.geometry(window)
        box = box.united(QRect(x, y, width, height))
    image = screen.copy(box.adjusted(-margin, -margin, margin, margin).intersected(screen.rect()))
    assert image.save(str(path)), path
    return image


def icon_state(desktop: Desktop, icon: str) -> IconState | None:
    """The state the tray icon shows, judged by its colours (None: no state colour dominates)."""
    x, y, width, height = desktop.geometry(icon)
    shot = Path(desktop.env["XDG_STATE_HOME"]) / "icon-probe.png"
    shot.parent.mkdir(parents=True, exist_ok=True)  # the icon shows before the app's log exists
    desktop.run("import", "-window", "root", "-crop", f"{width}x{height}+{x}+{y}", str(shot))
    return dominant_state(QImage(str(shot)))


def dominant_state(image: QImage) -> IconState | None:
    """The state whose colour covers most of ``image`` (None: none covers a twelfth of it)."""
    counts = dict.fromkeys(IconState, 0)
    for py in range(image.height()):
        for px in range(image.width()):
            pixel = image.pixelColor(px, py)
            for state, colour in STATE_COLOURS.items():
                if pixel.alpha() > 128 and _distance(pixel, colour) < 40:
                    counts[state] += 1
    best = max(counts, key=lambda state: counts[state])
    return best if counts[best] >= image.width() * image.height() // 12 else None


def _distance(first: QColor, second: QColor) -> int:
    return (
        abs(first.red() - second.red())
        + abs(first.green() - second.green())
        + abs(first.blue() - second.blue())
    )


def wait_for_icon(desktop: Desktop, icon: str, state: IconState, timeout: float = 20.0) -> None:
    wait_until(
        lambda: icon_state(desktop, icon) is state, timeout=timeout, what=f"a {state.name} icon"
    )
