"""Open the log folder, or say where it is in a window when no file manager can show it.

"Open log folder" hands the folder to the desktop (``QDesktopServices``); on a machine without
a file opener (a bare window manager, a container) that fails without a word. Then this box
names the folder and copies its path with one click, so the log can still be found and sent.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from tray_app.core.logsetup import default_log_dir
from tray_app.identity import DISPLAY_NAME

COPY_PATH = "&Copy path"


def open_log_folder() -> bool:
    """Show the log folder in the file manager (created first, so there is something to show)."""
    folder = default_log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


def show_log_path(folder: Path, parent: QWidget | None = None) -> QMessageBox:
    """A non-blocking box naming ``folder``, with a button that copies its path."""
    box = QMessageBox(QMessageBox.Icon.Information, DISPLAY_NAME, "", parent=parent)
    box.setText("No file manager could open the log folder. It is here:")
    box.setInformativeText(str(folder))
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    copy = box.addButton(COPY_PATH, QMessageBox.ButtonRole.ActionRole)
    box.addButton(QMessageBox.StandardButton.Close)
    copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(str(folder)))
    box.open()
    return box
