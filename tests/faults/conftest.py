"""Fixtures of the fault tests: a real loopback server, a real TokenClient, fake clocks."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QThreadPool

from tests.support.tokenserver import TokenServer


class FakeClock:
    """A settable clock; ``advance`` moves it (and the others it is linked to) forward."""

    def __init__(self, now: float) -> None:
        self.now = now
        self.linked: list[FakeClock] = []

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        for clock in (self, *self.linked):
            clock.now += seconds


@pytest.fixture
def wall() -> FakeClock:
    """The wall clock, starting at the real time so HTTP-date Retry-After values make sense."""
    return FakeClock(time.time())


@pytest.fixture
def mono(wall: FakeClock) -> FakeClock:
    """The monotonic clock; ``wall.advance`` moves it too (setting ``wall.now`` does not)."""
    clock = FakeClock(1000.0)
    wall.linked.append(clock)
    return clock


@pytest.fixture
def server() -> Iterator[TokenServer]:
    with TokenServer("standard") as running:
        yield running


@pytest.fixture
def pool() -> Iterator[QThreadPool]:
    own = QThreadPool()
    yield own
    assert own.waitForDone(10_000)
