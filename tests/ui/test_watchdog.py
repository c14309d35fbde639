"""Heartbeat, reachability and config-file watchers; timers fired by hand, real files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtNetwork import QNetworkInformation
from pytestqt.qtbot import QtBot

from tests.support.fakes import FakeNetwork
from tests.support.tray_harness import LIFETIME, Harness, rejected, tray_harness, unavailable
from tray_app.core.config import Config, ConfigStore
from tray_app.core.profile import Profile
from tray_app.core.status import TokenState
from tray_app.runtime.watchdog import ConfigWatcher, Heartbeat, ReachabilityWatcher

Reachability = QNetworkInformation.Reachability


@pytest.fixture
def harness(qtbot: QtBot) -> Iterator[Harness]:
    with tray_harness(qtbot) as setup:
        yield setup


def test_heartbeat_is_a_coarse_30_s_timer_that_checks_every_clock(harness: Harness) -> None:
    harness.start("One", "Two")
    heartbeat = Heartbeat(harness.registry.check_clocks)
    heartbeat.start()
    assert heartbeat.timer.interval() == 30_000
    assert heartbeat.timer.timerType() is Qt.TimerType.VeryCoarseTimer
    assert heartbeat.timer.isActive()
    harness.clock.jump(LIFETIME + 600)  # resumed from a long sleep: both tokens died
    assert all(s.valid_token() is None for s in harness.registry.services())

    heartbeat.timer.timeout.emit()
    harness.wait_settled()

    assert sorted(harness.fetch.calls) == ["One", "One", "Two", "Two"]
    assert all(s.valid_token() is not None for s in harness.registry.services())
    heartbeat.stop()
    assert not heartbeat.timer.isActive()


def test_heartbeat_does_nothing_while_all_is_well(harness: Harness) -> None:
    harness.start("One")
    heartbeat = Heartbeat(harness.registry.check_clocks)
    harness.clock.now += 60
    heartbeat.timer.timeout.emit()
    assert harness.fetch.calls == ["One"]


def test_every_change_that_may_reach_a_server_is_reported_once(qtbot: QtBot) -> None:
    network = FakeNetwork(Reachability.Online)
    watcher = ReachabilityWatcher(lambda: network)
    watcher.start()
    assert watcher.active
    seen: list[bool] = []
    watcher.backOnline.connect(lambda: seen.append(True))

    network.change(Reachability.Online)
    assert seen == []  # no change
    network.change(Reachability.Disconnected)
    assert seen == []  # nothing can be reached
    network.change(Reachability.Local)  # a LAN: the token server may live there
    assert seen == [True]
    network.change(Reachability.Online)
    assert seen == [True, True]
    network.change(Reachability.Site)  # e.g. another network, a VPN
    assert seen == [True, True, True]


def test_no_network_backend_leaves_the_watcher_idle() -> None:
    watcher = ReachabilityWatcher(lambda: None)
    watcher.start()
    assert not watcher.active


def test_back_online_retries_only_what_the_network_can_heal(harness: Harness) -> None:
    harness.fetch.errors = {"Offline": unavailable(), "Wrong": rejected()}
    harness.start("Offline", "Wrong", "Fine")
    offline, wrong, fine = harness.registry.services()
    assert offline.status().next_attempt_at is not None  # backing off
    network = FakeNetwork(Reachability.Disconnected)
    watcher = ReachabilityWatcher(lambda: network)
    watcher.backOnline.connect(harness.registry.retry_unavailable)
    watcher.start()
    del harness.fetch.errors["Offline"]

    network.change(Reachability.Online)
    harness.wait_settled()

    assert offline.status().state is TokenState.VALID
    assert wrong.status().state is TokenState.FAILED
    assert sorted(harness.fetch.calls) == ["Fine", "Offline", "Offline", "Wrong"]
    assert fine.status().error is None


def save(store: ConfigStore, *names: str) -> None:
    profiles = [Profile(n, "https://auth.example.com/token", "app", id=n) for n in names]
    store.save(Config(profiles=profiles))


def test_config_watcher_follows_atomic_replaces(qtbot: QtBot, tmp_path: Path) -> None:
    store = ConfigStore(tmp_path / "config")
    watcher = ConfigWatcher(store.path)
    watcher.start()
    assert str(store.directory) in watcher.watched()
    assert str(store.path) not in watcher.watched()  # no file yet

    for names in (("A",), ("A", "B"), ("B",)):
        with qtbot.waitSignal(watcher.changed, timeout=5000):
            save(store, *names)  # a new file replaces the old one each time
        assert str(store.path) in watcher.watched()
        assert [p.name for p in store.load().profiles] == list(names)

    # an in-place edit (some editors do that)
    with qtbot.waitSignal(watcher.changed, timeout=5000), store.path.open("a") as handle:
        handle.write("\n")
    watcher.stop()
    assert watcher.watched() == []
