"""The per-user folders: on macOS the ~/Library ones, whatever XDG_* variables a shell exports."""

from __future__ import annotations

import sys
from pathlib import Path

import platformdirs.macos
import pytest

from tray_app.core import folders
from tray_app.core.config import config_dir
from tray_app.core.logsetup import default_log_dir
from tray_app.ipc.protocol import runtime_dir

XDG = ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR", "XDG_DATA_HOME")


@pytest.fixture
def developer_shell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home folder and a shell that exports every XDG_* variable (to folders that exist)."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for name in XDG:
        folder = tmp_path / name.lower()
        folder.mkdir(mode=0o700)
        monkeypatch.setenv(name, str(folder))
    monkeypatch.delenv("TOKEN_TRAY_CONFIG_DIR", raising=False)
    monkeypatch.delenv("TOKEN_TRAY_RUNTIME_DIR", raising=False)
    return home


def test_platformdirs_would_follow_the_shell_on_macos(developer_shell: Path) -> None:
    # Why the folders are spelled out: the library lets XDG_CONFIG_HOME win on macOS.
    chosen = platformdirs.macos.MacOS("token-tray", appauthor=False).user_config_dir
    assert chosen == str(developer_shell.parent / "xdg_config_home" / "token-tray")


def test_macos_folders_ignore_xdg_variables(developer_shell: Path) -> None:
    library = developer_shell / "Library"
    assert folders.user_folder("config", platform="darwin") == str(
        library / "Application Support" / "token-tray"
    )
    assert folders.user_folder("log", platform="darwin") == str(library / "Logs" / "token-tray")
    assert folders.user_folder("runtime", platform="darwin") == str(
        library / "Caches" / "TemporaryItems" / "token-tray"
    )


def test_settings_log_and_socket_agree_on_macos(
    developer_shell: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as mac:
        mac.setattr(sys, "platform", "darwin")
        found = (config_dir(), default_log_dir(), Path(runtime_dir()))
    assert all(folder.is_relative_to(developer_shell / "Library") for folder in found)


def test_linux_still_follows_xdg_config_home(developer_shell: Path) -> None:
    expected = developer_shell.parent / "xdg_config_home" / "token-tray"
    assert folders.user_folder("config", platform="linux") == str(expected)
