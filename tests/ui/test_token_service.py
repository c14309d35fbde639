"""TokenService and ServiceRegistry: injected clock, scripted fetch, timers fired by hand.

The fetch really runs on a QThreadPool worker; tests wait for its result with
``qtbot.waitSignal`` (never by sleeping) and move time by changing the fake clock.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt, QThreadPool
from pytestqt.qtbot import QtBot

from tests.support.fakes import FakeClock
from tests.support.services import WAIT_MS, FakeFetch, settle, until
from tray_app.core import refresh
from tray_app.core.errors import AppError, ErrorKind
from tray_app.core.profile import Profile
from tray_app.core.status import ServiceStatus, TokenState, format_remaining
from tray_app.core.token import Token
from tray_app.runtime.registry import ServiceRegistry
from tray_app.runtime.token_service import TokenService

START = 1_000_000.0


def unavailable(retry_after: float | None = None) -> AppError:
    return AppError(
        ErrorKind.UNAVAILABLE,
        "Token service unavailable",
        "The server had a problem; Token Tray will try again.",
        retryable=True,
        retry_after=retry_after,
        http_status=503,
    )


def rejected() -> AppError:
    return AppError(
        ErrorKind.REJECTED,
        "Wrong client ID or secret",
        "Check them in Settings.",
        oauth_error="invalid_client",
        http_status=401,
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def fetch(clock: FakeClock) -> Iterator[FakeFetch]:
    fake = FakeFetch(clock)
    yield fake
    if fake.gate is not None:
        fake.gate.set()


@pytest.fixture
def pool(qtbot: QtBot, fetch: FakeFetch) -> Iterator[QThreadPool]:
    own = QThreadPool()
    yield own
    if fetch.gate is not None:
        fetch.gate.set()
    assert own.waitForDone(WAIT_MS)


@pytest.fixture
def profile() -> Profile:
    return Profile("Tarkov API", "https://id.example.com/token", "client-1", id="p1")


@pytest.fixture
def make_service(
    clock: FakeClock, fetch: FakeFetch, pool: QThreadPool
) -> Iterator[Callable[[Profile], TokenService]]:
    made: list[TokenService] = []

    def make(profile: Profile) -> TokenService:
        service = TokenService(profile, fetch, clocks=clock.clocks(), pool=pool)
        made.append(service)
        return service

    yield make
    for service in made:
        service.stop()
        assert not service.timer.isActive()


@pytest.fixture
def service(make_service: Callable[[Profile], TokenService], profile: Profile) -> TokenService:
    return make_service(profile)


def recorder(service: TokenService | ServiceRegistry) -> list[ServiceStatus]:
    seen: list[ServiceStatus] = []
    service.statusChanged.connect(seen.append)
    return seen


def started(qtbot: QtBot, service: TokenService) -> ServiceStatus:
    return until(qtbot, service, TokenState.VALID, service.start)


def fire(service: TokenService) -> None:
    """What the timer does when it fires (the QTimer's own signal, emitted by hand)."""
    service.timer.timeout.emit()


# -- start and scheduled refresh ------------------------------------------------------------


def test_start_goes_fetching_then_valid(qtbot: QtBot, service: TokenService) -> None:
    seen = recorder(service)
    assert service.status().state is TokenState.NO_TOKEN
    status = started(qtbot, service)
    assert [s.state for s in seen] == [TokenState.FETCHING, TokenState.VALID]
    assert status.token is not None
    assert status.token.access_token == "tok-1"
    assert status.error is None
    assert service.valid_token() is status.token
    assert status.status_line(START) == "Tarkov API — valid for 30 min"
    assert seen[0].status_line(START) == "Tarkov API — getting a token…"


def test_timer_is_set_to_the_refresh_time(qtbot: QtBot, service: TokenService) -> None:
    status = started(qtbot, service)
    assert status.token is not None
    due = refresh.refresh_at(status.token)
    assert due == START + 1500
    assert status.next_attempt_at == due
    assert service.timer.isActive()
    assert service.timer.isSingleShot()
    assert service.timer.interval() == 1_500_000
    assert service.timer.timerType() is Qt.TimerType.CoarseTimer


def test_profile_margin_moves_the_refresh(
    qtbot: QtBot, make_service: Callable[[Profile], TokenService], profile: Profile
) -> None:
    service = make_service(profile.replace(refresh_margin=60))
    status = started(qtbot, service)
    assert status.next_attempt_at == START + 1740
    assert service.timer.interval() == 1_740_000


def test_timer_refreshes_and_serves_old_token_meanwhile(
    qtbot: QtBot, service: TokenService, fetch: FakeFetch, clock: FakeClock
) -> None:
    first = started(qtbot, service).token
    fetch.gate = threading.Event()
    clock.now = START + 1500
    seen = recorder(service)
    fire(service)
    assert [s.state for s in seen] == [TokenState.REFRESHING]
    assert seen[0].status_line(clock.now) == "Tarkov API — refreshing…"
    assert service.valid_token() is first
    status = until(qtbot, service, TokenState.VALID, fetch.gate.set)
    assert status.token is not None
    assert status.token.access_token == "tok-2"
    assert service.valid_token() is status.token
    assert service.timer.interval() == 1_500_000  # again refresh_at - now for the new token


def test_early_timer_or_clock_jump_back_rearms(
    qtbot: QtBot, service: TokenService, fetch: FakeFetch, clock: FakeClock
) -> None:
    started(qtbot, service)
    seen = recorder(service)
    clock.now = START + 1000  # the timer fired 500 s early (or the clock went back)
    fire(service)
    assert len(fetch.calls) == 1
    assert seen == []
    assert service.timer.isActive()
    assert service.timer.interval() == 500_000


def test_resume_after_sleep_refreshes_at_once(
    qtbot: QtBot, service: TokenService, fetch: FakeFetch, clock: FakeClock
) -> None:
    started(qtbot, service)
    clock.now = START + 7200  # woke up long after the token died
    assert service.valid_token() is None  # never an expired token, even before the check
    status = until(qtbot, service, TokenState.VALID, service.check_clock)
    assert len(fetch.calls) == 2
    assert service.valid_token() is status.token


def test_valid_token_honours_min_valid(
    qtbot: QtBot, service: TokenService, clock: FakeClock
) -> None:
    started(qtbot, service)
    clock.now = START + 1700
    assert service.valid_token(min_valid=60) is not None
    assert service.valid_token(min_valid=100) is None


# -- failures -------------------------------------------------------------------------------


def test_retryable_failure_keeps_serving_and_backs_off(
    qtbot: QtBot, service: TokenService, fetch: FakeFetch, clock: FakeClock
) -> None:
    first = started(qtbot, service).token
    fetch.script.extend([unavailable(), unavailable()])
    clock.now = START + 1500
    status = until(qtbot, service, TokenState.VALID, lambda: fire(service))
    assert status.error is not None
    assert status.error.title == "Token service unavailable"
    assert status.token is first
    assert service.valid_token() is first
    assert status.next_attempt_at == clock.now + 0.5  # rng 0.5 · 1 s
    assert service.timer.interval() == 500
    assert status.failing
    failing_line = (
        "Tarkov API — using current token, refresh failing (Token service unavailable) — "
        "next try in 1 s"
    )
    assert status.status_line(clock.now) == failing_line
    clock.now += 0.5
    status = until(qtbot, service, TokenState.VALID, lambda: fire(service))
    assert status.next_attempt_at == clock.now + 1.0  # second retry: 0.5 · 2 s
    clock.now += 1.0
    status = until(qtbot, service, TokenState.VALID, lambda: fire(service))
    assert status.error is None
    assert status.token is not None
    assert status.token.access_token == "tok-4"
    assert status.next_attempt_at == clock.now + 1500  # success resets the schedule


def test_retry_after_is_honoured(
    qtbot: QtBot, service: TokenService, fetch: FakeFetch, clock: FakeClock
) -> None:
    started(qtbot, service)
    fetch.script.append(unavailable(retry_after=120))
    clock.now = START + 1500
    status = until(qtbot, service, TokenState.VALID, lambda: fire(service))
    assert status.next_attempt_at == clock.now + 120
    assert service.timer.interval() == 120_000


def test_non_retryable_failure_waits_for_the_user(
    qtbot: QtBot, service: TokenService, fetch: FakeFetch, clock: FakeClock
) -> None:
    started(qtbot, service)
    fetch.script.append(rejected())
    clock.now = START + 1500
    status = until(qtbot, service, TokenState.VALID, lambda: fire(service))
    assert status.error is not None
    assert status.next_attempt_at is None
    # only the expiry is left on the timer, precisely
    assert service.timer.interval() == 300_000
    assert service.timer.timerType() is Qt.TimerType.PreciseTimer
    clock.now = START + 1800
    status = until(qtbot, service, TokenState.FAILED, lambda: fire(service))
    assert status.status_line(clock.now) == "Tarkov API — Wrong client ID or secret"
    assert service.valid_token() is None
    assert not service.timer.isActive()
    assert len(fetch.calls) == 2
    status = until(qtbot, service, TokenState.VALID, service.refresh_now)
    assert status.error is None
    assert len(fetch.calls) == 3


def test_first_fetch_rejected_goes_failed(
    qtbot: QtBot, service: TokenService, fetch: FakeFetch
) -> None:
    fetch.script.append(rejected())
    seen = recorder(service)
    status = until(qtbot, service, TokenState.FAILED, service.start)
    assert [s.state for s in seen] == [TokenState.FETCHING, TokenState.FAILED]
    assert status.token is None
    assert service.valid_token() is None
    assert not service.timer.isActive()
    assert status.error is not None
    assert status.error.__traceback__ is None  # its frames held the secret: dropped


def test_expiry_while_retrying_fails_then_keeps_retrying(
    qtbot: QtBot, service: TokenService, fetch: FakeFetch, clock: FakeClock
) -> None:
    started(qtbot, service)
    fetch.script.extend([unavailable(retry_after=600), unavailable(retry_after=600)])
    clock.now = START + 1500
    status = until(qtbot, service, TokenState.VALID, lambda: fire(service))
    assert status.next_attempt_at == START + 2100
    assert service.timer.interval() == 300_000  # expiry (START + 1800) comes first
    clock.now = START + 1800
    status = until(qtbot, service, TokenState.FAILED, lambda: fire(service))
    assert service.valid_token() is None
    assert service.timer.interval() == 300_000  # now waiting for the retry
    clock.now = START + 2100
    fetch.script.clear()
    status = until(qtbot, service, TokenState.VALID, lambda: fire(service))
    assert service.valid_token() is status.token


def test_token_expiring_without_error_is_expired(
    qtbot: QtBot, service: TokenService, fetch: FakeFetch, clock: FakeClock
) -> None:
    fetch.script.append(5.0)
    started(qtbot, service)
    assert service.timer.interval() == 5_000  # expiry before the 10 s floor
    clock.now = START + 5
    status = until(qtbot, service, TokenState.EXPIRED, lambda: fire(service))
    assert status.status_line(clock.now) == "Tarkov API — token expired"
    assert service.valid_token() is None
    assert service.timer.interval() == 5_000


def test_zero_lifetime_never_storms(
    qtbot: QtBot, service: TokenService, fetch: FakeFetch, clock: FakeClock
) -> None:
    fetch.script.extend([0.0, 0.0, -100.0])
    status = until(qtbot, service, TokenState.EXPIRED, service.start)
    for calls in (1, 2):
        assert len(fetch.calls) == calls
        assert status.next_attempt_at == clock.now + refresh.MIN_REFRESH_INTERVAL
        assert service.timer.interval() == 10_000
        clock.now += refresh.MIN_REFRESH_INTERVAL - 1
        fire(service)  # a second early: nothing happens
        assert service.status().state is TokenState.EXPIRED
        assert service.timer.interval() == 1_000
        clock.now += 1
        status = until(qtbot, service, TokenState.EXPIRED, lambda: fire(service))
    assert len(fetch.calls) == 3


def test_unexpected_exception_becomes_an_internal_error(
    qtbot: QtBot, service: TokenService, fetch: FakeFetch, caplog: pytest.LogCaptureFixture
) -> None:
    fetch.script.append(ValueError("client_secret=hunter2"))
    with caplog.at_level(logging.ERROR):
        status = until(qtbot, service, TokenState.FAILED, service.start)
    assert status.error is not None
    assert status.error.kind is ErrorKind.INTERNAL
    assert "hunter2" not in status.error.message
    assert "ValueError" in caplog.text
    assert "hunter2" not in caplog.text
    assert not service.timer.isActive()


# -- one fetch at a time, stop, profile changes ----------------------------------------------


def test_refresh_now_while_fetching_starts_no_second_fetch(
    qtbot: QtBot, service: TokenService, fetch: FakeFetch, pool: QThreadPool
) -> None:
    fetch.gate = threading.Event()
    service.start()
    service.refresh_now()
    service.refresh_now()
    assert service.status().state is TokenState.FETCHING
    until(qtbot, service, TokenState.VALID, fetch.gate.set)
    settle(pool)
    assert len(fetch.calls) == 1


def test_stop_stops_the_timer_and_ignores_late_results(
    qtbot: QtBot, service: TokenService, fetch: FakeFetch, pool: QThreadPool
) -> None:
    started(qtbot, service)
    fetch.gate = threading.Event()
    service.refresh_now()
    seen = recorder(service)
    service.stop()
    assert [s.state for s in seen] == [TokenState.NO_TOKEN]
    assert not service.timer.isActive()
    assert service.valid_token() is None
    assert seen[0].status_line(START) == "Tarkov API — not started"
    fetch.gate.set()
    settle(pool)
    assert service.status().state is TokenState.NO_TOKEN
    assert service.valid_token() is None
    assert len(seen) == 1


def test_restart_while_a_stale_fetch_runs_waits_for_it(
    qtbot: QtBot, service: TokenService, fetch: FakeFetch, pool: QThreadPool
) -> None:
    fetch.gate = threading.Event()
    service.start()
    service.stop()
    service.start()
    assert service.status().state is TokenState.FETCHING
    assert len(fetch.calls) <= 1
    status = until(qtbot, service, TokenState.VALID, fetch.gate.set)
    settle(pool)
    assert fetch.max_active == 1
    assert len(fetch.calls) == 2
    assert status.token is not None
    assert status.token.access_token == "tok-2"


def test_a_service_nobody_holds_is_freed_while_its_last_task_awaits_deletion(
    qtbot: QtBot, fetch: FakeFetch, clock: FakeClock, pool: QThreadPool, profile: Profile
) -> None:
    """The finished task's ``deleteLater`` is still pending when the owner lets go. Nothing
    may keep the service alive from inside that task: it would be freed during the task's
    deletion and delete the task a second time (a segfault, not a failure)."""
    service = TokenService(profile, fetch, clocks=clock.clocks(), pool=pool)
    until(qtbot, service, TokenState.VALID, service.start)
    gone = weakref.ref(service)
    del service
    assert gone() is None
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)


