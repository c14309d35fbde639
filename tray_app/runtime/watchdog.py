"""Watchers that keep the tray right while the world changes around it.

* :class:`Heartbeat` — a coarse wall-clock heartbeat (every 30 s): each token service compares
  its deadlines with the clocks (:meth:`ServiceRegistry.check_clocks`). QTimers run on a
  monotonic clock that stops during suspend and ignores clock changes, so after a resume or a
  clock jump the heartbeat is what notices, within 30 s, that a token died or a refresh is due.
* :class:`ReachabilityWatcher` — follows ``QNetworkInformation``; when the network comes back
  (any reachability → Online) it emits ``backOnline`` and the app retries failed profiles at
  once instead of waiting out their backoff. The reachability source is injected: production
  loads Qt's default backend, and when no backend plugin loads (a minimal system, offscreen
  tests) the watcher logs that once and stays idle — the backoff still heals everything.
* :class:`ConfigWatcher` — watches config.json *and its folder* with ``QFileSystemWatcher``.
  Saves are atomic renames (ours, the command line's, many editors'), which replace the file and
  silently end a watch on it, so every change of the folder re-adds the file's watch. Bursts of
  events are coalesced by a short single-shot timer before ``changed`` is emitted once.

None of them does I/O on the GUI thread beyond reading the small config file (done by the app).

Timers (no polling, only real deadlines, coarse where precision does not matter, so an idle tray
wakes the CPU as seldom as it can): the heartbeat is the one periodic timer Token Tray keeps
while idle — a suspend or a clock jump sends no event a Qt program can wait for, and DESIGN.md
bounds the detection at 30 s; it is a ``VeryCoarseTimer`` (whole-second precision, so the kernel
can batch its wake-ups) and costs one pass over the services' stored deadlines. The config
watcher's settle timer is single-shot and runs only after a change. Elsewhere: each token
service has one single-shot timer at its next deadline (precise only when a token's expiry must
flip on time), the tray's tooltip timer fires when a countdown text changes, the clipboard's
when the copy is due to be cleared, the command-line server's and request waiter's at their
time-outs; :class:`~tray_app.gui.tray_waiter.TrayWaiter` checks every 2 s (then 10 s) only while
there is no system tray, because Qt announces none appearing; the token details window ticks
each second only while it is open.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QFileSystemWatcher, QObject, Qt, QTimer, Signal, SignalInstance, Slot
from PySide6.QtNetwork import QNetworkInformation

from tray_app.core.refresh import HEARTBEAT_SECONDS

_log = logging.getLogger(__name__)

CONFIG_SETTLE_MS = 200
ONLINE = QNetworkInformation.Reachability.Online
DISCONNECTED = QNetworkInformation.Reachability.Disconnected


class Heartbeat(QObject):
    """Calls ``beat`` every ``HEARTBEAT_SECONDS`` on a coarse timer."""

    def __init__(self, beat: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._beat = beat
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.VeryCoarseTimer)
        self._timer.setInterval(int(HEARTBEAT_SECONDS * 1000))
        self._timer.timeout.connect(self._on_timeout)

    @property
    def timer(self) -> QTimer:
        """The heartbeat timer (exposed so tests fire it by hand)."""
        return self._timer

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    @Slot()
    def _on_timeout(self) -> None:
        self._beat()


class ReachabilitySource(Protocol):
    """What the watcher needs from ``QNetworkInformation`` (tests pass a small QObject)."""

    @property
    def reachabilityChanged(self) -> SignalInstance: ...

    def reachability(self) -> QNetworkInformation.Reachability: ...


def default_reachability() -> QNetworkInformation | None:
    """Qt's network information, or ``None`` when no backend plugin can be loaded here."""
    feature = QNetworkInformation.Feature.Reachability
    if not QNetworkInformation.loadBackendByFeatures(feature):
        return None
    return QNetworkInformation.instance()


class ReachabilityWatcher(QObject):
    """Emits ``backOnline`` when the network changes to a state that may reach a server.

    Not only "offline → online": a switch between networks (another Wi-Fi, a VPN coming up, a
    LAN where the token server lives) is reported as a change too, and any of them may be what
    a failing refresh was waiting for.
    """

    backOnline = Signal()

    def __init__(
        self,
        load: Callable[[], ReachabilitySource | None] = default_reachability,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._load = load
        self._source: ReachabilitySource | None = None
        self._last: QNetworkInformation.Reachability | None = None

    @property
    def active(self) -> bool:
        """Whether a reachability backend is being followed."""
        return self._source is not None

    def start(self) -> None:
        if self._source is not None:
            return
        source = self._load()
        if source is None:
            _log.info("No network-information backend; retries rely on the backoff alone")
            return
        self._source = source
        self._last = source.reachability()
        source.reachabilityChanged.connect(self._on_changed)

    @Slot(QNetworkInformation.Reachability)
    def _on_changed(self, reachability: QNetworkInformation.Reachability) -> None:
        was, self._last = self._last, reachability
        _log.info("Network reachability is now %s", reachability.name)
        if reachability not in (was, DISCONNECTED):
            self.backOnline.emit()


class ConfigWatcher(QObject):
    """Emits ``changed`` (once per burst) when config.json may have changed on disk."""

    changed = Signal()

    def __init__(self, path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._path = path
        self._watcher = QFileSystemWatcher(self)
        self._watcher.fileChanged.connect(self._on_event)
        self._watcher.directoryChanged.connect(self._on_event)
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(CONFIG_SETTLE_MS)
        self._settle.timeout.connect(self._on_settled)

    def start(self) -> None:
        """Watch the folder (created if needed, mode 0700) and the file when it exists."""
        folder = self._path.parent
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError:
            _log.warning("Cannot watch the settings folder; outside changes need a restart")
            return
        if str(folder) not in self._watcher.directories():
            self._watcher.addPath(str(folder))
        self._watch_file()

    def stop(self) -> None:
        self._settle.stop()
        paths = self._watcher.files() + self._watcher.directories()
        if paths:
            self._watcher.removePaths(paths)

    def watched(self) -> list[str]:
        return self._watcher.files() + self._watcher.directories()

    def _watch_file(self) -> None:
        if self._path.exists() and str(self._path) not in self._watcher.files():
            self._watcher.addPath(str(self._path))

    @Slot(str)
    def _on_event(self, _path: str) -> None:
        self._watch_file()  # an atomic replace ended the file's watch: take the new file
        self._settle.start()

    @Slot()
    def _on_settled(self) -> None:
        self._watch_file()
        self.changed.emit()
