"""Start a :class:`~tray_app.gui.app.TrayApplication` in a test as ``run_tray`` does.

``start()`` shows the tray and leaves the services for the event loop's first turn (icon
first, see :mod:`tray_app.gui.app`); :func:`start_app` runs that turn, so a test continues with the
services running, as a user's app is a moment after start.
"""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from tray_app.gui.app import TrayApplication

WAIT_MS = 5000


def start_app(qtbot: QtBot, app: TrayApplication) -> None:
    app.start()
    qtbot.waitUntil(lambda: app.core_started, timeout=WAIT_MS)