def test_update_profile_drops_the_token_and_refetches(
    qtbot: QtBot, service: TokenService, fetch: FakeFetch, profile: Profile
) -> None:
    started(qtbot, service)
    seen = recorder(service)
    service.update_profile(profile)  # unchanged: nothing happens
    assert seen == []
    assert len(fetch.calls) == 1
    changed = profile.replace(scope="read")
    status = until(qtbot, service, TokenState.VALID, lambda: service.update_profile(changed))
    assert [s.state for s in seen] == [TokenState.FETCHING, TokenState.VALID]
    assert seen[0].token is None
    assert fetch.calls[-1] == changed
    assert service.profile == changed
    assert status.token is not None
    assert status.token.access_token == "tok-2"


def test_status_is_emitted_only_on_change(
    qtbot: QtBot, service: TokenService, clock: FakeClock
) -> None:
    started(qtbot, service)
    seen = recorder(service)
    for step in (1.0, 100.0, 1000.0):
        clock.now = START + step
        service.check_clock()
    service.start()  # already running
    assert seen == []


# -- registry -----------------------------------------------------------------------------


@pytest.fixture
def registry(clock: FakeClock, fetch: FakeFetch, pool: QThreadPool) -> Iterator[ServiceRegistry]:
    own = ServiceRegistry(fetch, clocks=clock.clocks(), pool=pool)
    yield own
    own.stop_all()
    assert not any(s.timer.isActive() for s in own.services())


