"""Every fault mode through a real TokenService: real HTTP to the loopback fault server.

Each test gets a good token first, then the refresh meets the fault. The service must keep
serving the held token, say "using current token, refresh failing", retry exactly the faults
that can heal (on the backoff or Retry-After schedule, timers fired by hand on a fake clock) and
wait for the user on the others — and the server must have seen exactly the expected requests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QThreadPool
from pytestqt.qtbot import QtBot

from tests.support.fakes import JITTER, FakeClock
from tests.support.memory_keyring import MemoryKeyring
from tests.support.tokenserver import TokenServer
from tests.support.tokenserver_faults import BY_NAME, FAULTS, FINAL, RETRYABLE, Fault
from tray_app.core import refresh
from tray_app.core.credentials import CredentialStore
from tray_app.core.oauth import TokenClient
from tray_app.core.profile import Profile
from tray_app.core.source import TokenSource
from tray_app.core.status import ServiceStatus, TokenState
from tray_app.runtime.token_service import TokenService

WAIT_MS = 10_000


@pytest.fixture
def make_service(
    server: TokenServer, clock: FakeClock, pool: QThreadPool
) -> Iterator[Callable[[Profile], TokenService]]:
    client = TokenClient(clock=clock)
    backend = MemoryKeyring()
    store = CredentialStore(backend)
    source = TokenSource(store, client)
    made: list[TokenService] = []

    def make(profile: Profile) -> TokenService:
        store.set_secret(profile.id, server.client_secret)
        service = TokenService(profile, source.fetch, clocks=clock.clocks(), pool=pool)
        made.append(service)
        return service

    yield make
    for service in made:
        service.stop()
    pool.waitForDone(WAIT_MS)
    client.close()


def settled(qtbot: QtBot, service: TokenService, action: Callable[[], None]) -> ServiceStatus:
    """Run ``action`` (which starts a fetch) and wait for that fetch's outcome."""

    def done(status: ServiceStatus) -> bool:
        return status.state not in (TokenState.FETCHING, TokenState.REFRESHING)

    with qtbot.waitSignal(service.statusChanged, timeout=WAIT_MS, check_params_cb=done) as got:
        action()
    assert isinstance(got.args[0], ServiceStatus)
    return got.args[0]


def fire(service: TokenService) -> None:
    service.timer.timeout.emit()


def meet_fault(
    qtbot: QtBot, server: TokenServer, service: TokenService, clock: FakeClock, fault: Fault
) -> ServiceStatus:
    """Get a good token, then let the scheduled refresh meet ``fault``."""
    good = settled(qtbot, service, service.start)
    assert good.state is TokenState.VALID
    assert good.next_attempt_at is not None
    clock.advance(good.next_attempt_at - clock.now)
    if fault.make is None:
        server.stop()  # the server goes away: the port now refuses connections
    else:
        server.script(fault.answer(clock.now))
    return settled(qtbot, service, lambda: fire(service))


def expected_delay(fault: Fault) -> float:
    return refresh.backoff_delay(1, retry_after=fault.retry_after, rng=lambda: JITTER)


@pytest.mark.parametrize("fault", RETRYABLE, ids=lambda f: f.name)
def test_retryable_fault_keeps_serving_and_retries(
    qtbot: QtBot,
    server: TokenServer,
    make_service: Callable[[Profile], TokenService],
    clock: FakeClock,
    fault: Fault,
) -> None:
    service = make_service(server.profile(timeout=1))
    first = service.valid_token()
    status = meet_fault(qtbot, server, service, clock, fault)
    held = service.valid_token()
    assert held is not None
    assert first is None or held is first
    assert status.state is TokenState.VALID
    assert status.failing
    assert status.error is not None
    assert status.error.title == fault.title
    assert fault.says in status.error.message
    assert status.next_attempt_at is not None
    assert status.next_attempt_at - clock.now == pytest.approx(expected_delay(fault), abs=1.5)
    line = status.status_line(clock.now)
    assert f"using current token, refresh failing ({fault.title}) — next try in" in line
    seen = 1 if fault.make is None else 2
    assert server.request_count == seen
    if fault.make is None:
        return  # nothing listens any more; the retry itself is the same code path
    clock.advance(status.next_attempt_at - clock.now)
    healed = settled(qtbot, service, lambda: fire(service))
    assert server.request_count == 3
    assert healed.state is TokenState.VALID
    assert healed.error is None
    assert not healed.failing
    assert healed.token is not None
    assert healed.token.access_token == server.issued_tokens[-1]


@pytest.mark.parametrize("fault", FINAL, ids=lambda f: f.name)
def test_final_fault_serves_until_expiry_then_waits_for_the_user(
    qtbot: QtBot,
    server: TokenServer,
    make_service: Callable[[Profile], TokenService],
    clock: FakeClock,
    fault: Fault,
) -> None:
    service = make_service(server.profile())
    status = meet_fault(qtbot, server, service, clock, fault)
    assert status.state is TokenState.VALID
    assert status.failing
    assert status.needs_user
    assert status.error is not None
    assert status.error.title == fault.title
    assert status.next_attempt_at is None
    assert status.status_line(clock.now).endswith(
        f"using current token, refresh failing ({fault.title})"
    )
    held = service.valid_token()
    assert held is not None
    clock.advance(held.expires_at - clock.now)
    fire(service)  # the expiry timer: no new request, the token is gone
    assert service.valid_token() is None
    assert service.status().state is TokenState.FAILED
    assert server.request_count == 2
    clock.advance(3600)
    service.check_clock()  # a heartbeat an hour later still does not ask
    assert server.request_count == 2
    healed = settled(qtbot, service, service.retry_now)
    assert server.request_count == 3
    assert healed.state is TokenState.VALID
    assert healed.error is None


