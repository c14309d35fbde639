"""Which way copies go on which desktop (:func:`~tray_app.gui.clipboard.clipboard_backend`).

The routes themselves are tested against real compositors in tests/desktop (sway:
data-control; mutter: XWayland, or an open failure without it). Here: the choice, the cases
where start-up leaves Qt's platform alone, and that X11 never loads the Wayland client.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.support.processes import REPO_ROOT
from tray_app.gui.clipboard import ClipboardWriter, NoClipboard, QtClipboard, clipboard_backend
from tray_app.gui.startup import choose_platform

NO_SUCH_COMPOSITOR = {"WAYLAND_DISPLAY": "wayland-none", "XDG_RUNTIME_DIR": "/nonexistent"}
X11_START = """
import sys
from PySide6.QtWidgets import QApplication
from tray_app.gui.clipboard import QtClipboard, clipboard_backend
app = QApplication([])
backend = clipboard_backend(app.clipboard(), "xcb", {"DISPLAY": ":0"})
assert isinstance(backend, QtClipboard), backend
print(sorted(name for name in sys.modules if name.startswith("tray_app.gui.wayland")))
"""


def test_x11_uses_qt_and_never_loads_the_wayland_client(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", X11_START],
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == "[]"


def test_test_platforms_use_qt_even_in_a_wayland_session(qtbot: QtBot) -> None:
    backend = clipboard_backend(QApplication.clipboard(), "offscreen", NO_SUCH_COMPOSITOR)

    assert isinstance(backend, QtClipboard)


def test_native_wayland_without_data_control_refuses_copies_openly(
    qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    backend = clipboard_backend(QApplication.clipboard(), "wayland", NO_SUCH_COMPOSITOR)
    writer = ClipboardWriter(backend, clear_after_ms=60_000)

    assert isinstance(backend, NoClipboard)
    assert "wayland-none" in backend.reason
    assert not writer.copy("secret-token")
    assert not writer.timer.isActive()
    assert not writer.holds_our_copy()
    assert "Could not copy: the compositor does not let a tray set the clipboard" in caplog.text
    writer.deleteLater()


def test_xwayland_without_data_control_falls_back_to_qts_x11_clipboard(qtbot: QtBot) -> None:
    backend = clipboard_backend(QApplication.clipboard(), "xcb", NO_SUCH_COMPOSITOR)

    assert isinstance(backend, QtClipboard)


def test_start_up_leaves_qt_alone_unless_a_compositor_answers_without_data_control() -> None:
    x11 = {"DISPLAY": ":0"}
    chosen = {**NO_SUCH_COMPOSITOR, "DISPLAY": ":0", "QT_QPA_PLATFORM": "wayland"}
    no_xwayland = dict(NO_SUCH_COMPOSITOR)
    unreachable = {**NO_SUCH_COMPOSITOR, "DISPLAY": ":0"}

    for env in (x11, chosen, no_xwayland, unreachable):
        before = dict(env)
        choose_platform(env)
        assert env == before
