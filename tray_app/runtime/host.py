"""The display-free part of a running Token Tray, shared by the tray and ``token-tray agent``.

:class:`TokenHost` owns the config, the token services (one bounded fetch pool) and the
command-line server (:mod:`tray_app.runtime.ipc_server`). It imports only QtCore and QtNetwork, so
the headless agent runs where no display and no GUI libraries exist. The tray
(:class:`tray_app.gui.app.TrayApplication`) adds the widgets on top.

Design decisions:

* :func:`build_core` creates the I/O parts with their production defaults; the host takes
  them in its constructor, so tests can pass fakes. So does the IPC server's name.
* Problems (a config kept aside, a command-line socket that cannot be opened) go to the
  ``on_error`` callback: a message box in the tray, the log and stderr in the agent. The tray
  keeps working without the command-line server (``serve=False`` when its runtime folder is
  unusable).
* The watchers of :mod:`tray_app.runtime.watchdog` live here, so the agent gets them too: the 30 s
  heartbeat (sleep/resume, clock jumps), network reachability (retry failed profiles when the
  network is back) and the config.json watcher. A readable, changed file is announced with
  ``configReloaded``; the owner applies it (the tray also rebuilds its menu), the agent simply
  calls :meth:`TokenHost.apply_config`.
* :class:`SignalQuitter` makes SIGINT and SIGTERM quit through the event loop (a wake-up socket
  makes Qt's loop notice at once), so shutdown runs and removes the socket. It never asks the
  windows first: a signal means the process must end.
"""

from __future__ import annotations

import dataclasses
import logging
import signal
import socket
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, QSocketNotifier, QThreadPool, Signal, Slot

from tray_app.core.clocks import SYSTEM_CLOCKS, Clocks
from tray_app.core.config import Config, ConfigStore
from tray_app.core.credentials import CredentialStore, first_access_timeout
from tray_app.core.errors import AppError
from tray_app.core.logsetup import RedactionFilter, setup_logging
from tray_app.core.oauth import TokenClient
from tray_app.core.repository import ProfileRepository
from tray_app.core.source import TokenSource
from tray_app.runtime.ipc_requests import RequestHandler
from tray_app.runtime.ipc_server import IpcServer, PeerUid, peer_uid
from tray_app.runtime.registry import ServiceRegistry
from tray_app.runtime.watchdog import (
    ConfigWatcher,
    Heartbeat,
    ReachabilitySource,
    ReachabilityWatcher,
    default_reachability,
)

_log = logging.getLogger(__name__)

FETCH_THREADS = 4
MAX_FETCH_THREADS = 32
ErrorSink = Callable[[AppError], None]


@dataclasses.dataclass(frozen=True)
class Core:
    """The display-free parts the tray is built on."""

    repository: ProfileRepository
    credentials: CredentialStore
    source: TokenSource
    client: TokenClient
    clocks: Clocks = SYSTEM_CLOCKS
    """Wall and monotonic time and the retry jitter, for every token service."""


def build_core(clocks: Clocks = SYSTEM_CLOCKS) -> Core:
    """The production parts: config.json, the OS keyring, one HTTP client, the real clocks."""
    credentials = CredentialStore(first_timeout=first_access_timeout())  # a Keychain prompt
    client = TokenClient(clock=clocks.wall)
    repository = ProfileRepository(ConfigStore(), credentials)
    return Core(repository, credentials, TokenSource(credentials, client), client, clocks)


def configure_logging() -> None:
    """The rotating, redacted log file; stderr (still redacted) if the folder is unusable."""
    try:
        setup_logging()
    except OSError:
        handler = logging.StreamHandler()
        handler.addFilter(RedactionFilter())
        logging.getLogger().addHandler(handler)
        _log.warning("The log folder cannot be used; logging to the console instead")


