"""The OAuth 2.0 client-credentials request (RFC 6749 §4.4) and the parsing of its answer.

This small request is written by hand on purpose: the JSON-body variant (Tarkov Database) and
the §2.3.1 form-urlencoding of the Basic credentials are not what generic libraries do.
``requests`` is imported lazily so that importing this module stays cheap.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from tray_app.core.profile import Profile
from tray_app.core.token import Token

if TYPE_CHECKING:
    import requests

MAX_ANSWER_BYTES = 1024 * 1024
DEFAULT_LIFETIME = 3600.0


@dataclasses.dataclass(frozen=True)
class TokenRequest:
    """A fully built token request, ready to send (``headers`` may hold the Basic credentials)."""

    url: str
    headers: Mapping[str, str] = dataclasses.field(repr=False)
    body: bytes = dataclasses.field(repr=False)
    timeout: float
    verify: str | bool


def build_request(profile: Profile, secret: str) -> TokenRequest:
    """Build the request for ``profile`` exactly as DESIGN.md "Token request" describes."""
    raise NotImplementedError


def parse_answer(
    status: int, headers: Mapping[str, str], body: bytes, *, sent_at: float
) -> Token:
    """Turn the HTTP answer into a :class:`Token`, or raise a titled :class:`AppError`."""
    raise NotImplementedError


class TokenClient:
    """Sends token requests. One instance keeps one keep-alive ``requests.Session``."""

    def __init__(
        self,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        raise NotImplementedError

    def fetch(self, profile: Profile, secret: str) -> Token:
        """Request a token; raises :class:`AppError` for every failure (never a traceback)."""
        raise NotImplementedError

    def close(self) -> None:
        """Close the HTTP session."""
        raise NotImplementedError
