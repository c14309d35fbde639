"""Fixtures shared by the integration tests (the token servers come from the root plugin)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.agent_process import Scene
from tests.support.tokenserver import TokenServer
from tray_app.core.oauth import TokenClient


@pytest.fixture
def client() -> Iterator[TokenClient]:
    """A real TokenClient, closed after the test."""
    token_client = TokenClient()
    yield token_client
    token_client.close()


@pytest.fixture
def scene(tmp_path: Path, server: TokenServer) -> Iterator[Scene]:
    """A private world with one profile "Work" on the module's ``server``; no agent yet."""
    setup = Scene(tmp_path)
    setup.save(server.profile(name="Work"), server.client_secret)
    yield setup
    setup.close()