def wait_all_valid(qtbot: QtBot, registry: ServiceRegistry, action: Callable[[], None]) -> None:
    def all_valid(_status: ServiceStatus) -> bool:
        return all(s.status().state is TokenState.VALID for s in registry.services())

    with qtbot.waitSignal(registry.statusChanged, timeout=WAIT_MS, check_params_cb=all_valid):
        action()


def test_registry_creates_updates_and_removes(
    qtbot: QtBot, registry: ServiceRegistry, fetch: FakeFetch
) -> None:
    a = Profile("A", "https://a.example.com/token", "ca", id="a")
    b = Profile("B", "https://b.example.com/token", "cb", id="b")
    c = Profile("C", "https://c.example.com/token", "cc", id="c")
    changes: list[None] = []
    registry.changed.connect(lambda: changes.append(None))
    registry.set_profiles([a, b])
    assert [s.profile for s in registry.services()] == [a, b]
    assert changes
    assert fetch.calls == []
    wait_all_valid(qtbot, registry, registry.start)
    service_a, service_b = registry.get("a"), registry.get("b")
    assert service_a is not None
    assert service_b is not None
    token_a = service_a.valid_token()

    b2 = b.replace(name="B renamed")
    wait_all_valid(qtbot, registry, lambda: registry.set_profiles([c, a, b2]))
    assert [s.profile for s in registry.services()] == [c, a, b2]
    assert registry.get("a") is service_a
    assert service_a.valid_token() is token_a
    assert registry.get("b") is service_b
    assert service_b.profile == b2
    assert [p.id for p in fetch.calls].count("a") == 1
    assert [p.id for p in fetch.calls].count("b") == 2

    changes.clear()
    registry.set_profiles([c, a])
    assert registry.get("b") is None
    assert service_b.status().state is TokenState.NO_TOKEN
    assert not service_b.timer.isActive()
    assert [s.profile.id for s in registry.services()] == ["c", "a"]
    assert changes


