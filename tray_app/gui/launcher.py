"""Starts the tray — normal or demo — and swaps a still-empty tray for the demo on request.

Kept apart from :mod:`tray_app.gui.app` (the composition root) so that file stays about wiring one
TrayApplication. Demo mode builds its core from a
:class:`~tray_app.demo.environment.DemoEnvironment`: temporary config folder, loopback token server,
secrets in memory only. "Try the demo" in the first-start window shuts the running TrayApplication
down and starts a demo one in the same process (same QApplication); quitting removes the
environment.

The demo never serves the command line (``serve=False``): a script's ``token-tray token`` must
never get a demo token. A process that switches to the demo gives up its single-instance lock
(``on_demo``), exactly like ``token-tray --demo`` never takes it: the demo is a sandbox, and a
real Token Tray started meanwhile runs next to it instead of waiting for an answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from tray_app.core.clocks import Clocks
from tray_app.core.oauth import TokenClient
from tray_app.core.source import TokenSource
from tray_app.gui.app import Core, TrayApplication, build_core
from tray_app.gui.icons import IconProvider

if TYPE_CHECKING:
    from tray_app.demo.environment import DemoEnvironment


def build_demo_core(environment: DemoEnvironment) -> Core:
    """The parts for demo mode: its temporary config, in-memory secrets, one HTTP client."""
    client = TokenClient(clock=environment.clock)
    credentials = environment.credentials
    source = TokenSource(credentials, client)
    clocks = Clocks(wall=environment.clock)
    return Core(environment.repository, credentials, source, client, clocks)


class TrayRunner(QObject):
    """Starts the TrayApplication — normal or demo — and swaps in the demo when asked."""

    def __init__(
        self,
        app: QApplication,
        icons: IconProvider,
        *,
        build: Callable[[], Core] = build_core,
        tray_available: Callable[[], bool] = QSystemTrayIcon.isSystemTrayAvailable,
        serve: bool = True,
        ipc_name: str | None = None,
        on_demo: Callable[[], None] | None = None,
        tray_icon: QSystemTrayIcon | None = None,
    ) -> None:
        super().__init__(app)
        self._tray_icon = tray_icon  # shown early by tray_app.gui.startup; used by the first start
        self._app, self._icons, self._on_demo = app, icons, on_demo
        self._build, self._tray_available = build, tray_available
        self._serve, self._ipc_name = serve, ipc_name
        self._current: TrayApplication | None = None
        self._environment: DemoEnvironment | None = None

    @property
    def current(self) -> TrayApplication | None:
        return self._current

    @property
    def environment(self) -> DemoEnvironment | None:
        return self._environment

    def start(self, *, demo: bool) -> TrayApplication:
        if demo:
            from tray_app.demo.environment import DemoEnvironment

            self._environment = DemoEnvironment()
            core = build_demo_core(self._environment)
        else:
            core = self._build()
        tray_app = TrayApplication(
            self._app,
            core,
            icons=self._icons,
            tray_available=self._tray_available,
            serve=self._serve and not demo,  # the demo never answers `token-tray token`
            ipc_name=self._ipc_name,
            demo=demo,
            tray_icon=self._tray_icon,
        )
        self._tray_icon = None
        tray_app.demoRequested.connect(self.switch_to_demo)
        self._current = tray_app
        tray_app.start()
        return tray_app

    @Slot()
    def switch_to_demo(self) -> None:
        """Replace the running (normal) TrayApplication by a demo one."""
        old = self._current
        if old is None or self._environment is not None:
            return
        old.shutdown()
        old.close_windows()
        old.deleteLater()
        if self._on_demo is not None:
            self._on_demo()  # e.g. release the single-instance lock: the demo is a sandbox
        self.start(demo=True)

    def close(self) -> None:
        """Quit: remove the demo's temporary folder and stop its server."""
        if self._current is not None:
            self._current.shutdown()
        if self._environment is not None:
            self._environment.close()
