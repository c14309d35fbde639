"""A TrayController over a real ServiceRegistry with a scripted fetch, for the tray tests.

The fetch answers per profile name (``tok-<name>-<n>``, or a scripted AppError) on a private
QThreadPool; :meth:`Harness.start` waits for the answers with ``qtbot.waitUntil``; time moves
with :class:`FakeClock`. The tray icon is never shown (offscreen has no tray), which the
menu, the tooltip and the clicks do not need. Use :func:`tray_harness` from a fixture.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from PySide6.QtCore import QThreadPool
from PySide6.QtGui import QAction, QClipboard
from PySide6.QtWidgets import QApplication, QMenu
from pytestqt.qtbot import QtBot

from tests.support.fakes import FakeClock
from tray_app.core.config import AppSettings
from tray_app.core.errors import AppError, ErrorKind
from tray_app.core.notices import Route
from tray_app.core.profile import Profile
from tray_app.core.status import TokenState
from tray_app.core.token import Token
from tray_app.gui.clipboard import ClipboardBackend, ClipboardWriter
from tray_app.gui.tray import TrayController
from tray_app.runtime.registry import ServiceRegistry

LIFETIME = 1800.0
WAIT_MS = 5000
SEPARATOR = "---"
PROFILE_ACTIONS = ["Copy &token", "Copy &header", "Copy as c&url", "&Refresh now"]
TAIL = [SEPARATOR, "&Settings…", "Open &log folder", "&Quit"]


def rejected() -> AppError:
    return AppError(ErrorKind.REJECTED, "Wrong client ID or secret", "Check them.", http_status=401)


def unavailable() -> AppError:
    return AppError(ErrorKind.UNAVAILABLE, "Server not reachable", "Try later.", retryable=True)


class ScriptedFetch:
    """Answers per profile name: a token (``tok-<name>-<n>``) unless an error is scripted."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.errors: dict[str, AppError] = {}
        self.calls: list[str] = []
        self.gate = threading.Event()
        self.gate.set()
        self._lock = threading.Lock()

    def __call__(self, profile: Profile) -> Token:
        with self._lock:
            self.calls.append(profile.name)
            number = self.calls.count(profile.name)
            error = self.errors.get(profile.name)
        sent_at = self.clock.now
        self.gate.wait(WAIT_MS / 1000)
        if error is not None:
            raise error
        slug = profile.name.replace(" ", "_")
        return Token(f"tok-{slug}-{number}", "bearer", lifetime=LIFETIME, obtained_at=sent_at)


class Harness:
    """Everything a TrayController needs, plus records of what it did."""

    def __init__(
        self, qtbot: QtBot, clipboard: QClipboard, backend: ClipboardBackend | None = None
    ) -> None:
        self.qtbot = qtbot
        self.clock = FakeClock()
        self.fetch = ScriptedFetch(self.clock)
        self.pool = QThreadPool()
        self.registry = ServiceRegistry(self.fetch, clocks=self.clock.clocks(), pool=self.pool)
        self.settings = AppSettings()
        self.clipboard = clipboard
        self.writer = ClipboardWriter(backend or clipboard, clear_after_ms=60_000)
        self.opened_settings = 0
        self.quit_requests = 0
        self.opened_log_folder = 0
        self.file_manager = True
        self.messages: list[str] = []
        self.route = Route.BALLOON
        self.tray = TrayController(
            self.registry,
            settings=lambda: self.settings,
            clipboard=self.writer,
            clock=self.clock,
            on_open_settings=self._open_settings,
            on_quit=self._quit,
            route=lambda: self.route,
            on_open_log_folder=self._open_log_folder,
        )
        self.tray.messageShown.connect(self.messages.append)

    def _open_settings(self) -> None:
        self.opened_settings += 1

    def _quit(self) -> None:
        self.quit_requests += 1

    def _open_log_folder(self) -> bool:
        self.opened_log_folder += 1
        return self.file_manager

    def start(self, *names: str, default: str | None = None) -> list[Profile]:
        """Create profiles ``names``, start their services, wait until each has settled."""
        profiles = [
            Profile(name=name, token_url="https://auth.example.com/token", client_id="app")
            for name in names
        ]
        by_name = {p.name: p for p in profiles}
        self.settings.default_profile_id = by_name[default].id if default else None
        self.registry.set_profiles(profiles)
        self.registry.start()
        self.wait_settled()
        return profiles

    def wait_settled(self) -> None:
        settled = (TokenState.VALID, TokenState.FAILED)
        self.qtbot.waitUntil(
            lambda: all(s.status().state in settled for s in self.registry.services()),
            timeout=WAIT_MS,
        )

    def close(self) -> None:
        self.fetch.gate.set()
        self.tray.close()
        self.registry.stop_all()
        assert self.pool.waitForDone(WAIT_MS)
        self.writer.timer.stop()
        self.registry.deleteLater()
        self.writer.deleteLater()


def shown_menu(harness: Harness) -> QMenu:
    """The menu as a user would open it (``aboutToShow`` rebuilds it)."""
    harness.tray.menu.aboutToShow.emit()
    return harness.tray.menu


def texts(menu: QMenu) -> list[str]:
    result = []
    for action in menu.actions():
        if action.isSeparator():
            result.append(SEPARATOR)
        elif action.menu() is not None:
            result.append(f"> {action.text()}")
        else:
            result.append(action.text())
    return result


def submenu(menu: QMenu, title: str) -> QMenu:
    for action in menu.actions():
        sub = action.menu()
        if isinstance(sub, QMenu) and action.text() == title:
            return sub
    raise AssertionError(f"no submenu {title!r} in {texts(menu)}")


def action(menu: QMenu, text: str) -> QAction:
    return next(a for a in menu.actions() if a.text() == text)


@contextlib.contextmanager
def tray_harness(qtbot: QtBot, backend: ClipboardBackend | None = None) -> Iterator[Harness]:
    """A fresh harness; the clipboard starts as "untouched" and is cleared afterwards."""
    board = QApplication.clipboard()
    board.setText("untouched")
    setup = Harness(qtbot, board, backend)
    try:
        yield setup
    finally:
        setup.close()
        board.clear()
