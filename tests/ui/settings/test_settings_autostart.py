""" "Start Token Tray when I log in" on the Application tab, against the real XDG autostart
folder of a temporary XDG_CONFIG_HOME."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from tests.support.settings_harness import WAIT_MS, Harness
from tray_app.core.autostart import XdgAutostart
from tray_app.core.desktop_entry import exec_of, launch_command
from tray_app.gui.settings.app_tab import AUTOSTART_OFF, AUTOSTART_ON
from tray_app.gui.settings.dialog import SettingsDialog


@pytest.fixture
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "config-home"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    return home


def entry(config_home: Path) -> Path:
    return config_home / "autostart" / "token-tray.desktop"


def click(qtbot: QtBot, dialog: SettingsDialog) -> None:
    box = dialog.app_tab.autostart
    dialog.tabs.setCurrentWidget(dialog.app_tab)
    QTest.mouseClick(box, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not box.is_busy() and box.isEnabled(), timeout=WAIT_MS)


def test_ticking_the_box_writes_the_autostart_entry_and_unticking_removes_it(
    qtbot: QtBot, harness: Harness, config_home: Path
) -> None:
    dialog = harness.dialog()
    box = dialog.app_tab.autostart
    assert box.text() == "Start Token Tray when I log &in"
    assert not box.isChecked()

    click(qtbot, dialog)
    assert box.isChecked()
    assert exec_of(entry(config_home).read_text()) == launch_command()
    assert dialog.app_tab.status.text() == AUTOSTART_ON

    click(qtbot, dialog)
    assert not box.isChecked()
    assert not entry(config_home).exists()
    assert dialog.app_tab.status.text() == AUTOSTART_OFF


def test_the_box_shows_the_real_state_when_the_window_opens_again(
    harness: Harness, config_home: Path
) -> None:
    XdgAutostart().turn_on(["/opt/token-tray/token-tray"])  # e.g. `token-tray autostart on`
    dialog = harness.dialog()
    assert dialog.app_tab.autostart.isChecked()
    XdgAutostart().turn_off()  # changed elsewhere while the window was hidden
    dialog.set_config(dialog.config())
    assert not dialog.app_tab.autostart.isChecked()


def test_a_folder_that_cannot_be_written_leaves_the_box_off_and_says_why(
    qtbot: QtBot, harness: Harness, config_home: Path
) -> None:
    config_home.mkdir()
    (config_home / "autostart").write_text("a file where the folder belongs")
    dialog = harness.dialog()
    click(qtbot, dialog)
    box = dialog.app_tab.autostart
    assert not box.isChecked()
    assert box.isEnabled()
    status = dialog.app_tab.status.text()
    assert "Start at login could not be changed" in status
    assert "could not be turned on" in status
    assert (config_home / "autostart").read_text() == "a file where the folder belongs"
