"""Tests of the background-task helper: outcomes arrive as signals on the GUI thread."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from functools import partial

import pytest
from PySide6.QtCore import QObject, QThread, QThreadPool
from pytestqt.qtbot import QtBot

from tray_app.core.errors import AppError, ErrorKind
from tray_app.runtime.workers import Task, run_task


@pytest.fixture
def pool() -> Iterator[QThreadPool]:
    own = QThreadPool()
    yield own
    own.waitForDone(5000)


def test_result_arrives_on_the_gui_thread(qtbot: QtBot, pool: QThreadPool) -> None:
    worker_threads: list[QThread] = []
    delivered_on: list[QThread] = []

    def work() -> int:
        worker_threads.append(QThread.currentThread())
        return 42

    task = Task(work)
    task.succeeded.connect(lambda _value: delivered_on.append(QThread.currentThread()))
    with qtbot.waitSignal(task.succeeded) as blocker:
        task.start(pool)
    assert blocker.args == [42]
    assert worker_threads[0] is not QThread.currentThread()
    assert delivered_on == [QThread.currentThread()]
    assert task.is_done()
    assert not task.is_running()


def test_app_error_arrives_as_failed_then_finished(qtbot: QtBot, pool: QThreadPool) -> None:
    error = AppError(ErrorKind.STORAGE, "Keyring is locked", "Unlock it and try again.")
    order: list[str] = []

    def work() -> None:
        raise error

    task = Task(work)
    task.succeeded.connect(lambda _value: order.append("succeeded"))
    task.failed.connect(lambda _error: order.append("failed"))
    task.finished.connect(lambda: order.append("finished"))
    with qtbot.waitSignal(task.finished):
        task.start(pool)
    assert order == ["failed", "finished"]


def test_failed_carries_the_same_error(qtbot: QtBot, pool: QThreadPool) -> None:
    error = AppError(ErrorKind.REJECTED, "Wrong client ID or secret", "Check them.")

    def work() -> None:
        raise error

    task = Task(work)
    with qtbot.waitSignal(task.failed) as blocker:
        task.start(pool)
    assert blocker.args == [error]
    # The dialog keeps the error while it shows it; the frames (holding the secret) are gone.
    assert error.__traceback__ is None


def test_unexpected_exception_becomes_plain_internal_error(
    qtbot: QtBot, pool: QThreadPool, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "".join(["s3", "cr3t"])  # built at run time: the frames quote source lines

    def work() -> None:
        raise ValueError(f"internal detail {secret}")

    task = Task(work)
    with caplog.at_level(logging.ERROR), qtbot.waitSignal(task.failed) as blocker:
        task.start(pool)
    error = blocker.args[0]
    assert isinstance(error, AppError)
    assert error.kind is ErrorKind.INTERNAL
    assert "s3cr3t" not in error.title + error.message
    assert "Traceback" not in error.message
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "Unexpected ValueError" in logged
    assert "in work" in logged  # the stack frames are kept for the bug report
    assert "s3cr3t" not in logged  # the exception's text is not: it may quote a secret


def test_task_runs_only_once(qtbot: QtBot, pool: QThreadPool) -> None:
    task = Task(lambda: None)
    with qtbot.waitSignal(task.finished):
        task.start(pool)
    with pytest.raises(RuntimeError):
        task.start(pool)


def test_busy_while_the_call_blocks(qtbot: QtBot, pool: QThreadPool) -> None:
    release = threading.Event()
    task = Task(lambda: release.wait(5))
    task.start(pool)
    assert task.is_running()
    with qtbot.waitSignal(task.succeeded) as blocker:
        release.set()
    assert blocker.args == [True]


def test_outcome_is_dropped_when_the_owner_is_gone(qtbot: QtBot, pool: QThreadPool) -> None:
    release = threading.Event()
    started = threading.Event()
    delivered: list[object] = []

    def work() -> str:
        started.set()
        release.wait(5)
        return "late"

    owner = QObject()
    task = Task(work, owner)
    task.succeeded.connect(delivered.append)
    task.start(pool)
    assert started.wait(5)
    owner.deleteLater()
    qtbot.waitUntil(lambda: not _alive(task))
    release.set()
    assert pool.waitForDone(5000)
    qtbot.waitUntil(lambda: pool.findChildren(QObject) == [])  # the orphaned relay is gone too
    # A follow-up task proves queued events were processed without touching the dead task.
    probe = Task(lambda: "probe")
    with qtbot.waitSignal(probe.succeeded):
        probe.start(pool)
    assert delivered == []


def test_relays_belong_to_the_pool_and_are_deleted_after_delivery(
    qtbot: QtBot, pool: QThreadPool
) -> None:
    release = threading.Event()
    task = Task(lambda: release.wait(5))
    task.start(pool)
    # While the call runs, the pool (a GUI-thread object) owns the relay: the worker thread
    # dropping its reference can never delete a Qt object.
    assert len(pool.findChildren(QObject)) == 1
    with qtbot.waitSignal(task.finished):
        release.set()
    qtbot.waitUntil(lambda: pool.findChildren(QObject) == [])


def test_tasks_dropped_right_after_delivery_are_safe(qtbot: QtBot, pool: QThreadPool) -> None:
    """Regression: a Python-owned relay freed on the worker thread crashed this loop."""
    for number in range(200):
        task = Task(partial(int, number))
        with qtbot.waitSignal(task.succeeded) as blocker:
            task.start(pool)
        assert blocker.args == [number]
        del task
    qtbot.waitUntil(lambda: pool.findChildren(QObject) == [])


def _alive(obj: QObject) -> bool:
    try:
        obj.objectName()
    except RuntimeError:
        return False
    return True


def test_run_task_connects_and_starts(qtbot: QtBot, pool: QThreadPool) -> None:
    results: list[str] = []
    errors: list[AppError] = []
    task = run_task(lambda: "done", on_success=results.append, on_error=errors.append, pool=pool)
    qtbot.waitUntil(task.is_done)
    assert results == ["done"]
    assert errors == []
