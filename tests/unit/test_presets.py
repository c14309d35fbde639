"""Provider presets: each fills what it says, and its rules catch the typical mistakes."""

from __future__ import annotations

import base64

import pytest

from tray_app.cli.help_texts import ADD_EPILOG
from tray_app.core.errors import AppError
from tray_app.core.presets import (
    CUSTOM,
    PRESETS,
    TARKOV_TOKEN_URL,
    all_problems,
    apply_preset,
    check_with_preset,
    helper_problems,
    helper_values,
    preset_for,
    preset_problems,
    shown_preset,
)
from tray_app.core.profile import BodyFormat, ClientAuth, Profile

TARKOV_ID = "0b2f1e4c-6a51-4f0e-9d3a-6c1f2b7e8a90"
TARKOV_SECRET = base64.urlsafe_b64encode(bytes(range(32))).decode().rstrip("=")


def blank(**changes: str) -> Profile:
    return Profile(name="P", token_url="", client_id="app").replace(**changes)


def applied(key: str, **values: str) -> Profile:
    return apply_preset(PRESETS[key], blank(), values)


@pytest.mark.parametrize(
    ("key", "values", "url", "body", "auth"),
    [
        ("tarkov-database", {}, TARKOV_TOKEN_URL, BodyFormat.JSON, ClientAuth.BODY),
        (
            "auth0",
            {"domain": "acme.eu.auth0.com"},
            "https://acme.eu.auth0.com/oauth/token",
            BodyFormat.FORM,
            ClientAuth.BODY,
        ),
        (
            "entra-id",
            {"tenant": "72f988bf-86f1-41af-91ab-2d7cd011db47"},
            "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token",
            BodyFormat.FORM,
            ClientAuth.BODY,
        ),
        (
            "cognito",
            {"domain": "acme.auth.eu-west-1.amazoncognito.com"},
            "https://acme.auth.eu-west-1.amazoncognito.com/oauth2/token",
            BodyFormat.FORM,
            ClientAuth.BASIC,
        ),
    ],
)
def test_presets_fill_the_token_url_and_request_shape(
    key: str, values: dict[str, str], url: str, body: BodyFormat, auth: ClientAuth
) -> None:
    profile = applied(key, **values)
    assert (profile.token_url, profile.body_format, profile.client_auth) == (url, body, auth)
    assert profile.preset == key
    assert helper_values(PRESETS[key], url) == values


def test_keycloak_helper_builds_the_realm_issuer() -> None:
    preset = PRESETS["keycloak"]
    values = {"server": "https://sso.example.com/", "realm": "acme"}
    assert preset.discovery
    assert not preset.fixed_token_url
    assert preset.target_url(values) == "https://sso.example.com/realms/acme"
    token_url = "https://sso.example.com/realms/acme/protocol/openid-connect/token"
    assert helper_values(preset, token_url) == {
        "server": "https://sso.example.com",
        "realm": "acme",
    }


def test_keycloak_read_back_keeps_an_auth_prefix() -> None:
    url = "https://sso.example.com/auth/realms/acme/protocol/openid-connect/token"
    values = helper_values(PRESETS["keycloak"], url)
    assert values == {"server": "https://sso.example.com/auth", "realm": "acme"}
    assert PRESETS["keycloak"].target_url(values) == "https://sso.example.com/auth/realms/acme"
    assert helper_values(PRESETS["keycloak"], "https://other.example/token") == {}


def test_okta_reads_its_issuer_back_from_the_token_url() -> None:
    preset = PRESETS["okta"]
    url = "https://acme.okta.com/oauth2/default/v1/token"
    assert helper_values(preset, url) == {"issuer": "https://acme.okta.com/oauth2/default"}


def test_incomplete_helpers_build_nothing() -> None:
    assert PRESETS["auth0"].target_url({"domain": ""}) == ""
    assert PRESETS["keycloak"].target_url({"server": "https://sso.example.com"}) == ""


@pytest.mark.parametrize(
    ("key", "values", "wrong"),
    [
        ("auth0", {"domain": "https://acme.auth0.com/"}, "domain"),
        ("auth0", {"domain": "acme.auth0.com/oauth/token"}, "domain"),
        ("cognito", {"domain": ""}, "domain"),
        ("entra-id", {"tenant": "contoso tenant"}, "tenant"),
        ("keycloak", {"server": "http://sso.example.com", "realm": "acme"}, "server"),
        ("keycloak", {"server": "https://sso.example.com", "realm": "a/b"}, "realm"),
        ("okta", {"issuer": "acme.okta.com"}, "issuer"),
    ],
)
def test_helper_mistakes_are_named(key: str, values: dict[str, str], wrong: str) -> None:
    assert list(helper_problems(PRESETS[key], values)) == [wrong]


def test_custom_keeps_what_the_user_typed() -> None:
    typed = blank(token_url="https://x.example/t", body_format=BodyFormat.JSON, preset="auth0")
    profile = apply_preset(PRESETS[CUSTOM], typed, {})
    assert (profile.token_url, profile.body_format, profile.preset) == (
        "https://x.example/t",
        BodyFormat.JSON,
        "",
    )


