"""Team profile files: export → import round trip without the secret, and every refusal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tray_app.core.errors import AppError, ErrorKind
from tray_app.core.profile import BodyFormat, ClientAuth, Profile
from tray_app.core.team import (
    FORMAT,
    MAX_FILE_BYTES,
    destination,
    export_data,
    export_text,
    free_name,
    name_clash,
    parse_profile,
    read_profile_file,
    suggested_file_name,
    write_profile_file,
)

TARKOV_ID = "0b2f1e4c-6a51-4f0e-9d3a-6c1f2b7e8a90"


def lead_profile(**changes: Any) -> Profile:
    values: dict[str, Any] = {
        "name": "Tarkov API",
        "token_url": "https://identity.tarkov-database.com/v1/oauth/token",
        "client_id": TARKOV_ID,
        "body_format": BodyFormat.JSON,
        "client_auth": ClientAuth.BODY,
        "scope": "read",
        "extra_params": (("tenant", "acme"),),
        "refresh_margin": 120,
        "timeout": 20.0,
        "ca_bundle": "/home/lead/company-ca.pem",
        "api_url": "https://api.tarkov-database.com/v2/item",
        "preset": "tarkov-database",
    }
    values.update(changes)
    return Profile(**values)


def refused(text: str) -> AppError:
    with pytest.raises(AppError) as info:
        parse_profile(text)
    assert info.value.kind is ErrorKind.USAGE
    return info.value


def document(**profile_changes: Any) -> dict[str, Any]:
    data = export_data(lead_profile())
    data["profile"].update(profile_changes)
    return data


def test_round_trip_keeps_everything_but_id_and_local_paths() -> None:
    original = lead_profile()
    imported = parse_profile(export_text(original))
    assert imported.id != original.id
    assert imported.ca_bundle == ""
    assert imported == original.replace(id=imported.id, ca_bundle="")


def test_the_file_has_no_secret_no_id_and_a_version() -> None:
    data = json.loads(export_text(lead_profile()))
    assert (data["format"], data["version"]) == (FORMAT, 1)
    assert "id" not in data["profile"]
    assert "ca_bundle" not in data["profile"]
    assert not any("secret" in key or key == "token" for key in data["profile"])


def test_files_round_trip_on_disk(tmp_path: Path) -> None:
    path = write_profile_file(lead_profile(), tmp_path / suggested_file_name(lead_profile()))
    assert path.name == "Tarkov API.json"
    assert read_profile_file(path).client_id == TARKOV_ID


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("{not json", "not JSON"),
        ("[]", "not a Token Tray profile"),
        (json.dumps({"format": "other", "version": 1, "profile": {}}), "not a Token Tray profile"),
        (json.dumps({**document(), "version": 2}), "version 2"),
        (json.dumps({**document(), "version": "1"}), 'version "1"'),
        (json.dumps({"format": FORMAT, "version": 1}), "no profile"),
        (json.dumps(document(client_secret="hunter2")), "client_secret"),
        (json.dumps(document(access_token="abc")), "access_token"),
        (json.dumps(document(token_url="http://auth.example.com/token")), "https://"),
        (json.dumps(document(api_url="http://api.example.com/")), "API URL"),
        (json.dumps(document(client_id="not-a-uuid")), "0b2f1e4c-"),
        (json.dumps(document(name="")), "name"),
        (json.dumps(document(body_format="xml")), "invalid field"),
        (json.dumps(document(preset=7)), "invalid field"),
        (json.dumps(document(extra_params=[["client_secret", "x"]])), "client_secret"),
    ],
)
def test_refusals_say_why(text: str, says: str) -> None:
    error = refused(text)
    assert error.title == "Profile file cannot be imported"
    assert says in error.message
    assert "hunter2" not in error.message


@pytest.mark.parametrize(
    "url",
    [
        "https://attacker.example/v1/oauth/token",
        "https://identity.tarkov-database.com.evil.example/v1/oauth/token",
        "https://identity.tarkov-database.com/v1/oauth/token/../../steal",
        "http://127.0.0.1:8080/v1/oauth/token",
    ],
)
def test_a_preset_that_fixes_the_url_refuses_another_one(url: str) -> None:
    error = refused(json.dumps(document(token_url=url)))
    assert "sends the secret to" in error.message
    assert "identity.tarkov-database.com)" in error.message


@pytest.mark.parametrize("mark", ["\u202e", "\u2066", "\u200f", "\u061c"])
def test_a_name_with_bidi_controls_is_refused(mark: str) -> None:
    error = refused(json.dumps(document(name=f"Tarkov{mark}IPA")))
    assert "name" in error.message


def test_the_destination_names_the_token_host() -> None:
    profile = lead_profile(token_url="https://auth.example.com:8443/oauth/token")
    assert destination(profile).startswith("Its tokens come from auth.example.com:")


def test_loopback_http_is_allowed_like_everywhere_else() -> None:
    text = json.dumps(document(token_url="http://127.0.0.1:8080/token", preset=""))
    assert parse_profile(text).token_url == "http://127.0.0.1:8080/token"


def test_a_future_field_is_ignored() -> None:
    assert parse_profile(json.dumps(document(colour="blue"))).name == "Tarkov API"


def test_a_huge_or_binary_file_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (MAX_FILE_BYTES + 1))
    with pytest.raises(AppError, match="too big"):
        read_profile_file(big)
    binary = tmp_path / "bin.json"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(AppError, match="not text"):
        read_profile_file(binary)
    with pytest.raises(AppError, match="cannot be read"):
        read_profile_file(tmp_path / "missing.json")


def test_name_clashes_offer_a_free_name() -> None:
    taken = {"tarkov api", "tarkov api (2)"}
    assert free_name("Tarkov API", taken) == "Tarkov API (3)"
    assert free_name("New", taken) == "New"
    error = name_clash("TARKOV api", taken, " Use --name.")
    assert error is not None
    assert "“Tarkov API (3)”" not in error.message
    assert "TARKOV api (3)" in error.message
    assert error.message.endswith("Use --name.")
    assert name_clash("Other", taken) is None


def test_suggested_file_names_are_safe() -> None:
    assert suggested_file_name(lead_profile(name="a/b: c")) == "a_b_ c.json"
    assert suggested_file_name(lead_profile(name="..")) == "profile.json"


def test_copy_names_stay_unique() -> None:
    assert free_name("Acme", {"acme"}, copy=True) == "Acme (copy)"
    assert free_name("Acme", {"acme", "acme (copy)"}, copy=True) == "Acme (copy 2)"
    assert len(free_name("x" * 64, set(), copy=True)) == 64
