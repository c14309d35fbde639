"""``token --min-valid`` against servers that issue short-lived tokens (60 s and 20 s).

Real processes: ``python -m tray_app token`` in subprocesses, with and without a running
``token-tray agent``, against the loopback token server, which counts every token it issues.
Without ``--min-valid`` the newest token the server gives is never refused; an explicit
``--min-valid`` beyond the server's lifetime is a usage error (exit 2) naming that lifetime, and
the agent refuses it again without asking the server.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator

import pytest

from tests.support.agent_process import Scene
from tests.support.tokenserver import TokenServer

CALLS = 5


@pytest.fixture(params=[60, 20], ids=["60s-tokens", "20s-tokens"])
def server(request: pytest.FixtureRequest) -> Iterator[TokenServer]:
    with TokenServer("standard", expires_in=request.param) as running:
        yield running


def printed_valid_token(result: subprocess.CompletedProcess[str], server: TokenServer) -> str:
    """The token ``result`` printed, checked against the server: issued by it, still valid."""
    assert (result.returncode, result.stderr) == (0, "")
    token = result.stdout.strip()
    expires_at = server.expires_at(token)
    assert expires_at is not None, "not a token this server issued"
    assert expires_at > time.time()
    return token


def lifetime(server: TokenServer) -> int:
    assert isinstance(server.expires_in, int)
    return server.expires_in


def assert_only_the_agent_fetched(server: TokenServer, started: float) -> None:
    """Only the agent's own schedule asked the server: its first token, then one per
    (lifetime - margin) = 30 s (60 s tokens) or 10 s (20 s tokens); the calls added none."""
    period = lifetime(server) / 2
    assert server.request_count <= 1 + int((time.time() - started) // period) + 1


def test_plain_token_without_a_tray_takes_the_fresh_token(
    scene: Scene, server: TokenServer
) -> None:
    for call in range(1, CALLS + 1):
        token = printed_valid_token(scene.run("token"), server)
        assert token == server.issued_tokens[-1]
        assert server.request_count == call  # nothing kept: one token per call, no retries


def test_plain_token_through_the_agent_takes_the_held_token(
    scene: Scene, server: TokenServer
) -> None:
    scene.agent()
    started = time.time()
    for _ in range(CALLS):
        assert printed_valid_token(scene.run("token"), server) in server.issued_tokens
    assert_only_the_agent_fetched(server, started)


def test_min_valid_beyond_the_lifetime_without_a_tray_names_it(
    scene: Scene, server: TokenServer
) -> None:
    asked = lifetime(server) + 30
    result = scene.run("token", "--min-valid", str(asked))
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith("token-tray: Token too short-lived\n")
    assert f"valid for {lifetime(server)} seconds" in result.stderr
    assert f"the {asked} seconds asked for with --min-valid" in result.stderr
    assert server.request_count == 1  # one try, no retries: waiting cannot help


def test_the_agent_refuses_an_unreachable_min_valid_without_asking_again(
    scene: Scene, server: TokenServer
) -> None:
    scene.agent()
    started = time.time()
    for _ in range(CALLS):
        result = scene.run("token", "--min-valid", str(lifetime(server) + 30))
        assert (result.returncode, result.stdout) == (2, "")
        assert f"valid for {lifetime(server)} seconds" in result.stderr
    assert_only_the_agent_fetched(server, started)
    assert printed_valid_token(scene.run("token"), server)  # the plain call still works
