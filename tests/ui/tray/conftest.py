"""Fixtures of the tray tests: a TrayController over a real registry with a scripted fetch."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from tests.support.tray_harness import Harness, tray_harness


@pytest.fixture
def harness(qtbot: QtBot) -> Iterator[Harness]:
    with tray_harness(qtbot) as setup:
        yield setup
