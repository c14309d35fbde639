"""The token server's answer (RFC 6749 §5.1/§5.2) turned into a :class:`Token` or an error.

Design decisions (DESIGN.md "Answer"):

* Strict where it matters for safety: the access token must be an RFC 6750 b64token (it goes
  into a header and, via the curl format, into a shell); only Bearer tokens are accepted
  (``token_type`` compared case-insensitively; a missing ``token_type`` is read as Bearer, since
  some servers omit it, but ``mac`` or anything else is refused); answers over 1 MiB, non-JSON
  answers and redirects are refused.
* Lenient where it is harmless: ``expires_in`` may be an int, a finite float or a numeric string.
  An unreadable ``expires_in`` counts as missing: the JWT ``exp`` claim (read without verifying
  the signature — it only schedules the refresh) or else 3600 s, with ``lifetime_from_server``
  False. Lifetimes are clamped to [1 s, 366 days] so a zero, negative or absurd value can
  neither cause a refresh storm nor overflow a timer. Unknown fields are ignored.
* Non-2xx answers become titled errors in :mod:`tray_app.core.oauth_errors`.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from tray_app.core import json_text
from tray_app.core.errors import AppError
from tray_app.core.formats import BEARER, is_b64token
from tray_app.core.oauth_errors import (
    answer_error,
    header_value,
    json_object,
    server_text,
    unavailable,
)
from tray_app.core.profile import Profile
from tray_app.core.token import Token

MAX_ANSWER_BYTES = 1024 * 1024
DEFAULT_LIFETIME = 3600.0
MIN_LIFETIME = 1.0
MAX_LIFETIME = 366 * 86_400.0
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def jwt_expiry(token: str) -> float | None:
    """The ``exp`` claim of a JWS-compact JWT, read without verification; ``None`` otherwise."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
        claims = json_text.loads(payload)
    except (binascii.Error, ValueError):
        return None
    exp = claims.get("exp") if isinstance(claims, dict) else None
    return _finite_number(exp)


def parse_answer(
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    *,
    sent_at: float,
    profile: Profile | None = None,
    redact: Sequence[str] = (),
) -> Token:
    """Turn the HTTP answer into a :class:`Token`, or raise a titled :class:`AppError`.

    ``sent_at`` is the wall-clock time the request was sent (the token's ``obtained_at``);
    ``profile`` (optional) adds fix-it hints; ``redact`` lists strings never to echo.
    """
    if len(body) > MAX_ANSWER_BYTES:
        raise unavailable(
            "Answer too large",
            "The token server sent more than 1 MiB, far more than a token. Check the Token URL.",
            http_status=status,
        )
    if 200 <= status < 300:
        return _token_from(json_object(body), headers, sent_at, redact)
    raise answer_error(status, headers, body, now=sent_at, profile=profile, redact=redact)


def _token_from(
    data: dict[str, Any] | None, headers: Mapping[str, str], sent_at: float, redact: Sequence[str]
) -> Token:
    if data is None:
        raise _not_json(headers)
    access_token = data.get("access_token")
    if not isinstance(access_token, str) or not access_token:
        raise unavailable(
            "No token in the answer",
            "The token server answered without an access token. Check the Token URL.",
        )
    if not is_b64token(access_token):
        raise unavailable(
            "Unusable token",
            "The token server sent a token with spaces or other characters that cannot go "
            "into an Authorization header.",
        )
    _check_token_type(data.get("token_type"), redact)
    lifetime, from_server = _lifetime(data.get("expires_in"), access_token, sent_at)
    scope = data.get("scope")
    return Token(
        access_token=access_token,
        token_type=BEARER,
        lifetime=lifetime,
        obtained_at=sent_at,
        scope=scope if isinstance(scope, str) and scope else None,
        lifetime_from_server=from_server,
    )


def _not_json(headers: Mapping[str, str]) -> AppError:
    if "html" in (header_value(headers, "Content-Type") or "").lower():
        return unavailable(
            "Unexpected answer",
            "The token URL answered with a web page instead of a token. On a hotel or guest "
            "network, sign in to it in your browser first; otherwise check the Token URL.",
        )
    return unavailable(
        "Unexpected answer",
        "The token URL did not answer with a token (the answer is not a JSON object). "
        "Check the Token URL.",
    )


def _check_token_type(value: object, redact: Sequence[str]) -> None:
    if value is None or (isinstance(value, str) and value.casefold() == "bearer"):
        return
    shown = server_text(value, redact, limit=40) or "unknown"
    raise unavailable(
        "Unsupported token type",
        f"The token server issued a “{shown}” token; Token Tray only handles Bearer tokens.",
    )


def _lifetime(raw: object, access_token: str, sent_at: float) -> tuple[float, bool]:
    seconds = _finite_number(raw, allow_infinite=True)
    if seconds is not None:
        return _clamp(seconds), True
    exp = jwt_expiry(access_token)
    if exp is not None:
        return _clamp(exp - sent_at), False
    return DEFAULT_LIFETIME, False


def _finite_number(raw: object, *, allow_infinite: bool = False) -> float | None:
    if isinstance(raw, str) and _NUMBER.fullmatch(raw.strip()):
        value = float(raw.strip())
    elif isinstance(raw, int) and not isinstance(raw, bool):
        value = float(raw) if abs(raw) < 10**300 else math.inf if raw > 0 else -math.inf
    elif isinstance(raw, float):
        value = raw
    else:
        return None
    if math.isnan(value) or (math.isinf(value) and not allow_infinite):
        return None
    return value


def _clamp(seconds: float) -> float:
    return min(max(seconds, MIN_LIFETIME), MAX_LIFETIME)
