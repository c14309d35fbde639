"""Turn a held token into the text a user copies: raw, header, curl command or JSON.

Design decisions:

* The header always says ``Bearer`` (RFC 6750's canonical spelling), whatever case the server
  used for ``token_type`` ("bearer" from the Tarkov service): some APIs compare it literally.
* The curl command quotes every argument in POSIX single quotes (the quoting ``shlex.quote``
  uses, applied even when not strictly needed) so it pastes safely into bash, zsh and sh.
  Without an API URL it ends in a single trailing space, ready for the user to type the address.
* JSON output is ``indent=2`` with a fixed key order: ``access_token``, ``token_type``,
  ``expires_at`` (ISO 8601 UTC, whole seconds, ``Z`` suffix), ``expires_in`` (whole seconds
  remaining at ``now``, rounded down, never negative), ``scope`` when the server sent one, and
  ``claims`` — the JWT's payload, decoded but not verified (core/jwt_claims.py) — when the
  token is a JWT.
* ``env`` is two POSIX shell lines for ``eval "$(token-tray token --format env)"``:
  ``export ACCESS_TOKEN='…'`` and ``export ACCESS_TOKEN_EXPIRES_AT='…'``, the expiry in whole
  seconds since the epoch (rounded down) so a script can compare it with ``date +%s``. Both
  values are single-quoted like the curl command.
* Header, curl and env output refuse a token that is not an RFC 6750 b64token: it could otherwise
  break the header or, pasted into a shell, do something else entirely.
"""

from __future__ import annotations

import datetime
import enum
import json
import math
import re

from tray_app.core.errors import AppError, ErrorKind, usage_error
from tray_app.core.token import Token

_B64TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*")
BEARER = "Bearer"


class OutputFormat(enum.StrEnum):
    """What the user copies or prints."""

    RAW = "raw"
    HEADER = "header"
    CURL = "curl"
    JSON = "json"
    ENV = "env"


def is_b64token(value: str) -> bool:
    """RFC 6750 §2.1 b64token: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="."""
    return _B64TOKEN.fullmatch(value) is not None


def shell_quote(value: str) -> str:
    """``value`` in POSIX single quotes; embedded single quotes become ``'"'"'``."""
    return "'" + value.replace("'", "'\"'\"'") + "'"


def iso_utc(timestamp: float) -> str:
    """Seconds since the epoch as ISO 8601 UTC, e.g. ``2026-11-27T12:00:00Z``."""
    moment = datetime.datetime.fromtimestamp(math.floor(timestamp), tz=datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def header_line(token: Token) -> str:
    """``Authorization: Bearer <token>``."""
    return f"Authorization: {BEARER} {_checked(token)}"


def curl_command(token: Token, api_url: str = "") -> str:
    """A curl command carrying the header; ends with a space when there is no API URL."""
    command = f"curl -H {shell_quote(header_line(token))}"
    url = api_url.strip()
    return f"{command} {shell_quote(url)}" if url else f"{command} "


def env_lines(token: Token) -> str:
    """``export`` lines for POSIX shells: the token and its expiry (seconds since the epoch)."""
    expires_at = str(math.floor(token.expires_at))
    return (
        f"export ACCESS_TOKEN={shell_quote(_checked(token))}\n"
        f"export ACCESS_TOKEN_EXPIRES_AT={shell_quote(expires_at)}"
    )


def json_text(token: Token, now: float) -> str:
    """The JSON document of ``token --format json``."""
    data: dict[str, object] = {
        "access_token": token.access_token,
        "token_type": BEARER,
        "expires_at": iso_utc(token.expires_at),
        "expires_in": max(0, math.floor(token.remaining(now))),
    }
    if token.scope:
        data["scope"] = token.scope
    # Imported here: the fast `token` path (tray_app/cli/fast.py) renders raw tokens without
    # loading dataclasses/typing, which jwt_claims needs.
    from tray_app.core.jwt_claims import decode_jwt

    decoded = decode_jwt(token.access_token)
    if decoded is not None:
        data["claims"] = decoded.claims
    return json.dumps(data, indent=2)


def render(token: Token, fmt: OutputFormat | str, *, now: float, api_url: str = "") -> str:
    """The text for ``fmt``. ``now`` is needed for the JSON ``expires_in``."""
    kind = _output_format(fmt)
    if kind is OutputFormat.RAW:
        return token.access_token
    if kind is OutputFormat.HEADER:
        return header_line(token)
    if kind is OutputFormat.CURL:
        return curl_command(token, api_url)
    if kind is OutputFormat.ENV:
        return env_lines(token)
    return json_text(token, now)


def _output_format(fmt: OutputFormat | str) -> OutputFormat:
    try:
        return OutputFormat(fmt)
    except ValueError:
        choices = ", ".join(item.value for item in OutputFormat)
        raise usage_error("Unknown format", f"Use one of: {choices}.") from None


def _checked(token: Token) -> str:
    if not is_b64token(token.access_token):
        raise AppError(
            ErrorKind.UNAVAILABLE,
            "Unusable token",
            "The token contains spaces or other characters that cannot go into a header.",
        )
    return token.access_token
