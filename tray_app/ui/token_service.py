"""One :class:`TokenService` per profile keeps its token fresh; a registry holds them all.

A service owns a single-shot QTimer set to the next real deadline (refresh time, retry time or
expiry) and runs the blocking fetch (keyring + HTTP) on a QThreadPool through
:class:`tray_app.ui.workers.Task`, which brings the outcome back to the GUI thread. It
reports only through ``statusChanged``.
The clock and the fetch function are injected, so tests fire the timer by hand.

Design decisions:

* **State is derived, not stored**, from (running, token, error, fetch in flight) at ``clock()``;
  ``statusChanged`` is emitted only when that snapshot changes. The timer deadline is min(next
  automatic attempt, expiry of the held token), so the state flips to EXPIRED / FAILED when the
  token really dies, even while retries are backing off.
* **Wall-clock check.** QTimer runs on a monotonic clock that stops during suspend and ignores
  clock changes, so the timer only *wakes us up*; :meth:`TokenService.check_clock` then compares
  the stored wall-clock deadline with ``clock()``: past it → act now, early → re-arm for the rest.
  A coarse heartbeat (issue 3) only needs to call ``check_clock`` on every service.
* **One fetch at a time.** Every fetch carries the generation it was started in; ``stop()`` and
  ``update_profile()`` bump the generation so late results are dropped. A new fetch requested
  while a stale one still runs waits for it (``_pending``), so a service never has two workers.
* **Failures.** Retryable errors back off (refresh.backoff_delay) while the held token is served
  until it expires; other errors wait for ``refresh_now()`` or ``update_profile()``. Anything but
  an AppError from the fetch becomes an INTERNAL AppError (Task logs only its type and frames:
  an exception's text might quote a secret).
* A stopped service holds nothing: ``stop()`` forgets the token. Any change to a profile drops
  its token (it may belong to another client or scope) and refetches.
"""

from __future__ import annotations

import dataclasses
import enum
import logging
import random
import time
from collections.abc import Callable, Iterable
from functools import partial

from PySide6.QtCore import QObject, Qt, QThreadPool, QTimer, Signal, Slot

from tray_app.core import refresh
from tray_app.core.errors import AppError
from tray_app.core.profile import Profile
from tray_app.core.token import Token
from tray_app.ui.workers import Task

logger = logging.getLogger(__name__)

Fetch = Callable[[Profile], Token]
"""Blocking: reads the secret and asks the token endpoint. Runs on a worker thread."""


class TokenState(enum.Enum):
    NO_TOKEN = "no token"  # noqa: S105 - a state name, not a password
    FETCHING = "fetching"
    VALID = "valid"
    REFRESHING = "refreshing"
    FAILED = "failed"
    EXPIRED = "expired"


def format_remaining(seconds: float) -> str:
    """'45 s', '27 min', '2 h 5 min', '3 h' — rounded down, never below '1 s'."""
    whole = int(max(seconds, 1.0))
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min"
    hours, minutes = whole // 3600, whole % 3600 // 60
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


@dataclasses.dataclass(frozen=True)
class ServiceStatus:
    """A snapshot of one profile's token state, safe to hand to views."""

    profile: Profile
    state: TokenState
    token: Token | None = None
    error: AppError | None = None
    """The last failure; may be set while a still-valid token is served (state VALID)."""
    next_attempt_at: float | None = None

    def status_line(self, now: float) -> str:
        """'Tarkov API — valid for 27 min' / '… — refreshing…' / '… — <error title>'."""
        return f"{self.profile.name} — {self._detail(now)}"

    def _detail(self, now: float) -> str:
        if self.state is TokenState.NO_TOKEN:
            return "not started"
        if self.state is TokenState.FETCHING:
            return "getting a token…"
        if self.state is TokenState.REFRESHING:
            return "refreshing…"
        if self.state is TokenState.FAILED:
            return self.error.title if self.error else "failed"
        if self.state is TokenState.VALID and self.token and self.token.is_valid(now):
            return f"valid for {format_remaining(self.token.remaining(now))}"
        return "token expired"


