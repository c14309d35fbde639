"""Wall-clock jumps forward and backward, suspend and resume: the two-clock rules of
TokenService. Both clocks are fake; timers are fired by hand."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QThreadPool
from pytestqt.qtbot import QtBot

from tests.support.fakes import FakeClock
from tests.support.services import FakeFetch, settle, until
from tray_app.core.profile import Profile
from tray_app.core.status import TokenState
from tray_app.runtime.token_service import TokenService


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fetch(clock: FakeClock) -> FakeFetch:
    return FakeFetch(clock)


@pytest.fixture
def service(qtbot: QtBot, clock: FakeClock, fetch: FakeFetch) -> Iterator[TokenService]:
    pool = QThreadPool()
    profile = Profile("Tarkov API", "https://id.example.com/token", "client-1", id="p1")
    made = TokenService(profile, fetch, clocks=clock.clocks(), pool=pool)
    until(qtbot, made, TokenState.VALID, made.start)  # a 1800 s token, refresh due at 1500 s
    yield made
    made.stop()
    settle(pool)


def test_wall_clock_set_back_cannot_stretch_a_token(
    qtbot: QtBot, service: TokenService, clock: FakeClock, fetch: FakeFetch
) -> None:
    clock.jump(-3600)  # someone sets the clock back an hour
    clock.advance(1500)  # ... and 1500 real seconds pass
    assert service.valid_token() is not None
    clock.advance(301)  # the token's real life (1800 s) is over
    assert service.valid_token() is None  # although by the wall clock an hour is left
    assert service.status().state is not TokenState.VALID


def test_refresh_is_due_by_the_monotonic_clock_after_a_jump_back(
    qtbot: QtBot, service: TokenService, clock: FakeClock, fetch: FakeFetch
) -> None:
    clock.jump(-3600 - 1500)
    clock.advance(1500)
    until(qtbot, service, TokenState.VALID, service.check_clock)
    assert len(fetch.calls) == 2


def test_jump_back_rearms_the_timer_for_the_real_remaining_time(
    service: TokenService, clock: FakeClock
) -> None:
    clock.jump(-3600 - 1000)
    clock.advance(1000)
    service.check_clock()
    assert service.timer.interval() == 500_000  # by the monotonic clock, not 4100 s


def test_suspend_moves_only_the_wall_clock_and_resume_refreshes_at_once(
    qtbot: QtBot, service: TokenService, clock: FakeClock, fetch: FakeFetch
) -> None:
    clock.jump(8 * 3600)  # a night asleep: the monotonic clock stood still
    assert service.valid_token() is None
    assert service.status().state is TokenState.EXPIRED
    status = until(qtbot, service, TokenState.VALID, service.check_clock)
    assert len(fetch.calls) == 2
    assert status.token is not None
    assert service.valid_token() is status.token


def test_wall_clock_jump_forward_refreshes_and_never_serves_the_old_token(
    qtbot: QtBot, service: TokenService, clock: FakeClock, fetch: FakeFetch
) -> None:
    old = service.valid_token()
    clock.jump(1690)
    clock.advance(10)  # 1700 s by the wall clock: between refresh time and expiry
    assert service.valid_token() is old  # still valid by both clocks for 100 s
    until(qtbot, service, TokenState.VALID, service.check_clock)
    assert len(fetch.calls) == 2
    assert service.valid_token() is not old


def test_min_valid_is_checked_on_both_clocks(service: TokenService, clock: FakeClock) -> None:
    clock.jump(-3600 - 1700)
    clock.advance(1700)
    assert service.valid_token(min_valid=50) is not None
    assert service.valid_token(min_valid=150) is None
