"""Run one blocking callable off the GUI thread and get its outcome back as typed signals.

Usage (on the GUI thread)::

    task = Task(partial(repository.save_profile, profile, secret))
    task.succeeded.connect(self._on_saved)      # receives the callable's return value
    task.failed.connect(self._on_save_failed)   # receives an AppError, never a traceback
    task.start(pool)
    self._save_task = task                      # keep it until it has finished

Design decisions:

* The callable runs in a :class:`QRunnable` on a :class:`QThreadPool` (the global one unless a
  pool is injected, so tests can ``waitForDone`` on their own pool).
* **No Qt object is ever deleted on a worker thread.** The runnable does not touch the
  :class:`Task`; it emits on a private relay whose C++ side is owned by the pool (a GUI-thread
  object that outlives every job), so dropping the worker's reference never deletes it. The
  relay's signals reach the task through queued connections, on the task's thread; then the
  worker calls ``deleteLater()``, so the relay is deleted on the GUI thread after the outcome
  was delivered. (A Python-owned relay, freed on the worker thread, raced with the task's own
  destruction on the GUI thread and crashed.)
* If the task (or its parent, e.g. a closed dialog) is deleted while the call still runs, Qt
  drops the connection and the outcome is discarded; the relay is deleted all the same.
* Every failure arrives as an :class:`AppError`. An unexpected exception is logged with its
  traceback (the log has a redaction filter) and turned into an INTERNAL error with a plain
  message; it is never swallowed and never shown to the user as a traceback.
* ``finished`` follows ``succeeded`` or ``failed``, so callers can reset a busy state in one
  place. A task runs at most once.
* The callable is released on the worker thread, so it must not hold Qt objects (a widget, the
  dialog's ``self``): bind plain values, e.g. ``partial(repository.save_profile, profile)``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from tray_app.core.errors import AppError, ErrorKind
from tray_app.core.logsetup import LOG_NAME, default_log_dir, log_unexpected

_log = logging.getLogger(__name__)

T = TypeVar("T")


def unexpected_error() -> AppError:
    """The error shown when a background call failed in a way nobody planned for."""
    return AppError(
        ErrorKind.INTERNAL,
        "Something went wrong",
        "Token Tray hit an unexpected problem. Please try again; if it keeps happening, "
        f"please report it and attach the log file ({default_log_dir() / LOG_NAME}).",
    )


class _Relay(QObject):
    """Carries the outcome from the worker thread; a child of the pool, never of a widget."""

    succeeded = Signal(object)
    failed = Signal(AppError)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], object], relay: _Relay) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._fn: Callable[[], object] | None = fn
        self._relay: _Relay | None = relay

    def run(self) -> None:
        fn, relay = self._fn, self._relay
        self._fn = self._relay = None
        if fn is not None and relay is not None:
            try:
                _emit_outcome(fn, relay)
            finally:
                relay.deleteLater()  # on the GUI thread, after the outcome's queued delivery


def _emit_outcome(fn: Callable[[], object], relay: _Relay) -> None:
    try:
        result = fn()
    except AppError as error:
        # The error outlives the call (shown in the dialog): drop frames that hold a secret.
        relay.failed.emit(error.with_traceback(None))
    except Exception as exc:  # noqa: BLE001 - a worker must never die; logged below
        log_unexpected(_log, exc, "in a background task")
        relay.failed.emit(unexpected_error())
    else:
        relay.succeeded.emit(result)


class Task(QObject):
    """One blocking call, run once on a thread pool; outcome delivered on the creating thread.

    Keep a reference to the task (or give it a parent) until ``finished``: a task that is
    garbage-collected early silently drops its outcome.
    """

    succeeded = Signal(object)
    """The callable's return value."""
    failed = Signal(AppError)
    """Why the call failed, as an error fit to show to the user."""
    finished = Signal()
    """Emitted after ``succeeded`` or ``failed``."""

    def __init__(self, fn: Callable[[], object], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fn: Callable[[], object] | None = fn
        self._state = "new"

    def is_running(self) -> bool:
        return self._state == "running"

    def is_done(self) -> bool:
        return self._state == "done"

    def start(self, pool: QThreadPool | None = None) -> None:
        """Queue the call on ``pool`` (the global pool when ``None``)."""
        if self._fn is None:
            raise RuntimeError("A Task can only be started once.")
        fn, self._fn = self._fn, None
        self._state = "running"
        pool = pool if pool is not None else QThreadPool.globalInstance()
        relay = _Relay(pool)
        relay.succeeded.connect(self._deliver_success)
        relay.failed.connect(self._deliver_failure)
        pool.start(_Job(fn, relay))

    @Slot(object)
    def _deliver_success(self, result: object) -> None:
        self._state = "done"
        self.succeeded.emit(result)
        self.finished.emit()

    @Slot(AppError)
    def _deliver_failure(self, error: AppError) -> None:
        self._state = "done"
        self.failed.emit(error)
        self.finished.emit()


def run_task(
    fn: Callable[[], T],
    *,
    on_success: Callable[[T], None] | None = None,
    on_error: Callable[[AppError], None] | None = None,
    pool: QThreadPool | None = None,
    parent: QObject | None = None,
) -> Task:
    """Create, connect and start a :class:`Task` in one call; returns it (keep a reference)."""
    task = Task(fn, parent)
    if on_success is not None:
        task.succeeded.connect(on_success)
    if on_error is not None:
        task.failed.connect(on_error)
    task.start(pool)
    return task
