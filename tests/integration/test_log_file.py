"""The log file a real ``token-tray agent`` writes: 0600 in a 0700 folder, whatever the umask."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.agent_process import Scene
from tests.support.processes import wait_until
from tests.support.tokenserver import TokenServer
from tray_app.core.logsetup import LOG_NAME


@pytest.fixture
def server() -> Iterator[TokenServer]:
    with TokenServer("standard") as running:
        yield running


@pytest.mark.skipif(
    sys.platform == "win32", reason="Windows has no Unix file modes (the profile folder is private)"
)
def test_the_agent_log_is_private(scene: Scene, server: TokenServer) -> None:
    previous = os.umask(0o022)  # inherited by the agent: files 0644 unless made private
    try:
        scene.agent()
    finally:
        os.umask(previous)
    where = scene.run("-c", "from tray_app.core.logsetup import default_log_dir as d; print(d())")
    folder = Path(where.stdout.strip())  # under the scene's XDG_STATE_HOME (macOS: ~/Library)
    log = wait_until(lambda: (folder / LOG_NAME) if (folder / LOG_NAME).exists() else None)
    assert isinstance(log, Path)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert server.request_count == 1
