"""The "Application" tab of the settings window: preferences that are not per profile.

Left-click action, how long a copy stays on the clipboard, copy notifications and the default
profile (the fields of :class:`~tray_app.core.config.AppSettings`), and "Start Token Tray when I log
in" (:class:`~tray_app.gui.settings.autostart_switch.AutostartSwitch`: not in config.json — it shows
and changes the computer's own start-at-login setting; its outcome appears in the same status line
as a save's).

Design decisions:

* **Saved and applied at once**, no Save button: each change is written through
  ``ProfileRepository.save_settings`` (config.json, read-modify-write) on a worker thread, and
  the resulting :class:`Config` is emitted as ``saved``; the dialog passes it on as
  ``configChanged``, which the app applies (left click, clear timer, menu order) immediately.
* **One save at a time.** A change made while a save runs is saved right after it, with the
  values shown at that moment, so the last choice always wins.
* **A failed save loses nothing:** the controls keep the user's choice and the error's title
  and message appear under them; the next change tries again.
* :meth:`AppSettingsTab.set_config` shows a config without saving it (signals blocked), so the
  dialog can keep the tab current when the default changes on the Profiles tab.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QThreadPool, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from tray_app.core.autostart import Autostart
from tray_app.core.config import MAX_CLIPBOARD_CLEAR_SECONDS, AppSettings, Config, LeftClick
from tray_app.core.errors import AppError
from tray_app.gui.settings.autostart_switch import AutostartSwitch
from tray_app.gui.settings.texts import HINT_STYLE, NOTE_STYLE, OK_STYLE, describe_error
from tray_app.gui.settings.widgets import styled_label
from tray_app.runtime.workers import Task

LEFT_CLICK_CHOICES = (
    (LeftClick.COPY_TOKEN, "Copy the token"),
    (LeftClick.COPY_HEADER, "Copy the Authorization header"),
    (LeftClick.OPEN_MENU, "Open the menu"),
)
INTRO = "These settings apply to all profiles. Changes are saved at once."
CLEAR_TIP = (
    "A copied token is removed from the clipboard after this time — unless you copied "
    "something else meanwhile. It is also removed when Token Tray quits."
)
NOTIFY_TIP = (
    "A short message after each copy says what was copied and how long it stays valid. "
    "Problems that need you are always shown."
)

AUTOSTART_ON = "✓ Token Tray will start when you log in."
AUTOSTART_OFF = "✓ Token Tray will no longer start when you log in."


def _buddy(text: str, field: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(field)
    return label


class SettingsSaver(Protocol):
    """The part of :class:`~tray_app.core.repository.ProfileRepository` the tab uses."""

    def save_settings(self, settings: AppSettings) -> Config: ...


class AppSettingsTab(QWidget):
    """Edits :class:`AppSettings`; every change is saved and emitted as ``saved``."""

    saved = Signal(Config)

    def __init__(
        self,
        saver: SettingsSaver,
        *,
        pool: QThreadPool | None = None,
        autostart: Autostart | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._saver, self._pool = saver, pool
        self._config = Config()
        self._task: Task | None = None
        self._again = False
        self.left_click = QComboBox()
        for choice, text in LEFT_CLICK_CHOICES:
            self.left_click.addItem(text, choice.value)
        self.clear_seconds = QSpinBox()
        self.clear_seconds.setRange(0, MAX_CLIPBOARD_CLEAR_SECONDS)
        self.clear_seconds.setSuffix(" seconds")
        self.clear_seconds.setSpecialValueText("Never")
        self.clear_seconds.setKeyboardTracking(False)  # save the number typed, not each digit
        self.clear_seconds.setToolTip(CLEAR_TIP)
        self.notifications = QCheckBox("Show a &notification after each copy")
        self.notifications.setToolTip(NOTIFY_TIP)
        self.default_profile = QComboBox()
        self.default_profile.setToolTip(
            "Left-click copies from this profile; the menu shows it first."
        )
        self.status = styled_label("")
        self.autostart = AutostartSwitch(autostart, pool=pool)
        self.autostart.changed.connect(self._on_autostart_changed)
        self.autostart.failed.connect(self._on_failed)
        self._lay_out()
        self.left_click.currentIndexChanged.connect(self._changed)
        self.clear_seconds.valueChanged.connect(self._changed)
        self.notifications.toggled.connect(self._changed)
        self.default_profile.currentIndexChanged.connect(self._changed)

    def _lay_out(self) -> None:
        intro = QLabel(INTRO)
        intro.setWordWrap(True)
        intro.setStyleSheet(NOTE_STYLE)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        form.addRow(_buddy("When you left-&click the tray icon:", self.left_click), self.left_click)
        form.addRow(_buddy("Clear the clip&board after:", self.clear_seconds), self.clear_seconds)
        form.addRow("", self.notifications)
        form.addRow(_buddy("De&fault profile:", self.default_profile), self.default_profile)
        form.addRow("", self.autostart)
        outer = QVBoxLayout(self)
        outer.addWidget(intro)
        outer.addLayout(form)
        outer.addWidget(self.status)
        outer.addStretch(1)

    def set_config(self, config: Config) -> None:
        """Show ``config``'s settings and profiles without saving anything.

        While a newer choice waits to be saved, the controls keep it (it is saved next).
        """
        self._config = config
        self.autostart.refresh()
        if self._again:
            return
        settings = config.settings
        widgets = (self.left_click, self.clear_seconds, self.notifications, self.default_profile)
        for widget in widgets:
            widget.blockSignals(True)
        self.left_click.setCurrentIndex(max(0, self.left_click.findData(settings.left_click.value)))
        self.clear_seconds.setValue(settings.clipboard_clear_seconds)
        self.notifications.setChecked(settings.notifications)
        self._fill_profiles(config)
        for widget in widgets:
            widget.blockSignals(False)

    def _fill_profiles(self, config: Config) -> None:
        self.default_profile.clear()
        for profile in config.profiles:
            self.default_profile.addItem(profile.name, profile.id)
        default = config.default_profile()
        self.default_profile.setEnabled(bool(config.profiles))
        if default is None:
            self.default_profile.addItem("No profile yet", None)
        else:
            self.default_profile.setCurrentIndex(self.default_profile.findData(default.id))

    def shown_settings(self) -> AppSettings:
        """The settings as the controls show them."""
        profile_id = self.default_profile.currentData()
        return AppSettings(
            default_profile_id=profile_id if isinstance(profile_id, str) else None,
            clipboard_clear_seconds=self.clear_seconds.value(),
            notifications=self.notifications.isChecked(),
            left_click=LeftClick(self.left_click.currentData()),
        )

    def is_saving(self) -> bool:
        return self._task is not None and self._task.is_running()

    def _changed(self) -> None:
        if self.is_saving():
            self._again = True
            return
        wanted = self.shown_settings()
        if wanted == self._config.settings:
            return
        self.status.setStyleSheet(NOTE_STYLE)
        self.status.setText("Saving…")
        saver = self._saver
        self._task = Task(lambda: saver.save_settings(wanted), self)
        self._task.succeeded.connect(self._on_saved)
        self._task.failed.connect(self._on_failed)
        self._task.finished.connect(self._after_save)
        self._task.start(self._pool)

    def _on_saved(self, config: Config) -> None:
        self._config = config
        self.status.setStyleSheet(OK_STYLE)
        self.status.setText("✓ Saved.")
        self.saved.emit(config)

    def _on_autostart_changed(self, on: bool) -> None:
        self.status.setStyleSheet(OK_STYLE)
        self.status.setText(AUTOSTART_ON if on else AUTOSTART_OFF)

    def _on_failed(self, error: AppError) -> None:
        self.status.setStyleSheet(HINT_STYLE)
        self.status.setText(describe_error(error))

    def _after_save(self) -> None:
        if self._again:
            self._again = False
            self._changed()
