"""The "Start Token Tray when I log in" checkbox of the settings' Application tab.

Design decisions:

* **It shows the real state**, read from the platform's own place
  (:func:`~tray_app.core.autostart.autostart_for`: the autostart file, the ``Run`` value, the
  LaunchAgent), never a remembered setting: ``token-tray autostart off`` in a terminal, or the
  desktop's own startup-apps settings, show up the next time the window opens
  (:meth:`AutostartSwitch.refresh`). Reading is a single small local file or registry value,
  like config.json, so it happens on the GUI thread.
* **Changing it runs on a worker** (:class:`~tray_app.runtime.workers.Task`) like every other save.
  While it runs the box is disabled; afterwards it shows the state the place really has, so a
  failure (a read-only autostart folder) puts the box back where it was and reports the
  :class:`AppError` through ``failed`` — the tab shows it under its controls.
* It starts the command of *this* installation (:func:`~tray_app.core.desktop_entry.
  launch_command`): the bundle's executable or the ``token-tray`` script.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QThreadPool, Signal
from PySide6.QtWidgets import QCheckBox, QWidget

from tray_app.core.autostart import Autostart, autostart_for
from tray_app.core.desktop_entry import launch_command
from tray_app.core.errors import AppError
from tray_app.runtime.workers import Task

LABEL = "Start Token Tray when I log &in"
TIP = (
    "Token Tray starts by itself after you log in to this computer, sits in the tray and keeps "
    "your tokens fresh."
)


def _apply(place: Autostart, on: bool, argv: Sequence[str]) -> bool:
    if on:
        place.turn_on(argv)
    else:
        place.turn_off()
    return place.is_on()


class AutostartSwitch(QCheckBox):
    """A checkbox bound to the computer's start-at-login setting for Token Tray."""

    changed = Signal(bool)
    """Start at login was turned on (True) or off (False) successfully."""
    failed = Signal(AppError)

    def __init__(
        self,
        place: Autostart | None = None,
        *,
        launch: Callable[[], list[str]] = launch_command,
        pool: QThreadPool | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(LABEL, parent)
        self._place = place if place is not None else autostart_for()
        self._launch, self._pool = launch, pool
        self._task: Task | None = None
        self.setToolTip(TIP)
        self.refresh()
        self.toggled.connect(self._on_toggled)

    def is_busy(self) -> bool:
        return self._task is not None and self._task.is_running()

    def refresh(self) -> None:
        """Show the state the computer has now (not while a change is being made)."""
        if self.is_busy():
            return
        try:
            on = self._place.is_on()
        except AppError as error:
            self.setEnabled(False)
            self.failed.emit(error)
            return
        self.setEnabled(True)
        self._show(on)

    def _show(self, on: bool) -> None:
        self.blockSignals(True)
        self.setChecked(on)
        self.blockSignals(False)

    def _on_toggled(self, on: bool) -> None:
        place, launch = self._place, self._launch
        self.setEnabled(False)
        self._task = Task(lambda: _apply(place, on, launch() if on else []), self)
        self._task.succeeded.connect(self._on_done)
        self._task.failed.connect(self._on_failed)
        self._task.start(self._pool)

    def _on_done(self, now_on: bool) -> None:
        self.setEnabled(True)
        self._show(now_on)
        self.changed.emit(now_on)

    def _on_failed(self, error: AppError) -> None:
        self._task = None
        self.refresh()
        self.failed.emit(error)
