"""config.json durability details: empty files, orphaned temp files, the settings lock."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tray_app.core import atomic
from tray_app.core.config import Config, ConfigStore
from tray_app.core.errors import AppError, ErrorKind
from tray_app.core.profile import Profile

REPO_ROOT = Path(__file__).resolve().parents[2]
HOLD_LOCK = """
import sys
from pathlib import Path
from tray_app.core.atomic import interprocess_lock
lock = interprocess_lock(Path(sys.argv[1]))
with lock:
    print("held", flush=True)
    sys.stdin.readline()
"""


def profile(name: str) -> Profile:
    return Profile(name, "https://auth.example.com/token", "app", id=name.lower())


def test_an_empty_file_is_never_overwritten_and_is_kept_aside(tmp_path: Path) -> None:
    store = ConfigStore(tmp_path, clock=lambda: 0.0)
    store.path.write_bytes(b"")  # e.g. a crash on a filesystem that lost the data
    with pytest.raises(AppError) as caught:
        store.load()
    assert caught.value.kind is ErrorKind.CONFIG
    with pytest.raises(AppError, match="will not replace it"):
        store.save(Config(profiles=[profile("New")]))
    assert store.path.read_bytes() == b""

    result = store.load_or_recover()
    assert result.notice is not None
    assert result.notice.title == "Settings were reset"
    [kept] = tmp_path.glob("config.json.corrupt-*")
    store.save(Config(profiles=[profile("New")]))
    assert kept.read_bytes() == b""  # the kept copy survives later saves
    assert [p.name for p in store.load().profiles] == ["New"]


def test_save_removes_temp_files_orphaned_by_a_killed_writer(tmp_path: Path) -> None:
    store = ConfigStore(tmp_path)
    store.save(Config(profiles=[profile("Old")]))
    orphan = tmp_path / ".config.json.0123456789ab.tmp"
    orphan.write_text("{half")
    unrelated = tmp_path / "notes.tmp"
    unrelated.write_text("mine")
    store.save(Config(profiles=[profile("New")]))
    assert not orphan.exists()
    assert unrelated.read_text() == "mine"


def test_locked_is_reentrant(tmp_path: Path) -> None:
    store = ConfigStore(tmp_path)
    with store.locked(), store.locked():
        store.save(Config(profiles=[profile("Inside")]))
    assert [p.name for p in store.load().profiles] == ["Inside"]


def test_a_lock_held_elsewhere_too_long_is_a_plain_error(tmp_path: Path) -> None:
    store = ConfigStore(tmp_path, lock_timeout=0.2)
    store.save(Config(profiles=[profile("Old")]))
    before = store.path.read_bytes()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(store.path)],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(AppError) as caught:
            store.save(Config(profiles=[profile("New")]))
    finally:
        holder.communicate("done\n", timeout=30)
    assert caught.value.title == "Settings are busy"
    assert caught.value.exit_code == 2
    assert store.path.read_bytes() == before
    store.save(Config(profiles=[profile("New")]))  # released: works again


def test_the_platform_folder_is_kept_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TOKEN_TRAY_CONFIG_DIR")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    folder = tmp_path / "xdg" / "token-tray"
    folder.mkdir(parents=True, mode=0o755)
    os.chmod(folder, 0o755)  # noqa: S103 - the loose mode under test
    ConfigStore().save(Config(profiles=[profile("Mine")]))
    assert os.stat(folder).st_mode & 0o777 == 0o700
    assert os.stat(folder / "config.json").st_mode & 0o777 == 0o600


def test_a_folder_chosen_by_the_user_keeps_its_mode(tmp_path: Path) -> None:
    folder = tmp_path / "portable"
    folder.mkdir(mode=0o750)
    os.chmod(folder, 0o750)  # noqa: S103 - a mode the user chose
    ConfigStore(folder).save(Config())
    assert os.stat(folder).st_mode & 0o777 == 0o750


class BusyTarget:
    """os.replace against a target another process holds open for ``busy`` attempts."""

    def __init__(self, busy: int) -> None:
        self.busy, self.attempts, self.pauses = busy, 0, 0

    def rename(self, source: Path, target: Path) -> None:
        self.attempts += 1
        if self.attempts <= self.busy:
            raise PermissionError(13, "The process cannot access the file")  # winerror 32
        os.replace(source, target)

    def sleep(self, _seconds: float) -> None:
        self.pauses += 1


def test_windows_retries_a_replace_blocked_by_a_reader(tmp_path: Path) -> None:
    source, target = tmp_path / "new", tmp_path / "config.json"
    source.write_text("new")
    target.write_text("old")
    busy = BusyTarget(busy=3)
    atomic.replace(source, target, platform="win32", rename=busy.rename, sleep=busy.sleep)
    assert target.read_text() == "new"
    assert (busy.attempts, busy.pauses) == (4, 3)


def test_a_replace_blocked_for_good_fails_and_elsewhere_is_not_retried(tmp_path: Path) -> None:
    source, target = tmp_path / "new", tmp_path / "config.json"
    source.write_text("new")
    forever = BusyTarget(busy=10_000)
    with pytest.raises(PermissionError):
        atomic.replace(source, target, platform="win32", rename=forever.rename, sleep=forever.sleep)
    assert forever.attempts == atomic.REPLACE_ATTEMPTS
    once = BusyTarget(busy=1)
    with pytest.raises(PermissionError):
        atomic.replace(source, target, platform="linux", rename=once.rename, sleep=once.sleep)
    assert (once.attempts, once.pauses) == (1, 0)
