"""Non-2xx token endpoint answers turned into titled, plain-language :class:`AppError` s.

Design decisions (DESIGN.md "Answer" and "Refresh policy"):

* **Status first where it is unambiguous**: 404/405/410 mean a wrong Token URL whatever the
  body says (a typo in the path must not be answered with advice about Scope or the body
  format), 415 means the wrong body format. Then the OAuth ``{"error", "error_description"}``
  shape (RFC 6749 §5.2) gets a plain title per code (a known client error code wins over a
  5xx); the Tarkov service's ``{"code", "message"}`` shape is translated where its message is
  known (a secret of the wrong length); otherwise the HTTP status decides. What the server
  wrote is only ever the detail at the end: "(The server said: …)".
* 408, 429, 5xx, ``temporarily_unavailable`` and ``server_error`` are UNAVAILABLE and
  retryable, with ``Retry-After`` (delta-seconds or HTTP-date) in seconds, capped at 1 h.
  Other 4xx are REJECTED (they need the user). Redirects are UNAVAILABLE and never followed.
* Everything the server wrote is stripped of control and bidi characters, whitespace-collapsed,
  has every ``redact`` string (the secret in its encodings) replaced by ``•••`` and is cut to
  200 characters before it goes into a message.
* With the ``profile`` that was sent, messages add a hint about the likely fix (415 → switch the
  body format; ``invalid_client`` on a form request → try the other client authentication;
  ``invalid_request`` to a JSON request → try a form body).
"""

from __future__ import annotations

import email.utils
import re
from collections.abc import Mapping, Sequence
from typing import Any

from tray_app.core import json_text
from tray_app.core.errors import AppError, ErrorKind
from tray_app.core.profile import BodyFormat, ClientAuth, Profile

RETRY_AFTER_CAP = 3600.0
MAX_SERVER_TEXT = 200
# Control and invisible/bidi characters are deleted; line breaks and tabs become spaces.
_UNSAFE_TEXT = re.compile(
    r"[\x00-\x08\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
)
_BREAKS = re.compile(r"[\t\n\v\f\r\x85\u2028\u2029]")
_ADVANCED = "under Advanced in Settings"
_TRANSIENT_CODES = frozenset({"temporarily_unavailable", "server_error"})
_OAUTH_ERRORS: dict[str, tuple[str, str]] = {
    "invalid_client": (
        "Wrong client ID or secret",
        "The token server did not accept the client ID or secret. Check both in Settings "
        "(paste them again, without extra spaces).",
    ),
    "invalid_grant": (
        "Token request refused",
        "The token server refused to issue a token for this client. Ask whoever gave you the "
        "client ID to check that it may get tokens.",
    ),
    "unauthorized_client": (
        "Client not allowed",
        "This client may not get tokens with its ID and secret (the client credentials "
        "grant). Ask whoever gave you the client ID to allow it.",
    ),
    "unsupported_grant_type": (
        "Wrong address for tokens",
        "The token server does not issue tokens for a client ID and secret here. "
        "Check the Token URL in Settings.",
    ),
    "invalid_scope": (
        "Scope not accepted",
        "The token server did not accept the requested scope. Check Scope in Settings, "
        "or leave it empty.",
    ),
    "invalid_target": (
        "Resource not accepted",
        "The token server did not accept the requested resource or audience. Check them "
        "in Settings.",
    ),
    "invalid_request": (
        "Request not accepted",
        "The token server says the request is incomplete or malformed. Check Scope, Audience "
        "and the extra parameters in Settings against what you were given.",
    ),
    "access_denied": (
        "Access denied",
        "The token server refused access for this client. Ask whoever gave you the client ID "
        "to give it access.",
    ),
}


def server_text(value: object, redact: Sequence[str] = (), limit: int = MAX_SERVER_TEXT) -> str:
    """Text the server sent, made safe to show: no control characters, no secret, short."""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        return ""
    text = " ".join(_BREAKS.sub(" ", _UNSAFE_TEXT.sub("", str(value))).split())
    for secret in redact:
        for form in {secret, " ".join(secret.split())}:
            if form.strip():
                text = text.replace(form, "•••")
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def header_value(headers: Mapping[str, str], name: str) -> str | None:
    """Case-insensitive header lookup that works on any mapping."""
    wanted = name.lower()
    return next((value for key, value in headers.items() if key.lower() == wanted), None)


