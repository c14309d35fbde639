"""A stress workload for the real :class:`~tray_app.gui.app.TrayApplication`: profiles come and go
while their fetches run, and the app quits and starts again, for thousands of cycles.

One *cycle*: the loopback server is told how to answer the next token request (at once, slowly,
503, 401 or a reset connection, at random); a profile is added as the settings window adds it
(saved, then applied), so its service starts a fetch; after a random pause of up to
:data:`MAX_PAUSE_MS` (often while that fetch still runs) the profile is removed or edited; then
"Refresh now" is chosen in the tray menu for a random profile. Every few cycles the app quits
(what ``aboutToQuit`` runs, its windows closed, then ``deleteLater``, as the launcher replaces it
by the demo) and a new one starts on the same config, whose profiles all fetch at start.

After each quit nothing may be left running: no fetch on the pool, no armed timer, no
command-line socket, no token request reaching the server, no window, and the app and its
services deleted. What is still there is listed in :attr:`Tally.leftovers`; a crash ends the
process. It needs a QApplication (offscreen is enough) and ``TOKEN_TRAY_RUNTIME_DIR`` set to a
private folder. Used by ``tests/ui/test_app_stress.py`` (bounded, in CI) and ``bench/stress.py``.
"""

from __future__ import annotations

import dataclasses
import gc
import random
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import shiboken6
from PySide6.QtCore import QEventLoop, QThreadPool, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QMenu

from tests.support.app_start import make_core
from tests.support.memory_keyring import MemoryKeyring
from tests.support.tokenserver import Scripted, TokenServer
from tray_app.core.clocks import SYSTEM_CLOCKS
from tray_app.core.config import Config
from tray_app.core.profile import Profile
from tray_app.core.repository import ProfileRepository
from tray_app.core.status import ServiceStatus, TokenState
from tray_app.gui.app import TrayApplication
from tray_app.gui.tray import REFRESH_TEXT
from tray_app.runtime.token_service import TokenService

MAX_PAUSE_MS = 30
"""Longest pause between adding a profile and removing or editing it."""
MAX_DELAY_S = 0.03
"""Longest delay of a slow answer."""
MAX_SESSION_CYCLES = 12
MAX_PROFILES = 5
"""More profiles than this and the cycle removes instead of editing."""
WAIT_S = 10.0
BUSY = (TokenState.FETCHING, TokenState.REFRESHING)


@dataclasses.dataclass
class Tally:
    """What the workload did, and what it found still running after a quit."""

    sessions: int = 0
    cycles: int = 0
    mid_fetch: int = 0
    """Profiles removed or edited while their fetch was in flight."""
    tokens: int = 0
    failures: int = 0
    requests: int = 0
    seconds: float = 0.0
    leftovers: list[str] = dataclasses.field(default_factory=list)

    def line(self) -> str:
        return (
            f"{self.cycles} cycles in {self.sessions} app runs, {self.seconds:.1f} s: "
            f"{self.mid_fetch} changed mid-fetch, {self.tokens} tokens, {self.failures} "
            f"failures, {self.requests} requests, {len(self.leftovers)} left running"
        )


