"""Without ``XDG_RUNTIME_DIR`` (cron, ``su``, some SSH sessions) the socket lives in the shared
temporary folder, where another user can plant our folder's name first. ``token`` must still
work (a direct fetch needs no folder) and the agent must find a private place of its own.

Real subprocesses, real loopback token server; TMPDIR points at a test folder that plays /tmp.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.agent_process import Scene
from tests.support.tokenserver import TokenServer


class SharedTempScene(Scene):
    """A scene whose runtime folder is chosen the production way: no override, no XDG."""

    def __init__(self, root: Path, temp: Path) -> None:
        super().__init__(root)
        self.temp = temp

    def env(self, **extra: str) -> dict[str, str]:
        env = super().env(**extra)
        env.pop("TOKEN_TRAY_RUNTIME_DIR")
        env.pop("XDG_RUNTIME_DIR", None)
        env["TMPDIR"] = str(self.temp)
        return env

    @property
    def socket(self) -> str:
        return str(self.folder(1) / "token-tray.sock")

    def folder(self, number: int) -> Path:
        suffix = f"-{number}" if number else ""
        return self.temp / f"token-tray-{os.getuid()}{suffix}"


@pytest.fixture
def server() -> Iterator[TokenServer]:
    with TokenServer("standard") as running:
        yield running


@pytest.fixture
def scene(tmp_path: Path, server: TokenServer) -> Iterator[SharedTempScene]:
    temp = tmp_path / "tmp"
    temp.mkdir()
    temp.chmod(0o1777)
    setup = SharedTempScene(tmp_path, temp)
    setup.save(server.profile(name="Work"), server.client_secret)
    planted = temp / "planted-by-someone-else"
    planted.mkdir()
    setup.folder(0).symlink_to(planted)  # another user got there first
    yield setup
    setup.close()


def test_token_fetches_directly_past_a_planted_folder(
    scene: SharedTempScene, server: TokenServer
) -> None:
    result = scene.run("token")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == server.issued_tokens[-1]
    assert list((scene.temp / "planted-by-someone-else").iterdir()) == []


def test_the_agent_makes_its_own_private_folder_and_serves(
    scene: SharedTempScene, server: TokenServer
) -> None:
    scene.agent()
    folder = scene.folder(1)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert list((scene.temp / "planted-by-someone-else").iterdir()) == []
    result = scene.run("token")
    assert (result.returncode, result.stdout.strip()) == (0, server.issued_tokens[-1])
    assert server.request_count == 1  # served by the agent, no second fetch


def test_a_folder_others_can_enter_makes_token_fetch_directly_and_say_why(
    scene: SharedTempScene, server: TokenServer
) -> None:
    loose = scene.folder(1)
    loose.mkdir()
    loose.chmod(0o755)
    result = scene.run("token")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == server.issued_tokens[-1]
    assert "Unsafe runtime folder — fetching the token directly." in result.stderr
    assert str(loose) in result.stderr
