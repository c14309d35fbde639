"""The :class:`ServiceRegistry`: one :class:`~tray_app.runtime.token_service.TokenService` per
profile, in configuration order, created, updated and removed as the config changes.

Design decisions:

* The registry relays every service's ``statusChanged`` and announces ``changed`` — except
  while many services change in one go (start, a new config): then one ``changed`` follows the
  batch. With 100 profiles each ``changed`` makes the tray look at all 100, so one per service
  would cost 100² status reads on the GUI thread (``bench/many_profiles.py`` measured a
  0.3 s stall before this).
* :meth:`ServiceRegistry.start` starts the services a group of :data:`START_GROUP` per
  event-loop turn, so the GUI never waits for 100 of them at once, and emits ``running`` once
  all run: command-line requests that arrived earlier (the tray listens before its icon is up)
  wait for it.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Iterator

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal, Slot

from tray_app.core.clocks import SYSTEM_CLOCKS, Clocks
from tray_app.core.errors import ErrorKind
from tray_app.core.profile import Profile
from tray_app.core.status import ServiceStatus
from tray_app.runtime.token_service import Fetch, TokenService

_log = logging.getLogger(__name__)

START_GROUP = 8
"""Services started per event-loop turn. Starting 100 at once blocked the GUI thread for about
55 ms (``bench/many_profiles.py``); the fetch pool runs 4 at a time anyway."""


class ServiceRegistry(QObject):
    """Holds one :class:`TokenService` per profile, in configuration order."""

    statusChanged = Signal(ServiceStatus)
    changed = Signal()
    running = Signal()
    """:meth:`start` was called: the services now keep their tokens fresh."""

    def __init__(
        self,
        fetch: Fetch,
        *,
        clocks: Clocks = SYSTEM_CLOCKS,
        pool: QThreadPool | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._fetch, self._clocks, self._pool = fetch, clocks, pool
        self._services: dict[str, TokenService] = {}
        self._started = False
        self._batch: list[bool] | None = None  # set while many services change at once
        self._all_running = False
        self._to_start: list[TokenService] = []
        self._next_group = QTimer(self)  # zero-delay: the next event-loop turn
        self._next_group.setSingleShot(True)
        self._next_group.setInterval(0)
        self._next_group.timeout.connect(self._start_group)

    def set_profiles(self, profiles: Iterable[Profile]) -> None:
        """Create, update and remove services to match ``profiles`` (order kept).

        An unchanged profile keeps its service and token; a changed one refetches; a removed
        one is stopped and deleted. The new membership is in place before any service starts.
        """
        previous = self._services
        wanted: dict[str, Profile] = {}
        for profile in profiles:
            if profile.id in wanted:
                _log.warning("Ignoring a second profile with id %s", profile.id)
            else:
                wanted[profile.id] = profile
        self._services = {
            pid: previous[pid] if pid in previous else self._create(p) for pid, p in wanted.items()
        }
        for pid, service in previous.items():
            if pid not in wanted:
                self._remove(service)
        with self._batched() as batch:
            for pid, service in self._services.items():
                service.update_profile(wanted[pid])
                if self._started:
                    service.start()
        if batch or list(self._services) != list(previous):
            self.changed.emit()

    def services(self) -> list[TokenService]:
        return list(self._services.values())

    def get(self, profile_id: str) -> TokenService | None:
        return self._services.get(profile_id)

    def is_started(self) -> bool:
        """True once every service runs (``running`` has been emitted)."""
        return self._all_running

    def start(self) -> None:
        """Start the services, :data:`START_GROUP` per event-loop turn; ``running`` after all."""
        self._started = True
        self._to_start = self.services()
        self._start_group()

    @Slot()
    def _start_group(self) -> None:
        if not self._started:
            return
        group, self._to_start = self._to_start[:START_GROUP], self._to_start[START_GROUP:]
        with self._batched() as batch:
            for service in group:
                if self._services.get(service.profile.id) is service:  # not removed meanwhile
                    service.start()
        if batch:
            self.changed.emit()
        if self._to_start:
            self._next_group.start()
            return
        self._all_running = True
        self.running.emit()

    def check_clocks(self) -> None:
        """Every service compares its deadlines with the clocks (the heartbeat's call)."""
        for service in self.services():
            service.check_clock()

    def retry_unavailable(self) -> None:
        """Retry at once every profile that failed for want of a usable answer (network,
        server, captive portal): called when the network comes back. Errors only the user can
        fix (rejected credentials, storage) keep waiting for the user."""
        for service in self.services():
            error = service.status().error
            if error is not None and error.kind is ErrorKind.UNAVAILABLE:
                service.retry_now()

    def stop_all(self) -> None:
        self._started = self._all_running = False
        self._to_start = []
        self._next_group.stop()
        for service in self.services():
            service.stop()

    def _create(self, profile: Profile) -> TokenService:
        service = TokenService(
            profile,
            self._fetch,
            clocks=self._clocks,
            pool=self._pool,
            parent=self,
        )
        service.statusChanged.connect(self._relay_status)
        return service

    def _remove(self, service: TokenService) -> None:
        service.statusChanged.disconnect(self._relay_status)
        service.stop()
        service.deleteLater()

    @Slot(ServiceStatus)
    def _relay_status(self, status: ServiceStatus) -> None:
        self.statusChanged.emit(status)
        if self._batch is None:
            self.changed.emit()
        elif not self._batch:
            self._batch.append(True)

    @contextlib.contextmanager
    def _batched(self) -> Iterator[list[bool]]:
        """One ``changed`` for many services changing at once (the tray reads all on each)."""
        self._batch = []
        try:
            yield self._batch
        finally:
            self._batch = None
