"""``token-tray autostart on|off|status`` and ``token-tray install-desktop`` in subprocesses, with
XDG_CONFIG_HOME and XDG_DATA_HOME in a temporary folder."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from tests.support.processes import run_app
from tray_app.core.desktop_entry import exec_of

SCRIPT = str(Path(sys.executable).parent / "token-tray")


def env_for(tmp_path: Path) -> dict[str, str]:
    return dict(
        os.environ,
        XDG_CONFIG_HOME=str(tmp_path / "config-home"),
        XDG_DATA_HOME=str(tmp_path / "data-home"),
    )


def test_autostart_on_status_off(tmp_path: Path) -> None:
    env = env_for(tmp_path)
    entry = tmp_path / "config-home" / "autostart" / "token-tray.desktop"
    status = run_app(("autostart", "status"), env)
    assert (status.returncode, status.stdout) == (0, "off\n")

    on = run_app(("autostart", "on"), env)
    assert on.returncode == 0, on.stderr
    assert f"Token Tray now starts when you log in ({entry})." in on.stderr
    assert exec_of(entry.read_text()) == [SCRIPT]
    status = run_app(("autostart", "status"), env)
    assert (status.returncode, status.stdout) == (0, f"on: {SCRIPT}\n")

    off = run_app(("autostart", "off"), env)
    assert off.returncode == 0
    assert "no longer starts" in off.stderr
    assert not entry.exists()


def test_status_says_when_the_program_at_login_is_gone(tmp_path: Path) -> None:
    env = env_for(tmp_path)
    entry = tmp_path / "config-home" / "autostart" / "token-tray.desktop"
    assert run_app(("autostart", "on"), env).returncode == 0
    entry.write_text(entry.read_text().replace(SCRIPT, "/gone/token-tray"))
    status = run_app(("autostart", "status"), env)
    assert status.stdout.startswith("on: /gone/token-tray — but /gone/token-tray no longer")
    assert "token-tray autostart on" in status.stdout


def test_autostart_failure_exits_2_with_a_plain_message(tmp_path: Path) -> None:
    env = env_for(tmp_path)
    (tmp_path / "config-home").mkdir()
    (tmp_path / "config-home" / "autostart").write_text("not a folder")
    result = run_app(("autostart", "on"), env)
    assert result.returncode == 2
    assert result.stderr.startswith("token-tray: Start at login could not be changed\n")
    assert "Traceback" not in result.stderr


def test_install_desktop_and_remove(tmp_path: Path) -> None:
    env = env_for(tmp_path)
    entry = tmp_path / "data-home" / "applications" / "token-tray.desktop"
    icon = tmp_path / "data-home" / "icons" / "hicolor" / "scalable" / "apps" / "token-tray.svg"
    result = run_app(("install-desktop",), env)
    assert result.returncode == 0, result.stderr
    assert "now in your application menu" in result.stderr
    assert exec_of(entry.read_text()) == [SCRIPT]
    assert icon.is_file()
    removed = run_app(("install-desktop", "--remove"), env)
    assert removed.returncode == 0
    assert not entry.exists()
    assert not icon.exists()
