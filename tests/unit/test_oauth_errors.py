"""parse_answer for non-2xx answers: both error shapes, statuses, Retry-After, text hygiene."""

from __future__ import annotations

import email.utils

import pytest

from tests.support.answers import SENT_AT, fail, profile
from tray_app.core.errors import ErrorKind
from tray_app.core.oauth_errors import retry_after_seconds, server_text
from tray_app.core.profile import BodyFormat, ClientAuth

# -- OAuth error shape (RFC 6749 §5.2) ---------------------------------------------------------

REJECTED_CODES = {
    "invalid_client": "Wrong client ID or secret",
    "invalid_grant": "Token request refused",
    "unauthorized_client": "Client not allowed",
    "unsupported_grant_type": "Wrong address for tokens",
    "invalid_scope": "Scope not accepted",
    "invalid_request": "Request not accepted",
    "invalid_target": "Resource not accepted",
}


@pytest.mark.parametrize(("code", "title"), REJECTED_CODES.items())
def test_oauth_client_errors_are_rejected_with_a_plain_title(code: str, title: str) -> None:
    error = fail(400 if code != "invalid_client" else 401, {"error": code})

    assert (error.kind, error.title, error.exit_code) == (ErrorKind.REJECTED, title, 3)
    assert error.retryable is False
    assert error.oauth_error == code
    assert f"“{code}”" in error.message


def test_a_known_client_error_wins_over_a_5xx_status() -> None:
    error = fail(503, {"error": "invalid_client"})

    assert (error.kind, error.retryable) == (ErrorKind.REJECTED, False)


@pytest.mark.parametrize(
    ("status", "code"),
    [(503, "temporarily_unavailable"), (500, "server_error"), (400, "server_error")],
)
def test_temporary_oauth_errors_are_retryable(status: int, code: str) -> None:
    error = fail(status, {"error": code, "error_description": "busy"}, {"Retry-After": "120"})

    assert (error.kind, error.retryable, error.retry_after) == (ErrorKind.UNAVAILABLE, True, 120.0)
    assert "busy" in error.message


def test_unknown_oauth_error_codes_follow_the_status() -> None:
    client = fail(400, {"error": "slow_down_please"})
    server = fail(502, {"error": "upstream_down"})

    assert (client.kind, client.title) == (ErrorKind.REJECTED, "Request refused")
    assert (server.kind, server.retryable) == (ErrorKind.UNAVAILABLE, True)


def test_error_description_is_shown() -> None:
    error = fail(401, {"error": "invalid_client", "error_description": "Client not found"})

    assert "(The server said: “invalid_client — Client not found”.)" in error.message


def test_invalid_client_on_a_basic_form_request_suggests_body_auth() -> None:
    basic = fail(401, {"error": "invalid_client"}, profile=profile())
    body = fail(401, {"error": "invalid_client"}, profile=profile(client_auth=ClientAuth.BODY))
    json_ = fail(401, {"error": "invalid_client"}, profile=profile(body_format=BodyFormat.JSON))

    assert "“In the request body”" in basic.message
    assert "“Basic header”" in body.message
    assert "Client authentication" not in json_.message


@pytest.mark.parametrize("code", ["invalid_request", "unsupported_grant_type"])
def test_a_standard_server_refusing_json_suggests_a_form_body(code: str) -> None:
    error = fail(400, {"error": code}, profile=profile(body_format=BodyFormat.JSON))

    assert "set Body format to “Form”" in error.message


# -- {"code", "message"} shape of the Tarkov service ------------------------------------------


def test_code_message_shape_shows_the_message() -> None:
    error = fail(422, {"code": 422, "message": "Missing field: client_id"})

    assert (error.kind, error.title) == (ErrorKind.REJECTED, "Request not accepted")
    assert "Missing field: client_id" in error.message
    assert error.http_status == 422


@pytest.mark.parametrize(
    "data",
    [
        {"code": 404, "message": "Not Found"},
        {"error": "invalid_request", "error_description": "no such route"},
        {"error": "not_found"},
        None,
    ],
)
def test_a_404_is_a_wrong_token_url_whatever_the_body_says(data: object) -> None:
    error = fail(404, data, profile=profile(body_format=BodyFormat.JSON))

    assert (error.kind, error.title) == (ErrorKind.REJECTED, "Token URL not found")
    assert error.message.startswith("Nothing answers token requests at this address.")
    assert "Scope" not in error.message
    assert "Body format" not in error.message


def test_tarkov_request_errors_are_translated_and_keep_the_raw_text_as_detail() -> None:
    raw = (
        "Failed to deserialize the JSON body into the target type: client_secret: invalid "
        "length at line 1 column 96"
    )
    secret = fail(422, {"code": 422, "message": raw})
    client_id = fail(
        422,
        {
            "code": 422,
            "message": raw.replace(
                "client_secret: invalid", "client_id: UUID parsing failed: invalid"
            ),
        },
    )

    assert secret.title == "Client secret has the wrong length"
    plain, _, detail = secret.message.partition("(The server said")
    assert "43 characters" in plain
    assert "deserialize" not in plain
    assert "client_secret: invalid length" in detail
    assert client_id.title == "Client ID is not valid"


