"""Helpers for calling ``parse_answer`` directly in unit tests (no network)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tray_app.core.errors import AppError
from tray_app.core.oauth import parse_answer
from tray_app.core.profile import Profile
from tray_app.core.token import Token

SENT_AT = 1_800_000_000.0
JSON_HEADERS = {"Content-Type": "application/json"}


def ok(data: Any, **kwargs: Any) -> Token:
    """The token parsed from a 200 answer carrying ``data`` as JSON."""
    return parse_answer(200, JSON_HEADERS, json.dumps(data).encode(), sent_at=SENT_AT, **kwargs)


def fail(
    status: int, data: Any = None, headers: dict[str, str] | None = None, **kw: Any
) -> AppError:
    """The error raised for an answer with ``status`` and ``data`` (JSON, bytes or nothing)."""
    body = data if isinstance(data, bytes) else b"" if data is None else json.dumps(data).encode()
    with pytest.raises(AppError) as caught:
        parse_answer(status, headers or JSON_HEADERS, body, sent_at=SENT_AT, **kw)
    return caught.value


def profile(**changes: Any) -> Profile:
    """A minimal valid profile, for the hints that depend on what was sent."""
    return Profile(name="P", token_url="https://a.example/token", client_id="c", **changes)
