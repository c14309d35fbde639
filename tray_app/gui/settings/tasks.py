"""The settings window's background calls, one slot per purpose.

A purpose ("test", "save", "import"…) holds at most its latest task; starting another one for the
same purpose replaces the reference, and the earlier task still delivers (callers that care,
like Test, number their requests). Kept apart from the dialog so that the dialog and its
onboarding helper share one view of what is still running.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QThreadPool

from tray_app.core.errors import AppError
from tray_app.runtime.workers import Task


class Tasks:
    """Starts blocking calls on a worker and knows which are still running."""

    def __init__(self, pool: QThreadPool | None, after_each: Callable[[], None]) -> None:
        self._pool, self._after_each = pool, after_each
        self._tasks: dict[str, Task] = {}

    def start(
        self,
        purpose: str,
        work: Callable[[], object],
        done: Callable[..., None],
        failed: Callable[[AppError], None],
    ) -> None:
        """Run ``work`` on the pool; ``done`` or ``failed`` then ``after_each`` on this thread."""
        task = Task(work)
        task.succeeded.connect(done)
        task.failed.connect(failed)
        task.finished.connect(self._after_each)
        self._tasks[purpose] = task
        task.start(self._pool)

    def is_running(self, purpose: str) -> bool:
        task = self._tasks.get(purpose)
        return task is not None and task.is_running()

    def any_running(self) -> bool:
        return any(task.is_running() for task in self._tasks.values())
