"""Starting the tray process: one instance per user, the QApplication, the icon first.

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
waits for one as before. ``bench/launch.py`` measures launch → icon mapped against the bare
tray.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from tray_app.core.errors import AppError
from tray_app.gui.activation import allow_foreground, use_accessory_policy
from tray_app.identity import APP_ID, DISPLAY_NAME
from tray_app.ipc import client as ipc_client
from tray_app.runtime.instance import claim_instance, hand_over

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication, QSystemTrayIcon

    from tray_app.gui.icons import IconProvider

ALREADY_RUNNING = "Token Tray is already running: its settings window is now open."


def make_application() -> QApplication:
    """The QApplication with Token Tray's identity; it keeps running with no window open,
    and on macOS it stays out of the Dock.

    Its window icon is set once the tray icon is up (:meth:`TrayApplication._start_core`):
    rendering it is not needed to show the tray icon.
    """
    from PySide6.QtWidgets import QApplication

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

    When Token Tray already runs for this user, ask it to show its settings window and exit 0.
    Demo mode is a private sandbox: it neither claims the single-instance lock nor serves the
    command line, so it runs next to a real Token Tray and a script's ``token-tray token``
    never gets a demo token.
    """
    if demo:
        return _run(demo=True)
    try:
        lock = claim_instance()
    except AppError as error:  # runtime folder unusable: run, but without the command line
        return _run(problem=error)
    if lock is None:
        allow_foreground()  # Windows: let the running tray put its window in front
        hand_over(ipc_client.request_show)
        print(ALREADY_RUNNING, file=sys.stderr)
        return 0
    try:
        return _run(on_demo=lock.release)
    finally:
        lock.release()


def _run(
    problem: AppError | None = None,
    *,
    demo: bool = False,
    on_demo: Callable[[], None] | None = None,
) -> int:
    from tray_app.gui.icons import IconProvider

    icons = IconProvider()
    app = make_application()
    early = show_icon_early(app, icons)
    from tray_app.gui.crash import CrashReporter
    from tray_app.gui.launcher import TrayRunner
    from tray_app.runtime.host import SignalQuitter, configure_logging

    configure_logging()
    crashes = CrashReporter(parent=app)  # log + a dialog for any unexpected exception
    crashes.install()
    quitter = SignalQuitter(app)
    runner = TrayRunner(app, icons, serve=problem is None, on_demo=on_demo, tray_icon=early)
    tray_app = runner.start(demo=demo)
    if problem is not None:
        tray_app.show_error(problem)
    code = app.exec()
    runner.close()
    quitter.close()
    crashes.uninstall()
    return code
