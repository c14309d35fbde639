"""config.json under stress: writers killed mid-save, two processes editing at once.

Writers are real subprocesses; "killed between write and replace" is a writer whose
``os.replace`` SIGKILLs its own process — the temp file is written and fsynced, the rename never
happens. Nothing here waits on a timer: the parent reads the writers' progress lines.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from tray_app.core.config import Config, ConfigStore
from tray_app.core.profile import Profile

REPO_ROOT = Path(__file__).resolve().parents[2]

KILLED_BEFORE_REPLACE = """
import os, signal, sys
from pathlib import Path
from tray_app.core.config import Config, ConfigStore
from tray_app.core.profile import Profile
def die(*_args):
    os.kill(os.getpid(), signal.SIGKILL)
os.replace = die  # the temp file is complete and fsynced; the writer dies before the rename
profile = Profile("New", "https://auth.example.com/new", "app", id="new")
ConfigStore(Path(sys.argv[1])).save(Config(profiles=[profile]))
"""

ENDLESS_WRITER = """
import sys
from pathlib import Path
from tray_app.core.config import Config, ConfigStore
from tray_app.core.profile import Profile
store = ConfigStore(Path(sys.argv[1]))
number = 0
while True:
    number += 1
    profile = Profile(f"P{number}", "https://auth.example.com/token", "app", id=f"p{number}")
    store.save(Config(profiles=[profile]))
    print(number, flush=True)
"""

EDITOR = """
import sys
from pathlib import Path
from tests.support.memory_keyring import MemoryKeyring
from tray_app.core.config import ConfigStore
from tray_app.core.credentials import CredentialStore
from tray_app.core.profile import Profile
from tray_app.core.repository import ProfileRepository
folder, who, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
repo = ProfileRepository(ConfigStore(folder), CredentialStore(MemoryKeyring()))
print("ready", flush=True)
sys.stdin.readline()  # start together
for number in range(count):
    name = f"{who}-{number}"
    repo.save_profile(Profile(name, "https://auth.example.com/token", "app", id=name), "s")
"""


def python(code: str, *args: str, stdin: int | None = None) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=REPO_ROOT,
        env=env,
        text=True,
        stdin=stdin,
        stdout=subprocess.PIPE,
    )


def old_config(store: ConfigStore) -> bytes:
    profile = Profile("Old", "https://auth.example.com/old", "app", id="old")
    store.save(Config(profiles=[profile]))
    return store.path.read_bytes()


def test_writer_killed_between_write_and_replace_loses_nothing(tmp_path: Path) -> None:
    store = ConfigStore(tmp_path / "config")
    before = old_config(store)

    writer = python(KILLED_BEFORE_REPLACE, str(store.directory))
    writer.communicate(timeout=60)

    assert writer.returncode == -signal.SIGKILL
    assert store.path.read_bytes() == before
    assert [p.name for p in store.load().profiles] == ["Old"]
    [orphan] = store.directory.glob(".config.json.*.tmp")
    assert json.loads(orphan.read_text())["profiles"][0]["name"] == "New"  # complete, unused
    assert os.stat(orphan).st_mode & 0o777 == 0o600
    # The dead writer's lock is gone with it; the next save works and clears the orphan.
    store.save(Config(profiles=[*store.load().profiles]))
    assert list(store.directory.glob(".config.json.*.tmp")) == []
    assert [p.name for p in store.load().profiles] == ["Old"]


def test_writer_killed_at_any_moment_leaves_a_readable_file(tmp_path: Path) -> None:
    store = ConfigStore(tmp_path / "config")
    old_config(store)
    for round_number in range(3):
        writer = python(ENDLESS_WRITER, str(store.directory))
        assert writer.stdout is not None
        for _ in range(5 + 7 * round_number):
            last = int(writer.stdout.readline())
        writer.kill()
        writer.communicate(timeout=60)
        [profile] = store.load().profiles  # never torn: the old or a complete new file
        assert int(profile.name.removeprefix("P")) >= last
        assert os.stat(store.path).st_mode & 0o777 == 0o600


def test_two_processes_editing_at_once_both_survive(tmp_path: Path) -> None:
    folder = tmp_path / "config"
    count = 12
    editors = [
        python(EDITOR, str(folder), who, str(count), stdin=subprocess.PIPE)
        for who in ("tray", "cli")
    ]
    for editor in editors:
        assert editor.stdout is not None
        assert editor.stdout.readline().strip() == "ready"
    for editor in editors:
        assert editor.stdin is not None
        editor.stdin.write("go\n")
        editor.stdin.flush()
    for editor in editors:
        editor.communicate(timeout=120)
        assert editor.returncode == 0
    names = {p.name for p in ConfigStore(folder).load().profiles}
    assert names == {f"{who}-{n}" for who in ("tray", "cli") for n in range(count)}
