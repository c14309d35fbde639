"""config.json persistence: round trip, permissions, atomic writes, damaged and newer files."""

from __future__ import annotations

import errno
import json
import os
import stat
import time
from pathlib import Path
from typing import Any

import pytest

from tray_app.core.config import (
    SCHEMA_VERSION,
    AppSettings,
    Config,
    ConfigStore,
    LeftClick,
    config_dir,
)
from tray_app.core.errors import AppError, ErrorKind
from tray_app.core.profile import BodyFormat, ClientAuth, Profile

# 2024-03-05 06:07:08 local time, as the moved-aside file's stamp.
FIXED_TIME = time.mktime((2024, 3, 5, 6, 7, 8, 0, 0, -1))
STAMP = "20240305-060708"


def make_profile(name: str = "Tarkov API", **changes: Any) -> Profile:
    profile = Profile(
        name=name, token_url="https://identity.example.com/v1/oauth/token", client_id="cid"
    )
    return profile.replace(**changes)


def rich_profile() -> Profile:
    return make_profile(
        "Rich",
        scope="read write",
        audience="https://api.example.com",
        resource="urn:res",
        extra_params=(("tenant", "acme"), ("x", "a=b")),
        body_format=BodyFormat.JSON,
        client_auth=ClientAuth.BODY,
        refresh_margin=45,
        timeout=7.5,
        ca_bundle="/etc/ssl/extra.pem",
        api_url="https://api.example.com/items",
    )


@pytest.fixture
def store(tmp_path: Path) -> ConfigStore:
    return ConfigStore(tmp_path / "cfg", clock=lambda: FIXED_TIME)


def write_raw(store: ConfigStore, content: str | bytes) -> None:
    store.path.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode() if isinstance(content, str) else content
    store.path.write_bytes(data)


def write_json(store: ConfigStore, data: object) -> None:
    write_raw(store, json.dumps(data))


def corrupt_copies(store: ConfigStore) -> list[Path]:
    return sorted(store.path.parent.glob("config.json.corrupt-*"))


def test_missing_file_loads_empty_config(store: ConfigStore) -> None:
    config = store.load()
    assert config.profiles == []
    assert config.settings == AppSettings()
    assert not store.path.parent.exists()  # loading creates nothing


def test_round_trip_keeps_every_field(store: ConfigStore) -> None:
    first, second = make_profile("One"), rich_profile()
    settings = AppSettings(
        default_profile_id=second.id,
        clipboard_clear_seconds=15,
        notifications=False,
        left_click=LeftClick.OPEN_MENU,
    )
    store.save(Config(profiles=[first, second], settings=settings))
    loaded = ConfigStore(store.directory).load()
    assert loaded.profiles == [first, second]
    assert loaded.settings == settings


def test_file_layout_has_schema_version_and_no_secret(store: ConfigStore) -> None:
    store.save(Config(profiles=[make_profile()]))
    data = json.loads(store.path.read_text("utf-8"))
    assert data["schema_version"] == SCHEMA_VERSION == 1
    assert set(data) == {"schema_version", "settings", "profiles"}
    assert data["profiles"][0]["client_id"] == "cid"
    assert not any("secret" in key for key in data["profiles"][0])


def test_file_is_0600_and_new_folder_0700(store: ConfigStore) -> None:
    old_umask = os.umask(0o022)
    try:
        store.save(Config())
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.directory.stat().st_mode) == 0o700


def test_save_tightens_a_world_readable_file(store: ConfigStore) -> None:
    store.save(Config())
    store.path.chmod(0o644)
    store.save(Config(profiles=[make_profile()]))
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600


def test_unknown_keys_are_ignored(store: ConfigStore) -> None:
    profile = make_profile().to_dict() | {"colour": "blue"}
    write_json(
        store,
        {
            "schema_version": 1,
            "future_section": {"a": 1},
            "settings": {"notifications": False, "sound": "ding"},
            "profiles": [profile],
        },
    )
    config = store.load()
    assert config.profiles[0].name == "Tarkov API"
    assert config.settings.notifications is False


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ({"clipboard_clear_seconds": "60s"}, AppSettings()),
        ({"clipboard_clear_seconds": True}, AppSettings()),
        ({"clipboard_clear_seconds": -1}, AppSettings()),
        ({"clipboard_clear_seconds": 0}, AppSettings(clipboard_clear_seconds=0)),
        ({"notifications": "yes"}, AppSettings()),
        ({"left_click": "explode"}, AppSettings()),
        ({"left_click": 3}, AppSettings()),
        ({"left_click": "copy_header"}, AppSettings(left_click=LeftClick.COPY_HEADER)),
        ({"default_profile_id": 12}, AppSettings()),
        ({"default_profile_id": ""}, AppSettings()),
    ],
)
def test_bad_setting_values_fall_back_to_defaults(
    stored: dict[str, object], expected: AppSettings
) -> None:
    assert AppSettings.from_dict(stored) == expected


