"""Starting the tray process: one instance per user, the QApplication, the icon first, then the
app — normal or demo — and the swap to the demo on "Try the demo".

Token Tray's floor is a bare PySide6 tray (``bench/bare_tray.py``), so this module does what
that script does *before* anything else is imported: it claims the single-instance lock, builds
the QApplication, renders the "refreshing" state icon and shows it in the tray (when there is
one), and hands the show to the X server. Only then does it import the rest of the app
(:mod:`tray_app.gui.app`, services, command-line server: about 0.15 s of imports) and build it,
reusing that icon (:class:`~tray_app.gui.tray.TrayController` takes it). While the app is built
the tray host embeds the icon; the app then starts its services on the event loop's first turn
(:meth:`tray_app.gui.app.TrayApplication.start`), and only those import ``requests``,
``truststore`` and ``keyring`` — ``tests/desktop/test_startup_order.py`` checks this order.

Without a tray at start nothing is shown early: :class:`~tray_app.gui.tray_waiter.TrayWaiter`
waits for one. ``bench/launch.py`` measures launch → icon mapped against the bare
tray.

So this module imports nothing of Qt or of the app at module level: a second ``token-tray``
that only hands over to the running one never pays for PySide6 (QtCore alone takes 0.1 to 0.25 s
to import), and :class:`TrayRunner` is a plain class that imports the app when it builds it.

Demo mode builds its core from a :class:`~tray_app.demo.environment.DemoEnvironment`: temporary
config folder, loopback token server, secrets in memory only. "Try the demo" in the first-start
window shuts the running TrayApplication down and starts a demo one in the same process (same
QApplication); "Leave the demo" does the reverse and removes the environment, as quitting does.
The demo is the one instance like any tray (it keeps the single-instance lock and serves the
command line: a second ``token-tray`` opens its window, ``status`` reports the demo), but it
never gives a script a demo token (:mod:`tray_app.runtime.ipc_requests`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, MutableMapping
from typing import TYPE_CHECKING

from tray_app.core.errors import AppError
from tray_app.gui.activation import allow_foreground, use_accessory_policy
from tray_app.identity import APP_ID, DISPLAY_NAME
from tray_app.ipc import client as ipc_client
from tray_app.runtime.instance import claim_instance, hand_over

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication, QSystemTrayIcon

    from tray_app.demo.environment import DemoEnvironment
    from tray_app.gui.app import TrayApplication
    from tray_app.gui.icons import IconProvider
    from tray_app.runtime.host import Core

ALREADY_RUNNING = "Token Tray is already running: its settings window is now open."
DEMO_BUSY = (
    "Token Tray is already running: its settings window is now open. To try the demo, use "
    "“Try the demo” there (first start), or quit Token Tray and run `token-tray --demo` again."
)


def choose_platform(env: MutableMapping[str, str]) -> None:
    """Run Qt on XWayland where only that lets a tray click reach the clipboard (GNOME).

    A Wayland compositor without data-control (Mutter) ignores a clipboard request from an app
    without focus, but takes the X11 clipboard of an XWayland client without asking for focus.
    So when the session has XWayland (``DISPLAY``), the compositor answers without data-control,
    and the user did not choose a Qt platform, Qt runs on ``xcb``; the tray icon is the same
    StatusNotifierItem either way. Never asked on X11: the Wayland client is not even imported.
    """
    if env.get("QT_QPA_PLATFORM") or not env.get("WAYLAND_DISPLAY") or not env.get("DISPLAY"):
        return
    from tray_app.gui.wayland.data_control import lacks_data_control

    if lacks_data_control(env):
        env["QT_QPA_PLATFORM"] = "xcb"


def make_application() -> QApplication:
    """The QApplication with Token Tray's identity; it keeps running with no window open,
    and on macOS it stays out of the Dock.

    Its window icon is set once the tray icon is up (:meth:`TrayApplication._start_core`):
    rendering it is not needed to show the tray icon.
    """
    from PySide6.QtWidgets import QApplication

    choose_platform(os.environ)
    app = QApplication(sys.argv)
    use_accessory_policy()  # macOS without the .app: no Dock icon (see gui/activation.py)
    app.setApplicationName(DISPLAY_NAME)
    app.setOrganizationName(DISPLAY_NAME)
    app.setDesktopFileName(APP_ID)
    app.setQuitOnLastWindowClosed(False)
    return app


def show_icon_early(app: QApplication, icons: IconProvider) -> QSystemTrayIcon | None:
    """The tray icon in its "refreshing" state, shown now when a tray is there (else None)."""
    from PySide6.QtWidgets import QSystemTrayIcon

    from tray_app.gui.icons import IconState

    if not QSystemTrayIcon.isSystemTrayAvailable():
        return None
    icon = QSystemTrayIcon(icons.state_icon(IconState.REFRESHING), app)
    icon.setToolTip(f"{DISPLAY_NAME}: starting…")
    icon.show()
    app.processEvents()  # send the dock request now, so the tray host embeds it meanwhile
    return icon


def run_tray(demo: bool = False) -> int:
    """Start the tray and run until the user quits; returns the process exit code.

    When Token Tray already runs for this user (the demo too: one instance is one instance),
    ask it to show its settings window and exit 0.
    """
    try:
        lock = claim_instance()
    except AppError as error:  # runtime folder unusable: run, but without the command line
        return _run(error, demo=demo)
    if lock is None:
        allow_foreground()  # Windows: let the running tray put its window in front
        hand_over(ipc_client.request_show)
        print(DEMO_BUSY if demo else ALREADY_RUNNING, file=sys.stderr)
        return 0
    try:
        return _run(demo=demo)
    finally:
        lock.release()


def _run(problem: AppError | None = None, *, demo: bool = False) -> int:
    from tray_app.gui.icons import IconProvider

    icons = IconProvider()
    app = make_application()
    early = show_icon_early(app, icons)
    from tray_app.gui.crash import CrashReporter
    from tray_app.runtime.host import SignalQuitter, configure_logging

    configure_logging()
    crashes = CrashReporter(parent=app)  # log + a dialog for any unexpected exception
    crashes.install()
    quitter = SignalQuitter(app)
    runner = TrayRunner(app, icons, serve=problem is None, tray_icon=early)
    tray_app = runner.start(demo=demo)
    if problem is not None:
        tray_app.show_error(problem)
    code = app.exec()
    runner.close()
    quitter.close()
    crashes.uninstall()
    return code


def build_demo_core(environment: DemoEnvironment) -> Core:
    """The parts for demo mode: its temporary config, in-memory secrets, one HTTP client."""
    from tray_app.core.clocks import Clocks
    from tray_app.core.oauth import TokenClient
    from tray_app.core.source import TokenSource
    from tray_app.runtime.host import Core

    client = TokenClient(clock=environment.clock)
    credentials = environment.credentials
    source = TokenSource(credentials, client)
    clocks = Clocks(wall=environment.clock)
    return Core(environment.repository, credentials, source, client, clocks)


class TrayRunner:
    """Starts the TrayApplication — normal or demo — and swaps in the demo when asked."""

    def __init__(
        self,
        app: QApplication,
        icons: IconProvider,
        *,
        build: Callable[[], Core] | None = None,
        tray_available: Callable[[], bool] | None = None,
        serve: bool = True,
        ipc_name: str | None = None,
        tray_icon: QSystemTrayIcon | None = None,
    ) -> None:
        self._tray_icon = tray_icon  # shown early by show_icon_early; used by the first start
        self._app, self._icons = app, icons
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
        from PySide6.QtWidgets import QSystemTrayIcon

        from tray_app.gui.app import TrayApplication

        tray_app = TrayApplication(
            self._app,
            self._demo_core() if demo else self._normal_core(),
            icons=self._icons,
            tray_available=self._tray_available or QSystemTrayIcon.isSystemTrayAvailable,
            serve=self._serve,
            ipc_name=self._ipc_name,
            demo=demo,
            tray_icon=self._tray_icon,
        )
        self._tray_icon = None
        tray_app.demoRequested.connect(self.switch_to_demo)
        tray_app.leaveDemoRequested.connect(self.leave_demo)
        self._current = tray_app
        tray_app.start()
        return tray_app

    def switch_to_demo(self) -> None:
        """Replace the running (normal) TrayApplication by a demo one."""
        if self._current is not None and self._environment is None:
            self._stop_current()
            self.start(demo=True)

    def leave_demo(self) -> None:
        """Replace the demo by the normal TrayApplication with the user's own profiles."""
        environment = self._environment
        if self._current is not None and environment is not None:
            self._stop_current()
            environment.close()
            self._environment = None
            self.start(demo=False)

    def _stop_current(self) -> None:
        old = self._current
        if old is not None:
            old.shutdown()
            old.close_windows()
            old.deleteLater()

    def close(self) -> None:
        """Quit: remove the demo's temporary folder and stop its server."""
        if self._current is not None:
            self._current.shutdown()
        if self._environment is not None:
            self._environment.close()

    def _normal_core(self) -> Core:
        from tray_app.runtime.host import build_core

        return (self._build or build_core)()

    def _demo_core(self) -> Core:
        from tray_app.demo.environment import DemoEnvironment

        self._environment = DemoEnvironment()
        return build_demo_core(self._environment)
