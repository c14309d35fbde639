"""A scripted fetch for TokenService and ServiceRegistry tests, and how they wait for it.

The fetch really runs on the service's QThreadPool worker; tests wait for its outcome through
``statusChanged`` (never by sleeping) and move time with :class:`tests.support.fakes.FakeClock`.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QThreadPool
from pytestqt.qtbot import QtBot

from tests.support.fakes import FakeClock
from tray_app.core.profile import Profile
from tray_app.core.status import ServiceStatus, TokenState
from tray_app.core.token import Token
from tray_app.runtime.token_service import TokenService

WAIT_MS = 5000


Outcome = float | Exception
"""A scripted fetch result: a lifetime for a fresh token, or an exception to raise."""


class FakeFetch:
    """Thread-safe scripted fetch; the default answer is a fresh 1800 s token."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.script: deque[Outcome] = deque()
        self.calls: list[Profile] = []
        self.gate: threading.Event | None = None
        self.active = 0
        self.max_active = 0
        self._lock = threading.Lock()

    def __call__(self, profile: Profile) -> Token:
        with self._lock:
            self.calls.append(profile)
            number, self.active = len(self.calls), self.active + 1
            self.max_active = max(self.max_active, self.active)
            outcome = self.script.popleft() if self.script else 1800.0
        obtained_at = self.clock.now
        try:
            if self.gate is not None:
                self.gate.wait(WAIT_MS / 1000)
            if isinstance(outcome, Exception):
                raise outcome
            return Token(f"tok-{number}", "Bearer", lifetime=outcome, obtained_at=obtained_at)
        finally:
            with self._lock:
                self.active -= 1


def until(
    qtbot: QtBot, service: TokenService, state: TokenState, action: Callable[[], None]
) -> ServiceStatus:
    """Run ``action`` and wait until the service reports ``state``."""
    with qtbot.waitSignal(
        service.statusChanged, timeout=WAIT_MS, check_params_cb=lambda s: s.state is state
    ) as blocker:
        action()
    status = blocker.args[0] if blocker.args else None
    assert isinstance(status, ServiceStatus)
    return status


def settle(pool: QThreadPool) -> None:
    """Let every worker finish and deliver its queued result."""
    assert pool.waitForDone(WAIT_MS)
    QCoreApplication.processEvents()
