"""Storage failures, each with its own words: locked, dismissed, refused write, no answer,
a secret too long for Windows Credential Manager. (Real gnome-keyring cases live in
tests/integration/test_gnome_keyring*.py.)"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from keyring.errors import KeyringLocked

from tests.support.memory_keyring import MemoryKeyring
from tray_app.core.config import ConfigStore
from tray_app.core.credentials import (
    FIRST_ACCESS_TIMEOUT,
    MAX_SECRET_UTF16_BYTES,
    CredentialStore,
    check_secret,
    first_access_timeout,
)
from tray_app.core.errors import AppError, ErrorKind
from tray_app.core.profile import Profile
from tray_app.core.repository import ProfileRepository

SECRET = "s3cr3t-value-Zx9"


class Hanging(MemoryKeyring):
    """A backend whose calls block until released, like a frozen Secret Service daemon."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def get_password(self, service: str, username: str) -> str | None:
        self.release.wait(10)
        return super().get_password(service, username)


class Raising(MemoryKeyring):
    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error

    def get_password(self, service: str, username: str) -> str | None:
        raise self.error


@pytest.fixture
def hanging() -> Iterator[Hanging]:
    backend = Hanging()
    yield backend
    backend.release.set()


def failure(store: CredentialStore) -> AppError:
    with pytest.raises(AppError) as caught:
        store.get_secret("id1")
    assert caught.value.kind is ErrorKind.STORAGE
    return caught.value


def test_each_failure_has_its_own_title() -> None:
    from secretstorage.exceptions import PromptDismissedException

    titles = {
        failure(CredentialStore(Raising(error))).title
        for error in (
            KeyringLocked("Failed to unlock the collection!"),
            PromptDismissedException("Prompt dismissed."),
        )
    }
    with pytest.raises(AppError) as caught:
        CredentialStore(MemoryKeyring(fail_writes=True)).set_secret("id1", SECRET)
    titles.add(caught.value.title)
    assert titles == {
        "Password storage is locked",
        "Unlocking was cancelled",
        "Secret could not be saved",
    }
    assert "refused to save" in caught.value.message


def test_hung_storage_times_out_with_a_plain_error(hanging: Hanging) -> None:
    error = failure(CredentialStore(hanging, timeout=0.2))
    assert error.title == "Password storage does not answer"
    assert "0.2 seconds" in error.message


def test_the_timeout_does_not_cut_a_slow_answer_short(hanging: Hanging) -> None:
    hanging.passwords[("token-tray", "id1")] = SECRET
    hanging.release.set()
    assert CredentialStore(hanging, timeout=5).get_secret("id1") == SECRET


@pytest.mark.parametrize(
    ("secret", "fits"),
    [
        ("a" * (MAX_SECRET_UTF16_BYTES // 2), True),
        ("a" * (MAX_SECRET_UTF16_BYTES // 2 + 1), False),
        ("😀" * (MAX_SECRET_UTF16_BYTES // 4), True),  # 4 bytes each in UTF-16
        ("😀" * (MAX_SECRET_UTF16_BYTES // 4 + 1), False),
    ],
)
def test_secret_size_limit_counts_utf16_bytes(secret: str, fits: bool) -> None:
    if fits:
        check_secret(secret)
        return
    with pytest.raises(AppError) as caught:
        check_secret(secret)
    assert caught.value.kind is ErrorKind.USAGE
    assert caught.value.title == "Client secret too long"
    assert secret not in caught.value.message


@pytest.fixture
def repo(tmp_path: Path) -> tuple[ProfileRepository, MemoryKeyring]:
    memory = MemoryKeyring()
    store = ConfigStore(tmp_path / "config")
    return ProfileRepository(store, CredentialStore(memory)), memory


def profile() -> Profile:
    return Profile("Work", "https://auth.example.com/token", "app", id="p1")


def test_too_long_secret_is_refused_before_anything_is_written(
    repo: tuple[ProfileRepository, MemoryKeyring],
) -> None:
    repository, memory = repo
    with pytest.raises(AppError, match="Client secret too long"):
        repository.save_profile(profile(), "x" * 5000)
    assert memory.passwords == {}
    assert not repository.config_store.path.exists()


def test_secret_is_written_only_when_it_changed(
    repo: tuple[ProfileRepository, MemoryKeyring],
) -> None:
    repository, memory = repo
    repository.save_profile(profile(), SECRET)
    assert memory.writes == 1
    repository.save_profile(profile().replace(scope="read"), SECRET)  # same secret again
    assert memory.writes == 1
    assert repository.load().profiles[0].scope == "read"
    repository.save_profile(profile(), SECRET + "2")
    assert memory.writes == 2
    assert memory.passwords[("token-tray", "p1")] == SECRET + "2"


def test_remove_deletes_the_secret_and_rename_keeps_it(
    repo: tuple[ProfileRepository, MemoryKeyring],
) -> None:
    repository, memory = repo
    repository.save_profile(profile(), SECRET)
    repository.save_profile(profile().replace(name="Renamed"), None)
    assert memory.passwords == {("token-tray", "p1"): SECRET}
    repository.remove_profile("p1")
    assert memory.passwords == {}


def test_a_hung_backend_detection_times_out_too(monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring

    release = threading.Event()

    def hung_detection() -> None:
        release.wait(10)

    monkeypatch.setattr(keyring, "get_keyring", hung_detection)
    try:
        with pytest.raises(AppError) as caught:
            CredentialStore(timeout=0.2).check()
    finally:
        release.set()
    assert caught.value.title == "Password storage does not answer"
    assert caught.value.message.startswith("Your password storage did not answer within 0.2")


def test_the_first_access_waits_for_a_prompt_then_the_usual_limit_applies(
    hanging: Hanging,
) -> None:
    hanging.passwords[("token-tray", "id1")] = SECRET
    store = CredentialStore(hanging, timeout=0.05, first_timeout=10)
    answer = threading.Timer(0.5, hanging.release.set)  # the user clicks "Allow" late
    answer.start()
    assert store.get_secret("id1") == SECRET
    hanging.release.clear()  # from now on a call that blocks is a hang, not a prompt
    assert "0.05 seconds" in failure(store).message


def test_only_macos_trays_wait_long_for_the_first_access() -> None:
    assert first_access_timeout("darwin") == FIRST_ACCESS_TIMEOUT >= 300
    assert first_access_timeout("linux") is None
    assert first_access_timeout("win32") is None
