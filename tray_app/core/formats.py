"""Turn a held token into the text a user copies: raw, header, curl command or JSON."""

from __future__ import annotations

import enum

from tray_app.core.token import Token


class OutputFormat(enum.StrEnum):
    RAW = "raw"
    HEADER = "header"
    CURL = "curl"
    JSON = "json"


def is_b64token(value: str) -> bool:
    """RFC 6750 §2.1 b64token: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="."""
    raise NotImplementedError


def render(token: Token, fmt: OutputFormat, *, now: float, api_url: str = "") -> str:
    """The text for ``fmt``. ``now`` is needed for the JSON ``expires_in``."""
    raise NotImplementedError
