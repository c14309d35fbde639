"""Keep-alive: refreshes reuse one TCP connection per token endpoint (real loopback servers).

The loopback server counts the TCP connections it accepts; ``requests`` over a fresh
connection each time would show one connection per request.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

import pytest

from tests.support.processes import wait_until
from tests.support.tokenserver import Scripted, TokenServer
from tray_app.core.errors import AppError
from tray_app.core.oauth import TokenClient
from tray_app.core.profile import Profile


@pytest.fixture
def standard_server() -> Iterator[TokenServer]:
    with TokenServer("standard", keep_alive=True) as server:
        yield server


@pytest.fixture
def seed_server() -> Iterator[TokenServer]:
    with TokenServer("seed", keep_alive=True) as server:
        yield server


def test_refreshes_reuse_one_connection_per_endpoint(standard_server: TokenServer) -> None:
    client = TokenClient()
    profile = standard_server.profile()
    try:
        for _ in range(4):
            client.fetch(profile, standard_server.client_secret)
    finally:
        client.close()
    assert standard_server.request_count == 4
    assert standard_server.connections == 1


def test_each_endpoint_keeps_its_own_connection(
    standard_server: TokenServer, seed_server: TokenServer
) -> None:
    client = TokenClient()
    try:
        for _ in range(3):
            client.fetch(standard_server.profile(), standard_server.client_secret)
            client.fetch(seed_server.profile(), seed_server.client_secret)
    finally:
        client.close()
    assert (standard_server.request_count, seed_server.request_count) == (3, 3)
    assert (standard_server.connections, seed_server.connections) == (1, 1)


def test_closing_the_client_closes_its_connections(standard_server: TokenServer) -> None:
    client = TokenClient()
    profile = standard_server.profile()
    client.fetch(profile, standard_server.client_secret)
    client.close()  # what quitting Token Tray does
    client.fetch(profile, standard_server.client_secret)
    client.close()
    assert standard_server.connections == 2


def test_a_client_closed_for_good_keeps_no_connection(standard_server: TokenServer) -> None:
    """Quitting closes the client for good: a fetch still under way then (or started later, as
    one already on the pool may be) must not leave a connection open behind it."""
    standard_server.script(Scripted.json(503, {"error": "server_error"}, delay=0.3))
    client = TokenClient()
    profile = standard_server.profile()
    running = threading.Thread(target=fetch_quietly, args=(client, profile, standard_server))
    running.start()
    wait_until(lambda: standard_server.request_count == 1, timeout=5, what="the request")
    client.close(final=True)  # what quitting Token Tray does while that fetch runs
    running.join(timeout=5)
    client.fetch(profile, standard_server.client_secret)
    assert standard_server.connections == 2
    wait_until(lambda: standard_server.open_connections == 0, timeout=5, what="no open connection")


def fetch_quietly(client: TokenClient, profile: Profile, server: TokenServer) -> None:
    with contextlib.suppress(AppError):
        client.fetch(profile, server.client_secret)


def test_a_slow_server_delays_every_answer() -> None:
    with TokenServer("standard", delay=0.2, keep_alive=True) as server:
        client = TokenClient()
        try:
            token = client.fetch(server.profile(), server.client_secret)
        finally:
            client.close()
    assert server.expires_at(token.access_token) is not None
    assert server.token_requests[0].path == server.token_path
