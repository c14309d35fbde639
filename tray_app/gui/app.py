"""Composition root: wires one running Token Tray — its host (stores, token services,
command-line server), the tray, the clipboard and the windows.

Nothing here decides policy; it only wires the parts together. Design decisions:

* :func:`~tray_app.gui.startup.run_tray` is the one entry point: it builds the QApplication and
  shows the tray icon before this module is even imported, and this module reuses that icon.
* :func:`~tray_app.runtime.host.build_core` creates the display-free parts with their
  production defaults (clocks included); :class:`TrayApplication` takes them in its
  constructor, so tests can pass fakes and a fake clock.
* **Icon first** (measured by ``bench/launch.py``): :meth:`TrayApplication.start`
  reads config.json (a small local file, the only I/O on the GUI thread), builds the menu,
  listens for the command line and shows the icon — in the "refreshing" state while the
  services have not run. Only then, from a zero-delay single-shot timer (the first turn of the
  event loop after the show), :meth:`_start_core` starts the token services, whose first
  fetches import ``requests``/``truststore`` and ``keyring`` on the fetch pool, the storage
  check, the watchers, and renders the application icon for windows. A ``token`` request that
  arrives in between waits for the services (:mod:`tray_app.runtime.ipc_requests`).
  ``tests/desktop/test_startup_order.py`` proves the order. Without a tray the core starts
  all the same: waiting for a tray never holds back ``token-tray token``.
* Start-up never blocks on the keyring: the secure-storage check runs on a worker
  (:func:`~tray_app.runtime.workers.run_task`) and a problem is shown in a message box when it
  arrives.
* Messages are non-blocking (``QMessageBox.open()``): a corrupt config (kept aside, and the
  box says where), no secure storage, or no system tray.
* No tray yet → :class:`~tray_app.gui.tray_waiter.TrayWaiter` retries every 2 s; after 30 s the
  settings window opens with a plain explanation instead of the app quietly running without
  any visible part. Closing the last window then quits, until a tray appears.
* The settings dialog is imported and created on first use, then reused; its
  ``configChanged`` feeds the registry (``set_profiles``) and the tray.
* The watchers of :mod:`tray_app.runtime.watchdog` live in the host (so the agent has them too):
  the 30 s heartbeat checks every
  service's clocks, the network coming back retries failed profiles, and a change of
  config.json on disk (``token-tray profile add`` while the tray runs) is re-read and applied
  when it is readable and different (``configReloaded`` → :meth:`TrayApplication.apply_config`)
  — a half-written file is ignored until it is whole. An open
  settings window keeps what it shows; its next save merges under the settings lock.
* An unexpected exception anywhere (slot, timer, thread) is logged and shown with a copyable
  redacted report by :class:`~tray_app.gui.crash.CrashReporter`; the tray keeps running.
* Demo mode (:mod:`tray_app.demo.environment`): :class:`~tray_app.gui.startup.TrayRunner` builds
  the core from a :class:`~tray_app.demo.environment.DemoEnvironment` (temporary config, loopback
  token server, secrets in memory). "Try the demo" in the first-start window swaps the running,
  still empty TrayApplication for a demo one in the same process; "Leave the demo" (tray menu,
  and the banner of the settings window) swaps back to the user's own profiles.
* "Token details…" in the tray menu opens that profile's details window
  (:class:`~tray_app.gui.token_details.DetailsWindows`), which follows its status while open.
* Quit clears our clipboard copy if it is still there, stops every service and closes the HTTP
  client. SIGINT/SIGTERM quit the same way (through a wake-up socket, so Qt's loop notices).
* The display-free part (config, token services, fetch pool, command-line server) is a
  :class:`~tray_app.runtime.host.TokenHost`, shared with the headless ``token-tray agent``.
* **One instance per user** (:mod:`tray_app.runtime.instance`): a second ``token-tray`` asks the
  running one to show its settings window (``show`` over :mod:`tray_app.ipc.protocol`) and exits 0.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QThreadPool, QTimer, Signal, Slot
from PySide6.QtWidgets import QApplication, QMessageBox, QSystemTrayIcon, QWidget

from tray_app.core.config import Config
from tray_app.core.errors import AppError, ErrorKind
from tray_app.gui.activation import activate_app, bring_forward
from tray_app.gui.clipboard import ClipboardWriter, clipboard_backend
from tray_app.gui.icons import IconProvider
from tray_app.gui.token_details import DetailsWindows
from tray_app.gui.tray import TrayController
from tray_app.gui.tray_waiter import TrayWaiter
from tray_app.identity import DISPLAY_NAME
from tray_app.runtime.host import Core, TokenHost
from tray_app.runtime.ipc_server import PeerUid, peer_uid
from tray_app.runtime.watchdog import (
    ReachabilitySource,
    default_reachability,
)
from tray_app.runtime.workers import Task, run_task

if TYPE_CHECKING:
    from tray_app.gui.settings.dialog import SettingsDialog

_log = logging.getLogger(__name__)

DEMO_NOTICE = (
    "Demo mode: tokens come from a built-in test server on this computer and last two "
    "minutes, so you can watch them refresh. Nothing is saved."
)
NO_TRAY = AppError(
    ErrorKind.INTERNAL,
    "No system tray found",
    "Token Tray lives in the system tray (the notification area of your panel), and this "
    "desktop does not seem to have one. On GNOME, install the “AppIndicator and "
    "KStatusNotifierItem Support” extension, then start Token Tray again. Until then you can "
    "manage profiles here and get tokens with the command “token-tray token”. "
    "Closing the settings window quits Token Tray.",
)


__all__ = ["TrayApplication"]


class TrayApplication(QObject):
    """Owns the services, the tray and the settings dialog for the life of the app."""

    demoRequested = Signal()
    """The user chose "Try the demo" in the settings window."""
    leaveDemoRequested = Signal()
    """The user chose "Leave the demo" (tray menu or settings window)."""

    def __init__(
        self,
        app: QApplication,
        core: Core,
        *,
        icons: IconProvider | None = None,
        tray_available: Callable[[], bool] = QSystemTrayIcon.isSystemTrayAvailable,
        ipc_name: str | None = None,
        peer_uid: PeerUid = peer_uid,
        serve: bool = True,
        reachability: Callable[[], ReachabilitySource | None] = default_reachability,
        demo: bool = False,
        tray_icon: QSystemTrayIcon | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._app, self._core, self._demo = app, core, demo
        self._icons = icons if icons is not None else IconProvider()
        self._dialog: SettingsDialog | None = None
        self._boxes: list[QMessageBox] = []
        self._host = TokenHost(
            core,
            on_error=self.show_error,
            on_show=self.open_settings,
            ipc_name=ipc_name,
            peer_uid=peer_uid,
            serve=serve,
            demo=demo,
            reachability=reachability,
            parent=self,
        )
        self._host.configReloaded.connect(self.apply_config)
        self._registry = self._host.registry
        backend = clipboard_backend(app.clipboard(), app.platformName())
        self._clipboard = ClipboardWriter(backend, parent=self)
        self._tray = TrayController(
            self._registry,
            settings=lambda: self._host.config.settings,
            clipboard=self._clipboard,
            clock=core.clocks.wall,
            on_open_settings=self.open_settings,
            on_quit=app.quit,
            icons=self._icons,
            on_token_details=self.show_token_details,
            on_leave_demo=self.leaveDemoRequested.emit if demo else None,
            tray_icon=tray_icon,
            parent=self,
        )
        self._details = DetailsWindows(
            self._registry, copy=app.clipboard().setText, clock=core.clocks.wall, parent=self
        )
        self._waiter = TrayWaiter(tray_available, parent=self)
        self._waiter.ready.connect(self._on_tray_ready)
        self._waiter.gaveUp.connect(self._on_no_tray)
        self._storage_check: Task | None = None
        self._core_start = QTimer(self)  # zero-delay: the first event-loop turn after the icon
        self._core_start.setSingleShot(True)
        self._core_start.setInterval(0)
        self._core_start.timeout.connect(self._start_core)
        self._shut_down = False
        app.aboutToQuit.connect(self.shutdown)
        app.commitDataRequest.connect(self._on_session_end)

    # The parts below are what the self-test, the benchmarks and the tests drive: the tray
    # (its menu), the host (services, watchers, command-line server: the agent's API too), the
    # settings window, and the two timers a test fires by hand instead of waiting.

    @property
    def tray(self) -> TrayController:
        return self._tray

    @property
    def host(self) -> TokenHost:
        """Config, token services and the command-line server (shared with the agent)."""
        return self._host

    @property
    def settings_dialog(self) -> SettingsDialog | None:
        """The settings dialog once it has been opened (it is then kept and reused)."""
        return self._dialog

    @property
    def clipboard(self) -> ClipboardWriter:
        """Its timer clears our copy from the clipboard."""
        return self._clipboard

    @property
    def waiter(self) -> TrayWaiter:
        """Its timer looks for a system tray that is not there yet."""
        return self._waiter

    def start(self) -> None:
        """Load the config, show the tray (or wait for one); the services start just after."""
        config = self._host.load_config()
        self.apply_config(config)
        self._host.listen()
        self._waiter.start()
        self._core_start.start()

    @Slot()
    def _start_core(self) -> None:
        """What needs requests, keyring or truststore, once the tray icon has been shown."""
        if self._shut_down:
            return
        self._app.setWindowIcon(self._icons.app_icon())
        self._host.start_services()
        self._check_storage()
        if not self._host.config.profiles:
            self.open_settings()

    @Slot(Config)
    def apply_config(self, config: Config) -> None:
        """Use ``config`` from now on (start, and every save in the settings dialog)."""
        self._host.apply_config(config)
        self._clipboard.set_clear_after_ms(config.settings.clipboard_clear_seconds * 1000)
        self._tray.rebuild_menu()
        self._tray.refresh()

    @Slot()
    def reload_config(self) -> None:
        """config.json changed on disk (e.g. ``token-tray profile add``): use it if readable."""
        self._host.reload_config()

    @Slot(str)
    def secret_changed(self, profile_id: str) -> None:
        """A corrected secret should be tried at once, not after the next deadline."""
        service = self._registry.get(profile_id)
        if service is not None:
            service.refresh_now()

    @Slot()
    def open_settings(self) -> None:
        """Show the (single) settings dialog, creating it on first use."""
        if self._dialog is None:
            from tray_app.gui.settings.dialog import SettingsDialog

            self._dialog = SettingsDialog(
                self._core.repository, test_fetch=self._core.client.fetch, config=self._host.config
            )
            self._dialog.configChanged.connect(self.apply_config)
            self._dialog.secretChanged.connect(self.secret_changed)
            self._dialog.onboarding.demoRequested.connect(self.demoRequested)
            self._dialog.onboarding.leaveDemoRequested.connect(self.leaveDemoRequested)
            self._dialog.onboarding.set_demo(self._demo)
        elif not self._dialog.isVisible():
            self._dialog.set_config(self._host.config)
        bring_forward(self._dialog)  # new, hidden, or open behind other windows: in front

    @Slot(str)
    def show_token_details(self, profile_id: str) -> None:
        """Open (or raise) the token details window of ``profile_id``."""
        self._details.show(profile_id)

    def close_windows(self) -> None:
        """Hide and release every window (when this app is replaced by the demo)."""
        self._details.close_all()
        for box in list(self._boxes):
            box.close()  # finished: released below
        if self._dialog is not None:
            self._dialog.hide()
            self._dialog.deleteLater()
            self._dialog = None

    def show_error(self, error: AppError, parent: QWidget | None = None) -> None:
        """A non-blocking message box with the error's title and message."""
        box = QMessageBox(QMessageBox.Icon.Warning, DISPLAY_NAME, error.title, parent=parent)
        box.setTextFormat(Qt.TextFormat.PlainText)  # the message may quote a server
        box.setInformativeText(error.message)
        # A slot, not a closure over the box: a closure connected to the box's own signal keeps
        # the box's Python object, and so the box, alive for good after it is closed.
        box.finished.connect(self._release_closed_boxes)
        self._boxes.append(box)
        box.open()
        activate_app()  # macOS: an agent app's box stays behind until the app is active

    @Slot()
    def _release_closed_boxes(self) -> None:
        for box in [box for box in self._boxes if not box.isVisible()]:
            self._boxes.remove(box)
            box.deleteLater()

    @Slot()
    def shutdown(self) -> None:
        """Leave nothing behind: our clipboard copy, timers, workers, HTTP sessions (once)."""
        if self._shut_down:
            return
        self._shut_down = True
        self._discard_settings_edits("Quitting")
        self._core_start.stop()
        self._waiter.stop()
        self._clipboard.clear_if_ours()
        self._host.shutdown()
        self._tray.close()
        QThreadPool.globalInstance().clear()

    # -- internals --------------------------------------------------------------------------

    @Slot()
    def _on_session_end(self) -> None:
        """The session ends (logout): Qt then closes every window, and Settings must not stop
        that with a "Save the changes?" question."""
        self._discard_settings_edits("The session is ending")

    def _discard_settings_edits(self, why: str) -> None:
        dialog = self._dialog
        if dialog is not None and dialog.has_unsaved_changes():
            _log.info("%s: unsaved changes in Settings are discarded", why)
            dialog.discard_changes()

    def _check_storage(self) -> None:
        self._storage_check = run_task(
            self._core.credentials.check, on_error=self.show_error, parent=self
        )

    @Slot()
    def _on_tray_ready(self) -> None:
        self._app.setQuitOnLastWindowClosed(False)
        self._tray.show()
        if self._demo:
            self._tray.notify(DEMO_NOTICE)

    @Slot()
    def _on_no_tray(self) -> None:
        _log.warning("No system tray after waiting; showing the settings window instead")
        self._app.setQuitOnLastWindowClosed(True)
        self.open_settings()
        self.show_error(NO_TRAY, parent=self._dialog)