class TokenHost(QObject):
    """Config + token services + the command-line server, for the life of the app."""

    configReloaded = Signal(Config)
    """config.json was changed by someone else (e.g. the command line) and is readable."""

    def __init__(
        self,
        core: Core,
        *,
        on_error: ErrorSink,
        on_show: Callable[[], None] | None = None,
        ipc_name: str | None = None,
        peer_uid: PeerUid = peer_uid,
        serve: bool = True,
        demo: bool = False,
        reachability: Callable[[], ReachabilitySource | None] = default_reachability,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._core, self._on_error, self._serve = core, on_error, serve
        self._config = Config()
        # Token fetches get their own bounded pool, so a hung token server can never make the
        # settings window's Save or Test (global pool) wait behind it.
        self._fetch_pool = QThreadPool(self)
        self._fetch_pool.setMaxThreadCount(FETCH_THREADS)
        self._registry = ServiceRegistry(
            core.source.fetch, clocks=core.clocks, pool=self._fetch_pool, parent=self
        )
        handler = RequestHandler(
            self._registry,
            lambda: self._config,
            on_show=on_show,
            demo=demo,
            clock=core.clocks.wall,
            parent=self,
        )
        self._handler = handler
        self._server = IpcServer(handler, name=ipc_name, peer_uid=peer_uid, parent=self)
        self._heartbeat = Heartbeat(self._registry.check_clocks, parent=self)
        self._network = ReachabilityWatcher(reachability, parent=self)
        self._network.backOnline.connect(self._registry.retry_unavailable)
        self._config_watcher = ConfigWatcher(core.repository.config_store.path, parent=self)
        self._config_watcher.changed.connect(self.reload_config)

    @property
    def core(self) -> Core:
        return self._core

    @property
    def config(self) -> Config:
        return self._config

    @property
    def registry(self) -> ServiceRegistry:
        return self._registry

    @property
    def fetch_pool(self) -> QThreadPool:
        return self._fetch_pool

    @property
    def server(self) -> IpcServer:
        return self._server

    @property
    def heartbeat(self) -> Heartbeat:
        return self._heartbeat

    @property
    def network(self) -> ReachabilityWatcher:
        return self._network

    @property
    def config_watcher(self) -> ConfigWatcher:
        return self._config_watcher

    def load_config(self) -> Config:
        """config.json, or empty settings (a damaged file is kept aside; ``on_error`` says so)."""
        try:
            result = self._core.repository.load_or_recover()
        except AppError as error:  # e.g. no permission to read it: start empty, say why
            self._on_error(error)
            return Config()
        if result.notice is not None:
            self._on_error(result.notice)
        return result.config

    def apply_config(self, config: Config) -> None:
        """Use ``config`` from now on: services follow its profiles."""
        self._config = config
        # A thread per profile (within reason): a server that is slow to the end of its timeout
        # then delays only its own profile, never a healthy one queued behind it.
        wanted = min(max(FETCH_THREADS, len(config.profiles)), MAX_FETCH_THREADS)
        self._fetch_pool.setMaxThreadCount(wanted)
        self._registry.set_profiles(config.profiles)

    @Slot()
    def reload_config(self) -> None:
        """config.json changed on disk (e.g. ``token-tray profile add``): announce it if usable."""
        try:
            config = self._core.repository.load()
        except AppError as error:  # half-written by an editor, or damaged: keep what we have
            _log.info("Settings file changed but cannot be used (%s); keeping ours", error.title)
            return
        if config != self._config:
            _log.info("Settings file changed on disk; applying it")
            self.configReloaded.emit(config)

    def start(self) -> None:
        """Start the services and watchers, then serve the command line (the agent's order)."""
        self.start_services()
        self.listen()

    def listen(self) -> None:
        """Serve the command line (unless told not to); ``token`` requests made before
        :meth:`start_services` wait for it (the tray listens before its icon is up)."""
        if not self._serve:
            return
        try:
            self._server.listen()
        except AppError as error:
            _log.warning("The command-line server could not start")
            self._on_error(error)

    def start_services(self) -> None:
        """Start keeping tokens fresh (first fetches run on the pool) and the watchers."""
        self._registry.start()
        self._heartbeat.start()
        self._network.start()
        self._config_watcher.start()

    def shutdown(self) -> None:
        """Stop serving and watching, stop every service, drop pending fetches, close HTTP."""
        self._heartbeat.stop()
        self._config_watcher.stop()
        self._server.close()
        self._handler.close()
        self._registry.stop_all()
        self._fetch_pool.clear()
        self._core.client.close(final=True)  # a fetch still running keeps no connection


class SignalQuitter(QObject):
    """Makes SIGINT and SIGTERM quit the app cleanly, through a wake-up socket.

    Python runs signal handlers only when the interpreter gets control, which Qt's event loop
    rarely gives it; the wake-up byte on the socket pair makes the loop notice at once.
    """

    def __init__(self, app: QCoreApplication) -> None:
        super().__init__(app)
        self._app = app
        self._reader, self._writer = socket.socketpair()
        self._writer.setblocking(False)
        self._reader.setblocking(False)
        signal.set_wakeup_fd(self._writer.fileno())
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_args: None)  # the wake-up byte does the work
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._on_signal)

    @Slot()
    def _on_signal(self) -> None:
        self._reader.recv(64)
        # exit(), not quit(): Qt 6's quit() first asks every window to close, and a window
        # with unsaved edits answers with a modal question nobody is there to answer (logout
        # hung on it). exit() also ends such a question's own event loop.
        _log.info("Quitting on a signal")
        self._app.exit(0)

    def close(self) -> None:
        self._notifier.setEnabled(False)
        signal.set_wakeup_fd(-1)
        self._reader.close()
        self._writer.close()
