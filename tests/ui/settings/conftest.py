"""Fixtures of the settings dialog tests: a real repository over the in-memory keyring."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QThreadPool
from pytestqt.qtbot import QtBot

from tests.support.memory_keyring import MemoryKeyring
from tests.support.settings_harness import WAIT_MS, Harness
from tray_app.core.config import ConfigStore
from tray_app.core.credentials import CredentialStore
from tray_app.core.oauth import TokenClient
from tray_app.core.repository import ProfileRepository


@pytest.fixture
def memory_keyring() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def harness(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, memory_keyring: MemoryKeyring
) -> Iterator[Harness]:
    pool = QThreadPool()
    client = TokenClient()
    repository = ProfileRepository(ConfigStore(), CredentialStore(memory_keyring))
    yield Harness(
        qtbot,
        monkeypatch,
        repository=repository,
        keyring=memory_keyring,
        pool=pool,
        client=client,
    )
    pool.waitForDone(WAIT_MS)
    client.close()