@pytest.mark.parametrize(
    ("client_id", "ok"),
    [
        (TARKOV_ID, True),
        (TARKOV_ID.upper(), True),
        ("my-app", False),
        (TARKOV_ID.replace("-", ""), True),
        ("0b2f1e4c-6a51-4f0e-9d3a-6c1f2b7e8a9g", False),
        (TARKOV_ID[:-1], False),
    ],
)
def test_tarkov_client_id_must_be_a_uuid(client_id: str, ok: bool) -> None:
    profile = applied("tarkov-database").replace(client_id=client_id)
    problems = preset_problems(profile)
    assert ("client_id" not in problems) is ok
    if not ok:
        assert "0b2f1e4c-" in problems["client_id"]


@pytest.mark.parametrize(
    ("secret", "says"),
    [
        (TARKOV_SECRET, None),
        (TARKOV_SECRET[:-1], "43 characters; this one has 42"),
        (TARKOV_SECRET + "A", "this one has 44"),
        (TARKOV_SECRET[:-1] + "+", "letters, digits, - and _"),
    ],
)
def test_tarkov_secret_is_checked_without_quoting_it(secret: str, says: str | None) -> None:
    profile = applied("tarkov-database").replace(client_id=TARKOV_ID)
    problem = preset_problems(profile, secret).get("secret")
    if says is None:
        assert problem is None
    else:
        assert problem is not None
        assert says in problem
        assert secret not in problem


def test_auth0_without_audience_is_refused() -> None:
    profile = applied("auth0", domain="acme.auth0.com")
    assert "audience" in all_problems(profile)
    with pytest.raises(AppError) as info:
        check_with_preset(profile)
    assert info.value.title == "Invalid audience"
    assert check_with_preset(profile.replace(audience="https://api.acme")) is not None


@pytest.mark.parametrize(("scope", "ok"), [("api://app/.default", True), ("api://app/read", False)])
def test_entra_scope_must_end_in_default(scope: str, ok: bool) -> None:
    profile = applied("entra-id", tenant="contoso.onmicrosoft.com").replace(scope=scope)
    assert ("scope" not in all_problems(profile)) is ok


def test_custom_and_unknown_presets_add_no_rules() -> None:
    loose = blank(token_url="https://x.example/t", client_id="not-a-uuid")
    assert preset_problems(loose) == {}
    assert preset_problems(loose.replace(preset="from-the-future")) == {}


def test_general_rules_still_apply_with_a_preset() -> None:
    profile = applied("tarkov-database").replace(client_id="", name="")
    problems = all_problems(profile)
    assert problems["client_id"].startswith("Client ID is required")
    assert "name" in problems


def test_unknown_preset_names_the_known_ones() -> None:
    with pytest.raises(AppError) as info:
        preset_for("tarkov")
    assert "tarkov-database" in info.value.message
    assert preset_for("") is PRESETS[CUSTOM]


def test_preset_survives_the_config_round_trip() -> None:
    profile = applied("tarkov-database").replace(client_id=TARKOV_ID)
    assert Profile.from_dict(profile.to_dict()) == profile
    assert (
        Profile.from_dict({k: v for k, v in profile.to_dict().items() if k != "preset"}).preset
        == ""
    )


def test_the_command_line_help_explains_every_preset() -> None:
    listed = {line.split()[0] for line in ADD_EPILOG.splitlines() if line.startswith("  ")}
    assert set(PRESETS) <= listed


def test_a_profile_shows_its_preset_only_when_the_preset_builds_its_url() -> None:
    assert shown_preset("tarkov-database", TARKOV_TOKEN_URL) == "tarkov-database"
    assert shown_preset("tarkov-database", "https://evil.example/v1/oauth/token") == CUSTOM
    assert shown_preset("auth0", "https://acme.eu.auth0.com/oauth/token") == "auth0"
    assert shown_preset("auth0", "https://acme.eu.auth0.com/steal?x=1") == CUSTOM
    assert shown_preset("no-such-preset", TARKOV_TOKEN_URL) == CUSTOM


def test_the_providers_that_take_keys_explain_their_certificate_route() -> None:
    routes = {key: preset.key_route for key, preset in PRESETS.items()}
    assert "thumbprint" in routes["entra-id"]
    assert "Key ID" in routes["okta"]
    assert routes["tarkov-database"] == ""  # a JSON service: secrets only


def test_choosing_a_preset_keeps_a_chosen_key_method() -> None:
    profile = Profile(name="p", token_url="", client_id="c", client_auth=ClientAuth.TLS)
    entra = apply_preset(PRESETS["entra-id"], profile, {"tenant": "contoso.example"})
    assert entra.client_auth is ClientAuth.TLS
    tarkov = apply_preset(PRESETS["tarkov-database"], profile, {})
    assert tarkov.client_auth is ClientAuth.BODY
