"""The Application tab: shows the stored settings, saves each change at once, keeps it."""

from __future__ import annotations

import json
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from tests.support.settings_harness import WAIT_MS, Harness, entries, profile, select
from tray_app.core.config import AppSettings, Config, ConfigStore, LeftClick
from tray_app.gui.settings.app_tab import AppSettingsTab
from tray_app.gui.settings.dialog import SettingsDialog


def saved_by(qtbot: QtBot, dialog: SettingsDialog, change: Callable[[], object]) -> Config:
    """Run ``change`` and return the config the dialog then announces."""
    with qtbot.waitSignal(dialog.configChanged, timeout=WAIT_MS) as announced:
        change()
    qtbot.waitUntil(lambda: not dialog.app_tab.is_saving(), timeout=WAIT_MS)
    config = announced.args[0]
    assert isinstance(config, Config)
    return config


def open_tab(harness: Harness) -> tuple[SettingsDialog, AppSettingsTab]:
    dialog = harness.dialog()
    dialog.tabs.setCurrentWidget(dialog.app_tab)
    return dialog, dialog.app_tab


def test_the_second_tab_shows_the_stored_settings(harness: Harness) -> None:
    alpha = harness.add(profile("Alpha"))
    beta = profile("Beta")
    harness.add(beta)
    config = ConfigStore().load()
    config.settings = AppSettings(beta.id, 15, False, LeftClick.OPEN_MENU)
    ConfigStore().save(config)
    del alpha

    dialog, tab = open_tab(harness)

    assert dialog.tabs.tabText(1) == "Application"
    assert tab.left_click.currentText() == "Open the menu"
    assert tab.clear_seconds.text() == "15 seconds"
    assert not tab.notifications.isChecked()
    assert tab.default_profile.currentText() == "Beta"
    assert [tab.default_profile.itemText(i) for i in range(2)] == ["Alpha", "Beta"]
    assert tab.shown_settings() == config.settings


def test_defaults_for_a_fresh_install(harness: Harness) -> None:
    _dialog, tab = open_tab(harness)

    assert tab.left_click.currentText() == "Copy the token"
    assert tab.clear_seconds.value() == 60
    assert tab.notifications.isChecked()
    assert tab.default_profile.currentText() == "No profile yet"
    assert not tab.default_profile.isEnabled()


def test_each_change_is_saved_and_announced_at_once(harness: Harness, qtbot: QtBot) -> None:
    harness.add(profile("Alpha"))
    dialog, tab = open_tab(harness)

    header = tab.left_click.findText("Copy the Authorization header")
    config = saved_by(qtbot, dialog, lambda: tab.left_click.setCurrentIndex(header))
    assert config.settings.left_click is LeftClick.COPY_HEADER
    assert ConfigStore().load().settings.left_click is LeftClick.COPY_HEADER

    config = saved_by(qtbot, dialog, tab.notifications.click)
    assert config.settings.notifications is False

    config = saved_by(qtbot, dialog, lambda: tab.clear_seconds.setValue(0))
    assert tab.clear_seconds.text() == "Never"
    stored = json.loads(ConfigStore().path.read_text(encoding="utf-8"))["settings"]
    assert stored["clipboard_clear_seconds"] == 0
    assert stored["notifications"] is False
    assert tab.status.text() == "✓ Saved."


def test_the_clear_time_is_saved_when_typed_not_per_digit(harness: Harness, qtbot: QtBot) -> None:
    dialog, tab = open_tab(harness)
    tab.clear_seconds.setFocus()
    tab.clear_seconds.selectAll()

    QTest.keyClicks(tab.clear_seconds, "120")
    assert not tab.is_saving()  # nothing written for "1" or "12"
    config = saved_by(qtbot, dialog, lambda: QTest.keyClick(tab.clear_seconds, Qt.Key.Key_Return))

    assert config.settings.clipboard_clear_seconds == 120


def test_choosing_the_default_profile_updates_the_profiles_tab(
    harness: Harness, qtbot: QtBot
) -> None:
    harness.add(profile("Alpha"))
    harness.add(profile("Beta"))
    dialog, tab = open_tab(harness)
    assert entries(dialog) == ["★ Alpha (default)", "Beta"]

    config = saved_by(qtbot, dialog, lambda: tab.default_profile.setCurrentIndex(1))

    assert config.default_profile() is not None
    assert config.default_profile().name == "Beta"  # type: ignore[union-attr]
    assert entries(dialog) == ["Alpha", "★ Beta (default)"]


def test_set_as_default_on_the_profiles_tab_shows_here(harness: Harness, qtbot: QtBot) -> None:
    harness.add(profile("Alpha"))
    beta = profile("Beta")
    harness.add(beta)
    dialog, tab = open_tab(harness)

    select(dialog, "Beta")

    config = saved_by(qtbot, dialog, dialog.default_button.click)

    assert config.settings.default_profile_id == beta.id
    assert tab.default_profile.currentText() == "Beta"
    assert not tab.is_saving()  # showing the new default saved nothing more


def test_a_failed_save_keeps_the_choice_and_says_why(harness: Harness, qtbot: QtBot) -> None:
    dialog, tab = open_tab(harness)
    newer = {"schema_version": 99, "settings": {}, "profiles": []}
    ConfigStore().path.write_text(json.dumps(newer), encoding="utf-8")
    announced: list[Config] = []
    dialog.configChanged.connect(announced.append)

    tab.notifications.click()
    qtbot.waitUntil(lambda: tab.status.text().startswith("✗"), timeout=WAIT_MS)

    assert tab.status.text().startswith("✗ Settings file cannot be read — ")
    assert "newer version of Token Tray" in tab.status.text()
    assert not tab.notifications.isChecked()  # the user's choice is still shown
    assert announced == []
    assert json.loads(ConfigStore().path.read_text(encoding="utf-8")) == newer


def test_profile_buttons_are_hidden_on_the_application_tab(harness: Harness) -> None:
    dialog = harness.dialog()
    assert dialog.save_button.isVisible()

    dialog.tabs.setCurrentWidget(dialog.app_tab)
    assert not dialog.save_button.isVisible()
    assert not dialog.discard_button.isVisible()
    assert dialog.close_button.isVisible()

    dialog.tabs.setCurrentIndex(0)
    assert dialog.save_button.isVisible()