def test_code_message_shape_with_a_5xx_is_retryable() -> None:
    error = fail(500, {"code": 500, "message": "database down"})

    assert (error.kind, error.retryable) == (ErrorKind.UNAVAILABLE, True)
    assert "database down" in error.message


@pytest.mark.parametrize(
    ("sent", "advice"),
    [
        (None, "set Body format to “JSON”"),
        (BodyFormat.FORM, "set Body format to “JSON”"),
        (BodyFormat.JSON, "set Body format to “Form”"),
    ],
)
def test_415_explains_which_body_format_to_choose(sent: BodyFormat | None, advice: str) -> None:
    sent_profile = profile(body_format=sent) if sent else None
    seed = fail(415, {"code": 415, "message": "wrong content type"}, profile=sent_profile)
    bare = fail(415, profile=sent_profile)

    for error in (seed, bare):
        assert (error.kind, error.title) == (ErrorKind.REJECTED, "Wrong body format")
        assert advice in error.message


# -- plain HTTP statuses -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "title"),
    [
        (408, "Token server timed out"),
        (429, "Too many requests"),
        (500, "Token server unavailable"),
        (502, "Token server unavailable"),
        (503, "Token server unavailable"),
    ],
)
def test_transient_statuses_are_retryable(status: int, title: str) -> None:
    error = fail(status, b"<html>Bad gateway</html>", {"Content-Type": "text/html"})

    assert (error.kind, error.title, error.retryable) == (ErrorKind.UNAVAILABLE, title, True)
    assert error.http_status == status


@pytest.mark.parametrize(
    ("status", "title"),
    [
        (400, "Request refused"),
        (401, "Not authorized"),
        (403, "Access denied"),
        (404, "Token URL not found"),
        (405, "Token URL not found"),
        (418, "Request refused"),
    ],
)
def test_other_client_errors_are_rejected(status: int, title: str) -> None:
    error = fail(status, b"nope", {"Content-Type": "text/plain"})

    assert (error.kind, error.title, error.retryable) == (ErrorKind.REJECTED, title, False)
    assert "HTTP" not in error.title  # status numbers stay in the message, titles stay plain


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirects_are_not_followed_and_say_why(status: int) -> None:
    error = fail(status, headers={"Location": "https://evil.example/steal"})

    assert (error.kind, error.retryable) == (ErrorKind.UNAVAILABLE, False)
    assert error.title == "Token URL redirects elsewhere"
    assert "https://evil.example/steal" in error.message
    assert "never sent to a different address" in error.message


def test_odd_statuses_are_unavailable() -> None:
    error = fail(600)

    assert (error.kind, error.title) == (ErrorKind.UNAVAILABLE, "Unexpected answer")
    assert "(status 600)" in error.message


# -- Retry-After --------------------------------------------------------------------------------


def http_date(timestamp: float) -> str:
    return email.utils.formatdate(timestamp, usegmt=True)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        ("0", 0.0),
        ("99999", 3600.0),
        (http_date(SENT_AT + 90), 90.0),
        (http_date(SENT_AT + 86_400), 3600.0),
        (http_date(SENT_AT - 60), 0.0),
        ("-5", None),
        ("soon", None),
        ("", None),
        (None, None),
        ("Wed, 21 Oct 2015 07:28:00", None),
    ],
)
def test_retry_after_in_seconds_or_http_date(value: str | None, seconds: float | None) -> None:
    assert retry_after_seconds(value, now=SENT_AT) == seconds


def test_retry_after_reaches_the_error_case_insensitively() -> None:
    error = fail(429, headers={"retry-after": http_date(SENT_AT + 30)})

    assert error.retry_after == 30.0


# -- server text hygiene -----------------------------------------------------------------------


def test_server_text_is_stripped_of_control_characters_and_cut() -> None:
    description = "bad\x1b[31m red\r\nInjected: header\u202e" + "x" * 1000

    error = fail(400, {"error": "invalid_request", "error_description": description})

    assert not any(ch in error.message for ch in "\x1b\r\n\u202e")
    assert len(error.message) < 600
    assert "…" in error.message


def test_the_secret_is_never_echoed_even_when_the_server_splits_it() -> None:
    secret = "hunter2-very-secret"
    description = f"secret {secret} wrong; also hunter2-very\x00-secret and {secret[:6]}"

    error = fail(
        401,
        {"error": "invalid_client", "error_description": description},
        redact=(secret,),
    )

    assert secret not in str(error)
    assert "hunter2-very" not in error.message
    assert error.message.count("•••") == 2


def test_secret_is_redacted_before_truncation() -> None:
    secret = "S" * 30
    text = server_text("x" * 180 + secret, (secret,), limit=200)

    assert "SSS" not in text


@pytest.mark.parametrize("value", [None, ["list"], {"a": 1}, True])
def test_server_text_ignores_non_text(value: object) -> None:
    assert server_text(value) == ""


def test_error_code_itself_is_sanitised() -> None:
    error = fail(400, {"error": "weird\ncode" + "y" * 200})

    assert "\n" not in error.message
    assert error.oauth_error is not None
    assert len(error.oauth_error) <= 64
