"""Fields of the wrong type or range in config.json or a team file: a plain error (exit 2),
never an internal error (exit 1) — through ``token-tray token`` and ``profile import``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cli import Cli, expect
from tests.support.tokenserver import TokenServer
from tray_app.core.team import export_data

WRONG = [
    ("timeout", "15", "Invalid timeout", "wrong type"),
    ("timeout", 1e9, "Invalid timeout", "between 1 and 300"),
    ("timeout", 10**400, "Invalid timeout", "wrong type"),
    ("scope", 7, "Invalid scope", "wrong type"),
    ("ca_bundle", 5, "Invalid ca bundle", "wrong type"),
    ("audience", ["a", "b"], "Invalid audience", "wrong type"),
]


def case_id(case: tuple[str, object, str, str]) -> str:
    return f"{case[0]}={case[1]!r}"[:40]


@pytest.fixture(scope="module")
def server() -> Iterator[TokenServer]:
    with TokenServer("standard") as running:
        yield running


@pytest.mark.parametrize("case", WRONG, ids=case_id)
def test_token_with_a_wrong_field_in_config_exits_2_plainly(
    tmp_path: Path, server: TokenServer, case: tuple[str, object, str, str]
) -> None:
    field, value, title, says = case
    cli = Cli(tmp_path)
    cli.save(server.profile(name="Work"), server.client_secret)
    path = cli.config_dir / "config.json"
    data = json.loads(path.read_text())
    data["profiles"][0][field] = value
    path.write_text(json.dumps(data))
    before = server.request_count
    result = cli.run("token")
    expect(result, 2, f"token-tray: {title}\n", says, "Fix it")
    assert result.stdout == ""
    assert server.request_count == before
    listed = cli.run("profile", "list")
    expect(listed, 0)
    assert "Work" in listed.stdout


# A team file leaves the CA bundle out (a path on the lead's computer): it is not read at all.
@pytest.mark.parametrize(
    "case",
    [c for c in WRONG if c[0] != "ca_bundle"],
    ids=lambda case: f"{case[0]}={case[1]!r}"[:40],
)
def test_import_of_a_wrong_field_exits_2_plainly(
    tmp_path: Path, server: TokenServer, case: tuple[str, object, str, str]
) -> None:
    field, value = case[:2]
    cli = Cli(tmp_path)
    data = export_data(server.profile(name="Team"))
    data["profile"][field] = value
    path = tmp_path / "team.json"
    path.write_text(json.dumps(data))
    result = cli.run("profile", "import", str(path), "--secret-stdin", stdin="s\n")
    expect(result, 2, "Profile file cannot be imported")
    assert not (cli.config_dir / "config.json").exists()
