"""Errors of a tray started without a console (Windows' ``token-tray-gui.exe``, ``pythonw``).

Before the event loop runs, a failure is reported the command line's way: a message on stderr.
A windowless Windows program has no stderr at all (``sys.stderr`` is ``None``: Python's
"Using Python on Windows" documentation for pythonw, and PyInstaller's windowed bootloader), so a
double-click that fails would do nothing visible. There the same text is shown in a message box
instead. ``MessageBoxW`` is called through :mod:`ctypes`, not Qt: the failure may be that Qt
itself could not start.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable

from tray_app.identity import DISPLAY_NAME

MB_ICONERROR = 0x00000010
MB_SETFOREGROUND = 0x00010000
"""``MessageBoxW`` flags (WinUser.h): an error icon, and the box in front of other windows."""

Show = Callable[[str, str], None]


def message_box(title: str, text: str) -> None:  # pragma: no cover - Windows only
    import ctypes

    user32 = getattr(ctypes, "WinDLL")("user32")  # noqa: B009
    user32.MessageBoxW(None, text, title, MB_ICONERROR | MB_SETFOREGROUND)


def report_visibly(
    report: Callable[[], int], *, platform: str | None = None, show: Show | None = None
) -> int:
    """Run ``report`` (it writes an error to stderr); with no console on Windows, show that text
    in a message box too. Returns ``report``'s exit code."""
    if sys.stderr is not None or (platform or sys.platform) != "win32":
        return report()
    captured = io.StringIO()
    sys.stderr = captured
    try:
        code = report()
    finally:
        sys.stderr = None  # as the windowless program had it
    text = captured.getvalue().strip()
    if text:
        (show or message_box)(DISPLAY_NAME, text)
    return code
