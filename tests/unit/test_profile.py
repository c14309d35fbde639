"""Profile validation: the rules shared by the settings dialog, the command line and config."""

from __future__ import annotations

import pytest

from tray_app.core.errors import AppError, ErrorKind
from tray_app.core.profile import (
    BodyFormat,
    ClientAuth,
    Profile,
    check_profile,
    is_loopback_host,
    parse_extra_params,
    profile_problems,
    url_problem,
)


def make(**changes: object) -> Profile:
    base = Profile(name="Work", token_url="https://auth.example.com/oauth/token", client_id="app")
    return base.replace(**changes)


@pytest.mark.parametrize(
    "url",
    [
        "https://auth.example.com/oauth/token",
        "https://auth.example.com:8443/t?tenant=a",
        "http://127.0.0.1:8080/token",
        "http://localhost/token",
        "http://[::1]:9000/token",
        "http://127.5.6.7/token",
    ],
)
def test_acceptable_token_urls(url: str) -> None:
    assert url_problem(url) is None


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("", "is required"),
        ("   ", "is required"),
        ("http://auth.example.com/token", "only works for localhost"),
        ("http://10.0.0.1/token", "only works for localhost"),
        ("ftp://auth.example.com/token", "must start with https://"),
        ("auth.example.com/token", "must start with https://"),
        ("https:///token", "must start with https://"),
        ("https://user:pw@auth.example.com/token", "user name or password"),
        ("https://auth.example.com/token#x", "'#' part"),
        ("https://auth.example.com:99999/token", "not a valid web address"),
        ("https://auth.example.com/to ken", "spaces or control characters"),
        ("https://auth.example.com/token\r\nX: y", "spaces or control characters"),
    ],
)
def test_refused_token_urls(url: str, says: str) -> None:
    problem = url_problem(url)
    assert problem is not None
    assert says in problem


def test_loopback_hosts() -> None:
    assert is_loopback_host("LOCALHOST")
    assert is_loopback_host("127.0.0.1")
    assert is_loopback_host("[::1]")
    assert not is_loopback_host("localhost.example.com")
    assert not is_loopback_host("192.168.1.2")


def test_a_good_profile_has_no_problems() -> None:
    assert profile_problems(make()) == {}
    profile = make()
    assert check_profile(profile) is profile


def test_every_problem_is_reported_by_field() -> None:
    bad = make(
        name=" ",
        client_id="",
        token_url="http://example.com/t",
        scope='read "write"',
        extra_params=(("client_secret", "x"),),
        refresh_margin=0,
        timeout=0.5,
        api_url="nonsense",
    )
    problems = profile_problems(bad)
    assert set(problems) == {
        "name",
        "client_id",
        "token_url",
        "scope",
        "extra_params",
        "refresh_margin",
        "timeout",
        "api_url",
    }
    assert "set by Token Tray itself" in problems["extra_params"]


def test_check_profile_raises_a_usage_error_with_a_plain_title() -> None:
    with pytest.raises(AppError) as caught:
        check_profile(make(token_url="http://example.com/token"))
    assert caught.value.kind is ErrorKind.USAGE
    assert caught.value.exit_code == 2
    assert caught.value.title == "Invalid Token URL"


def test_long_or_multiline_names_are_refused() -> None:
    assert "name" in profile_problems(make(name="x" * 65))
    assert "name" in profile_problems(make(name="a\nb"))
    assert "name" not in profile_problems(make(name="x" * 64))


def test_scopes_follow_rfc_6749() -> None:
    assert "scope" not in profile_problems(make(scope="read write api://app/.default"))
    assert "scope" in profile_problems(make(scope="back\\slash"))


def test_json_body_always_sends_credentials_in_the_body() -> None:
    json_profile = make(body_format=BodyFormat.JSON, client_auth=ClientAuth.BASIC)
    assert json_profile.effective_client_auth is ClientAuth.BODY
    assert make().effective_client_auth is ClientAuth.BASIC


def test_round_trip_keeps_every_field() -> None:
    profile = make(
        scope="a b",
        audience="https://api",
        resource="urn:x",
        extra_params=(("tenant", "acme"), ("k", "v=w")),
        body_format=BodyFormat.JSON,
        client_auth=ClientAuth.BODY,
        refresh_margin=120,
        timeout=30.0,
        api_url="https://api.example.com/",
    )
    assert Profile.from_dict(profile.to_dict()) == profile


def test_rename_keeps_the_id() -> None:
    profile = make()
    assert profile.replace(name="Other").id == profile.id
    assert make().id != make().id


@pytest.mark.parametrize(
    "data",
    [
        {"name": "x", "token_url": "https://a/t"},
        {"name": 3, "token_url": "https://a/t", "client_id": "c", "id": "i"},
        {"name": "x", "token_url": ["https://a/t"], "client_id": "c", "id": "i"},
        {"name": "x", "token_url": "https://a/t", "client_id": None, "id": "i"},
    ],
)
def test_from_dict_refuses_broken_data_plainly(data: dict[str, object]) -> None:
    with pytest.raises(AppError) as caught:
        Profile.from_dict(data)
    assert caught.value.title == "Profile cannot be read"


IDENTITY = {"name": "x", "token_url": "https://a.example/t", "client_id": "c", "id": "i"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("timeout", "15"),
        ("timeout", True),
        ("timeout", 10**400),
        ("timeout", float("inf")),
        ("scope", 7),
        ("audience", ["a", "b"]),
        ("resource", {"r": 1}),
        ("ca_bundle", 5),
        ("api_url", 1.5),
        ("preset", 7),
        ("body_format", "xml"),
        ("client_auth", 3),
        ("extra_params", [[1]]),
        ("extra_params", "tenant=acme"),
        ("refresh_margin", "60"),
        ("refresh_margin", 1.5),
    ],
)
def test_a_field_of_the_wrong_type_is_reset_and_marked(field: str, value: object) -> None:
    profile = Profile.from_dict({**IDENTITY, field: value})
    assert profile.unreadable == (field,)
    assert getattr(profile, field) == getattr(Profile("x", "https://a.example/t", "c"), field)
    assert profile_problems(profile)[field].startswith("The saved value had the wrong type")
    assert field not in Profile.from_dict(profile.to_dict()).unreadable
    assert "unreadable" not in profile.to_dict()


@pytest.mark.parametrize(
    ("field", "value"), [("timeout", 10), ("timeout", 2.5), ("refresh_margin", 90.0)]
)
def test_numbers_of_the_right_type_are_read(field: str, value: float) -> None:
    profile = Profile.from_dict({**IDENTITY, field: value})
    assert (profile.unreadable, getattr(profile, field)) == ((), value)


@pytest.mark.parametrize("timeout", [1e9, 0, -5, 301])
def test_a_timeout_out_of_range_is_a_problem(timeout: float) -> None:
    profile = Profile.from_dict({**IDENTITY, "timeout": timeout})
    assert "between 1 and 300" in profile_problems(profile)["timeout"]


def test_extra_params_parse() -> None:
    assert parse_extra_params(["tenant=acme", " k = a=b"]) == (("tenant", "acme"), ("k", " a=b"))
    with pytest.raises(AppError):
        parse_extra_params(["novalue"])
    with pytest.raises(AppError):
        parse_extra_params(["=x"])