def retry_after_seconds(value: str | None, *, now: float) -> float | None:
    """``Retry-After`` as seconds from ``now`` (delta-seconds or HTTP-date), capped at 1 h."""
    if not value or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return min(float(text), RETRY_AFTER_CAP)
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        return None
    return min(max(moment.timestamp() - now, 0.0), RETRY_AFTER_CAP)


def json_object(body: bytes) -> dict[str, Any] | None:
    """``body`` parsed as a JSON object, or ``None`` when it is anything else."""
    try:
        data = json_text.loads(body)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def unavailable(title: str, message: str, **extra: Any) -> AppError:
    """An UNAVAILABLE :class:`AppError` (exit code 4)."""
    return AppError(ErrorKind.UNAVAILABLE, title, message, **extra)


def answer_error(
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: float,
    profile: Profile | None = None,
    redact: Sequence[str] = (),
) -> AppError:
    """The :class:`AppError` for a non-2xx answer (see the module docstring for the rules)."""
    if 300 <= status < 400:
        return _redirect_error(status, header_value(headers, "Location"), redact)
    data = json_object(body) or {}
    retry_after = retry_after_seconds(header_value(headers, "Retry-After"), now=now)
    if status in _WRONG_ADDRESS:
        said = _server_said(
            server_text(data.get("error"), redact, limit=64), _message(data, redact)
        )
        return _status_error(status, retry_after, profile, said=said)
    if isinstance(data.get("error"), str):
        return _oauth_error(status, data, retry_after, profile, redact)
    if "message" in data:
        return _code_message_error(status, data, retry_after, redact, profile)
    return _status_error(status, retry_after, profile)


def _redirect_error(status: int, location: str | None, redact: Sequence[str]) -> AppError:
    target = server_text(location or "", redact)
    where = f" ({target})" if target else ""
    return unavailable(
        "Token URL redirects elsewhere",
        f"The token URL sent Token Tray to another address{where}. Redirects are not followed, "
        "so your credentials are never sent to a different address. If the endpoint moved, "
        "enter its new address as the Token URL in Settings.",
        http_status=status,
    )


def _is_transient(status: int) -> bool:
    return status in {408, 429} or 500 <= status < 600


def _server_said(code: str, description: str) -> str:
    said = f"{code} — {description}" if code and description else code or description
    return f" (The server said: “{said}”.)" if said else ""


def _oauth_error(
    status: int,
    data: Mapping[str, Any],
    retry_after: float | None,
    profile: Profile | None,
    redact: Sequence[str],
) -> AppError:
    code = server_text(data["error"], redact, limit=64)
    said = _server_said(code, server_text(data.get("error_description"), redact))
    known = _key_refused(profile) if code == "invalid_client" else None
    known = known or _OAUTH_ERRORS.get(code)
    if code in _TRANSIENT_CODES or (known is None and _is_transient(status)):
        return unavailable(
            "Token server unavailable",
            "The token server cannot issue a token right now; try again in a moment." + said,
            retryable=True,
            retry_after=retry_after,
            oauth_error=code,
            http_status=status,
        )
    if known is None and status == 415:
        return _status_error(status, retry_after, profile, said=said, oauth_error=code)
    title, advice = known or (
        "Request refused",
        f"The token server refused the request (error {status}). Check the client ID, secret "
        "and Token URL in Settings.",
    )
    return AppError(
        ErrorKind.REJECTED if 400 <= status < 500 or known else ErrorKind.UNAVAILABLE,
        title,
        advice + _hint(profile, code) + said,
        oauth_error=code,
        http_status=status,
    )


def _message(data: Mapping[str, Any], redact: Sequence[str]) -> str:
    return server_text(data.get("error_description") or data.get("message"), redact)


def _code_message_error(
    status: int,
    data: Mapping[str, Any],
    retry_after: float | None,
    redact: Sequence[str],
    profile: Profile | None,
) -> AppError:
    message = server_text(data.get("message"), redact)
    said = _server_said("", message)
    if status == 415 or _is_transient(status) or not 400 <= status < 500:
        return _status_error(status, retry_after, profile, said=said)
    known = next((text for key, text in _KNOWN_MESSAGES.items() if re.search(key, message)), None)
    title, advice = known or (
        "Request not accepted",
        f"The token server refused the request (error {status}).",
    )
    return AppError(ErrorKind.REJECTED, title, advice + said, http_status=status)