@pytest.mark.parametrize("fault", FINAL[:1] + FINAL[-2:], ids=lambda f: f.name)
def test_editing_the_profile_clears_a_final_fault(
    qtbot: QtBot,
    server: TokenServer,
    make_service: Callable[[Profile], TokenService],
    clock: FakeClock,
    fault: Fault,
) -> None:
    profile = server.profile()
    service = make_service(profile)
    assert meet_fault(qtbot, server, service, clock, fault).needs_user
    healed = settled(qtbot, service, lambda: service.update_profile(profile.replace(scope="x")))
    assert healed.error is None
    assert healed.state is TokenState.VALID
    assert server.request_count == 3


def test_every_fault_has_a_mode() -> None:
    assert len({fault.name for fault in FAULTS}) == len(FAULTS)
    assert set(RETRYABLE) | set(FINAL) == set(FAULTS)


@pytest.mark.parametrize("expires_in", [0, -30, "soon", 10**15], ids=repr)
def test_odd_lifetimes_never_storm_nor_overflow_the_timer(
    qtbot: QtBot,
    make_service: Callable[[Profile], TokenService],
    clock: FakeClock,
    pool: QThreadPool,
    expires_in: int | str,
) -> None:
    with TokenServer("standard", expires_in=expires_in) as odd:
        service = make_service(odd.profile())
        started = clock.now
        status = settled(qtbot, service, service.start)
        assert status.token is not None
        assert status.next_attempt_at is not None
        assert status.next_attempt_at - started >= refresh.MIN_REFRESH_INTERVAL
        assert 0 <= service.timer.interval() <= refresh.MAX_TIMER_MS
        busy = (TokenState.FETCHING, TokenState.REFRESHING)
        for _step in range(6):  # a minute of checks every 10 s: at most one refresh each
            clock.advance(10)
            service.check_clock()
            pool.waitForDone(WAIT_MS)
            qtbot.waitUntil(lambda: service.status().state not in busy)
            service.check_clock()  # a second look at the same moment asks for nothing more
        assert odd.request_count <= 7
        if isinstance(expires_in, int) and expires_in <= 0:
            assert odd.request_count >= 2  # a 1 s token really is refreshed, just not in a storm
        service.stop()


def test_backoff_doubles_with_full_jitter_but_never_outlives_the_token(
    qtbot: QtBot,
    server: TokenServer,
    make_service: Callable[[Profile], TokenService],
    clock: FakeClock,
) -> None:
    service = make_service(server.profile())
    meet_fault(qtbot, server, service, clock, BY_NAME["status_503_no_retry_after"])
    token = service.status().token
    assert token is not None
    delays: list[float] = []
    lives: list[float] = []
    while len(delays) < 3 or clock.now < token.expires_at + 600:
        status = service.status()
        assert status.next_attempt_at is not None
        delays.append(status.next_attempt_at - clock.now)
        lives.append(token.expires_at - clock.now)
        # served exactly while it really lives, never after
        assert (service.valid_token() is token) == (clock.now < token.expires_at)
        server.script(BY_NAME["status_503_no_retry_after"].answer())
        clock.advance(delays[-1])
        settled(qtbot, service, lambda: fire(service))
    # rng 0.5 · min(300 s, 1 s · 2^(n-1), half the token's remaining life (at least 1 s))
    expected = [
        0.5 * min(300, 2 ** min(n, 30), max(life / 2, 1) if life > 0 else 300)
        for n, life in enumerate(lives)
    ]
    assert delays == pytest.approx(expected)
    assert delays[:7] == [0.5, 1, 2, 4, 8, 16, 32]  # then half the remaining life bounds it
    last_try_before_expiry = min(life for life in lives if life > 0)
    assert last_try_before_expiry < 2  # the server was asked until the token's last seconds
    assert delays[-2:] == [150, 150]  # once expired: full jitter up to the 5-minute cap
    assert service.valid_token() is None
    assert service.status().state is TokenState.FAILED


def test_a_hung_profile_never_delays_another(
    qtbot: QtBot, make_service: Callable[[Profile], TokenService]
) -> None:
    with TokenServer("standard") as slow, TokenServer("standard") as fine:
        slow.script(BY_NAME["hang"].answer())
        hung = make_service(slow.profile(name="Hung", timeout=20))
        healthy = make_service(fine.profile(name="Healthy"))
        hung.start()
        status = settled(qtbot, healthy, healthy.start)
        assert status.state is TokenState.VALID
        assert hung.status().state is TokenState.FETCHING  # still waiting for its server
        hung.stop()
