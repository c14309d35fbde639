"""Helpers for the settings dialog tests (tests/ui/settings; the fixtures are in its conftest).

The dialog runs against the real :class:`ProfileRepository` (a real :class:`ConfigStore` in the
per-test config folder, a real :class:`CredentialStore` over the in-memory keyring) and the real
:class:`TokenClient` talking to the loopback token server. Background work runs on a private
thread pool that every test drains before teardown; results are awaited with ``waitUntil`` /
``waitSignal``, never by sleeping.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from tests.support.memory_keyring import MemoryKeyring
from tray_app.core.config import Config, ConfigStore
from tray_app.core.oauth import TokenClient
from tray_app.core.presets import CUSTOM
from tray_app.core.profile import Profile
from tray_app.core.repository import ProfileRepository
from tray_app.core.token import Token
from tray_app.gui.settings.dialog import SettingsDialog
from tray_app.identity import KEYRING_SERVICE

WAIT_MS = 10_000
URL = "https://login.example.com/oauth/token"
SAMPLE_SECRET = "s3cret-value"
Fetch = Callable[[Profile, str], Token]


def profile(name: str = "Acme", **changes: Any) -> Profile:
    """A valid profile (https token URL, a client ID); ``changes`` override any field."""
    values: dict[str, Any] = {"name": name, "token_url": URL, "client_id": "acme-client"}
    values.update(changes)
    return Profile(**values)


class Answers:
    """Scripted answers to the dialog's questions, and a record of what was asked."""

    def __init__(self) -> None:
        self.unsaved: list[QMessageBox.StandardButton] = []
        self.remove = True
        self.asked: list[str] = []

    def ask_unsaved(self, name: str) -> QMessageBox.StandardButton:
        self.asked.append(f"unsaved:{name}")
        return self.unsaved.pop(0)

    def confirm_remove(self, name: str) -> bool:
        self.asked.append(f"remove:{name}")
        return self.remove


class Harness:
    """Builds dialogs on the shared repository and waits for their background work."""

    def __init__(
        self,
        qtbot: QtBot,
        monkeypatch: pytest.MonkeyPatch,
        *,
        repository: ProfileRepository,
        keyring: MemoryKeyring,
        pool: QThreadPool,
        client: TokenClient,
    ) -> None:
        self.qtbot, self.monkeypatch = qtbot, monkeypatch
        self.repository, self.keyring, self.pool, self.client = repository, keyring, pool, client
        self.answers = Answers()

    def store(self) -> ConfigStore:
        return ConfigStore()

    def secret_of(self, profile_id: str) -> str | None:
        return self.keyring.passwords.get((KEYRING_SERVICE, profile_id))

    def add(self, profile: Profile, secret: str | None = SAMPLE_SECRET) -> Config:
        return self.repository.save_profile(profile, secret)

    def dialog(self, fetch: Fetch | None = None) -> SettingsDialog:
        dialog = SettingsDialog(
            self.repository,
            test_fetch=fetch or self.client.fetch,
            config=self.repository.load(),
            pool=self.pool,
        )
        self.qtbot.addWidget(dialog, before_close_func=self._discard_on_close)
        self.monkeypatch.setattr(dialog, "ask_unsaved_changes", self.answers.ask_unsaved)
        self.monkeypatch.setattr(dialog, "confirm_remove", self.answers.confirm_remove)
        dialog.show()
        self.settle(dialog)
        return dialog

    def _discard_on_close(self, _dialog: object) -> None:
        """Teardown closes the dialog: answer a pending "unsaved changes" question with Discard."""
        self.answers.unsaved = [QMessageBox.StandardButton.Discard]

    def settle(self, dialog: SettingsDialog) -> None:
        """Wait until every background call of ``dialog`` has delivered its outcome."""
        self.qtbot.waitUntil(lambda: not dialog.is_busy(), timeout=WAIT_MS)

    def wait_result(self, dialog: SettingsDialog) -> str:
        """Wait for the Test result line and return it."""
        self.qtbot.waitUntil(lambda: dialog.test_result.text()[:1] in {"✓", "✗"}, timeout=WAIT_MS)
        return dialog.test_result.text()


def fill(dialog: SettingsDialog, **values: str) -> None:
    """Type into form fields as a user would, leaving each field afterwards.

    A Token URL decided by the provider (new profiles start on Tarkov Database) is typed the
    way the user would: after choosing "Other"."""
    for key, text in values.items():
        edit = dialog.form.edits[key]
        if edit.isReadOnly():
            combo = dialog.form.provider.combo
            combo.setCurrentIndex(combo.findData(CUSTOM))
        edit.selectAll()
        edit.del_()
        edit.insert(text)
        edit.textEdited.emit(edit.text())
        edit.editingFinished.emit()


def select(dialog: SettingsDialog, name: str) -> None:
    """Click the list entry whose text contains ``name``."""
    for row in range(dialog.profiles.count()):
        item = dialog.profiles.item(row)
        if item is not None and name in item.text():
            dialog.profiles.setCurrentRow(row)
            return
    raise AssertionError(f"no list entry for {name!r}")


def entries(dialog: SettingsDialog) -> list[str]:
    return [dialog.profiles.item(row).text() for row in range(dialog.profiles.count())]
