"""What the tray answers to :mod:`tray_app.ipc.protocol` requests (token, status, show, retry).

Design decisions:

* ``token`` answers at once with the held token when it stays valid for ``min_valid`` more
  seconds (none given: the service's refresh margin). Otherwise it asks the profile's service to
  refresh (``refresh_now`` is a no-op while a fetch runs, so any number of waiting requests share
  one request to the token server) and answers when the service reports that the fetch is over:
  the new token (without ``min_valid``: whatever its lifetime), the fetch's error, or "too
  short-lived" (a usage error) when even a fresh token does not last ``min_valid``. A request
  never waits longer than ``wait_ms``; it then gets a plain UNAVAILABLE error.
* ``new`` (``token --new``) skips the held token, the remembered lifetime and any remembered
  failure: the service forgets its failure and fetches now (``retry_now``, a no-op while a fetch
  runs, so concurrent ``--new`` callers share one request), and the request is answered with
  what that fetch brings.
* The handler remembers how long a fresh token lasted when it was too short, and the held
  token's lifetime bounds what any token can give, so a ``min_valid`` the server cannot meet is
  refused at once: a script repeating it costs the token server nothing.
* While a failed refresh waits for its retry (backoff, ``Retry-After``), a request that the held
  token cannot satisfy gets that failure at once instead of forcing another attempt: a script
  calling in a loop must not hammer a struggling token server. A failure that needs the user
  (wrong secret, refused scope…) is answered from the held error too, without asking the
  server again — some providers lock a client out after repeated failures — until something
  changes (the profile, the secret: the service then fetches by itself) or the user asks
  explicitly: "Refresh now" in the menu, ``retry``, or ``new`` (``token --new``).
* Profiles are found by id or name (the tray's own config), the default profile when none is
  named. A profile the tray does not know is answered with ``unknown_profile`` so the command
  line can fetch directly (it may have been added on the command line after the tray started).
* A ``token`` request that arrives before the services run (the tray listens before its icon
  is up and starts the services just after) is parked and handled once they run
  (``ServiceRegistry.running``); it waits, it does not fail. :meth:`RequestHandler.close`
  answers what is still parked when Token Tray stops first.
* ``status`` carries every profile's state and expiry, never a token.
* ``show`` calls ``on_show``; the headless agent has none and says so.
* **In demo mode** the tray serves the command line too (one Token Tray is one instance: a
  second ``token-tray`` opens its window, ``status`` sees it, with ``"demo": true``), but no
  script ever gets a demo token: ``token`` and ``retry`` answer ``unknown_profile``, so the
  command line fetches directly from the user's real profiles, as if nothing ran.
* ``retry`` (from ``token-tray profile set-secret``) is the menu's "Refresh now" while failing:
  the profile's backoff is forgotten and the new secret is tried at once, so the icon and
  ``status`` turn good without waiting for a script to ask.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, NamedTuple

from PySide6.QtCore import QObject, QTimer, Slot

from tray_app.core import refresh
from tray_app.core.config import Config
from tray_app.core.errors import AppError, ErrorKind
from tray_app.core.profile import Profile
from tray_app.core.status import ServiceStatus, TokenState
from tray_app.core.token import Token
from tray_app.ipc import protocol
from tray_app.runtime.ipc_server import Reply
from tray_app.runtime.registry import ServiceRegistry
from tray_app.runtime.token_service import TokenService

_log = logging.getLogger(__name__)

IN_FLIGHT = (TokenState.FETCHING, TokenState.REFRESHING)
NO_WINDOW = AppError(
    ErrorKind.USAGE,
    "Token Tray runs without a window",
    "Token Tray is running as `token-tray agent` (no tray, no window). Stop the agent to start "
    "the tray instead; `token-tray token` and `token-tray status` work with either.",
)


def _unknown(name: str | None) -> AppError:
    if name is None:
        return AppError(ErrorKind.USAGE, "No profile yet", "The running Token Tray has none.")
    return AppError(
        ErrorKind.USAGE, "Unknown profile", f"The running Token Tray has no profile “{name}”."
    )


DEMO_NO_TOKENS = AppError(
    ErrorKind.USAGE,
    "Token Tray runs the demo",
    "The running Token Tray is the demo; it gives no tokens to scripts.",
)


def _timed_out(profile: Profile) -> AppError:
    return AppError(
        ErrorKind.UNAVAILABLE,
        "Token server is slow",
        f"Token Tray asked for a new token for “{profile.name}” but has no answer yet. Try "
        "again in a moment.",
    )


def _no_token(profile: Profile) -> AppError:
    return AppError(
        ErrorKind.UNAVAILABLE,
        "No token",
        f"Token Tray has no token for “{profile.name}” right now (the profile was changed or "
        "Token Tray is stopping). Try again in a moment.",
    )


def _stopping() -> AppError:
    return AppError(
        ErrorKind.UNAVAILABLE,
        "Token Tray is stopping",
        "Token Tray was closed before it could answer. Start it again, or run the command "
        "again: without a running Token Tray it fetches the token itself.",
    )


def status_entry(status: ServiceStatus, default_id: str | None, now: float) -> dict[str, Any]:
    """One profile in the ``status`` answer: state and expiry, no token."""
    token = status.token
    valid = token is not None and token.is_valid(now)
    return {
        "id": status.profile.id,
        "name": status.profile.name,
        "default": status.profile.id == default_id,
        "state": status.state.value,
        "expires_at": token.expires_at if token is not None and valid else None,
        "expires_in": max(0, int(token.remaining(now))) if token is not None and valid else None,
        "error": status.error.title if status.error is not None else None,
        "next_attempt_at": status.next_attempt_at,
    }


class TokenAsk(NamedTuple):
    """A ``token`` request: which profile (None: the default), how long valid, fetched anew."""

    profile: str | None
    min_valid: float | None
    new: bool = False

    @classmethod
    def of(cls, request: dict[str, Any]) -> TokenAsk:
        min_valid = request.get("min_valid")
        wanted = None if min_valid is None else float(min_valid)
        return cls(request.get("profile"), wanted, request.get("new") is True)


class _Waiter(QObject):
    """Waits for one service's fetch to finish, then answers one ``token`` request."""

    def __init__(self, owner: RequestHandler, service: TokenService, ask: TokenAsk) -> None:
        super().__init__(owner)
        self._owner, self._service, self._min_valid = owner, service, ask.min_valid
        self._new = ask.new
        self._held: Token | None = None
        """The token held before a ``new`` request: never its answer."""
        self._replies: list[Reply] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timeout)

    @property
    def count(self) -> int:
        return len(self._replies)

    def add(self, reply: Reply) -> None:
        self._replies.append(reply)

    def begin(self, wait_ms: int) -> None:
        self._service.statusChanged.connect(self._on_status)
        self._timer.start(wait_ms)
        if self._new:
            self._held = self._service.status().token
            self._service.retry_now()  # past a remembered failure too
        else:
            self._service.refresh_now()
        if self._service.status().state not in IN_FLIGHT:  # stopped: nothing will come
            self._on_status(self._service.status())

    @Slot(ServiceStatus)
    def _on_status(self, status: ServiceStatus) -> None:
        if status.state in IN_FLIGHT:
            return
        profile = status.profile
        wanted = self._min_valid
        token = self._service.valid_token(0.0 if wanted is None else wanted)
        if token is not None and token is not self._held:
            self._finish(protocol.token_answer(token, profile.id, profile.name, profile.api_url))
        elif status.error is not None:
            self._finish(protocol.error_answer(status.error))
        elif status.token is not None and status.state is TokenState.VALID and wanted is not None:
            fresh = status.token
            self._owner.learn(profile.id, fresh.lifetime, fresh.remaining(self._owner.now()))
            error = refresh.too_short_lived(profile.name, fresh.lifetime, wanted)
            self._finish(protocol.error_answer(error))
        else:
            self._finish(protocol.error_answer(_no_token(profile)))

    @Slot()
    def _on_timeout(self) -> None:
        self._finish(protocol.error_answer(_timed_out(self._service.profile)))

    def _finish(self, answer: dict[str, Any]) -> None:
        self._timer.stop()
        self._service.statusChanged.disconnect(self._on_status)
        self._owner.forget(self)
        replies, self._replies = self._replies, []
        for reply in replies:
            reply(answer)
        self.deleteLater()


