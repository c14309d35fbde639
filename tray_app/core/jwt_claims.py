"""Read what a JWT access token says about itself — decoded, never verified.

Token Tray holds no key to check a token's signature, and does not need one: the API that
receives the token verifies it. The decoded header and claims are shown to help people see
which audience, scopes and expiry they got, and every view says "not verified".

Design decisions:

* :func:`decode_jwt` never raises: anything that is not a JWS compact JWT (three base64url parts
  whose first two are JSON objects) gives ``None`` — opaque tokens, encrypted JWTs (five parts),
  broken base64, JSON that is not an object, absurdly long input.
* :func:`readable_claims` turns well-known claims into plain text: times (``exp``, ``iat``,
  ``nbf``, ``auth_time``) as local time plus "in 27 min" / "3 min ago"; ``aud``, ``scope`` and
  ``scp`` lists joined. The raw value stays available for copying.
* Module name ``jwt_claims`` so it never shadows a ``jwt`` package.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime
import json
from typing import Any

from tray_app.core import json_text

MAX_JWT_LENGTH = 64 * 1024
TIME_CLAIMS = ("exp", "iat", "nbf", "auth_time")
NOT_VERIFIED = "Decoded, not verified: Token Tray does not check the signature."
CLAIM_LABELS = {
    "iss": "Issuer",
    "sub": "Subject",
    "aud": "Audience",
    "scope": "Scope",
    "scp": "Scopes",
    "exp": "Expires",
    "iat": "Issued at",
    "nbf": "Not before",
    "azp": "Authorized party",
    "client_id": "Client ID",
    "jti": "Token ID",
    "roles": "Roles",
    "auth_time": "Authenticated at",
}
_FIRST = ("iss", "sub", "aud", "scope", "scp", "exp", "iat", "nbf")


@dataclasses.dataclass(frozen=True)
class DecodedJwt:
    """The header and claims of a JWT, as decoded (unverified)."""

    header: dict[str, Any]
    claims: dict[str, Any]


@dataclasses.dataclass(frozen=True)
class Claim:
    """One claim ready to show: name, plain label, readable text, and the raw JSON value."""

    name: str
    label: str
    text: str
    raw: str


def _b64url_json(part: str) -> dict[str, Any] | None:
    try:
        data = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        value = json_text.loads(data.decode("utf-8"))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None


def decode_jwt(token: str) -> DecodedJwt | None:
    """The JWT's header and claims, or ``None`` when ``token`` is not a readable JWT."""
    if not isinstance(token, str) or len(token) > MAX_JWT_LENGTH:
        return None
    parts = token.strip().split(".")
    if len(parts) != 3 or not all(parts[:2]):
        return None
    if any(not set(part) <= _B64URL_CHARS for part in parts):
        return None
    header, claims = _b64url_json(parts[0]), _b64url_json(parts[1])
    if header is None or claims is None:
        return None
    return DecodedJwt(header, claims)


_B64URL_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def _relative(seconds: float) -> str:
    whole = int(abs(seconds))
    if whole < 60:
        amount = f"{whole} s"
    elif whole < 3600:
        amount = f"{whole // 60} min"
    elif whole < 172_800:
        hours, minutes = whole // 3600, whole % 3600 // 60
        amount = f"{hours} h {minutes} min" if minutes else f"{hours} h"
    else:
        amount = f"{whole // 86_400} days"
    return f"in {amount}" if seconds >= 0 else f"{amount} ago"


def local_time(timestamp: float, now: float, tz: datetime.tzinfo | None = None) -> str:
    """'2026-11-28 14:03:00 (in 27 min)' in local time (``tz`` for tests)."""
    moment = datetime.datetime.fromtimestamp(timestamp, tz=datetime.UTC).astimezone(tz)
    return f"{moment:%Y-%m-%d %H:%M:%S} ({_relative(timestamp - now)})"


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def claim_text(name: str, value: Any, now: float, tz: datetime.tzinfo | None = None) -> str:
    """A readable rendering of one claim value."""
    if name in TIME_CLAIMS and _is_number(value):
        try:
            return local_time(float(value), now, tz)
        except (OverflowError, OSError, ValueError):
            return str(value)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return ", ".join(value) if name != "scp" else " ".join(value)
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def readable_claims(
    claims: dict[str, Any], now: float, tz: datetime.tzinfo | None = None
) -> list[Claim]:
    """Every claim, the well-known ones first, each with a label and readable text."""
    order = [n for n in _FIRST if n in claims] + [n for n in claims if n not in _FIRST]
    return [
        Claim(
            name,
            CLAIM_LABELS.get(name, name),
            claim_text(name, claims[name], now, tz),
            claims[name] if isinstance(claims[name], str) else json.dumps(claims[name]),
        )
        for name in order
    ]
