"""pytest fixtures for the loopback token server (:mod:`tests.support.tokenserver`).

Load them from the root conftest with ``pytest_plugins = ["tests.support.fixtures_tokenserver"]``
(kept out of ``tokenserver.py`` so that ``python -m tests.support.tokenserver`` needs no pytest).
Each fixture yields a started server and stops it afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.tokenserver import TokenServer


@pytest.fixture
def seed_server() -> Iterator[TokenServer]:
    """A server that behaves like the Tarkov Database identity service (JSON body only)."""
    with TokenServer("seed") as server:
        yield server


@pytest.fixture
def standard_server() -> Iterator[TokenServer]:
    """A standard RFC 6749 server (form body, Basic or body client authentication)."""
    with TokenServer("standard") as server:
        yield server
