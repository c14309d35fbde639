"""One loopback fault mode per failure of the reliability issue, and what the app must make of it.

Each :class:`Fault` knows how to make the test :class:`~tests.support.tokenserver.TokenServer`
misbehave (a :class:`~tests.support.tokenserver.Scripted` answer, built fresh so an HTTP-date
``Retry-After`` is relative to *now*), the title the user must see, the command-line exit code,
whether the app may retry on its own and the ``Retry-After`` it must honour. ``refused`` needs
no answer at all: the profile points at a closed port (:func:`closed_port_url`).

The same table drives the token-service tests and the command-line tests, so a mode added here
is exercised through both.
"""

from __future__ import annotations

import dataclasses
import email.utils
import json
import socket
import time
from collections.abc import Callable

from tests.support.tokenserver import Scripted

HANG_SECONDS = 30.0
"""A hung answer waits this long (the server wakes early when stopped); profiles use 1 s."""
RETRY_AFTER_SECONDS = 7
RETRY_AFTER_DATE_SECONDS = 120


@dataclasses.dataclass(frozen=True)
class Fault:
    """A fault mode: how the server misbehaves and what the user must be told."""

    name: str
    make: Callable[[], Scripted] | None
    """The misbehaving answer; ``None`` for a closed port (connection refused)."""
    title: str
    exit_code: int
    retryable: bool
    retry_after: float | None = None
    says: str = ""
    """A fragment the message must contain (what the server said, or the plain explanation)."""

    def answer(self, now: float | None = None) -> Scripted:
        """The answer, with an HTTP-date ``Retry-After`` relative to ``now`` (default: now)."""
        if self.make is None:
            raise ValueError(f"fault {self.name} has no answer: use closed_port_url()")
        if self.make is _retry_after_date:
            return _retry_after_date(time.time() if now is None else now)
        return self.make()


def closed_port_url() -> str:
    """A loopback token URL on which nothing listens (connection refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/oauth/token"


def _json(status: int, data: object, *headers: tuple[str, str]) -> Callable[[], Scripted]:
    return lambda: Scripted.json(status, data, headers=headers)


def _token(access_token: str, token_type: str = "Bearer") -> Callable[[], Scripted]:  # noqa: S107
    return _json(200, {"access_token": access_token, "token_type": token_type, "expires_in": 60})


def _oauth(status: int, code: str) -> Callable[[], Scripted]:
    return _json(status, {"error": code, "error_description": f"fault mode {code}"})


def _portal() -> Scripted:
    page = b"<!DOCTYPE html><html><body><h1>Welcome to Hotel WiFi</h1>Please sign in.</body></html>"
    return Scripted(200, page, (("Content-Type", "text/html; charset=utf-8"),))


def _oversize() -> Scripted:
    padding = "x" * (1024 * 1024 + 100)
    body = json.dumps({"access_token": "abc", "token_type": "Bearer", "padding": padding})
    return Scripted(200, body.encode(), (("Content-Type", "application/json"),))


def _status(status: int, *headers: tuple[str, str]) -> Callable[[], Scripted]:
    return lambda: Scripted(status, b"", headers)


def _retry_after_date(now: float | None = None) -> Scripted:
    moment = time.time() if now is None else now
    when = email.utils.formatdate(moment + RETRY_AFTER_DATE_SECONDS, usegmt=True)
    return Scripted(503, b"", (("Retry-After", when),))


_UNAVAILABLE = "Token server unavailable"
_CANNOT_REACH = "Cannot reach the token server"

FAULTS: tuple[Fault, ...] = (
    # -- answers that are refused outright (exit 4, never retried on their own) -------------
    Fault("captive_portal_html", _portal, "Unexpected answer", 4, False, says="web page"),
    Fault("json_without_access_token", _json(200, {"token_type": "Bearer"}),
          "No token in the answer", 4, False),
    Fault("token_type_mac", _token("abc", "mac"), "Unsupported token type", 4, False, says="mac"),
    Fault("token_with_space", _token("abc def"), "Unusable token", 4, False),
    Fault("token_with_crlf", _token("abc\r\nX-Injected: 1"), "Unusable token", 4, False),
    Fault("answer_over_1_mib", _oversize, "Answer too large", 4, False, says="1 MiB"),
    Fault("redirect", _status(307, ("Location", "http://elsewhere.example/token")),
          "Token URL redirects elsewhere", 4, False, says="elsewhere.example"),
    # -- faults that can heal: retried with backoff (exit 4 once the CLI gives up) ----------
    Fault("hang", lambda: Scripted(200, b"{}", delay=HANG_SECONDS),
          "Token server did not answer", 4, True),
    Fault("status_408", _status(408), "Token server timed out", 4, True),
    Fault("status_429_retry_after_seconds",
          _status(429, ("Retry-After", str(RETRY_AFTER_SECONDS))),
          "Too many requests", 4, True, retry_after=RETRY_AFTER_SECONDS),
    Fault("status_500", _status(500), _UNAVAILABLE, 4, True),
    Fault("status_502", _status(502), _UNAVAILABLE, 4, True),
    Fault("status_503_retry_after_date", _retry_after_date, _UNAVAILABLE, 4, True,
          retry_after=RETRY_AFTER_DATE_SECONDS),
    Fault("status_503_no_retry_after", _status(503), _UNAVAILABLE, 4, True),
    Fault("status_504", _status(504), _UNAVAILABLE, 4, True),
    Fault("temporarily_unavailable", _oauth(400, "temporarily_unavailable"), _UNAVAILABLE, 4,
          True, says="temporarily_unavailable"),
    Fault("server_error", _oauth(400, "server_error"), _UNAVAILABLE, 4, True,
          says="server_error"),
    Fault("connection_reset", lambda: Scripted(reset=True), _CANNOT_REACH, 4, True),
    Fault("connection_refused", None, _CANNOT_REACH, 4, True, says="refused"),
    # -- errors only the user can fix (exit 3, never retried) -------------------------------
    Fault("invalid_client", _oauth(401, "invalid_client"), "Wrong client ID or secret", 3, False,
          says="invalid_client"),
    Fault("invalid_grant", _oauth(400, "invalid_grant"), "Token request refused", 3, False),
    Fault("invalid_scope", _oauth(400, "invalid_scope"), "Scope not accepted", 3, False),
    Fault("unauthorized_client", _oauth(400, "unauthorized_client"), "Client not allowed", 3,
          False),
    Fault("unsupported_grant_type", _oauth(400, "unsupported_grant_type"),
          "Wrong address for tokens", 3, False),
    Fault("invalid_request", _oauth(400, "invalid_request"), "Request not accepted", 3, False),
    Fault("status_403", _status(403), "Access denied", 3, False),
    Fault("status_404", _status(404), "Token URL not found", 3, False),
    Fault("status_418_other_4xx", _status(418), "Request refused", 3, False, says="418"),
)  # fmt: skip

BY_NAME = {fault.name: fault for fault in FAULTS}
RETRYABLE = tuple(fault for fault in FAULTS if fault.retryable)
FINAL = tuple(fault for fault in FAULTS if not fault.retryable)
