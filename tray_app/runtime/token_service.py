"""One :class:`TokenService` per profile keeps its token fresh; a registry
(:mod:`tray_app.runtime.registry`) holds them all.

A service owns a single-shot QTimer set to the next real deadline (refresh time, retry time or
expiry) and runs the blocking fetch (keyring + HTTP) on a QThreadPool through
:class:`tray_app.runtime.workers.Task`, which brings the outcome back to the GUI thread. It
reports only through ``statusChanged``.
The clocks (:class:`~tray_app.core.clocks.Clocks`) and the fetch function are injected, so tests
move time and fire the timer by hand.

Design decisions:

* **State is derived, not stored**, from (running, token, error, fetch in flight) at ``clock()``;
  ``statusChanged`` is emitted only when that snapshot changes. The timer deadline is min(next
  automatic attempt, expiry of the held token), so the state flips to EXPIRED / FAILED when the
  token really dies, even while retries are backing off.
* **Wall-clock check.** QTimer runs on a monotonic clock that stops during suspend and ignores
  clock changes, so the timer only *wakes us up*; :meth:`TokenService.check_clock` then compares
  the stored wall-clock deadline with ``clock()``: past it → act now, early → re-arm for the rest.
  :class:`tray_app.runtime.watchdog.Heartbeat` calls ``check_clock`` on every service every 30 s.
* **Two clocks, the stricter wins.** Deadlines (the token's expiry, the next attempt) are kept
  on the wall clock *and* on the injected ``monotonic`` clock. The wall clock catches a suspend
  (the monotonic clock stops while the machine sleeps); the monotonic clock catches the wall
  clock being set back. A token is served only while *both* say it is valid, and an attempt is
  due as soon as *either* says so — so no clock change can keep a token beyond its real life or
  postpone its refresh.
* **One fetch at a time.** The service notes the generation its running fetch was started in;
  ``stop()`` and ``update_profile()`` bump the generation so late results are dropped. A new
  fetch requested while a stale one still runs waits for it (``_pending``), so a service never
  has two workers.
* **Outcomes arrive in slots of the service**, not in closures over it. A closure connected to
  the task (a child of the service) would keep the service alive from inside its child, and a
  service nobody else holds would then be freed while that child is being deleted.
* **Failures.** Retryable errors back off (refresh.backoff_delay, never beyond half the held
  token's remaining life) while the held token is served until it expires; other errors wait
  for ``retry_now()`` (the tray's "Refresh now" while failing), ``refresh_now()`` or
  ``update_profile()`` (editing the profile), each of which clears them. ``try_early()`` (a
  copy asked for while failing) tries a retryable failure at once unless the server asked to
  wait (Retry-After).
  Anything but an AppError from the fetch becomes an INTERNAL AppError (Task logs only its type
  and frames: an exception's text might quote a secret).
* A stopped service holds nothing: ``stop()`` forgets the token. Any change to a profile drops
  its token (it may belong to another client or scope) and refetches.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QObject, Qt, QThreadPool, QTimer, Signal, Slot

from tray_app.core import refresh
from tray_app.core.clocks import SYSTEM_CLOCKS, Clocks
from tray_app.core.errors import AppError
from tray_app.core.profile import Profile
from tray_app.core.status import ServiceStatus, TokenState
from tray_app.core.token import Token
from tray_app.runtime.workers import Task

__all__ = ["Fetch", "TokenService"]

_log = logging.getLogger(__name__)

Fetch = Callable[[Profile], Token]
"""Blocking: reads the secret and asks the token endpoint. Runs on a worker thread."""


class TokenService(QObject):
    statusChanged = Signal(ServiceStatus)

    def __init__(
        self,
        profile: Profile,
        fetch: Fetch,
        *,
        clocks: Clocks = SYSTEM_CLOCKS,
        pool: QThreadPool | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._profile, self._fetch = profile, fetch
        self._clock, self._monotonic, self._rng = clocks.wall, clocks.monotonic, clocks.rng
        self._pool = pool if pool is not None else QThreadPool.globalInstance()
        self._running = False
        self._token: Token | None = None
        self._error: AppError | None = None
        self._failures = 0
        self._generation = 0
        self._worker_generation: int | None = None
        self._pending = False
        self._next_attempt_at: float | None = None
        self._next_attempt_mono: float | None = None
        self._last_attempt_at = 0.0
        self._last_attempt_mono = 0.0
        self._expiry_mono = 0.0
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

    def retry_now(self) -> None:
        """The user's "Refresh now" while failing: forget the backoff, then fetch at once.

        The failure itself stays on show ("last try failed: …") until this attempt answers.
        """
        if not self._running or self._in_flight():
            return
        self._failures = 0
        self._start_fetch()

    def refresh_by_user(self) -> None:
        """The menu's one "Refresh now": after a failure it also forgets the backoff."""
        if self._error is not None:
            self.retry_now()
        else:
            self.refresh_now()

    def try_early(self) -> None:
        """Someone wants the token while refreshes fail: try now instead of at the planned
        retry, unless the failure needs the user or the server asked to wait (Retry-After)."""
        error = self._error
        if not self._running or self._in_flight() or error is None:
            return
        if refresh.is_retryable(error) and not error.retry_after:
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

    def valid_token(self, min_valid: float | None = 0.0) -> Token | None:
        """The held token if it is valid for ``min_valid`` more seconds at ``clock()``.

        ``None``: for as long as this service keeps in reserve (its refresh margin), so a token
        it does not yet mean to replace qualifies.
        """
        token = self._token
        if token is not None and min_valid is None:
            min_valid = refresh.default_min_valid(token, self._profile.refresh_margin)
        if self._running and self._alive(self._clock(), min_valid or 0.0):
            return token
        return None

    @Slot()
    def check_clock(self) -> None:
        """Compare the deadline with the wall clock: act if it has passed, else re-arm.

        Called by the timer; a heartbeat may call it any time (sleep/resume, clock jumps).
        """
        if not self._running:
            return
        if self._due(self._clock()) and not self._in_flight():
            self._start_fetch()
            return
        self._publish()
        self._reschedule()

    def _alive(self, now: float, min_valid: float = 0.0) -> bool:
        """The held token is valid for ``min_valid`` more seconds by both clocks."""
        token = self._token
        if token is None or not token.is_valid(now, min_valid):
            return False
        return self._monotonic() + min_valid < self._expiry_mono

    def _due(self, now: float) -> bool:
        """An automatic attempt is due by either clock."""
        if self._next_attempt_at is None or self._next_attempt_mono is None:
            return False
        return now >= self._next_attempt_at or self._monotonic() >= self._next_attempt_mono

    def _plan(self, at: float | None) -> None:
        """Set the next automatic attempt (wall clock ``at``) on both clocks."""
        self._next_attempt_at = at
        self._next_attempt_mono = None if at is None else self._monotonic() + at - self._clock()

    def _forget(self) -> None:
        """Drop token, error and schedule; results of a running fetch will be ignored."""
        self._generation += 1
        self._pending = False
        self._token = self._error = None
        self._plan(None)
        self._failures = 0

    def _in_flight(self) -> bool:
        return self._pending or self._worker_generation == self._generation

    def _state(self, now: float) -> TokenState:
        if not self._running:
            return TokenState.NO_TOKEN
        if self._alive(now):
            return TokenState.REFRESHING if self._in_flight() else TokenState.VALID
        if self._in_flight():
            return TokenState.FETCHING
        if self._error is not None:
            return TokenState.FAILED
        return TokenState.EXPIRED if self._token is not None else TokenState.NO_TOKEN

    def _start_fetch(self) -> None:
        if self._in_flight():
            return
        self._plan(None)
        self._last_attempt_at, self._last_attempt_mono = self._clock(), self._monotonic()
        if self._worker_generation is not None:
            self._pending = True  # a stale fetch still runs; start when it returns
        else:
            self._launch()
        self._publish()
        self._reschedule()

    def _launch(self) -> None:
        self._pending = False
        self._worker_generation = self._generation
        # runtime.workers.Task runs the call on the pool and delivers the outcome on this thread; a
        # task that outlives its service (deleted meanwhile) simply drops the outcome. Its
        # signals go to this service's slots, never to a closure over ``self``: the task's
        # connections would then own this service's Python object, and a service held by
        # nobody else would be freed inside the task's own deferred deletion and delete the
        # half-destroyed task a second time (a segfault in QObject::~QObject).
        task = Task(partial(self._fetch, self._profile), self)
        task.succeeded.connect(self._on_token)
        task.failed.connect(self._on_error)
        task.finished.connect(task.deleteLater)
        task.start(self._pool)

    @Slot(object)
    def _on_token(self, token: Token) -> None:
        self._on_fetched(token)

    @Slot(AppError)
    def _on_error(self, error: AppError) -> None:
        self._on_fetched(error)

    def _on_fetched(self, outcome: Token | AppError) -> None:
        # One worker at a time, so the outcome is the one of the fetch started in generation
        # ``_worker_generation``.
        generation, self._worker_generation = self._worker_generation, None
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
        self._expiry_mono = self._last_attempt_mono + token.lifetime
        margin = self._profile.refresh_margin
        self._plan(refresh.next_refresh(token, self._last_attempt_at, margin))

    def _on_failure(self, error: AppError) -> None:
        self._error = error
        self._failures += 1
        now = self._clock()
        left = self._token.expires_at - now if self._token and self._alive(now) else None
        delay = refresh.backoff_delay(
            self._failures, retry_after=error.retry_after, rng=self._rng, token_left=left
        )
        self._plan(now + delay if refresh.is_retryable(error) else None)
        _log.info("Token for profile %s failed (%s)", self._profile.id, error.title)

    def _reschedule(self) -> None:
        """Arm the timer for min(next attempt, expiry of a still-valid token)."""
        now, mono = self._clock(), self._monotonic()
        attempt: float | None = None
        expiry: float | None = None
        planned = (self._next_attempt_at, self._next_attempt_mono)
        if self._running and planned[0] is not None and planned[1] is not None:
            attempt = None if self._in_flight() else min(planned[0] - now, planned[1] - mono)
        if self._running and self._token is not None and self._alive(now):
            expiry = min(self._token.expires_at - now, self._expiry_mono - mono)
        if attempt is None and expiry is None:
            self._timer.stop()
            return
        precise = attempt is None or (expiry is not None and expiry < attempt)  # flip on time
        self._timer.setTimerType(Qt.TimerType.PreciseTimer if precise else Qt.TimerType.CoarseTimer)
        delay = min(x for x in (attempt, expiry) if x is not None)
        self._timer.start(refresh.timer_ms(delay))

    def _publish(self) -> None:
        status = self.status()
        if status != self._published:
            self._published = status
            _log.debug("Profile %s is now %s", self._profile.id, status.state.value)
            self.statusChanged.emit(status)
