"""The command line and secret storage: a secret too long for a password store; no storage."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.cli import Cli
from tests.support.tokenserver import TokenServer
from tray_app.core.credentials import MAX_SECRET_UTF16_BYTES

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_too_long_secret_is_refused_with_exit_2(
    tmp_path: Path, standard_server: TokenServer
) -> None:
    cli = Cli(tmp_path)
    pasted = "p" * (MAX_SECRET_UTF16_BYTES // 2 + 1)
    result = cli.run(
        "profile", "add", "Long", "--token-url", standard_server.token_url,
        "--client-id", "app", "--secret-stdin", stdin=pasted + "\n",
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "token-tray: Client secret too long" in result.stderr
    assert pasted not in result.stderr
    assert result.stdout == ""
    assert cli.keyring() == {}
    assert not (cli.config_dir / "config.json").exists()

    result = cli.run("profile", "add", "Fits", "--token-url", standard_server.token_url,
                     "--client-id", "app", "--secret-stdin", stdin=pasted[:-1] + "\n")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert list(cli.keyring().values()) == [pasted[:-1]]


def test_without_any_password_storage_nothing_falls_back_to_a_file(
    tmp_path: Path, standard_server: TokenServer
) -> None:
    """No keyring daemon and no configured backend: keyring's own detection finds nothing
    secure; the command line exits 5 and the secret lands in no file at all."""
    home = tmp_path / "home"
    home.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTHON", "TOKEN_TRAY", "DBUS", "XDG", "KEYRING"))
    }
    env.update(
        HOME=str(home),
        DBUS_SESSION_BUS_ADDRESS=f"unix:path={tmp_path / 'no-bus'}",
        TOKEN_TRAY_CONFIG_DIR=str(home / "config"),
        PYTHONPATH=str(REPO_ROOT),
    )
    secret = "tt-nowhere-Secret-4Kq8"
    argv = ["profile", "add", "X", "--token-url", standard_server.token_url, "--client-id", "x"]
    result = subprocess.run(
        [sys.executable, "-m", "tray_app", *argv, "--secret-stdin"],
        input=secret + "\n", capture_output=True, text=True, env=env, cwd=REPO_ROOT,
        timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 5, result.stderr
    assert "token-tray: No secure password storage" in result.stderr
    assert "gnome-keyring" in result.stderr  # says what to install
    assert result.stdout == ""
    leaked = [p for p in tmp_path.rglob("*") if p.is_file() and secret.encode() in p.read_bytes()]
    assert leaked == []
