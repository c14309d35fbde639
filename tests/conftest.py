"""Root test configuration.

* Qt runs offscreen unless a test sets up a real display itself.
* Every test gets its own empty config folder through ``TOKEN_TRAY_CONFIG_DIR``, so no test
  can read or write the developer's real configuration.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

pytest_plugins = ["tests.support.fixtures_tokenserver", "tests.support.keyring_session"]


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
