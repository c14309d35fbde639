"""The real gnome-keyring misbehaving: frozen (SIGSTOP), locked — in-process and via the CLI."""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.keyring_session import apply_env, gnome_keyring
from tests.support.tokenserver import TokenServer
from tray_app.core.config import ConfigStore
from tray_app.core.credentials import CredentialStore
from tray_app.core.errors import AppError, ErrorKind
from tray_app.core.repository import ProfileRepository

pytestmark = pytest.mark.keyring
REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def session_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    with gnome_keyring(tmp_path / "session") as env:
        apply_env(env, monkeypatch)
        yield env


def secret_service_store(timeout: float = 30.0) -> CredentialStore:
    from keyring.backends.SecretService import Keyring

    return CredentialStore(Keyring(), timeout=timeout)  # type: ignore[no-untyped-call]


def our_keyring_daemon() -> int:
    """The PID of the gnome-keyring-daemon of *this* test's private session.

    Found by its environment (our unique bus address), so no other process is ever touched.
    (D-Bus's GetConnectionUnixProcessID is no use here: in a container it may name a PID of
    another namespace.)
    """
    wanted = f"DBUS_SESSION_BUS_ADDRESS={os.environ['DBUS_SESSION_BUS_ADDRESS']}".encode()
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            comm = (proc / "comm").read_text().strip()
            environ = (proc / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if comm.startswith("gnome-keyring") and wanted in environ:
            found.append(int(proc.name))
    assert len(found) == 1, found
    return found[0]


def lock_login_collection() -> None:
    import secretstorage
    from jeepney.io.blocking import open_dbus_connection

    with open_dbus_connection() as connection:
        secretstorage.get_default_collection(connection).lock()


def wait_for_abandoned_calls() -> None:
    for thread in threading.enumerate():
        if thread.name == "keyring-call":
            thread.join(10)


@pytest.mark.usefixtures("session_env")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_frozen_secret_service_times_out_with_a_plain_error() -> None:
    store = secret_service_store(timeout=1.0)
    store.set_secret("profile-1", "tt-frozen-secret")
    pid = our_keyring_daemon()
    os.kill(pid, signal.SIGSTOP)
    try:
        with pytest.raises(AppError) as caught:
            store.get_secret("profile-1")
    finally:
        os.kill(pid, signal.SIGCONT)
    error = caught.value
    assert (error.kind, error.title) == (ErrorKind.STORAGE, "Password storage does not answer")
    assert "1 seconds" in error.message
    wait_for_abandoned_calls()
    gc.collect()  # the abandoned call's D-Bus connection, while its warning is ignored
    assert store.get_secret("profile-1") == "tt-frozen-secret"  # it answers again


def cli(env: dict[str, str], config: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    run_env = {**env, "TOKEN_TRAY_CONFIG_DIR": str(config), "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "tray_app", *argv],
        capture_output=True, text=True, env=run_env, cwd=REPO_ROOT, timeout=60, check=False,
    )  # fmt: skip


@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_cli_with_a_locked_collection_exits_5_and_prints_nothing(
    session_env: dict[str, str], tmp_path: Path, standard_server: TokenServer
) -> None:
    config = tmp_path / "config"
    repository = ProfileRepository(ConfigStore(config), secret_service_store())
    repository.save_profile(standard_server.profile(), standard_server.client_secret)
    assert cli(session_env, config, "token").returncode == 0
    lock_login_collection()

    result = cli(session_env, config, "token")

    assert result.returncode == 5, result.stderr
    assert result.stdout == ""
    assert "token-tray: Password storage is locked" in result.stderr
    assert standard_server.client_secret not in result.stderr
    assert standard_server.request_count == 1  # nothing was sent without the secret
    gc.collect()
