"""Fixtures of the fault tests: a real loopback server, a real TokenClient, one fake clock."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QThreadPool

from tests.support.fakes import FakeClock
from tests.support.tokenserver import TokenServer


@pytest.fixture
def clock() -> FakeClock:
    """Wall time starting at the real time, so HTTP-date Retry-After values make sense."""
    return FakeClock(time.time())


@pytest.fixture
def server() -> Iterator[TokenServer]:
    with TokenServer("standard") as running:
        yield running


@pytest.fixture
def pool() -> Iterator[QThreadPool]:
    own = QThreadPool()
    yield own
    assert own.waitForDone(10_000)
