"""``token-tray profile edit``: subprocesses against the loopback token server and a real agent.

The edited profile is checked where it matters: the token server sees the changed request and
accepts the secret saved before the edit (so the secret kept its place in the keyring), and a
running agent fetches with the change without being restarted.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.agent_process import Scene
from tests.support.processes import wait_until
from tests.support.tokenserver import TokenServer


@pytest.fixture
def server() -> Iterator[TokenServer]:
    with TokenServer("standard") as running:
        yield running


def profiles(scene: Scene) -> list[dict[str, Any]]:
    listed = scene.run("profile", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    data: list[dict[str, Any]] = json.loads(listed.stdout)
    return data


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout.strip()


def test_edit_renames_changes_the_request_and_keeps_the_secret(
    scene: Scene, server: TokenServer
) -> None:
    (before,) = profiles(scene)
    edited = scene.run(
        "profile", "edit", "Work", "--name", "Job", "--scope", "read write", "--param", "t=acme"
    )
    assert ok(edited) == ""
    assert "Saved profile “Job”" in edited.stderr
    (after,) = profiles(scene)
    assert (after["id"], after["name"], after["scope"]) == (before["id"], "Job", "read write")
    assert after["extra_params"] == [["t", "acme"]]
    assert after["token_url"] == before["token_url"]
    assert ok(scene.run("token", "--profile", "Job")) == server.issued_tokens[-1]
    form = server.token_requests[-1].form()
    assert (form["scope"], form["t"]) == (["read write"], ["acme"])
    assert server.token_requests[-1].basic_credentials() == (
        server.client_id,
        server.client_secret,
    )
    assert ok(scene.run("profile", "edit", "Job", "--param", "t=")) == ""
    assert profiles(scene)[0]["extra_params"] == []


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--token-url", "http://auth.example.com/token"], "https://"),
        (["--token-url", "not a url"], "Token URL"),
        (["--param", "no-equals"], "KEY=VALUE"),
        (["--preset", "tarkov-database"], "Invalid Client ID"),
        (["--timeout", "0"], "Timeout"),
    ],
)
def test_edit_checks_like_add_and_changes_nothing_on_error(
    scene: Scene, argv: list[str], says: str
) -> None:
    before = profiles(scene)
    result = scene.run("profile", "edit", "Work", *argv)
    assert (result.returncode, result.stdout) == (2, "")
    assert says in result.stderr
    assert "Traceback" not in result.stderr
    assert profiles(scene) == before


def test_edit_refuses_a_name_in_use_and_an_unknown_profile(
    scene: Scene, server: TokenServer
) -> None:
    scene.save(server.profile(name="Other"), server.client_secret)
    taken = scene.run("profile", "edit", "Work", "--name", "other")
    assert taken.returncode == 2
    assert "Name already used" in taken.stderr
    unknown = scene.run("profile", "edit", "Nope", "--scope", "x")
    assert unknown.returncode == 2
    assert "Unknown profile" in unknown.stderr
    assert [p["name"] for p in profiles(scene)] == ["Work", "Other"]


def test_a_running_agent_uses_the_edit_at_once(scene: Scene, server: TokenServer) -> None:
    scene.agent()
    assert server.request_count == 1
    ok(scene.run("profile", "edit", "Work", "--scope", "read"))

    def refetched() -> bool:
        return server.request_count == 2 and server.token_requests[-1].form()["scope"] == ["read"]

    wait_until(refetched, what="the agent to fetch with the new scope")
    assert ok(scene.run("token")) == server.issued_tokens[-1]
    assert server.request_count == 2  # the agent's new token, handed out without a request


def test_hints_name_the_command_and_flag_not_settings(scene: Scene, server: TokenServer) -> None:
    scene.save(server.profile(name="Wrong"), "not-the-secret")
    result = scene.run("token", "--profile", "Wrong")
    assert result.returncode == 3
    assert "`token-tray profile set-secret Wrong`" in result.stderr
    assert "`token-tray profile edit Wrong --client-id ID`" in result.stderr
    assert "Settings" not in result.stderr
    assert "remove it and add it again" not in result.stderr


def test_no_profile_yet_has_no_footer(tmp_path_factory: pytest.TempPathFactory) -> None:
    empty = Scene(tmp_path_factory.mktemp("empty"))
    try:
        result = empty.run("token")
    finally:
        empty.close()
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert lines[0] == "token-tray: No profile yet"
    assert len(lines) == 2  # the advice itself, nothing below it
    assert "profile add" in lines[1]
