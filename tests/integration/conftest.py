"""Fixtures shared by the integration tests (the token servers come from the root plugin)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tray_app.core.oauth import TokenClient


@pytest.fixture
def client() -> Iterator[TokenClient]:
    """A real TokenClient, closed after the test."""
    token_client = TokenClient()
    yield token_client
    token_client.close()
