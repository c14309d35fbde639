"""The bundle ``make package`` built, run as a user runs it: ``--version``, ``--self-test``
under a real GNOME Keyring session, a profile made by the bundled command line and a token
fetched from the loopback token server; and the Linux archive's ``install.sh``.

They use the prebuilt bundle in dist/ (see :mod:`tests.support.bundle`)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.bundle import (
    bundle_executable,
    bundle_tarball,
    desktop_file_validate,
    install_from_tarball,
    run_bundle,
    without_python_overrides,
)
from tests.support.keyring_session import gnome_keyring, skip_or_fail
from tests.support.tokenserver import TokenServer
from tray_app import __version__
from tray_app.core.desktop_entry import exec_of


@pytest.fixture
def session(tmp_path: Path) -> Iterator[dict[str, str]]:
    with gnome_keyring(tmp_path / "keyring") as started:
        env = without_python_overrides(started)
        env["TOKEN_TRAY_CONFIG_DIR"] = str(tmp_path / "config")
        env.pop("DISPLAY", None)
        yield env


def test_version_is_the_single_source() -> None:
    result = run_bundle(bundle_executable(), "--version", env=os.environ)
    assert (result.returncode, result.stdout) == (0, f"token-tray {__version__}\n")


@pytest.mark.keyring
def test_self_test_passes_and_finds_the_secret_service(session: dict[str, str]) -> None:
    """The keyring backends (entry points), SecretStorage/jeepney, truststore, certifi, the
    icons, the .desktop file and Qt's offscreen platform all made it into the bundle."""
    result = run_bundle(bundle_executable(), "--self-test", env=session)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"Token Tray {__version__} self-test (Linux, bundle)"
    assert "ok       Password storage  Secret Service" in result.stdout
    assert [line.split()[0] for line in lines[1:-1]] == ["ok"] * (len(lines) - 2)
    assert lines[-1] == "All checks passed."


def add_profile(
    exe: Path, name: str, server: TokenServer, secret: str, env: dict[str, str]
) -> None:
    """``profile add`` run by the bundled executable, the secret given on stdin."""
    added = run_bundle(
        exe, "profile", "add", name, "--token-url", server.token_url,
        "--client-id", server.client_id, "--secret-stdin",
        env=env, stdin=secret + "\n",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr


@pytest.mark.keyring
def test_a_profile_made_by_the_bundle_gets_a_token(
    session: dict[str, str], standard_server: TokenServer
) -> None:
    exe = bundle_executable()
    add_profile(exe, "Work", standard_server, standard_server.client_secret, session)
    fetched = run_bundle(exe, "token", "--format", "header", env=session)
    assert fetched.returncode == 0, fetched.stderr
    assert standard_server.issued_tokens
    assert fetched.stdout == f"Authorization: Bearer {standard_server.issued_tokens[-1]}\n"
    config = (Path(session["TOKEN_TRAY_CONFIG_DIR"]) / "config.json").read_text()
    assert standard_server.client_secret not in config


@pytest.mark.keyring
def test_the_wrong_secret_exits_3_with_a_plain_message(
    session: dict[str, str], standard_server: TokenServer
) -> None:
    exe = bundle_executable()
    add_profile(exe, "Bad", standard_server, "not-the-secret", session)
    result = run_bundle(exe, "token", env=session)
    assert result.returncode == 3
    assert result.stderr.startswith("token-tray: Wrong client ID or secret")
    assert "Traceback" not in result.stderr


def test_install_script_puts_it_in_the_menu_and_removes_it(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = without_python_overrides(os.environ)
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME"):
        env.pop(name, None)
    env["HOME"] = str(home)
    installed = install_from_tarball(bundle_tarball(), tmp_path / "unpacked", env)
    entry = home / ".local" / "share" / "applications" / "token-tray.desktop"
    assert exec_of(entry.read_text()) == [str(installed)]
    assert (home / ".local/share/icons/hicolor/scalable/apps/token-tray.svg").is_file()
    command = home / ".local" / "bin" / "token-tray"
    version = run_bundle(command, "--version", env=env)
    assert version.stdout == f"token-tray {__version__}\n"
    share = home / ".local" / "share"
    shell_files = [
        share / "man" / "man1" / "token-tray.1",
        share / "bash-completion" / "completions" / "token-tray",
        share / "zsh" / "site-functions" / "_token-tray",
        share / "fish" / "vendor_completions.d" / "token-tray.fish",
    ]
    assert shell_files[0].read_text().startswith(".TH TOKEN\\-TRAY 1")
    for completion in shell_files[1:]:
        assert "token-tray profile list --names" in completion.read_text()
    validator = desktop_file_validate()
    if validator is None:
        skip_or_fail("needs desktop-file-validate (package desktop-file-utils)")
    checked = subprocess.run([validator, str(entry)], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stdout

    (top,) = (tmp_path / "unpacked").iterdir()
    removed = subprocess.run(
        ["sh", str(top / "install.sh"), "--remove"], env=env, capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    assert removed.returncode == 0, removed.stderr
    assert not entry.exists()
    assert not installed.exists()
    assert not command.exists()
    assert not any(path.exists() for path in shell_files)