def test_config_dir_env_is_honoured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOKEN_TRAY_CONFIG_DIR", str(tmp_path / "portable"))
    assert config_dir() == tmp_path / "portable"
    store = ConfigStore()
    store.save(Config(profiles=[make_profile()]))
    assert (tmp_path / "portable" / "config.json").is_file()


def test_config_dir_defaults_to_platform_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TOKEN_TRAY_CONFIG_DIR")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert config_dir() == tmp_path / "xdg" / "token-tray"


def test_failure_mid_save_keeps_old_file_and_removes_temp(
    store: ConfigStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.save(Config(profiles=[make_profile("Old")]))
    before = store.path.read_bytes()

    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(AppError) as caught:
        store.save(Config(profiles=[make_profile("New")]))
    monkeypatch.undo()
    assert caught.value.kind is ErrorKind.CONFIG
    assert caught.value.title == "Settings could not be saved"
    assert str(store.path) in caught.value.message
    assert "No space left on device" in caught.value.message
    assert store.path.read_bytes() == before
    assert sorted(p.name for p in store.directory.iterdir()) == [".config.json.lock", "config.json"]


def test_unserialisable_value_keeps_old_file(store: ConfigStore) -> None:
    store.save(Config(profiles=[make_profile("Old")]))
    before = store.path.read_bytes()
    broken = make_profile("New", extra_params=(("when", object()),))
    with pytest.raises(AppError) as caught:
        store.save(Config(profiles=[broken]))
    assert caught.value.kind is ErrorKind.CONFIG
    assert store.path.read_bytes() == before


def test_unwritable_location_is_a_plain_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(AppError) as caught:
        ConfigStore(blocker).save(Config())
    assert caught.value.kind is ErrorKind.CONFIG
    assert str(blocker / "config.json") in caught.value.message
    assert "Traceback" not in caught.value.message


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("{not json", "not valid JSON (line 1, column 2)"),
        (b"\xff\xfe\x00garbage", "not a text file in UTF-8"),
        ("[1, 2]", "does not look like a Token Tray settings file"),
        ('{"profiles": []}', "no valid schema_version"),
        ('{"schema_version": "1", "profiles": []}', "no valid schema_version"),
        ('{"schema_version": 1, "profiles": {}}', "does not look like a Token Tray settings"),
        ('{"schema_version": 1, "settings": [], "profiles": []}', "does not look like"),
        ('{"schema_version": 1, "profiles": [7]}', "profile 1 is not a set of fields"),
        ('{"schema_version": 1, "profiles": [{"name": "x"}]}', "profile 1: A saved profile"),
    ],
)
def test_damaged_file_raises_config_error(
    store: ConfigStore, content: str | bytes, reason: str
) -> None:
    write_raw(store, content)
    with pytest.raises(AppError) as caught:
        store.load()
    error = caught.value
    assert (error.kind, error.title) == (ErrorKind.CONFIG, "Settings file cannot be read")
    assert error.message.startswith(f"{store.path} — ")
    assert reason in error.message
    assert error.exit_code == 2


def test_duplicate_ids_and_empty_ids_are_damage(store: ConfigStore) -> None:
    profile = make_profile("A").to_dict()
    write_json(store, {"schema_version": 1, "profiles": [profile, profile | {"name": "B"}]})
    with pytest.raises(AppError, match="two profiles share the id"):
        store.load()
    write_json(store, {"schema_version": 1, "profiles": [profile | {"id": " "}]})
    with pytest.raises(AppError, match="profile 1 has an empty id"):
        store.load()


def test_recover_moves_damaged_file_aside_with_notice(store: ConfigStore) -> None:
    write_raw(store, "{broken")
    result = store.load_or_recover()
    assert result.config == Config()
    kept = store.directory / f"config.json.corrupt-{STAMP}"
    assert kept.read_text() == "{broken"
    assert not store.path.exists()
    assert result.notice is not None
    assert result.notice.kind is ErrorKind.CONFIG
    assert str(kept) in result.notice.message
    assert "not valid JSON" in result.notice.message


def test_deeply_nested_json_is_kept_aside_like_other_damage(store: ConfigStore) -> None:
    write_raw(store, "[" * 3000)
    result = store.load_or_recover()
    assert result.config == Config()
    assert result.notice is not None
    assert "not valid JSON" in result.notice.message
    assert [path.read_text() for path in corrupt_copies(store)] == ["[" * 3000]


