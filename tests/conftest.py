"""Root test configuration.

* Qt runs offscreen unless a test sets up a real display itself.
* Every test gets its own empty config folder through ``TOKEN_TRAY_CONFIG_DIR``, so no test
  can read or write the developer's real configuration, and its own runtime folder through
  ``TOKEN_TRAY_RUNTIME_DIR`` (short, under /tmp: socket paths are limited to ~100 bytes), so no
  test talks to a running Token Tray or leaves a socket where a real one would look.
* A test fails when Token Tray logs a warning it does not expect (:mod:`tests.support.logfail`).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

pytest_plugins = [
    "pytester",
    "tests.support.fixtures_tokenserver",
    "tests.support.keyring_session",
    "tests.support.logfail",
    "tests.support.oidc_provider",
]


@pytest.fixture(autouse=True)
def isolated_config_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A private, empty config folder for each test."""
    folder = tmp_path_factory.mktemp("config")
    previous = os.environ.get("TOKEN_TRAY_CONFIG_DIR")
    os.environ["TOKEN_TRAY_CONFIG_DIR"] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop("TOKEN_TRAY_CONFIG_DIR", None)
    else:
        os.environ["TOKEN_TRAY_CONFIG_DIR"] = previous


@pytest.fixture(autouse=True)
def isolated_runtime_dir() -> Iterator[Path]:
    """A private (0700), short runtime folder for each test: sockets and locks live there."""
    folder = Path(tempfile.mkdtemp(prefix="tt-run-"))
    previous = os.environ.get("TOKEN_TRAY_RUNTIME_DIR")
    os.environ["TOKEN_TRAY_RUNTIME_DIR"] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop("TOKEN_TRAY_RUNTIME_DIR", None)
    else:
        os.environ["TOKEN_TRAY_RUNTIME_DIR"] = previous
    shutil.rmtree(folder, ignore_errors=True)
