"""The keyring wrapper: refused backends, titled errors, no secret in any message."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null
from keyring.compat import properties
from keyring.errors import InitError, PasswordSetError

from tests.support.memory_keyring import MemoryKeyring
from tray_app.core.credentials import CredentialStore
from tray_app.core.errors import AppError, ErrorKind
from tray_app.identity import KEYRING_SERVICE

SECRET = "s3cr3t+%:/ ~value"
REPO_ROOT = Path(__file__).resolve().parents[2]


def make(cls: type[KeyringBackend]) -> KeyringBackend:
    """Instantiate a keyring backend (typed, unlike calling the class directly)."""
    return cls()


def fake_backend(module: str, name: str, priority: float = 1) -> KeyringBackend:
    """An instance of a backend class that claims to live in ``module`` (never auto-selected)."""

    def get_priority(cls: type) -> float:
        return priority

    namespace = {
        "__module__": module,
        "viable": False,
        "priority": properties.classproperty(get_priority),
    }
    cls = type(name, (MemoryKeyring,), namespace)
    return make(cls)


class BrokenPriority(MemoryKeyring):
    """Like SecretService when no daemon runs: asking for the priority raises."""

    viable = False

    @properties.classproperty
    def priority(cls) -> float:  # noqa: N805
        raise RuntimeError("The Secret Service daemon is neither running nor activatable")


class LeakyKeyring(MemoryKeyring):
    """A backend whose error text contains the secret it was given (worst case)."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise PasswordSetError(f"could not store {password!r} for {username}")


def storage_error(store: CredentialStore) -> AppError:
    with pytest.raises(AppError) as caught:
        store.check()
    assert caught.value.kind is ErrorKind.STORAGE
    assert caught.value.exit_code == 5
    return caught.value


# -- refused backends -------------------------------------------------------------------


@pytest.mark.parametrize("backend", [make(fail.Keyring), make(null.Keyring)], ids=["fail", "null"])
def test_fail_and_null_backends_are_refused(backend: KeyringBackend) -> None:
    error = storage_error(CredentialStore(backend, platform="linux"))
    assert error.title == "No secure password storage"
    assert "gnome-keyring" in error.message
    assert "KWallet" in error.message


@pytest.mark.parametrize(
    ("module", "name"),
    [
        ("keyrings.alt.file", "PlaintextKeyring"),
        ("keyrings.alt.file", "EncryptedKeyring"),
        ("keyrings.alt.pyfs", "PlaintextKeyring"),
    ],
)
def test_keyrings_alt_backends_are_refused(module: str, name: str) -> None:
    store = CredentialStore(fake_backend(module, name, priority=1), platform="linux")
    assert storage_error(store).title == "No secure password storage"


@pytest.mark.parametrize("priority", [0, -1])
def test_backends_with_no_priority_are_refused(priority: float) -> None:
    store = CredentialStore(fake_backend("some.vendor", "Keyring", priority))
    assert "cannot be used on this computer" in storage_error(store).message


def test_backend_whose_priority_raises_is_refused() -> None:
    assert storage_error(CredentialStore(BrokenPriority())).title == "No secure password storage"


def test_refused_backend_is_never_written_to() -> None:
    plaintext = fake_backend("keyrings.alt.file", "PlaintextKeyring")
    store = CredentialStore(plaintext)
    with pytest.raises(AppError, match="No secure password storage"):
        store.set_secret("id1", SECRET)
    with pytest.raises(AppError, match="No secure password storage"):
        store.get_secret("id1")
    assert isinstance(plaintext, MemoryKeyring)
    assert plaintext.writes == 0


@pytest.mark.parametrize(
    ("members", "accepted"),
    [
        ([], False),
        ([fake_backend("keyrings.alt.file", "PlaintextKeyring")], False),
        ([fake_backend("keyrings.alt.file", "PlaintextKeyring"), MemoryKeyring()], False),
        ([MemoryKeyring(), fake_backend("keyrings.alt.file", "PlaintextKeyring")], True),
    ],
    ids=["empty", "only-plaintext", "plaintext-first", "secure-first"],
)
def test_chainer_needs_a_secure_first_backend(
    members: list[KeyringBackend], accepted: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chainer.ChainerBackend, "backends", members)
    store = CredentialStore(make(chainer.ChainerBackend))
    if accepted:
        store.check()
    else:
        assert storage_error(store).title == "No secure password storage"


