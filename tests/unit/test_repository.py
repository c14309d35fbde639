"""ProfileRepository: config and keyring changed together, in an order that loses nothing."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tests.support.memory_keyring import MemoryKeyring
from tray_app.core.config import AppSettings, ConfigStore, LeftClick
from tray_app.core.credentials import CredentialStore
from tray_app.core.errors import AppError, ErrorKind
from tray_app.core.profile import Profile
from tray_app.core.repository import ProfileRepository
from tray_app.identity import KEYRING_SERVICE

SECRET = "abc+/%: ~def"


def make_profile(name: str = "Tarkov API") -> Profile:
    return Profile(
        name=name, token_url="https://identity.example.com/v1/oauth/token", client_id="cid"
    )


@pytest.fixture
def memory() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def repo(tmp_path: Path, memory: MemoryKeyring) -> ProfileRepository:
    return ProfileRepository(ConfigStore(tmp_path), CredentialStore(memory))


def config_bytes(repo: ProfileRepository) -> bytes:
    return repo.config_store.path.read_bytes()


def test_first_profile_is_saved_with_secret_and_becomes_default(
    repo: ProfileRepository, memory: MemoryKeyring
) -> None:
    profile = make_profile()
    config = repo.save_profile(profile, SECRET)
    assert config.profiles == [profile]
    assert config.settings.default_profile_id == profile.id
    assert repo.load() == config
    assert memory.passwords == {(KEYRING_SERVICE, profile.id): SECRET}
    assert SECRET not in repo.config_store.path.read_text("utf-8")
    assert repo.has_secret(profile.id)


def test_second_profile_does_not_steal_default_unless_asked(repo: ProfileRepository) -> None:
    first, second, third = make_profile("One"), make_profile("Two"), make_profile("Three")
    repo.save_profile(first, SECRET)
    assert repo.save_profile(second, SECRET).settings.default_profile_id == first.id
    config = repo.save_profile(third, SECRET, make_default=True)
    assert config.settings.default_profile_id == third.id


def test_rename_keeps_secret_under_same_id(repo: ProfileRepository, memory: MemoryKeyring) -> None:
    profile = make_profile("Old name")
    repo.save_profile(profile, SECRET)
    renamed = profile.replace(name="New name")
    config = repo.save_profile(renamed, None)
    assert [p.name for p in config.profiles] == ["New name"]
    assert repo.credentials.get_secret(profile.id) == SECRET
    assert memory.writes == 1  # no secret given: the keyring was not touched


def test_new_profile_without_secret_is_refused(repo: ProfileRepository) -> None:
    for secret in (None, ""):
        with pytest.raises(AppError) as caught:
            repo.save_profile(make_profile(), secret)
        assert (caught.value.kind, caught.value.title) == (
            ErrorKind.USAGE,
            "Enter the client secret",
        )
    assert not repo.config_store.path.exists()


def test_new_profile_may_reuse_a_secret_already_stored(repo: ProfileRepository) -> None:
    profile = make_profile()
    repo.credentials.set_secret(profile.id, SECRET)
    assert repo.save_profile(profile, None).profiles == [profile]


def test_invalid_profile_is_refused_before_anything_is_written(
    repo: ProfileRepository, memory: MemoryKeyring
) -> None:
    bad = make_profile().replace(token_url="http://example.com/token")
    with pytest.raises(AppError) as caught:
        repo.save_profile(bad, SECRET)
    assert caught.value.kind is ErrorKind.USAGE
    assert memory.passwords == {}
    assert not repo.config_store.path.exists()


def test_duplicate_name_is_refused_and_keyring_untouched(
    repo: ProfileRepository, memory: MemoryKeyring
) -> None:
    repo.save_profile(make_profile("Same"), SECRET)
    with pytest.raises(AppError, match="already exists"):
        repo.save_profile(make_profile("same"), "other secret")
    assert memory.writes == 1
    assert len(repo.load().profiles) == 1


@pytest.mark.parametrize("switch", ["locked", "fail_writes"])
def test_failing_keyring_leaves_config_unchanged(
    repo: ProfileRepository, memory: MemoryKeyring, switch: str
) -> None:
    profile = make_profile()
    repo.save_profile(profile, SECRET)
    before = config_bytes(repo)
    setattr(memory, switch, True)
    with pytest.raises(AppError) as caught:
        repo.save_profile(profile.replace(client_id="changed"), "new secret")
    assert caught.value.kind is ErrorKind.STORAGE
    assert config_bytes(repo) == before
    setattr(memory, switch, False)
    assert repo.credentials.get_secret(profile.id) == SECRET


def test_config_save_failure_after_secret_rolls_back(
    repo: ProfileRepository, memory: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    existing, brand_new = make_profile("Existing"), make_profile("Brand new")
    repo.save_profile(existing, SECRET)

    def refuse(config: object) -> None:
        raise AppError(ErrorKind.CONFIG, "Settings could not be saved", "disk full")

    monkeypatch.setattr(repo.config_store, "save", refuse)
    with pytest.raises(AppError, match="Settings could not be saved"):
        repo.save_profile(existing, "new secret")
    with pytest.raises(AppError, match="Settings could not be saved"):
        repo.save_profile(brand_new, "fresh secret")
    assert memory.passwords == {(KEYRING_SERVICE, existing.id): SECRET}


def test_remove_deletes_config_entry_then_secret(
    repo: ProfileRepository, memory: MemoryKeyring
) -> None:
    one, two = make_profile("One"), make_profile("Two")
    repo.save_profile(one, SECRET)
    repo.save_profile(two, "second")
    config = repo.remove_profile(one.id)
    assert config.profiles == [two]
    assert config.settings.default_profile_id == two.id
    assert repo.load() == config
    assert memory.passwords == {(KEYRING_SERVICE, two.id): "second"}


def test_remove_unknown_profile_is_usage_error(repo: ProfileRepository) -> None:
    with pytest.raises(AppError) as caught:
        repo.remove_profile("nope")
    assert caught.value.kind is ErrorKind.USAGE


def test_remove_with_locked_keyring_removes_profile_and_reports(
    repo: ProfileRepository, memory: MemoryKeyring
) -> None:
    profile = make_profile()
    repo.save_profile(profile, SECRET)
    memory.locked = True
    with pytest.raises(AppError) as caught:
        repo.remove_profile(profile.id)
    error = caught.value
    assert (error.kind, error.title) == (ErrorKind.STORAGE, "Profile removed, but not its secret")
    assert profile.id in error.message
    assert "Unlock your password storage" in error.message
    assert repo.load().profiles == []


def test_set_default(repo: ProfileRepository) -> None:
    one, two = make_profile("One"), make_profile("Two")
    repo.save_profile(one, SECRET)
    repo.save_profile(two, SECRET)
    assert repo.set_default(two.id).settings.default_profile_id == two.id
    assert repo.load().default_profile() == two
    with pytest.raises(AppError, match="Profile not found"):
        repo.set_default("Two")  # ids only: names are resolved by the caller


def test_save_settings_keeps_valid_default(repo: ProfileRepository) -> None:
    profile = make_profile()
    repo.save_profile(profile, SECRET)
    wanted = AppSettings(default_profile_id="stale", clipboard_clear_seconds=5)
    config = repo.save_settings(wanted)
    assert config.settings == AppSettings(default_profile_id=profile.id, clipboard_clear_seconds=5)
    assert wanted.default_profile_id == "stale"  # the caller's object is not changed
    assert repo.load().settings.clipboard_clear_seconds == 5


def test_changes_from_another_process_are_not_clobbered(
    tmp_path: Path, memory: MemoryKeyring
) -> None:
    tray = ProfileRepository(ConfigStore(tmp_path), CredentialStore(memory))
    cli = ProfileRepository(ConfigStore(tmp_path), CredentialStore(memory))
    tray.save_profile(make_profile("From tray"), SECRET)
    cli.save_profile(make_profile("From CLI"), SECRET)
    tray.save_settings(AppSettings(left_click=LeftClick.OPEN_MENU))
    config = cli.load()
    assert [p.name for p in config.profiles] == ["From tray", "From CLI"]
    assert config.settings.left_click is LeftClick.OPEN_MENU


def test_damaged_config_is_not_overwritten_by_a_save(repo: ProfileRepository) -> None:
    repo.config_store.path.write_text("{broken")
    with pytest.raises(AppError) as caught:
        repo.save_profile(make_profile(), SECRET)
    assert caught.value.kind is ErrorKind.CONFIG
    assert repo.config_store.path.read_text() == "{broken"
    result = repo.load_or_recover()
    assert result.notice is not None


def test_restore_failure_is_logged_without_secret(
    repo: ProfileRepository,
    memory: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    profile = make_profile()
    repo.save_profile(profile, SECRET)

    def refuse(config: object) -> None:
        memory.locked = True  # the keyring locks itself between the two steps
        raise AppError(ErrorKind.CONFIG, "Settings could not be saved", "disk full")

    monkeypatch.setattr(repo.config_store, "save", refuse)
    with caplog.at_level(logging.WARNING), pytest.raises(AppError, match="could not be saved"):
        repo.save_profile(profile, "new secret")
    assert f"Could not restore the previous secret of profile {profile.id}" in caplog.text
    assert "new secret" not in caplog.text
    assert SECRET not in caplog.text