class TokenService(QObject):
    statusChanged = Signal(ServiceStatus)

    def __init__(
        self,
        profile: Profile,
        fetch: Fetch,
        *,
        clock: Callable[[], float] = time.time,
        pool: QThreadPool | None = None,
        rng: Callable[[], float] = random.random,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._profile, self._fetch, self._clock, self._rng = profile, fetch, clock, rng
        self._pool = pool if pool is not None else QThreadPool.globalInstance()
        self._running = False
        self._token: Token | None = None
        self._error: AppError | None = None
        self._failures = 0
        self._generation = 0
        self._worker_generation: int | None = None
        self._pending = False
        self._next_attempt_at: float | None = None
        self._last_attempt_at = 0.0
        self._published = ServiceStatus(profile, TokenState.NO_TOKEN)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.check_clock)

    @property
    def profile(self) -> Profile:
        return self._profile

    @property
    def timer(self) -> QTimer:
        """The single deadline timer (read-only; exposed for tests and diagnostics)."""
        return self._timer

    def start(self) -> None:
        """Begin keeping the token fresh: fetch now."""
        if self._running:
            return
        self._running = True
        self._start_fetch()

    def stop(self) -> None:
        """Stop the timer, forget the token and ignore any fetch still running."""
        self._running = False
        self._forget()
        self._reschedule()
        self._publish()

    def refresh_now(self) -> None:
        """Fetch at once (user action); no-op when stopped or a fetch is already in flight."""
        if self._running:
            self._start_fetch()

    def update_profile(self, profile: Profile) -> None:
        """Use ``profile`` from now on; if it differs, drop the old token and refetch."""
        if profile == self._profile:
            return
        self._profile = profile
        self._forget()
        if self._running:
            self._start_fetch()
        else:
            self._publish()

    def status(self) -> ServiceStatus:
        state = self._state(self._clock())
        return ServiceStatus(self._profile, state, self._token, self._error, self._next_attempt_at)

    def valid_token(self, min_valid: float = 0.0) -> Token | None:
        """The held token if it is valid for ``min_valid`` more seconds at ``clock()``."""
        token = self._token
        if self._running and token is not None and token.is_valid(self._clock(), min_valid):
            return token
        return None

    @Slot()
    def check_clock(self) -> None:
        """Compare the deadline with the wall clock: act if it has passed, else re-arm.

        Called by the timer; a heartbeat may call it any time (sleep/resume, clock jumps).
        """
        if not self._running:
            return
        due = self._next_attempt_at
        if due is not None and self._clock() >= due and not self._in_flight():
            self._start_fetch()
            return
        self._publish()
        self._reschedule()

    def _forget(self) -> None:
        """Drop token, error and schedule; results of a running fetch will be ignored."""
        self._generation += 1
        self._pending = False
        self._token = self._error = self._next_attempt_at = None
        self._failures = 0

    def _in_flight(self) -> bool:
        return self._pending or self._worker_generation == self._generation

    def _state(self, now: float) -> TokenState:
        if not self._running:
            return TokenState.NO_TOKEN
        token_valid = self._token is not None and self._token.is_valid(now)
        if token_valid:
            return TokenState.REFRESHING if self._in_flight() else TokenState.VALID
        if self._in_flight():
            return TokenState.FETCHING
        if self._error is not None:
            return TokenState.FAILED
        return TokenState.EXPIRED if self._token is not None else TokenState.NO_TOKEN

    def _start_fetch(self) -> None:
        if self._in_flight():
            return
        self._next_attempt_at = None
        self._last_attempt_at = self._clock()
        if self._worker_generation is not None:
            self._pending = True  # a stale fetch still runs; start when it returns
        else:
            self._launch()
        self._publish()
        self._reschedule()

    def _launch(self) -> None:
        self._pending = False
        generation = self._worker_generation = self._generation
        # ui.workers.Task runs the call on the pool and delivers the outcome on this thread; a
        # task that outlives its service (deleted meanwhile) simply drops the outcome.
        task = Task(partial(self._fetch, self._profile), self)
        task.succeeded.connect(lambda token: self._on_fetched(generation, token))
        task.failed.connect(lambda error: self._on_fetched(generation, error))
        task.finished.connect(task.deleteLater)
        task.start(self._pool)

    def _on_fetched(self, generation: int, outcome: Token | AppError) -> None:
        self._worker_generation = None
        if generation != self._generation:
            if self._pending and self._running:
                self._launch()
            return
        if isinstance(outcome, Token):
            self._on_success(outcome)
        else:
            self._on_failure(outcome)
        self._publish()
        self._reschedule()

    def _on_success(self, token: Token) -> None:
        self._token, self._error, self._failures = token, None, 0
        margin = self._profile.refresh_margin
        self._next_attempt_at = refresh.next_refresh(token, self._last_attempt_at, margin)

    def _on_failure(self, error: AppError) -> None:
        self._error = error
        self._failures += 1
        delay = refresh.backoff_delay(self._failures, retry_after=error.retry_after, rng=self._rng)
        self._next_attempt_at = self._clock() + delay if refresh.is_retryable(error) else None
        logger.info("Token for profile %s failed (%s)", self._profile.id, error.title)

    def _reschedule(self) -> None:
        """Arm the timer for min(next attempt, expiry of a still-valid token)."""
        now = self._clock()
        candidates: list[float] = []
        if self._running and self._next_attempt_at is not None and not self._in_flight():
            candidates.append(self._next_attempt_at)
        if self._running and self._token is not None and self._token.is_valid(now):
            candidates.append(self._token.expires_at)
        deadline = min(candidates, default=None)
        if deadline is None:
            self._timer.stop()
            return
        precise = deadline != self._next_attempt_at  # an expiry: flip the state on time
        self._timer.setTimerType(Qt.TimerType.PreciseTimer if precise else Qt.TimerType.CoarseTimer)
        self._timer.start(refresh.timer_ms(deadline - now))

    def _publish(self) -> None:
        status = self.status()
        if status != self._published:
            self._published = status
            logger.debug("Profile %s is now %s", self._profile.id, status.state.value)
            self.statusChanged.emit(status)


