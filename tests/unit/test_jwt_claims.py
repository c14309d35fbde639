"""JWT decoding for display: valid, malformed and non-JWT tokens; never raises, never verifies."""

from __future__ import annotations

import base64
import datetime
import json

import pytest

from tests.support.tokenserver_rules import make_jwt
from tray_app.core import jwt_claims
from tray_app.core.jwt_claims import NOT_VERIFIED, decode_jwt, local_time, readable_claims

NOW = 1_800_000_000.0
UTC = datetime.UTC
HEADER = base64.urlsafe_b64encode(b'{"alg": "HS256"}').decode().rstrip("=")


def part(data: object) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def test_a_valid_jwt_gives_header_and_claims() -> None:
    claims = {"iss": "https://idp", "sub": "app", "aud": ["a", "b"], "exp": NOW + 1620}
    decoded = decode_jwt(make_jwt(claims))
    assert decoded is not None
    assert decoded.header == {"alg": "HS256", "typ": "JWT"}
    assert decoded.claims == claims


def test_an_unsigned_jwt_still_decodes() -> None:
    decoded = decode_jwt(f"{part({'alg': 'none'})}.{part({'sub': 'x'})}.")
    assert decoded is not None
    assert decoded.claims == {"sub": "x"}


@pytest.mark.parametrize(
    "token",
    [
        "",
        "opaque-token-value",
        "a.b",
        "a.b.c.d.e",  # an encrypted JWT (JWE) cannot be read without the key
        f"{part({'alg': 'HS256'})}.{part([1, 2])}.sig",  # claims not an object
        f"{part({'alg': 'HS256'})}.{part(b'not json')}.sig",
        f"{part({'alg': 'HS256'})}.!!!.sig",
        HEADER + "." + part(bytes([0xFF, 0xFE])) + ".sig",
        f".{part({'sub': 'x'})}.sig",
        "x" * 100_000,
        f"{part({'alg': 'HS256'})}.{part(b'[' * 50_000)}.s",
    ],
)
def test_anything_else_is_not_a_jwt_and_never_raises(token: str) -> None:
    assert decode_jwt(token) is None


def test_non_string_input_is_not_a_jwt() -> None:
    assert decode_jwt(None) is None  # type: ignore[arg-type]


def test_the_module_never_claims_to_verify() -> None:
    assert "not verified" in NOT_VERIFIED
    assert not hasattr(jwt_claims, "verify")


def test_times_are_local_with_a_relative_part() -> None:
    assert local_time(NOW + 1620, NOW, UTC) == "2027-01-15 08:27:00 (in 27 min)"
    assert local_time(NOW - 180, NOW, UTC).endswith("(3 min ago)")
    assert local_time(NOW + 7500, NOW, UTC).endswith("(in 2 h 5 min)")
    assert local_time(NOW + 5 * 86_400, NOW, UTC).endswith("(in 5 days)")


def test_readable_claims_put_the_well_known_ones_first() -> None:
    claims = {
        "custom": {"a": 1},
        "scp": ["read", "write"],
        "exp": NOW + 1620,
        "aud": ["api-1", "api-2"],
        "iss": "https://idp",
        "nbf": "soon",
    }
    rows = readable_claims(claims, NOW, UTC)
    assert [row.name for row in rows] == ["iss", "aud", "scp", "exp", "nbf", "custom"]
    by_name = {row.name: row for row in rows}
    assert by_name["aud"].text == "api-1, api-2"
    assert by_name["scp"].text == "read write"
    assert by_name["exp"].text.endswith("(in 27 min)")
    assert by_name["exp"].raw == str(int(NOW + 1620)) + ".0"
    assert by_name["nbf"].text == "soon"  # not a number: shown as it is
    assert by_name["custom"].text == '{"a": 1}'
    assert by_name["iss"].label == "Issuer"


def test_absurd_times_do_not_crash() -> None:
    rows = readable_claims({"exp": 10**30, "iat": True}, NOW, UTC)
    assert [row.text for row in rows] == [str(10**30), "true"]
