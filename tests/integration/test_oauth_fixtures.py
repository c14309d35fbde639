"""The shared pytest fixtures of the loopback token server start working servers."""

from __future__ import annotations

from tests.support.tokenserver import TokenServer
from tray_app.core.oauth import TokenClient


def test_both_fixtures_serve_tokens(seed_server: TokenServer, standard_server: TokenServer) -> None:
    client = TokenClient()
    try:
        seed = client.fetch(seed_server.profile(), seed_server.client_secret)
        standard = client.fetch(standard_server.profile(), standard_server.client_secret)
    finally:
        client.close()

    assert (seed_server.mode, seed.lifetime) == ("seed", 1800.0)
    assert (standard_server.mode, standard.lifetime) == ("standard", 3600.0)
