"""Wait for a system tray to appear before showing the icon.

Desktops often start their tray host after the programs they autostart, and some desktops
(GNOME without an extension) have none at all. :class:`TrayWaiter` retries on a timer, tells the
app when it has waited long enough to explain the problem to the user, and keeps watching
slowly afterwards, so a tray that appears late is still used. The availability check is
injected, so tests fire the timer by hand.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QSystemTrayIcon


class TrayWaiter(QObject):
    """Waits for a system tray to appear, as Maestral does.

    Desktops often start the tray host after their autostart programs, so a missing tray at
    start is retried every ``interval_ms``. After ``patience_ms`` ``gaveUp`` is emitted (the
    app then explains the problem in a window) and watching continues every ``slow_ms``;
    ``ready`` is emitted once, whenever the tray appears.
    """

    ready = Signal()
    gaveUp = Signal()

    def __init__(
        self,
        available: Callable[[], bool] = QSystemTrayIcon.isSystemTrayAvailable,
        *,
        interval_ms: int = 2_000,
        patience_ms: int = 30_000,
        slow_ms: int = 10_000,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._available = available
        self._tries_left = max(1, patience_ms // interval_ms)
        self._slow_ms = slow_ms
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)

    @property
    def timer(self) -> QTimer:
        return self._timer

    def start(self) -> None:
        """Check now; if there is no tray yet, keep checking on the timer."""
        if not self.check():
            self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    @Slot()
    def check(self) -> bool:
        """True (and ``ready`` emitted) once the tray is there."""
        if self._available():
            self._timer.stop()
            self.ready.emit()
            return True
        self._tries_left -= 1
        if self._tries_left == 0:
            self._timer.setInterval(self._slow_ms)
            self.gaveUp.emit()
        return False
