"""One :class:`TokenService` per profile keeps its token fresh; a registry holds them all.

A service owns a single-shot QTimer set to the next real deadline (refresh time, retry time or
expiry) and runs the blocking fetch (keyring + HTTP) on a QThreadPool worker; the result comes
back to the GUI thread through a queued signal. It reports only through ``statusChanged``.
The clock and the fetch function are injected, so tests fire the timer by hand.
"""

from __future__ import annotations

import dataclasses
import enum
import random
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QThreadPool, Signal

from tray_app.core.errors import AppError
from tray_app.core.profile import Profile
from tray_app.core.token import Token

Fetch = Callable[[Profile], Token]
"""Blocking: reads the secret and asks the token endpoint. Runs on a worker thread."""


class TokenState(enum.Enum):
    NO_TOKEN = "no token"
    FETCHING = "fetching"
    VALID = "valid"
    REFRESHING = "refreshing"
    FAILED = "failed"
    EXPIRED = "expired"


@dataclasses.dataclass(frozen=True)
class ServiceStatus:
    """A snapshot of one profile's token state, safe to hand to views."""

    profile: Profile
    state: TokenState
    token: Token | None = None
    error: AppError | None = None
    """The last failure; may be set while a still-valid token is served (state VALID)."""
    next_attempt_at: float | None = None

    def status_line(self, now: float) -> str:
        """'Tarkov API — valid for 27 min' / '… — refreshing…' / '… — <error title>'."""
        raise NotImplementedError


class TokenService(QObject):
    statusChanged = Signal(ServiceStatus)

    def __init__(
        self,
        profile: Profile,
        fetch: Fetch,
        *,
        clock: Callable[[], float] = time.time,
        pool: QThreadPool | None = None,
        rng: Callable[[], float] = random.random,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        raise NotImplementedError

    def start(self) -> None: ...
    def stop(self) -> None: ...
    def refresh_now(self) -> None: ...
    def status(self) -> ServiceStatus: ...
    def valid_token(self, min_valid: float = 0.0) -> Token | None: ...
    def update_profile(self, profile: Profile) -> None: ...