def test_second_damage_in_same_second_keeps_both_copies(store: ConfigStore) -> None:
    write_raw(store, "first damage")
    store.load_or_recover()
    write_raw(store, "second damage")
    notice = store.load_or_recover().notice
    copies = corrupt_copies(store)
    assert [p.name for p in copies] == [
        f"config.json.corrupt-{STAMP}",
        f"config.json.corrupt-{STAMP}-2",
    ]
    assert [p.read_text() for p in copies] == ["first damage", "second damage"]
    assert notice is not None
    assert str(copies[1]) in notice.message


def test_recovered_store_saves_fresh_file(store: ConfigStore) -> None:
    write_raw(store, "{broken")
    result = store.load_or_recover()
    result.config.upsert(make_profile())
    store.save(result.config)
    assert store.load().profiles[0].name == "Tarkov API"
    assert len(corrupt_copies(store)) == 1


def test_save_refuses_to_replace_damaged_file(store: ConfigStore) -> None:
    write_raw(store, "{precious but broken")
    with pytest.raises(AppError) as caught:
        store.save(Config(profiles=[make_profile()]))
    assert caught.value.title == "Settings could not be saved"
    assert "will not replace it" in caught.value.message
    assert store.path.read_text() == "{precious but broken"


def test_good_file_is_not_moved(store: ConfigStore) -> None:
    store.save(Config(profiles=[make_profile()]))
    result = store.load_or_recover()
    assert result.notice is None
    assert [p.name for p in result.config.profiles] == ["Tarkov API"]
    assert corrupt_copies(store) == []


def test_unreadable_file_is_reported_not_moved(tmp_path: Path) -> None:
    store = ConfigStore(tmp_path)
    store.path.mkdir()  # a folder where the file should be: read fails with an OS error
    with pytest.raises(AppError) as caught:
        store.load_or_recover()
    assert caught.value.kind is ErrorKind.CONFIG
    assert store.path.is_dir()
    assert corrupt_copies(store) == []


def newer_file(store: ConfigStore) -> str:
    content = json.dumps({"schema_version": SCHEMA_VERSION + 1, "profiles": [], "new": True})
    write_raw(store, content)
    return content


def test_newer_schema_is_reported_by_load(store: ConfigStore) -> None:
    newer_file(store)
    with pytest.raises(AppError) as caught:
        store.load()
    assert "made by a newer version of Token Tray" in caught.value.message
    assert "update Token Tray" in caught.value.message


def test_newer_schema_is_kept_in_place_and_never_overwritten(store: ConfigStore) -> None:
    content = newer_file(store)
    result = store.load_or_recover()
    assert result.config == Config()
    assert result.notice is not None
    assert "made by a newer version of Token Tray" in result.notice.message
    assert corrupt_copies(store) == []
    with pytest.raises(AppError, match="newer version"):
        store.save(result.config)
    assert store.path.read_text() == content


def test_default_profile_falls_back_to_first() -> None:
    first, second = make_profile("One"), make_profile("Two")
    config = Config(profiles=[first, second])
    assert config.default_profile() == first
    config.settings.default_profile_id = second.id
    assert config.default_profile() == second
    config.settings.default_profile_id = "gone"
    assert config.default_profile() == first
    assert Config().default_profile() is None


def test_find_by_id_then_name_case_insensitively() -> None:
    tricky = make_profile("Other")
    named_like_id = make_profile(tricky.id)
    config = Config(profiles=[named_like_id, tricky])
    assert config.find(tricky.id) == tricky  # an exact id wins over a name
    assert config.find("  oTHER ") == tricky
    assert config.find("missing") is None


def test_upsert_adds_replaces_and_keeps_order() -> None:
    one, two = make_profile("One"), make_profile("Two")
    config = Config(profiles=[one, two])
    renamed = one.replace(name="Uno")
    config.upsert(renamed)
    assert config.profiles == [renamed, two]
    three = make_profile("Three")
    config.upsert(three)
    assert config.profiles == [renamed, two, three]


def test_upsert_refuses_duplicate_name() -> None:
    config = Config(profiles=[make_profile("Tarkov API")])
    with pytest.raises(AppError) as caught:
        config.upsert(make_profile("  tarkov api"))
    assert caught.value.kind is ErrorKind.USAGE
    assert caught.value.title == "A profile named “tarkov api” already exists"
    assert len(config.profiles) == 1


def test_upsert_allows_changing_case_of_own_name() -> None:
    profile = make_profile("tarkov")
    config = Config(profiles=[profile])
    config.upsert(profile.replace(name="Tarkov"))
    assert [p.name for p in config.profiles] == ["Tarkov"]


def test_remove_fixes_default() -> None:
    one, two = make_profile("One"), make_profile("Two")
    config = Config(profiles=[one, two], settings=AppSettings(default_profile_id=one.id))
    assert config.remove(one.id) == one
    assert config.settings.default_profile_id == two.id
    assert config.remove("unknown") is None
    assert config.remove(two.id) == two
    assert config.settings.default_profile_id is None