_KEY_REFUSED = {
    ClientAuth.PRIVATE_KEY_JWT: (
        "Signed key not accepted",
        "The token server did not accept the assertion signed with this key. Check that the "
        "client ID is right and that this key (or its certificate) is the one registered for "
        "the client; if the provider shows a key ID, enter it as Key ID. A computer clock that "
        "is off by minutes has the same effect.",
    ),
    ClientAuth.TLS: (
        "Client certificate not accepted",
        "The token server did not accept the client certificate for this client ID. Check that "
        "the certificate is the one registered for the client and that it has not expired.",
    ),
}


def _key_refused(profile: Profile | None) -> tuple[str, str] | None:
    return _KEY_REFUSED.get(profile.client_auth) if profile is not None else None


def _hint(profile: Profile | None, code: str) -> str:
    if profile is None or profile.client_auth.uses_key:
        return ""
    if code in {"invalid_request", "unsupported_grant_type"} and (
        profile.body_format is BodyFormat.JSON
    ):
        return f" If this is a standard OAuth server, set Body format to “Form” {_ADVANCED}."
    if code == "invalid_client" and profile.body_format is BodyFormat.FORM:
        basic = profile.effective_client_auth is ClientAuth.BASIC
        other = "In the request body" if basic else "Basic header"
        return (
            " If both are right, this server may expect them elsewhere: set Client "
            f"authentication to “{other}” {_ADVANCED}."
        )
    return ""


def _format_hint(profile: Profile | None) -> str:
    if profile is not None and profile.body_format is BodyFormat.JSON:
        return f"This endpoint does not accept JSON: set Body format to “Form” {_ADVANCED}."
    return f"This endpoint wants a JSON body: set Body format to “JSON” {_ADVANCED}."


def _status_error(
    status: int,
    retry_after: float | None,
    profile: Profile | None,
    *,
    said: str = "",
    oauth_error: str | None = None,
) -> AppError:
    extra: dict[str, Any] = {"http_status": status, "oauth_error": oauth_error}
    if _is_transient(status):
        title, advice = _TRANSIENT_TEXT.get(status, _TRANSIENT_TEXT[500])
        return unavailable(title, advice + said, retryable=True, retry_after=retry_after, **extra)
    if status == 415:
        return AppError(
            ErrorKind.REJECTED, "Wrong body format", _format_hint(profile) + said, **extra
        )
    if 400 <= status < 500:
        title, advice = _CLIENT_TEXT.get(status, ("Request refused", ""))
        advice = advice or (
            f"The token server refused the request (error {status}). Check the client ID, "
            "secret and Token URL in Settings."
        )
        return AppError(ErrorKind.REJECTED, title, advice + said, **extra)
    return unavailable(
        "Unexpected answer",
        f"The token server gave an answer Token Tray does not understand (status {status}). "
        "Check the Token URL in Settings." + said,
        **extra,
    )


_TRANSIENT_TEXT: dict[int, tuple[str, str]] = {
    408: ("Token server timed out", "The token server gave up waiting; try again."),
    429: ("Too many requests", "The token server asks to slow down; try again later."),
    500: ("Token server unavailable", "The token server has a problem; try again in a moment."),
}
_NOT_FOUND = (
    "Token URL not found",
    "Nothing answers token requests at this address. Check the Token URL in Settings.",
)
_WRONG_ADDRESS = frozenset({404, 405, 410})
# Request errors of the Tarkov Database service (Rust serde messages) in plain words, keyed by a
# pattern of the message.
_KNOWN_MESSAGES: dict[str, tuple[str, str]] = {
    r"\bclient_secret: invalid length\b": (
        "Client secret has the wrong length",
        "The token server expects a client secret of another length (a Tarkov Database "
        "secret has 43 characters). Copy the whole secret again, without spaces.",
    ),
    r"\bclient_id: (UUID parsing failed|invalid)": (
        "Client ID is not valid",
        "The token server expects a client ID like 0b2f1e4c-6a51-4f0e-9d3a-6c1f2b7e8a90. "
        "Paste the client ID again.",
    ),
}
_CLIENT_TEXT: dict[int, tuple[str, str]] = {
    401: (
        "Not authorized",
        "The token server did not accept the request (error 401). Check the client ID and "
        "secret in Settings.",
    ),
    403: (
        "Access denied",
        "The token server refused access for this client (error 403). Ask whoever gave you "
        "the client ID to give it access.",
    ),
    404: _NOT_FOUND,
    405: _NOT_FOUND,
    410: _NOT_FOUND,
}
