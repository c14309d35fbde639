"""CredentialStore against a real gnome-keyring over a private D-Bus session."""

from __future__ import annotations

import gc
import json
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.keyring_session import apply_env, gnome_keyring
from tray_app.core.credentials import CredentialStore
from tray_app.core.errors import AppError, ErrorKind

pytestmark = pytest.mark.keyring
REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def session_root(tmp_path: Path) -> Path:
    return tmp_path / "session"


@pytest.fixture
def session_env(session_root: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    with gnome_keyring(session_root) as env:
        apply_env(env, monkeypatch)
        yield env


def secret_service_store() -> CredentialStore:
    from keyring.backends.SecretService import Keyring

    return CredentialStore(Keyring())  # type: ignore[no-untyped-call]


def unique_secret() -> str:
    return "tt-" + secrets.token_urlsafe(32)


def files_containing(root: Path, needle: str) -> list[Path]:
    """Regular files under ``root`` holding ``needle`` as UTF-8 or UTF-16 text."""
    patterns = [needle.encode("utf-8"), needle.encode("utf-16-le")]
    return [
        path
        for path in root.rglob("*")
        if path.is_file() and any(p in path.read_bytes() for p in patterns)
    ]


@pytest.mark.usefixtures("session_env")
def test_round_trip_with_secret_service() -> None:
    store = secret_service_store()
    store.check()
    assert store.backend_name().startswith("Secret Service")
    secret = unique_secret()
    assert store.get_secret("profile-1") is None
    store.set_secret("profile-1", secret)
    assert store.get_secret("profile-1") == secret
    store.set_secret("profile-1", secret + "-changed")
    assert store.get_secret("profile-1") == secret + "-changed"
    store.delete_secret("profile-1")
    assert store.get_secret("profile-1") is None
    store.delete_secret("profile-1")  # deleting a missing secret is fine


def test_secret_is_in_gnome_keyring_and_not_in_plaintext(
    session_env: dict[str, str], session_root: Path
) -> None:
    secret = unique_secret()
    secret_service_store().set_secret("profile-1", secret)
    looked_up = subprocess.run(
        ["secret-tool", "lookup", "service", "token-tray", "username", "profile-1"],
        env=session_env,
        capture_output=True,
        check=True,
        timeout=30,
    )
    assert looked_up.stdout.decode() == secret
    home = Path(session_env["HOME"])
    keyring_files = list((home / ".local" / "share" / "keyrings").glob("*.keyring"))
    assert keyring_files, "gnome-keyring wrote no keyring file under HOME"
    assert files_containing(session_root, secret) == []


def test_keyring_picks_secret_service_in_that_session(session_env: dict[str, str]) -> None:
    """keyring's own detection, in a fresh process, chooses SecretService and check() passes."""
    script = (
        "import json, keyring\n"
        "from tray_app.core.credentials import CredentialStore\n"
        "store = CredentialStore()\n"
        "store.check()\n"
        "store.set_secret('profile-2', 'detected')\n"
        "backend = keyring.get_keyring()\n"
        "print(json.dumps([type(backend).__module__, store.get_secret('profile-2')]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=session_env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == ["keyring.backends.SecretService", "detected"]


def test_secret_survives_a_daemon_restart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, secret = tmp_path / "persist", unique_secret()
    with gnome_keyring(root) as env:
        apply_env(env, monkeypatch)
        secret_service_store().set_secret("profile-3", secret)
        monkeypatch.undo()
    with gnome_keyring(root) as env:
        apply_env(env, monkeypatch)
        assert secret_service_store().get_secret("profile-3") == secret


@pytest.mark.usefixtures("session_env")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_locked_collection_is_a_plain_storage_error() -> None:
    import secretstorage
    from jeepney.io.blocking import open_dbus_connection

    store = secret_service_store()
    secret = unique_secret()
    store.set_secret("profile-4", secret)
    with open_dbus_connection() as connection:
        secretstorage.get_default_collection(connection).lock()
    with pytest.raises(AppError) as caught:
        store.get_secret("profile-4")
    error = caught.value
    assert (error.kind, error.title) == (ErrorKind.STORAGE, "Password storage is locked")
    assert secret not in str(error)
    # keyring 25.7's SecretService backend leaks its D-Bus connection when the collection stays
    # locked (get_preferred_collection raises KeyringLocked before closing it). Collect it now,
    # while its ResourceWarning is ignored, instead of at some later test's expense.
    gc.collect()
