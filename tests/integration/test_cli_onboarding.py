"""``profile add --issuer/--preset``, ``profile export`` and ``profile import`` as a user runs
them: subprocesses against the real loopback servers, a private config and the file keyring."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cli import Cli, expect
from tests.support.issuer import OIDC, IssuerServer
from tests.support.tokenserver import (
    SEED_CLIENT_ID,
    SEED_CLIENT_SECRET,
    STANDARD_CLIENT_ID,
    STANDARD_CLIENT_SECRET,
    TokenServer,
)
from tests.support.tokenserver_rules import make_jwt
from tray_app.core.team import export_data


@pytest.fixture(scope="module")
def issuer() -> Iterator[IssuerServer]:
    with IssuerServer("standard", accept_basic=False) as server:
        server.publish("/realms/acme" + OIDC, server.metadata("/realms/acme"))
        yield server


@pytest.fixture
def lead(tmp_path: Path) -> Cli:
    return Cli(tmp_path / "lead")


@pytest.fixture
def teammate(tmp_path: Path) -> Cli:
    return Cli(tmp_path / "teammate")


def test_issuer_discovery_then_a_token(lead: Cli, issuer: IssuerServer) -> None:
    issuer.publish(  # this server takes the secret in the body only: discovery must say so
        "/realms/acme" + OIDC,
        issuer.metadata(
            "/realms/acme", token_endpoint_auth_methods_supported=["client_secret_post"]
        ),
    )
    added = lead.run(
        "profile", "add", "Found", "--issuer", issuer.base_url + "/realms/acme",
        "--client-id", STANDARD_CLIENT_ID, "--secret-stdin", stdin=STANDARD_CLIENT_SECRET + "\n",
    )  # fmt: skip
    expect(added, 0, "Saved profile “Found”")
    listed = json.loads(lead.run("profile", "list", "--json").stdout)[0]
    assert (listed["token_url"], listed["client_auth"]) == (issuer.token_url, "body")
    result = lead.run("token")
    expect(result, 0)
    lead.issued.append(result.stdout.strip())
    assert result.stdout.strip() == issuer.issued_tokens[-1]


def test_keycloak_preset_builds_the_issuer_from_server_and_realm(
    lead: Cli, issuer: IssuerServer
) -> None:
    issuer.publish("/realms/acme" + OIDC, issuer.metadata("/realms/acme"))
    added = lead.run(
        "profile", "add", "KC", "--preset", "keycloak", "--server", issuer.base_url,
        "--realm", "acme", "--client-id", "x", "--secret-stdin", stdin="s\n",
    )  # fmt: skip
    expect(added, 0)
    assert json.loads(lead.run("profile", "list", "--json").stdout)[0]["preset"] == "keycloak"


def test_tarkov_preset_checks_the_secret_right_after_it_is_typed(lead: Cli, teammate: Cli) -> None:
    argv = ("profile", "add", "Tarkov", "--preset", "tarkov-database", "--secret-stdin")
    expect(lead.run(*argv, "--client-id", "my-app", stdin="x\n"), 2, "0b2f1e4c-")
    short = lead.run(*argv, "--client-id", SEED_CLIENT_ID, stdin=SEED_CLIENT_SECRET[:-2] + "\n")
    expect(short, 2, "43 characters; this one has 41")
    assert lead.keyring() == {}
    good = teammate.run(*argv, "--client-id", SEED_CLIENT_ID, stdin=SEED_CLIENT_SECRET + "\n")
    expect(good, 0, "Saved profile “Tarkov”")
    listed = json.loads(teammate.run("profile", "list", "--json").stdout)[0]
    assert listed["token_url"] == "https://identity.tarkov-database.com/v1/oauth/token"
    assert (listed["body_format"], listed["client_auth"]) == ("json", "body")


def test_export_then_import_round_trip_without_the_secret(
    lead: Cli, teammate: Cli, tmp_path: Path
) -> None:
    with TokenServer("seed") as seed:
        lead.save(seed.profile(name="Tarkov", api_url=seed.api_url), SEED_CLIENT_SECRET)
        exported = lead.run("profile", "export", "tarkov")
        expect(exported, 0)
        assert SEED_CLIENT_SECRET not in exported.stdout
        data = json.loads(exported.stdout)
        assert data["version"] == 1
        assert data["profile"]["token_url"] == seed.token_url
        shared = tmp_path / "tarkov.json"
        expect(lead.run("profile", "export", "Tarkov", "--output", str(shared)), 0, "Exported")
        assert json.loads(shared.read_text()) == data

        imported = teammate.run(
            "profile", "import", str(shared), "--secret-stdin", stdin=SEED_CLIENT_SECRET + "\n"
        )
        expect(imported, 0, "Imported profile “Tarkov” (the default).")
        assert "Its tokens come from 127.0.0.1: the client secret" in imported.stderr
        assert list(teammate.keyring().values()) == [SEED_CLIENT_SECRET]
        mine = json.loads(teammate.run("profile", "list", "--json").stdout)[0]
        theirs = json.loads(lead.run("profile", "list", "--json").stdout)[0]
        assert mine["id"] != theirs["id"]
        assert {k: v for k, v in mine.items() if k != "id"} == {
            k: v for k, v in theirs.items() if k != "id"
        }
        token = teammate.run("token", "--format", "header")
        expect(token, 0)
        teammate.issued.append(seed.issued_tokens[-1])
        assert token.stdout == f"Authorization: Bearer {seed.issued_tokens[-1]}\n"

        clash = teammate.run("profile", "import", str(shared), "--secret-stdin", stdin="s\n")
        expect(clash, 2, "Name already used", "Tarkov (2)", "--name")
        renamed = teammate.run(
            "profile", "import", str(shared), "--name", "Tarkov test", "--secret-stdin",
            stdin=SEED_CLIENT_SECRET + "\n",
        )  # fmt: skip
        expect(renamed, 0, "Imported profile “Tarkov test”.")


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"version": 2}, "version 2"),
        ({"profile": {"token_url": "http://auth.example.com/token"}}, "https://"),
        ({"profile": {"client_secret": "leaked"}}, "client_secret"),
        (
            {"profile": {"preset": "tarkov-database", "client_id": SEED_CLIENT_ID}},
            "auth.example.com",
        ),
        ({"profile": {"name": "Team\u202eipa"}}, "name"),
    ],
)
def test_import_refusals_save_nothing(
    teammate: Cli, tmp_path: Path, change: dict[str, object], says: str
) -> None:
    with TokenServer("standard") as standard:
        data = export_data(standard.profile(name="Team", token_url="https://auth.example.com/t"))
    profile_change = change.pop("profile", {})
    assert isinstance(profile_change, dict)
    data.update(change)
    data["profile"].update(profile_change)
    path = tmp_path / "team.json"
    path.write_text(json.dumps(data))
    result = teammate.run("profile", "import", str(path), "--secret-stdin", stdin="s\n")
    expect(result, 2, "Profile file cannot be imported", says)
    assert "leaked" not in result.stderr
    assert not (teammate.config_dir / "config.json").exists()
    assert teammate.keyring() == {}


def test_export_of_an_unknown_profile_exits_2(lead: Cli) -> None:
    expect(lead.run("profile", "export", "nope"), 2, "No profile yet")


def test_token_json_carries_the_claims_of_a_jwt(lead: Cli) -> None:
    claims = {"iss": "https://idp.example", "aud": "api", "scope": "read"}
    with TokenServer("standard", token_factory=lambda: make_jwt(claims)) as server:
        lead.save(server.profile(name="Jwt"), server.client_secret)
        result = lead.run("token", "--format", "json")
        lead.issued.append(server.issued_tokens[-1])
    expect(result, 0)
    data = json.loads(result.stdout)
    assert data["claims"] == claims
    assert data["access_token"] == server.issued_tokens[-1]
