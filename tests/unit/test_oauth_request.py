"""build_request: every body format and client authentication, byte for byte (no network)."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs

import pytest

from tests.support.tokenserver import decode_basic
from tray_app import __version__
from tray_app.core.errors import AppError, ErrorKind
from tray_app.core.oauth import (
    TokenRequest,
    basic_authorization,
    build_request,
    secret_forms,
)
from tray_app.core.profile import BodyFormat, ClientAuth, Profile

AWKWARD_SECRET = "a+b%c:d/e f~g"
AWKWARD_ID = "my:client"


def make_profile(**changes: object) -> Profile:
    values: dict[str, object] = {
        "name": "Test",
        "token_url": "https://auth.example.com/oauth/token",
        "client_id": "client-1",
    }
    values.update(changes)
    return Profile(**values)  # type: ignore[arg-type]


def form_of(request: TokenRequest) -> dict[str, list[str]]:
    return parse_qs(request.body.decode("ascii"), keep_blank_values=True, strict_parsing=True)


def test_form_with_basic_puts_credentials_only_in_the_header() -> None:
    request = build_request(make_profile(), "s3cret")

    assert request.url == "https://auth.example.com/oauth/token"
    assert dict(request.headers) == {
        "Accept": "application/json",
        "User-Agent": f"token-tray/{__version__}",
        "Content-Type": "application/x-www-form-urlencoded",
        "Authorization": "Basic " + base64.b64encode(b"client-1:s3cret").decode(),
    }
    assert request.body == b"grant_type=client_credentials"


def test_build_request_encodes_awkward_basic_credentials_per_rfc6749_2_3_1() -> None:
    request = build_request(make_profile(client_id=AWKWARD_ID), AWKWARD_SECRET)

    expected = base64.b64encode(b"my%3Aclient:a%2Bb%25c%3Ad%2Fe+f~g").decode()
    assert request.headers["Authorization"] == f"Basic {expected}"
    assert AWKWARD_SECRET.encode() not in request.body


def test_basic_header_form_urlencodes_id_and_secret_per_rfc6749_2_3_1() -> None:
    header = basic_authorization(AWKWARD_ID, AWKWARD_SECRET)

    encoded = base64.b64decode(header.removeprefix("Basic ")).decode()
    assert encoded == "my%3Aclient:a%2Bb%25c%3Ad%2Fe+f~g"
    assert decode_basic(header) == (AWKWARD_ID, AWKWARD_SECRET)


def test_basic_header_encodes_unicode_as_utf8_percent_escapes() -> None:
    header = basic_authorization("clïent", "sécret€")

    encoded = base64.b64decode(header.removeprefix("Basic ")).decode()
    assert encoded == "cl%C3%AFent:s%C3%A9cret%E2%82%AC"
    assert decode_basic(header) == ("clïent", "sécret€")


def test_form_with_body_auth_sends_no_authorization_header() -> None:
    profile = make_profile(client_id=AWKWARD_ID, client_auth=ClientAuth.BODY)

    request = build_request(profile, AWKWARD_SECRET)

    assert "Authorization" not in request.headers
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert form_of(request) == {
        "grant_type": ["client_credentials"],
        "client_id": [AWKWARD_ID],
        "client_secret": [AWKWARD_SECRET],
    }
    assert b"a%2Bb%25c%3Ad%2Fe+f~g" in request.body


@pytest.mark.parametrize("auth", [ClientAuth.BASIC, ClientAuth.BODY])
def test_json_body_always_carries_the_credentials_in_the_body(auth: ClientAuth) -> None:
    profile = make_profile(client_id=AWKWARD_ID, body_format=BodyFormat.JSON, client_auth=auth)

    request = build_request(profile, AWKWARD_SECRET)

    assert "Authorization" not in request.headers
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Accept"] == "application/json"
    assert json.loads(request.body) == {
        "grant_type": "client_credentials",
        "client_id": AWKWARD_ID,
        "client_secret": AWKWARD_SECRET,
    }


def test_json_body_keeps_unicode_secret_intact() -> None:
    profile = make_profile(body_format=BodyFormat.JSON)

    request = build_request(profile, 'sécret€ "quoted"')

    assert json.loads(request.body)["client_secret"] == 'sécret€ "quoted"'


OPTIONS = {
    "scope": "  read   write ",
    "audience": " https://api.example.com ",
    "resource": "https://api.example.com/v1",
    "extra_params": (("tenant", "acme corp"), ("flag", "")),
}


def test_form_carries_scope_audience_resource_and_extra_params() -> None:
    request = build_request(make_profile(**OPTIONS), "s")

    assert form_of(request) == {
        "grant_type": ["client_credentials"],
        "scope": ["read write"],
        "audience": ["https://api.example.com"],
        "resource": ["https://api.example.com/v1"],
        "tenant": ["acme corp"],
        "flag": [""],
    }


def test_json_carries_scope_audience_resource_and_extra_params() -> None:
    request = build_request(make_profile(body_format=BodyFormat.JSON, **OPTIONS), "s")

    assert json.loads(request.body) == {
        "grant_type": "client_credentials",
        "client_id": "client-1",
        "client_secret": "s",
        "scope": "read write",
        "audience": "https://api.example.com",
        "resource": "https://api.example.com/v1",
        "tenant": "acme corp",
        "flag": "",
    }


def test_empty_options_are_left_out() -> None:
    request = build_request(make_profile(scope="  ", audience="", resource=" "), "s")

    assert form_of(request) == {"grant_type": ["client_credentials"]}


def test_repeated_extra_params_are_all_sent_in_a_form() -> None:
    profile = make_profile(extra_params=(("tag", "a"), ("tag", "b")))

    assert form_of(build_request(profile, "s"))["tag"] == ["a", "b"]


@pytest.mark.parametrize("key", ["grant_type", "client_id", "client_secret"])
def test_extra_params_may_not_override_reserved_names(key: str) -> None:
    with pytest.raises(AppError) as caught:
        build_request(make_profile(extra_params=((key, "x"),)), "s")

    assert caught.value.kind is ErrorKind.USAGE


@pytest.mark.parametrize(
    "url",
    [
        "http://auth.example.com/token",
        "ftp://auth.example.com/token",
        "https://user:pw@auth.example.com/token",
        "",
        "not a url",
    ],
)
def test_unsafe_or_invalid_token_urls_are_refused(url: str) -> None:
    with pytest.raises(AppError) as caught:
        build_request(make_profile(token_url=url), "s3cret")

    assert caught.value.kind is ErrorKind.USAGE
    assert caught.value.title == "Invalid token URL"
    assert "s3cret" not in str(caught.value)


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8080/token", "http://localhost/token", "http://[::1]:9/t", "https://a.b/t"],
)
def test_https_and_loopback_http_are_accepted(url: str) -> None:
    assert build_request(make_profile(token_url=url), "s").url == url


def test_timeout_and_verify_come_from_the_profile() -> None:
    plain = build_request(make_profile(timeout=7.5), "s")
    bundled = build_request(make_profile(ca_bundle="/etc/corp-ca.pem"), "s")

    assert (plain.timeout, plain.verify) == (7.5, True)
    assert build_request(make_profile(), "s").timeout == 15.0  # DESIGN.md's default
    assert bundled.verify == "/etc/corp-ca.pem"


def test_request_repr_hides_headers_and_body() -> None:
    request = build_request(make_profile(), "s3cret-value")

    assert "s3cret" not in repr(request)
    assert "Basic" not in repr(request)


def test_secret_forms_cover_the_encodings_a_server_might_echo() -> None:
    forms = secret_forms(AWKWARD_SECRET)

    assert AWKWARD_SECRET in forms
    assert "a%2Bb%25c%3Ad%2Fe+f~g" in forms
    assert "a%2Bb%25c%3Ad%2Fe%20f~g" in forms
    assert secret_forms("") == ()