class ServiceRegistry(QObject):
    """Holds one :class:`TokenService` per profile, in configuration order."""

    statusChanged = Signal(ServiceStatus)
    changed = Signal()

    def __init__(
        self,
        fetch: Fetch,
        *,
        clock: Callable[[], float] = time.time,
        pool: QThreadPool | None = None,
        rng: Callable[[], float] = random.random,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._fetch, self._clock, self._pool, self._rng = fetch, clock, pool, rng
        self._services: dict[str, TokenService] = {}
        self._started = False

    def set_profiles(self, profiles: Iterable[Profile]) -> None:
        """Create, update and remove services to match ``profiles`` (order kept).

        An unchanged profile keeps its service and token; a changed one refetches; a removed
        one is stopped and deleted. The new membership is in place before any service starts.
        """
        previous = self._services
        wanted: dict[str, Profile] = {}
        for profile in profiles:
            if profile.id in wanted:
                logger.warning("Ignoring a second profile with id %s", profile.id)
            else:
                wanted[profile.id] = profile
        self._services = {
            pid: previous[pid] if pid in previous else self._create(p) for pid, p in wanted.items()
        }
        for pid, service in previous.items():
            if pid not in wanted:
                self._remove(service)
        for pid, service in self._services.items():
            service.update_profile(wanted[pid])
            if self._started:
                service.start()
        if list(self._services) != list(previous):
            self.changed.emit()

    def services(self) -> list[TokenService]:
        return list(self._services.values())

    def get(self, profile_id: str) -> TokenService | None:
        return self._services.get(profile_id)

    def start(self) -> None:
        self._started = True
        for service in self.services():
            service.start()

    def stop_all(self) -> None:
        self._started = False
        for service in self.services():
            service.stop()

    def _create(self, profile: Profile) -> TokenService:
        service = TokenService(
            profile, self._fetch, clock=self._clock, pool=self._pool, rng=self._rng, parent=self
        )
        service.statusChanged.connect(self._relay_status)
        return service

    def _remove(self, service: TokenService) -> None:
        service.statusChanged.disconnect(self._relay_status)
        service.stop()
        service.deleteLater()

    @Slot(ServiceStatus)
    def _relay_status(self, status: ServiceStatus) -> None:
        self.statusChanged.emit(status)
        self.changed.emit()