def test_no_storage_advice_per_platform() -> None:
    mac = storage_error(CredentialStore(make(fail.Keyring), platform="darwin")).message
    win = storage_error(CredentialStore(make(fail.Keyring), platform="win32")).message
    assert "Keychain" in mac
    assert "Credential Manager" in win


def test_memory_keyring_is_accepted() -> None:
    CredentialStore(MemoryKeyring()).check()


# -- lazy default backend ---------------------------------------------------------------


def test_default_backend_is_picked_lazily(monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring

    memory = MemoryKeyring()
    calls: list[str] = []

    def get_keyring() -> KeyringBackend:
        calls.append("get_keyring")
        return memory

    monkeypatch.setattr(keyring, "get_keyring", get_keyring)
    store = CredentialStore()
    assert calls == []
    store.set_secret("id1", SECRET)
    assert store.get_secret("id1") == SECRET
    assert calls == ["get_keyring"]
    assert memory.passwords == {(KEYRING_SERVICE, "id1"): SECRET}


def test_unloadable_configured_backend_is_a_storage_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import keyring

    def get_keyring() -> KeyringBackend:
        raise ModuleNotFoundError("No module named 'keyrings.gone'")

    monkeypatch.setattr(keyring, "get_keyring", get_keyring)
    store = CredentialStore(platform="linux")
    assert storage_error(store).title == "No secure password storage"
    assert store.backend_name() == "none (unavailable)"


# -- reading, writing, deleting -----------------------------------------------------------


def test_round_trip_uses_service_and_profile_id() -> None:
    memory = MemoryKeyring()
    store = CredentialStore(memory)
    assert store.get_secret("id1") is None
    store.set_secret("id1", SECRET)
    assert memory.passwords == {("token-tray", "id1"): SECRET}
    assert store.get_secret("id1") == SECRET
    store.set_secret("id1", "replaced")
    assert store.get_secret("id1") == "replaced"
    store.delete_secret("id1")
    assert store.get_secret("id1") is None


def test_deleting_a_missing_secret_is_fine() -> None:
    CredentialStore(MemoryKeyring()).delete_secret("never-stored")


def test_failing_delete_of_existing_secret_is_reported() -> None:
    memory = MemoryKeyring()
    store = CredentialStore(memory)
    store.set_secret("id1", SECRET)
    memory.fail_deletes = True
    with pytest.raises(AppError) as caught:
        store.delete_secret("id1")
    assert (caught.value.kind, caught.value.title) == (
        ErrorKind.STORAGE,
        "Secret could not be removed",
    )


def test_locked_keyring_says_how_to_unlock() -> None:
    store = CredentialStore(MemoryKeyring(locked=True), platform="linux")
    actions: list[Callable[[], object]] = [
        lambda: store.get_secret("id1"),
        lambda: store.set_secret("id1", SECRET),
        lambda: store.delete_secret("id1"),
    ]
    for action in actions:
        with pytest.raises(AppError) as caught:
            action()
        error = caught.value
        assert (error.kind, error.title) == (ErrorKind.STORAGE, "Password storage is locked")
        assert error.message == (
            "Unlock your password storage (log in again, or open Passwords and Keys) and try again."
        )


def test_failing_write_is_a_titled_storage_error() -> None:
    store = CredentialStore(MemoryKeyring(fail_writes=True))
    with pytest.raises(AppError) as caught:
        store.set_secret("id1", SECRET)
    assert caught.value.kind is ErrorKind.STORAGE
    assert caught.value.title == "Secret could not be saved"
    assert "the storage refused to save" in caught.value.message
    assert caught.value.__context__ is None  # the library traceback is not kept alive


def test_init_error_is_a_storage_error() -> None:
    class Uninitialised(MemoryKeyring):
        def get_password(self, service: str, username: str) -> str | None:
            raise InitError("Failed to create the collection: Prompt dismissed.")

    with pytest.raises(AppError) as caught:
        CredentialStore(Uninitialised()).get_secret("id1")
    assert caught.value.kind is ErrorKind.STORAGE
    assert caught.value.title == "Unlocking was cancelled"
    assert "closed without unlocking" in caught.value.message


def test_init_error_without_a_prompt_keeps_the_library_reason() -> None:
    class Uninitialised(MemoryKeyring):
        def get_password(self, service: str, username: str) -> str | None:
            raise InitError("Failed to create the collection: no such object.")

    with pytest.raises(AppError) as caught:
        CredentialStore(Uninitialised()).get_secret("id1")
    assert caught.value.title == "Secret could not be read"
    assert "Failed to create the collection" in caught.value.message


def test_secret_never_appears_in_errors() -> None:
    store = CredentialStore(LeakyKeyring())
    with pytest.raises(AppError) as caught:
        store.set_secret("id1", SECRET)
    error = caught.value
    for text in (str(error), repr(error), error.title, error.message):
        assert SECRET not in text
    assert "•••" in error.message


def test_empty_profile_id_is_refused() -> None:
    with pytest.raises(AppError) as caught:
        CredentialStore(MemoryKeyring()).set_secret(" ", SECRET)
    assert caught.value.kind is ErrorKind.INTERNAL


def test_backend_names_are_human_readable() -> None:
    assert CredentialStore(make(fail.Keyring)).backend_name() == "none"
    assert CredentialStore(make(null.Keyring)).backend_name() == "none (disabled)"
    macos = fake_backend("keyring.backends.macOS", "Keyring")
    assert CredentialStore(macos).backend_name() == "macOS Keychain"
    assert CredentialStore(MemoryKeyring()).backend_name() == "memory keyring MemoryKeyring"


def test_secretstorage_errors_are_mapped() -> None:
    from secretstorage.exceptions import LockedException, SecretServiceNotAvailableException

    class Raising(MemoryKeyring):
        error: Exception = RuntimeError()

        def get_password(self, service: str, username: str) -> str | None:
            raise self.error

    backend = Raising()
    store = CredentialStore(backend, platform="linux")
    backend.error = LockedException("Item is locked!")
    with pytest.raises(AppError, match="Password storage is locked"):
        store.get_secret("id1")
    backend.error = SecretServiceNotAvailableException("Environment variable not set")
    with pytest.raises(AppError) as caught:
        store.get_secret("id1")
    assert caught.value.title == "Secret could not be read"
    assert "Environment variable not set" in caught.value.message


# -- the test-only file backend, as CLI subprocess tests use it ---------------------------

FILE_BACKEND_SCRIPT = """
import sys
from tray_app.core.credentials import CredentialStore
from tray_app.core.errors import AppError
store = CredentialStore()
try:
    if sys.argv[1] == "set":
        store.set_secret("id1", sys.argv[2])
    print(store.get_secret("id1"))
except AppError as exc:
    print(exc.title)
"""


def run_with_file_backend(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", FILE_BACKEND_SCRIPT, *args],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.strip()


def test_file_keyring_works_across_processes_and_can_be_locked(tmp_path: Path) -> None:
    env = dict(os.environ)
    env["PYTHON_KEYRING_BACKEND"] = "tests.support.file_keyring.FileKeyring"
    env["TOKEN_TRAY_TEST_KEYRING_DIR"] = str(tmp_path / "keyring")
    assert run_with_file_backend(env, "set", "from-first-process") == "from-first-process"
    assert run_with_file_backend(env, "get") == "from-first-process"
    stored = json.loads((tmp_path / "keyring" / "test-keyring.json").read_text())
    assert stored == {"token-tray": {"id1": "from-first-process"}}
    assert run_with_file_backend(env | {"TOKEN_TRAY_TEST_KEYRING_LOCKED": "1"}, "get") == (
        "Password storage is locked"
    )
    del env["TOKEN_TRAY_TEST_KEYRING_DIR"]  # the safety catch: unusable without its folder
    assert run_with_file_backend(env, "get") == "No secure password storage"
