"""What the Wayland desktop tests do as a user and as the tray host: shared by their files.

The app runs in the headless sway session (:mod:`tests.support.wayland_desktop`); its icon and
menu are reached as waybar reaches them, over the session bus (:mod:`tests.support.sni`).
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from PySide6.QtGui import QImage

from tests.desktop.steps import change_settings, dominant_state
from tests.support.processes import wait_until
from tests.support.sni import TrayItem, registered_items
from tests.support.tokenserver import TokenServer
from tests.support.wayland_desktop import WaylandDesktop
from tests.support.xdesktop import AppLauncher
from tray_app.gui.icons import IconState

APP_TIMEOUT = 30.0


def add_profile(wayland: WaylandDesktop, name: str, server: TokenServer) -> None:
    """``token-tray profile add`` as the session user types it (secret on stdin)."""
    args = ["profile", "add", name, "--token-url", server.token_url]
    args += ["--client-id", server.client_id, "--api-url", server.api_url, "--secret-stdin"]
    result = subprocess.run(
        [sys.executable, "-m", "tray_app", *args],
        input=server.client_secret + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        **wayland.user.launch(args, wayland.env),
    )
    assert result.returncode == 0, f"profile add failed: {result.stderr}"


def tray_item(wayland: WaylandDesktop, app: subprocess.Popen[bytes]) -> TrayItem:
    """The app's StatusNotifierItem, once waybar's watcher has it registered."""

    def registered() -> list[str]:
        assert app.poll() is None, f"the app exited with code {app.returncode}"
        return registered_items(wayland.bus)

    (item,) = wait_until(registered, timeout=APP_TIMEOUT, what="the app's tray item in waybar")
    return TrayItem(wayland.bus, item)


def start_app(
    wayland: WaylandDesktop, launch: AppLauncher, server: TokenServer, clear_seconds: int = 0
) -> tuple[subprocess.Popen[bytes], TrayItem]:
    """A running app with one profile for ``server``, and its icon in waybar."""
    add_profile(wayland, "Standard API", server)
    change_settings(wayland, clipboard_clear_seconds=clear_seconds)
    app = launch()
    return app, tray_item(wayland, app)


def start_with_token(
    wayland: WaylandDesktop, launch: AppLauncher, server: TokenServer, clear_seconds: int
) -> tuple[subprocess.Popen[bytes], TrayItem]:
    """:func:`start_app`, once the profile's first token has been issued."""
    app, item = start_app(wayland, launch, server, clear_seconds)
    wait_until(lambda: server.issued_tokens, timeout=APP_TIMEOUT, what="the first token")
    return app, item


def pixmap_state(pixmaps: list[Any]) -> IconState | None:
    """The state an SNI ``IconPixmap`` (ARGB32 in network byte order) shows, by its colours."""
    width, height, argb = max(pixmaps, key=lambda pixmap: pixmap[0])
    rgba = bytearray(len(argb))
    for channel in range(4):  # A R G B -> R G B A
        rgba[channel::4] = bytes(argb)[(channel + 1) % 4 :: 4]
    image = QImage(bytes(rgba), width, height, QImage.Format.Format_RGBA8888).copy()
    return dominant_state(image)
