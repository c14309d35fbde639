"""A failure that needs the user is answered from the held error: repeated ``token`` calls do
not cost the token server a request each (some providers lock a client out after a few), until
something changes or the user asks explicitly (``new``, the protocol side of ``token --new``).

Real agent subprocess, real loopback token server with a wrong secret.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.agent_process import Scene
from tests.support.processes import wait_until
from tests.support.tokenserver import TokenServer
from tray_app.core.errors import AppError
from tray_app.ipc import client as ipc_client

CALLS = 20


@pytest.fixture
def server() -> Iterator[TokenServer]:
    with TokenServer("standard") as running:
        yield running


@pytest.fixture
def scene(tmp_path: Path, server: TokenServer) -> Iterator[Scene]:
    setup = Scene(tmp_path)
    yield setup
    setup.close()


def ask(scene: Scene, *, new: bool = False) -> AppError:
    explicit = {"new": True} if new else {}
    with pytest.raises(AppError) as info:
        ipc_client.request_token("Work", 60, name=scene.socket, **explicit)
    return info.value


def test_repeated_calls_are_answered_from_the_held_failure(
    scene: Scene, server: TokenServer
) -> None:
    scene.save(server.profile(name="Work"), "not-the-secret")
    process = scene.agent()
    (work,) = scene.wait_serving(process)
    assert (work["state"], work["error"]) == ("failed", "Wrong client ID or secret")
    assert server.request_count == 1

    titles = {ask(scene).title for _ in range(CALLS)}
    result = scene.run("token")
    assert (result.returncode, result.stdout) == (3, "")
    assert result.stderr.startswith("token-tray: Wrong client ID or secret\n")
    assert titles == {"Wrong client ID or secret"}
    assert server.request_count == 1  # nothing was asked again

    assert ask(scene, new=True).title == "Wrong client ID or secret"
    assert server.request_count == 2  # asked explicitly: one new request

    result = scene.run(
        "profile", "set-secret", "Work", "--secret-stdin", input_text=server.client_secret
    )
    assert result.returncode == 0, result.stderr
    wait_until(
        lambda: scene.wait_serving(process)[0]["state"] == "valid" or None,
        what="the agent to use the new secret",
    )
    token = ipc_client.request_token("Work", 60, name=scene.socket).token.access_token
    assert token in server.issued_tokens
    assert server.request_count == 3


def test_new_fetches_even_while_the_held_token_is_valid(scene: Scene, server: TokenServer) -> None:
    scene.save(server.profile(name="Work"), server.client_secret)
    scene.agent()
    first = ipc_client.request_token("Work", 60, name=scene.socket).token.access_token
    again = ipc_client.request_token("Work", 60, name=scene.socket).token.access_token
    fresh = ipc_client.request_token("Work", 60, new=True, name=scene.socket).token.access_token
    assert first == again != fresh
    assert fresh == server.issued_tokens[-1]
    assert server.request_count == 2