def test_registry_reemits_status_and_stops_all(
    qtbot: QtBot, registry: ServiceRegistry, profile: Profile
) -> None:
    registry.set_profiles([profile])
    seen = recorder(registry)
    wait_all_valid(qtbot, registry, registry.start)
    assert [s.state for s in seen] == [TokenState.FETCHING, TokenState.VALID]
    registry.stop_all()
    assert seen[-1].state is TokenState.NO_TOKEN
    assert all(s.valid_token() is None for s in registry.services())


def test_registry_ignores_duplicate_ids(
    registry: ServiceRegistry, profile: Profile, caplog: pytest.LogCaptureFixture
) -> None:
    registry.set_profiles([profile, profile.replace(name="Copy")])
    assert [s.profile for s in registry.services()] == [profile]
    assert "Ignoring a second profile with id p1" in caplog.text


# -- pure presentation ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0.2, "1 s"),
        (45.9, "45 s"),
        (59.0, "59 s"),
        (60.0, "1 min"),
        (27 * 60 + 59, "27 min"),
        (3600.0, "1 h"),
        (2 * 3600 + 5 * 60 + 30, "2 h 5 min"),
        (86400.0, "24 h"),
    ],
)
def test_format_remaining(seconds: float, text: str) -> None:
    assert format_remaining(seconds) == text


def test_status_lines(profile: Profile) -> None:
    token = Token("t", "Bearer", lifetime=3600, obtained_at=START)
    valid = ServiceStatus(profile, TokenState.VALID, token)
    assert valid.status_line(START + 1620) == "Tarkov API — valid for 33 min"
    assert valid.status_line(START + 3600) == "Tarkov API — token expired"
    failed = ServiceStatus(profile, TokenState.FAILED, error=rejected())
    assert failed.status_line(START) == "Tarkov API — Wrong client ID or secret"
    expired = ServiceStatus(profile, TokenState.EXPIRED, token)
    assert expired.status_line(START + 4000) == "Tarkov API — token expired"
