"""The floor every Token Tray benchmark is measured against: a bare PySide6 tray.

QApplication + QSystemTrayIcon + QMenu and nothing else — no SVG, no network, no keyring, no
config. Its icon is a plain filled pixmap. It is what "a tray app" costs at the least, so the
start-up, memory and bundle-size benchmarks (``bench/``, ``packaging/``) report Token Tray as a
ratio of this script, built or launched exactly the same way.

Run: ``python bench/bare_tray.py`` (needs a display with a system tray). It quits from its menu,
on SIGTERM or on Ctrl+C.
"""

from __future__ import annotations

import signal
import sys

from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon


def main() -> int:
    app = QApplication(sys.argv)
    app.setQuitOnLastWindowClosed(False)
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl+C ends it; SIGTERM does by default
    pixmap = QPixmap(32, 32)
    pixmap.fill(QColor("#2e7d32"))
    tray = QSystemTrayIcon(QIcon(pixmap))
    menu = QMenu()
    menu.addAction("Quit", app.quit)
    tray.setContextMenu(menu)
    tray.setToolTip("Bare tray")
    tray.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
