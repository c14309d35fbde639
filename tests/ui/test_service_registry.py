"""The registry announces a batch of changes once (100 profiles must not cost 100² reads)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QThreadPool
from pytestqt.qtbot import QtBot

from tests.support.fakes import FakeClock
from tray_app.core.profile import Profile
from tray_app.core.status import TokenState
from tray_app.core.token import Token
from tray_app.runtime.registry import START_GROUP, ServiceRegistry

WAIT_MS = 5000


def fetch(profile: Profile) -> Token:
    return Token(f"tok-{profile.id}", "bearer", lifetime=3600, obtained_at=0)


@pytest.fixture
def registry(qtbot: QtBot) -> Iterator[ServiceRegistry]:
    pool = QThreadPool()
    made = ServiceRegistry(fetch, pool=pool, clocks=FakeClock(1.0).clocks())
    yield made
    made.stop_all()
    assert pool.waitForDone(WAIT_MS)


def profiles(n: int) -> list[Profile]:
    return [Profile(f"P{i}", "https://auth.example.com/token", "app", id=f"p{i}") for i in range(n)]


def test_many_services_start_a_group_per_turn_each_announced_once(
    registry: ServiceRegistry, qtbot: QtBot
) -> None:
    registry.set_profiles(profiles(20))
    changes: list[None] = []
    statuses: list[object] = []
    registry.changed.connect(lambda: changes.append(None))
    registry.statusChanged.connect(statuses.append)

    registry.start()

    assert (len(changes), len(statuses)) == (1, START_GROUP)  # the first group, at once
    assert not registry.is_started()
    [service] = [s for s in registry.services() if s.profile.id == "p0"]
    assert service.status().state is TokenState.FETCHING
    qtbot.waitUntil(registry.is_started, timeout=WAIT_MS)
    fetching = [s for s in statuses if s.state is TokenState.FETCHING]  # type: ignore[attr-defined]
    assert len(fetching) == 20  # every service's own status is still relayed
    assert len(changes) >= 3  # 8 + 8 + 4, plus tokens arriving meanwhile


def test_a_new_config_for_running_services_announces_one_change(
    registry: ServiceRegistry, qtbot: QtBot
) -> None:
    registry.set_profiles(profiles(5))
    registry.start()
    qtbot.waitUntil(registry.is_started, timeout=WAIT_MS)
    changes: list[None] = []
    registry.changed.connect(lambda: changes.append(None))

    registry.set_profiles(profiles(10))

    assert len(changes) == 1


def test_running_is_announced_once_the_services_run(registry: ServiceRegistry) -> None:
    registry.set_profiles(profiles(2))
    seen: list[bool] = []
    registry.running.connect(lambda: seen.append(registry.is_started()))

    registry.start()

    assert seen == [True]
