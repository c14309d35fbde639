"""parse_answer: every answer shape a token endpoint may send (no network)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.answers import SENT_AT, fail, ok
from tests.support.tokenserver import make_jwt
from tray_app.core.errors import ErrorKind
from tray_app.core.oauth import DEFAULT_LIFETIME, MAX_ANSWER_BYTES, parse_answer
from tray_app.core.oauth_answer import MAX_LIFETIME, jwt_expiry

# -- success ------------------------------------------------------------------------------------


def test_seed_answer_gives_a_bearer_token_obtained_when_sent() -> None:
    token = ok({"access_token": "abc.DEF-_~+/==", "token_type": "bearer", "expires_in": 1800})

    assert token.access_token == "abc.DEF-_~+/=="
    assert token.token_type == "Bearer"
    assert (token.obtained_at, token.lifetime) == (SENT_AT, 1800.0)
    assert token.lifetime_from_server is True
    assert token.scope is None


@pytest.mark.parametrize("token_type", ["Bearer", "BEARER", "bEaReR", None])
def test_token_type_is_bearer_in_any_case_or_missing(token_type: str | None) -> None:
    data: dict[str, Any] = {"access_token": "t", "expires_in": 60}
    if token_type is not None:
        data["token_type"] = token_type

    assert ok(data).token_type == "Bearer"


@pytest.mark.parametrize("token_type", ["mac", "DPoP", "", 5, ["bearer"]])
def test_other_token_types_are_refused(token_type: object) -> None:
    error = fail(200, {"access_token": "t", "token_type": token_type})

    assert error.kind is ErrorKind.UNAVAILABLE
    assert error.title == "Unsupported token type"


@pytest.mark.parametrize(
    ("expires_in", "lifetime"),
    [
        (1800, 1800.0),
        ("1800", 1800.0),
        (" 900 ", 900.0),
        (59.5, 59.5),
        ("60.25", 60.25),
        (0, 1.0),
        (-30, 1.0),
        ("-5", 1.0),
        (10**12, MAX_LIFETIME),
        (10**400, MAX_LIFETIME),
    ],
)
def test_expires_in_as_number_or_numeric_string_is_clamped(
    expires_in: object, lifetime: float
) -> None:
    token = ok({"access_token": "t", "token_type": "Bearer", "expires_in": expires_in})

    assert token.lifetime == lifetime
    assert token.lifetime_from_server is True


@pytest.mark.parametrize("expires_in", [True, "soon", "", "1e3", "0x10", None, [60], {"s": 1}])
def test_unreadable_expires_in_counts_as_missing(expires_in: object) -> None:
    token = ok({"access_token": "opaque", "expires_in": expires_in})

    assert token.lifetime == DEFAULT_LIFETIME
    assert token.lifetime_from_server is False


def test_nan_and_infinity_expires_in() -> None:
    nan = parse_answer(200, {}, b'{"access_token":"t","expires_in":NaN}', sent_at=SENT_AT)
    inf = parse_answer(200, {}, b'{"access_token":"t","expires_in":Infinity}', sent_at=SENT_AT)

    assert (nan.lifetime, nan.lifetime_from_server) == (DEFAULT_LIFETIME, False)
    assert inf.lifetime == MAX_LIFETIME


def test_missing_expires_in_uses_the_jwt_exp_claim() -> None:
    jwt = make_jwt({"sub": "client", "exp": SENT_AT + 1234})

    token = ok({"access_token": jwt, "token_type": "Bearer"})

    assert token.lifetime == 1234.0
    assert token.lifetime_from_server is False


def test_jwt_already_expired_gets_the_minimum_lifetime() -> None:
    token = ok({"access_token": make_jwt({"exp": SENT_AT - 600})})

    assert token.lifetime == 1.0


@pytest.mark.parametrize(
    "claims", [{"sub": "x"}, {"exp": True}, {"exp": "tomorrow"}, {"exp": None}]
)
def test_jwt_without_a_usable_exp_gets_the_default(claims: dict[str, object]) -> None:
    token = ok({"access_token": make_jwt(claims)})

    assert (token.lifetime, token.lifetime_from_server) == (DEFAULT_LIFETIME, False)


@pytest.mark.parametrize("token", ["a.b", "a.b.c.d.e", "a.!!!.c", "a.bm90IGpzb24.c", "a.W10.c"])
def test_jwt_expiry_ignores_non_jwts(token: str) -> None:
    assert jwt_expiry(token) is None


def test_expires_in_wins_over_the_jwt() -> None:
    token = ok({"access_token": make_jwt({"exp": SENT_AT + 99}), "expires_in": 300})

    assert (token.lifetime, token.lifetime_from_server) == (300.0, True)


def test_scope_is_kept_and_unknown_fields_ignored() -> None:
    token = ok({"access_token": "t", "scope": "read write", "refresh_token": "r", "x": [1]})

    assert token.scope == "read write"


@pytest.mark.parametrize("scope", ["", 5, ["read"], None])
def test_unusable_scope_becomes_none(scope: object) -> None:
    assert ok({"access_token": "t", "scope": scope}).scope is None


# -- malformed success answers ---------------------------------------------------------------


@pytest.mark.parametrize(
    "access_token",
    ["has space", "line\r\nInjected: yes", "tab\there", "a=b", "=abc", "ünïcode", "quote'"],
)
def test_access_token_must_be_a_b64token(access_token: str) -> None:
    error = fail(200, {"access_token": access_token, "token_type": "Bearer"})

    assert (error.kind, error.title) == (ErrorKind.UNAVAILABLE, "Unusable token")
    assert access_token not in error.message


@pytest.mark.parametrize("data", [{}, {"access_token": ""}, {"access_token": 12}, {"token": "t"}])
def test_an_answer_without_access_token_is_refused(data: dict[str, object]) -> None:
    assert fail(200, data).title == "No token in the answer"


def test_a_captive_portal_page_is_explained() -> None:
    error = fail(
        200, b"<html><body>Sign in to Hotel WiFi</body></html>", {"Content-Type": "text/html"}
    )

    assert error.kind is ErrorKind.UNAVAILABLE
    assert "web page" in error.message
    assert error.retryable is False


@pytest.mark.parametrize(
    "body", [b"not json", b"[1, 2]", b'"token"', b"", b"\xff\xfe\x00", b"[" * 100_000]
)
def test_non_object_answers_are_refused(body: bytes) -> None:
    error = fail(200, body, {"Content-Type": "application/json"})

    assert (error.kind, error.title) == (ErrorKind.UNAVAILABLE, "Unexpected answer")


def test_answers_over_one_mebibyte_are_refused() -> None:
    body = json.dumps({"access_token": "t", "pad": "x" * MAX_ANSWER_BYTES}).encode()

    error = fail(200, body)

    assert (error.kind, error.title) == (ErrorKind.UNAVAILABLE, "Answer too large")
    assert error.exit_code == 4
