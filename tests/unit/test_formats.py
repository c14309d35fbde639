"""formats: the exact text each output format produces."""

from __future__ import annotations

import json
import shlex

import pytest

from tests.support.tokenserver_rules import make_jwt
from tray_app.core.errors import AppError, ErrorKind
from tray_app.core.formats import OutputFormat, is_b64token, iso_utc, render, shell_quote
from tray_app.core.token import Token

OBTAINED = 1_795_780_800.0  # 2026-11-27T12:00:00Z
TOKEN = Token("eyJ.abc-_~+/=", "bearer", lifetime=1800.0, obtained_at=OBTAINED)


@pytest.mark.parametrize(
    "value",
    ["a", "abc123", "A-._~+/", "abc=", "abc==", "eyJhbGciOiJIUzI1NiJ9.e30.sig", "x" * 5000],
)
def test_b64token_accepts_the_rfc6750_alphabet(value: str) -> None:
    assert is_b64token(value)


@pytest.mark.parametrize(
    "value",
    ["", "=", "==abc", "a=b", "a b", "a\r\nb", "a\n", "a\t", "ä", "a'b", 'a"b', "a;b", "a,b"],
)
def test_b64token_refuses_everything_else(value: str) -> None:
    assert not is_b64token(value)


def test_raw_is_the_token_itself() -> None:
    assert render(TOKEN, OutputFormat.RAW, now=OBTAINED) == "eyJ.abc-_~+/="


def test_header_uses_canonical_bearer_whatever_the_server_said() -> None:
    assert render(TOKEN, OutputFormat.HEADER, now=OBTAINED) == "Authorization: Bearer eyJ.abc-_~+/="


def test_curl_with_api_url() -> None:
    text = render(TOKEN, OutputFormat.CURL, now=OBTAINED, api_url="https://api.example.com/v1/me")

    assert text == "curl -H 'Authorization: Bearer eyJ.abc-_~+/=' 'https://api.example.com/v1/me'"


def test_curl_without_api_url_ends_with_a_space_for_the_user_to_type_the_address() -> None:
    text = render(TOKEN, OutputFormat.CURL, now=OBTAINED)

    assert text == "curl -H 'Authorization: Bearer eyJ.abc-_~+/=' "


def test_curl_quotes_awkward_urls_so_the_shell_sees_one_argument() -> None:
    url = "https://api.example.com/q?a=1&b=it's $HOME `id`"

    text = render(TOKEN, OutputFormat.CURL, now=OBTAINED, api_url=url)

    assert shlex.split(text) == ["curl", "-H", "Authorization: Bearer eyJ.abc-_~+/=", url]


@pytest.mark.parametrize("value", ["", "plain", "it's", "'", "a b", "$x", "\\"])
def test_shell_quote_round_trips(value: str) -> None:
    assert shlex.split(shell_quote(value)) == [value]


def test_json_has_the_documented_keys_in_order() -> None:
    text = render(TOKEN, OutputFormat.JSON, now=OBTAINED + 100.7)

    assert list(json.loads(text).items()) == [
        ("access_token", "eyJ.abc-_~+/="),
        ("token_type", "Bearer"),
        ("expires_at", "2026-11-27T12:30:00Z"),
        ("expires_in", 1699),
    ]
    assert text.startswith('{\n  "access_token"')


def test_json_adds_scope_when_present_and_never_goes_negative() -> None:
    scoped = Token("t", "Bearer", lifetime=60.0, obtained_at=OBTAINED, scope="read write")

    data = json.loads(render(scoped, "json", now=OBTAINED + 3600))

    assert data["scope"] == "read write"
    assert data["expires_in"] == 0


def test_iso_utc_drops_fractions() -> None:
    assert iso_utc(OBTAINED + 0.999) == "2026-11-27T12:00:00Z"


@pytest.mark.parametrize("fmt", ["raw", "header", "curl", "json", "env"])
def test_render_accepts_format_names(fmt: str) -> None:
    assert render(TOKEN, fmt, now=OBTAINED) == render(TOKEN, OutputFormat(fmt), now=OBTAINED)


def test_unknown_format_is_a_usage_error() -> None:
    with pytest.raises(AppError) as caught:
        render(TOKEN, "yaml", now=OBTAINED)

    assert caught.value.kind is ErrorKind.USAGE
    assert "raw, header, curl, json" in caught.value.message


def test_env_is_two_quoted_export_lines() -> None:
    token = Token("a.b-c_d~e+f/g==", "bearer", lifetime=60.0, obtained_at=OBTAINED + 0.9)
    lines = render(token, "env", now=OBTAINED).splitlines()
    assert lines == [
        "export ACCESS_TOKEN='a.b-c_d~e+f/g=='",
        f"export ACCESS_TOKEN_EXPIRES_AT='{int(OBTAINED) + 60}'",
    ]
    assert shlex.split(lines[0]) == ["export", "ACCESS_TOKEN=a.b-c_d~e+f/g=="]


@pytest.mark.parametrize("fmt", [OutputFormat.HEADER, OutputFormat.CURL, OutputFormat.ENV])
def test_header_and_curl_refuse_a_token_that_could_break_out(fmt: OutputFormat) -> None:
    bad = Token("x' ; rm -rf ~ ; '", "Bearer", lifetime=60.0, obtained_at=OBTAINED)

    with pytest.raises(AppError) as caught:
        render(bad, fmt, now=OBTAINED)

    assert "rm -rf" not in str(caught.value)


def test_json_adds_the_decoded_claims_of_a_jwt() -> None:
    claims = {"iss": "https://idp.example", "aud": "api", "exp": OBTAINED + 1800}
    jwt = Token(make_jwt(claims), "Bearer", lifetime=1800.0, obtained_at=OBTAINED)
    data = json.loads(render(jwt, "json", now=OBTAINED))
    assert list(data) == ["access_token", "token_type", "expires_at", "expires_in", "claims"]
    assert data["claims"] == claims


def test_json_has_no_claims_for_an_opaque_or_broken_token() -> None:
    for value in ("opaque", "eyJhbGciOiJIUzI1NiJ9.not-json.sig"):
        token = Token(value, "Bearer", lifetime=60.0, obtained_at=OBTAINED)
        assert "claims" not in json.loads(render(token, "json", now=OBTAINED))
