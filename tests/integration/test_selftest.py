"""``token-tray --self-test`` in a subprocess: a working installation passes, a broken one
(an icon missing, as when a bundle forgets data files) fails with a clear line; the user's
settings are only read."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.keyring_session import gnome_keyring
from tests.support.processes import REPO_ROOT, run_app


def env_for(config_dir: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ, TOKEN_TRAY_CONFIG_DIR=str(config_dir), QT_QPA_PLATFORM="xcb")
    env.pop("DISPLAY", None)  # offscreen must be chosen by the self-test itself
    env.update(extra)
    return env


@pytest.mark.keyring
def test_self_test_passes_offscreen_and_names_the_password_storage(tmp_path: Path) -> None:
    config = tmp_path / "config"
    with gnome_keyring(tmp_path / "keyring") as session:
        env = dict(session, TOKEN_TRAY_CONFIG_DIR=str(config), QT_QPA_PLATFORM="xcb")
        env.pop("DISPLAY", None)
        result = run_app(("--self-test",), env)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert out.startswith("Token Tray ")
    assert "self-test" in out.splitlines()[0]
    assert "Python package" in out.splitlines()[0]
    for name in ("Icons", "Menu entry file", "HTTPS", "Tray menu", "Settings window"):
        assert any(line.split()[:1] == ["ok"] and name in line for line in out.splitlines()), name
    assert "ok       Password storage  Secret Service" in out
    assert "tabs: Profiles, Application" in out
    assert out.rstrip().endswith("All checks passed.")
    assert not config.exists()  # the user's settings folder was only read


def test_no_password_storage_is_a_warning_not_a_failure(tmp_path: Path) -> None:
    env = env_for(
        tmp_path / "config",
        DBUS_SESSION_BUS_ADDRESS=f"unix:path={tmp_path / 'no-bus'}",
        HOME=str(tmp_path),
    )
    env.pop("PYTHON_KEYRING_BACKEND", None)
    result = run_app(("--self-test",), env)
    assert result.returncode == 0, result.stdout + result.stderr
    warning = next(line for line in result.stdout.splitlines() if "Password storage" in line)
    assert warning.split()[0] == "warning"
    assert "No secure password storage" in warning
    assert "fix the warning above" in result.stdout


def test_a_damaged_settings_file_is_reported_and_left_in_place(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "config.json").write_text("{ not json")
    result = run_app(("--self-test",), env_for(config))
    line = next(line for line in result.stdout.splitlines() if "Settings file" in line)
    assert line.split()[0] == "warning"
    assert "Settings file cannot be read" in line
    assert sorted(p.name for p in config.iterdir()) == ["config.json"]  # not moved aside
    assert (config / "config.json").read_text() == "{ not json"


def test_a_missing_icon_fails_the_self_test_with_a_clear_line(tmp_path: Path) -> None:
    """A copy of the package without one icon — what a bundle that forgot a data file is."""
    shutil.copytree(REPO_ROOT / "tray_app", tmp_path / "tray_app")
    (tmp_path / "tray_app" / "resources" / "icons" / "state-warning-small.svg").unlink()
    result = subprocess.run(
        [sys.executable, "-m", "tray_app", "--self-test"],
        cwd=tmp_path,  # the copy comes first on sys.path
        env=env_for(tmp_path / "config"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    line = next(line for line in result.stdout.splitlines() if "Icons" in line)
    assert line.split()[0] == "FAILED"
    assert "missing: state-warning-small.svg" in line
    assert "Broken: Icons" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_self_test_takes_no_command(tmp_path: Path) -> None:
    result = run_app(("--self-test", "status"), env_for(tmp_path))
    assert result.returncode == 2
    assert "--self-test takes no command" in result.stderr
