"""The settings dialog with the real Secret Service (gnome-keyring on a private D-Bus session)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QThreadPool
from pytestqt.qtbot import QtBot

from tests.support.settings_harness import WAIT_MS, fill
from tests.support.tokenserver import TokenServer
from tray_app.core.config import ConfigStore
from tray_app.core.credentials import CredentialStore
from tray_app.core.oauth import TokenClient
from tray_app.core.repository import ProfileRepository
from tray_app.gui.settings.dialog import SettingsDialog
from tray_app.gui.settings.texts import PLACEHOLDER_STORED

pytestmark = [pytest.mark.keyring, pytest.mark.usefixtures("gnome_keyring_session")]


def secret_service() -> CredentialStore:
    from keyring.backends.SecretService import Keyring

    return CredentialStore(Keyring())  # type: ignore[no-untyped-call]


@pytest.fixture
def pool() -> Iterator[QThreadPool]:
    own = QThreadPool()
    yield own
    own.waitForDone(WAIT_MS)


@pytest.fixture
def client() -> Iterator[TokenClient]:
    own = TokenClient()
    yield own
    own.close()


def open_dialog(
    qtbot: QtBot, folder: Path, pool: QThreadPool, client: TokenClient
) -> tuple[SettingsDialog, ProfileRepository]:
    repository = ProfileRepository(ConfigStore(folder), secret_service())
    dialog = SettingsDialog(
        repository, test_fetch=client.fetch, config=repository.load(), pool=pool
    )
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: not dialog.is_busy(), timeout=WAIT_MS)
    return dialog, repository


def test_save_and_test_with_gnome_keyring(
    qtbot: QtBot,
    tmp_path: Path,
    pool: QThreadPool,
    client: TokenClient,
    standard_server: TokenServer,
) -> None:
    dialog, _ = open_dialog(qtbot, tmp_path, pool, client)
    fill(
        dialog,
        name="Standard",
        token_url=standard_server.token_url,
        client_id=standard_server.client_id,
        secret=standard_server.client_secret,
    )
    with qtbot.waitSignal(dialog.configChanged, timeout=WAIT_MS):
        dialog.save_button.click()
    [saved] = ConfigStore(tmp_path).load().profiles
    assert secret_service().get_secret(saved.id) == standard_server.client_secret
    assert standard_server.client_secret not in (tmp_path / "config.json").read_text()

    reopened, _ = open_dialog(qtbot, tmp_path, pool, client)
    secret_field = reopened.form.edits["secret"]
    assert secret_field.text() == ""
    assert secret_field.placeholderText() == PLACEHOLDER_STORED
    assert "Secret Service" in secret_field.toolTip()
    reopened.test_button.click()
    qtbot.waitUntil(lambda: reopened.test_result.text().startswith("✓"), timeout=WAIT_MS)
    assert reopened.test_result.text() == "✓ Got a Bearer token, valid for 1 h"