class RequestHandler(QObject):
    """Answers requests from the registry's services and the current config."""

    def __init__(
        self,
        registry: ServiceRegistry,
        config: Callable[[], Config],
        *,
        on_show: Callable[[], None] | None = None,
        demo: bool = False,
        clock: Callable[[], float] = time.time,
        wait_ms: int = int(protocol.TOKEN_WAIT_S * 1000),
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._registry, self._config, self._on_show = registry, config, on_show
        self._demo, self._clock = demo, clock
        self._wait_ms = wait_ms
        self._waiters: dict[tuple[str, float | None, bool], _Waiter] = {}
        self._parked: list[tuple[TokenAsk, Reply]] = []
        self._reach: dict[str, tuple[float, float]] = {}
        """Profile id → (token lifetime, seconds a fresh token of it had left on arrival)."""
        registry.running.connect(self._unpark)

    def __call__(self, request: dict[str, Any], reply: Reply) -> None:
        name = request["request"]
        if self._demo and name in ("token", "retry"):
            reply(protocol.error_answer(DEMO_NO_TOKENS, unknown_profile=True))
        elif name == "token":
            self._token(TokenAsk.of(request), reply)
        elif name == "status":
            reply({"ok": True, "profiles": self._status(), "demo": self._demo})
        elif name == "retry":
            reply(self._retry(str(request["profile"])))
        elif self._on_show is None:
            reply(protocol.error_answer(NO_WINDOW))
        else:
            self._on_show()
            reply({"ok": True})

    @property
    def waiting(self) -> int:
        """How many ``token`` requests wait for a refresh right now (diagnostics, tests)."""
        return sum(waiter.count for waiter in self._waiters.values())

    def close(self) -> None:
        """Answer the requests still parked (Token Tray stops before its services ran)."""
        parked, self._parked = self._parked, []
        for _ask, reply in parked:
            reply(protocol.error_answer(_stopping()))

    @Slot()
    def _unpark(self) -> None:
        parked, self._parked = self._parked, []
        for ask, reply in parked:
            self._token(ask, reply)

    def forget(self, waiter: _Waiter) -> None:
        self._waiters = {key: w for key, w in self._waiters.items() if w is not waiter}

    def now(self) -> float:
        return self._clock()

    def learn(self, profile_id: str, lifetime: float, reach: float) -> None:
        """A fresh token of ``lifetime`` had only ``reach`` seconds left when it arrived."""
        self._reach[profile_id] = (lifetime, reach)

    def _out_of_reach(
        self, profile: Profile, service: TokenService, min_valid: float | None
    ) -> AppError | None:
        """The "too short-lived" answer for a ``min_valid`` no fresh token can meet, else None.

        The held token's lifetime bounds every token of this server; a fresh one that fell
        short tells how much less than that a token has left when it arrives.
        """
        held = service.status().token
        if min_valid is None or held is None:
            return None
        lifetime, reach = self._reach.get(profile.id, (held.lifetime, held.lifetime))
        limit = reach if lifetime == held.lifetime else held.lifetime
        if min_valid < limit:
            return None
        return refresh.too_short_lived(profile.name, held.lifetime, min_valid)

    def _token(self, ask: TokenAsk, reply: Reply) -> None:
        if not self._registry.is_started():
            self._parked.append((ask, reply))
            return
        config = self._config()
        profile = config.default_profile() if ask.profile is None else config.find(ask.profile)
        service = self._registry.get(profile.id) if profile is not None else None
        if profile is None or service is None:
            reply(protocol.error_answer(_unknown(ask.profile), unknown_profile=True))
            return
        answer = None if ask.new else self._from_memory(profile, service, ask.min_valid)
        if answer is not None:
            reply(answer)
            return
        key = (profile.id, ask.min_valid, ask.new)
        waiter = self._waiters.get(key)
        if waiter is None:
            waiter = self._waiters[key] = _Waiter(self, service, ask)
            waiter.add(reply)
            waiter.begin(self._wait_ms)
        else:
            waiter.add(reply)

    def _from_memory(
        self, profile: Profile, service: TokenService, min_valid: float | None
    ) -> dict[str, Any] | None:
        """The answer without a fetch: the held token, or a refusal; None: fetch first."""
        token = service.valid_token(min_valid)
        if token is not None:
            return protocol.token_answer(token, profile.id, profile.name, profile.api_url)
        refusal = self._out_of_reach(profile, service, min_valid) or self._held_failure(service)
        return None if refusal is None else protocol.error_answer(refusal)

    def _retry(self, name: str) -> dict[str, Any]:
        profile = self._config().find(name)
        service = self._registry.get(profile.id) if profile is not None else None
        if service is None:
            return protocol.error_answer(_unknown(name), unknown_profile=True)
        service.retry_now()
        return {"ok": True}

    def _held_failure(self, service: TokenService) -> AppError | None:
        """The last error while a retry is scheduled (scripts in a loop must not defeat the
        backoff), or while it needs the user (asking again cannot help, and may lock the
        client out)."""
        status = service.status()
        if status.error is None or status.state in IN_FLIGHT:
            return None
        if not refresh.is_retryable(status.error):
            return status.error
        due = status.next_attempt_at
        return status.error if due is not None and due > self._clock() else None

    def _status(self) -> list[dict[str, Any]]:
        default = self._config().default_profile()
        default_id = default.id if default is not None else None
        entries = []
        for service in self._registry.services():
            status = service.status()
            entries.append(status_entry(status, default_id, self._clock()))
        return entries