def spin(ms: int) -> None:
    """Run the event loop for ``ms`` milliseconds (deferred deletions included)."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_until(done: Callable[[], bool], seconds: float = WAIT_S) -> bool:
    deadline = time.monotonic() + seconds
    while not done():
        if time.monotonic() > deadline:
            return False
        spin(2)
    return True


def all_actions(menu: QMenu) -> Iterator[QAction]:
    """Every action of ``menu`` and of its submenus."""
    for action in menu.actions():
        yield action
        sub = action.menu()
        if isinstance(sub, QMenu):
            yield from all_actions(sub)


def python_threads() -> list[threading.Thread]:
    """The threads Python started and still runs (the test server's, timers, ...).

    Qt's pool threads that ran Python code appear in :func:`threading.enumerate` as dummy
    entries, and Python never learns when such a thread ends: an entry stays until its thread
    id is reused (seen: dummies whose thread was gone from /proc/self/task). Those threads are
    checked where they live instead: every quit app's fetch pool must finish and be deleted, and
    the global pool must be done.
    """
    return [t for t in threading.enumerate() if not isinstance(t, threading._DummyThread)]


class StressRun:
    """Drives app runs against ``server``; config and secrets persist across them."""

    def __init__(
        self, qapp: QApplication, server: TokenServer, folder: Path, rng: random.Random
    ) -> None:
        self._qapp, self._server, self._folder, self._rng = qapp, server, folder, rng
        self._keyring = MemoryKeyring()
        self._tally = Tally()
        self._threads = len(python_threads())

    def run(self, cycles: int) -> Tally:
        """``cycles`` cycles over as many app runs as it takes; returns the tally."""
        started = time.monotonic()
        requests = self._server.request_count
        while self._tally.cycles < cycles:
            length = self._rng.randint(1, MAX_SESSION_CYCLES)
            self._session(min(length, cycles - self._tally.cycles))
        self._check_threads()
        self._tally.requests = self._server.request_count - requests
        self._tally.seconds = time.monotonic() - started
        return self._tally

    # -- one app run --------------------------------------------------------------------------

    def _session(self, cycles: int) -> None:
        core = make_core(self._folder, self._keyring, clocks=SYSTEM_CLOCKS)
        if not core.repository.load().profiles:  # an empty config opens the settings window
            core.repository.save_profile(self._new_profile(), self._server.client_secret)
        app = TrayApplication(
            self._qapp, core, tray_available=lambda: False, reachability=lambda: None
        )
        app.host.registry.statusChanged.connect(self._count)
        app.start()
        if not wait_until(app.host.registry.is_started):
            self._tally.leftovers.append("the services did not start")
        for _ in range(cycles):
            self._cycle(app, core.repository)
        self._quit(app)
        self._tally.sessions += 1

    def _cycle(self, app: TrayApplication, repository: ProfileRepository) -> None:
        answer = self._answer()
        if answer is not None:
            self._server.script(answer)
        profile = self._new_profile()
        app.apply_config(repository.save_profile(profile, self._server.client_secret))
        spin(self._rng.randint(0, MAX_PAUSE_MS))
        service = app.host.registry.get(profile.id)
        if service is not None and service.status().state in BUSY:
            self._tally.mid_fetch += 1
        app.apply_config(self._remove_or_edit(repository, profile))
        self._refresh_from_menu(app)
        self._tally.cycles += 1

    def _remove_or_edit(self, repository: ProfileRepository, profile: Profile) -> Config:
        if self._rng.random() < 0.5 or len(repository.load().profiles) > MAX_PROFILES:
            return repository.remove_profile(profile.id)
        return repository.save_profile(profile.replace(scope=f"edited-{self._tally.cycles}"), None)

    def _refresh_from_menu(self, app: TrayApplication) -> None:
        menu = app.tray.menu
        menu.aboutToShow.emit()  # the menu as a user opens it
        actions = [a for a in all_actions(menu) if a.text() == REFRESH_TEXT]
        if actions:
            self._rng.choice(actions).trigger()

    def _quit(self, app: TrayApplication) -> None:
        """Quit as the launcher does when it replaces the app in the same process (the demo)."""
        services = app.host.registry.services()
        app.shutdown()
        app.close_windows()
        pool = app.host.fetch_pool
        if not pool.waitForDone(int(WAIT_S * 1000)):
            self._tally.leftovers.append("a fetch still ran after quit")
        self._check_stopped(app, services)
        requests = self._server.request_count
        app.deleteLater()
        spin(5)
        if self._server.request_count != requests:
            self._tally.leftovers.append("a token request reached the server after quit")
        self._check_deleted([app, *services])

    # -- checks -------------------------------------------------------------------------------

    def _check_stopped(self, app: TrayApplication, services: list[TokenService]) -> None:
        armed = [s.profile.name for s in services if s.timer.isActive()]
        if armed:
            self._tally.leftovers.append(f"timers still armed after quit: {armed}")
        if app.host.heartbeat.timer.isActive():
            self._tally.leftovers.append("the heartbeat still ran after quit")
        if app.host.server.is_listening():
            self._tally.leftovers.append("the command-line socket was still open after quit")

    def _check_deleted(self, objects: list[TrayApplication | TokenService]) -> None:
        alive = [type(o).__name__ for o in objects if shiboken6.isValid(o)]
        if alive:
            self._tally.leftovers.append(f"not deleted after quit: {alive}")
        windows = [type(w).__name__ for w in QApplication.topLevelWidgets() if w.isVisible()]
        if windows:
            self._tally.leftovers.append(f"windows left open: {windows}")

    def _check_threads(self) -> None:
        if not QThreadPool.globalInstance().waitForDone(int(WAIT_S * 1000)):
            self._tally.leftovers.append("a background task still ran at the end")
        # The server's connection threads end once the quit apps' HTTP clients have closed their
        # connections. Now and then (about 1 run of 100 cycles in 8) a few idle keep-alive
        # connections of a quit app stay open in a connection pool that nothing references
        # any more, until the garbage collector frees it; collect before counting.
        gc.collect()
        if not wait_until(lambda: len(python_threads()) <= self._threads):
            names = sorted(t.name for t in python_threads())
            self._tally.leftovers.append(f"threads left running: {names}")

    # -- the random parts ---------------------------------------------------------------------

    def _new_profile(self) -> Profile:
        number = self._tally.cycles
        return self._server.profile(name=f"Stress {number} {self._rng.random():.6f}", timeout=5)

    def _answer(self) -> Scripted | None:
        """How the server answers the next token request: ``None`` is a good answer at once."""
        roll, delay = self._rng.random(), self._rng.uniform(0, MAX_DELAY_S)
        if roll < 0.35:
            return None
        if roll < 0.65:
            _status, data, headers = self._server.issue()
            return Scripted.json(200, data, headers=tuple(headers.items()), delay=delay)
        if roll < 0.8:
            return Scripted.json(503, {"error": "temporarily_unavailable"}, delay=delay)
        if roll < 0.9:
            return Scripted.json(401, {"error": "invalid_client"})
        return Scripted(reset=True)

    def _count(self, status: ServiceStatus) -> None:
        if status.state is TokenState.VALID and not status.failing:
            self._tally.tokens += 1
        elif status.error is not None:
            self._tally.failures += 1


def run_stress(
    qapp: QApplication, server: TokenServer, folder: Path, cycles: int, seed: int
) -> Tally:
    """Run ``cycles`` cycles of the workload, chosen at random from ``seed``."""
    rng = random.Random(seed)  # noqa: S311 - replayable from the seed, not a secret
    return StressRun(qapp, server, folder, rng).run(cycles)
