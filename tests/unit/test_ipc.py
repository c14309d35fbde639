"""The protocol, the runtime folder rules, the fast entry's option reader and the instance lock.

Pure code: no Qt. The client is exercised against plain Python sockets where a test needs one
that misbehaves (a server that answers nonsense or nothing).
"""

from __future__ import annotations

import json
import os
import socket
import stat
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tray_app.cli import fast as entry
from tray_app.core.errors import EXIT_CODES, AppError, ErrorKind
from tray_app.core.token import Token
from tray_app.ipc import client as ipc_client
from tray_app.ipc import protocol
from tray_app.runtime.instance import InstanceLock, claim_instance, hand_over, prepare_runtime_dir


def test_requests_round_trip() -> None:
    line = protocol.encode({"request": "token", "profile": "work", "min_valid": 60})
    assert line.endswith(b"\n")
    assert line.count(b"\n") == 1
    assert protocol.parse_request(line.rstrip()) == {
        "v": 1,
        "request": "token",
        "profile": "work",
        "min_valid": 60,
    }


@pytest.mark.parametrize(
    ("request_", "says"),
    [
        ({"request": "token", "profile": 3}, "name or null"),
        ({"request": "token", "min_valid": True}, "number of seconds"),
        ({"request": "token", "min_valid": -1}, "zero or more"),
        ({"request": "token", "min_valid": float("inf")}, "zero or more"),
        ({"request": "token", "new": "yes"}, "true or false"),
        ({"request": "delete"}, "Unknown request"),
        ({"v": 2, "request": "status"}, "version"),
    ],
)
def test_bad_requests_are_named(request_: dict[str, object], says: str) -> None:
    with pytest.raises(protocol.ProtocolError, match=says):
        protocol.parse_request(json.dumps({"v": 1, **request_}).encode())


@pytest.mark.parametrize("kind", list(ErrorKind))
def test_an_error_answer_keeps_kind_and_exit_code(kind: ErrorKind) -> None:
    answer = json.loads(
        protocol.encode(protocol.error_answer(AppError(kind, "Title", "What to do.")))
    )
    error = protocol.answer_error(answer)
    assert (error.kind, error.title, error.message) == (kind, "Title", "What to do.")
    assert error.exit_code == EXIT_CODES[kind]


@pytest.mark.parametrize(
    "answer", [{"ok": False}, {"ok": False, "error": {"kind": "nope", "title": 1}}]
)
def test_an_unreadable_error_answer_is_internal(answer: dict[str, object]) -> None:
    assert protocol.answer_error(answer).kind is ErrorKind.INTERNAL


def test_runtime_dir_prefers_the_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(protocol.RUNTIME_DIR_ENV, "/somewhere/private")
    assert protocol.runtime_dir() == "/somewhere/private"
    assert protocol.server_name() == "/somewhere/private/token-tray.sock"


def test_runtime_dir_uses_a_private_xdg_runtime_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(protocol.RUNTIME_DIR_ENV)
    xdg = tmp_path / "xdg"
    xdg.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(xdg))
    assert protocol.runtime_dir() == str(xdg / "token-tray")


@pytest.mark.parametrize("problem", ["unset", "relative", "missing", "shared"])
def test_runtime_dir_falls_back_to_a_per_user_temp_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, problem: str
) -> None:
    monkeypatch.delenv(protocol.RUNTIME_DIR_ENV)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)
    values = {"relative": "run/user", "missing": str(tmp_path / "gone"), "shared": str(shared)}
    if problem == "unset":
        monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    else:
        monkeypatch.setenv("XDG_RUNTIME_DIR", values[problem])
    assert protocol.runtime_dir() == str(tmp_path / f"token-tray-{os.getuid()}")


def test_the_client_finds_no_tray_without_a_socket(isolated_runtime_dir: Path) -> None:
    with pytest.raises(ipc_client.TrayNotRunning):
        ipc_client.request_status()
    with pytest.raises(ipc_client.TrayNotRunning):
        ipc_client.request_status(name=str(isolated_runtime_dir / "missing" / "x.sock"))


def test_a_socket_path_too_long_for_unix_sockets_means_no_tray(tmp_path: Path) -> None:
    folder = tmp_path / ("x" * 120)  # AF_UNIX paths end at about 108 bytes
    folder.mkdir(mode=0o700)
    with pytest.raises(ipc_client.TrayNotRunning):
        ipc_client.request_status(name=str(folder / protocol.SOCKET_NAME))


def test_an_unexpected_failure_on_the_fast_path_is_a_plain_message(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise ValueError("echo of s3cr3t-value")

    monkeypatch.setattr(ipc_client, "request_token", broken)
    assert entry.main(["token"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("token-tray: Internal error\n")
    assert "ValueError" in err
    assert "s3cr3t-value" not in err
    assert "Traceback" not in err


def test_the_client_refuses_a_folder_others_can_enter(isolated_runtime_dir: Path) -> None:
    isolated_runtime_dir.chmod(0o755)  # not private: a folder inside it is used
    inner = Path(protocol.runtime_dir())
    assert inner.parent == isolated_runtime_dir
    inner.mkdir(mode=0o755)
    inner.chmod(0o755)
    with pytest.raises(ipc_client.UnsafeFolderError) as info:
        ipc_client.request_status()
    assert (info.value.title, info.value.exit_code) == ("Unsafe runtime folder", 2)


def test_a_shared_override_folder_gets_a_private_folder_inside(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    monkeypatch.setenv(protocol.RUNTIME_DIR_ENV, str(shared))
    folder = prepare_runtime_dir(Path(protocol.runtime_dir()))
    assert folder == shared / f"token-tray-{os.getuid()}"
    assert stat.S_IMODE(shared.stat().st_mode) == 0o1777
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert protocol.runtime_dir() == str(folder)  # the client finds the same folder


@pytest.mark.parametrize("planted", ["symlink", "file", "other_users_folder"])
def test_a_name_planted_in_the_shared_temp_folder_is_skipped(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, planted: str
) -> None:
    monkeypatch.delenv(protocol.RUNTIME_DIR_ENV)
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    first = tmp_path / f"token-tray-{os.getuid()}"
    if planted == "symlink":
        (tmp_path / "elsewhere").mkdir()
        first.symlink_to(tmp_path / "elsewhere")
    elif planted == "file":
        first.write_text("")
    else:
        if os.getuid() != 0:
            pytest.skip("only root can make a folder that belongs to another user")
        first.mkdir()
        os.chown(first, 65534, 65534)
    chosen = Path(protocol.runtime_dir())
    assert chosen == tmp_path / f"token-tray-{os.getuid()}-1"
    prepare_runtime_dir(chosen)
    assert protocol.runtime_dir() == str(chosen)


def test_when_every_name_is_taken_the_error_names_the_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(protocol.RUNTIME_DIR_ENV)
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    first = tmp_path / f"token-tray-{os.getuid()}"
    for name in [first.name] + [f"{first.name}-{n}" for n in range(1, protocol.SUBFOLDER_TRIES)]:
        (tmp_path / name).write_text("")
    with pytest.raises(AppError) as info:
        prepare_runtime_dir(Path(protocol.runtime_dir()))
    assert str(first) in info.value.message
    assert "Remove that folder" in info.value.message


@pytest.fixture
def fake_tray(isolated_runtime_dir: Path) -> Iterator[list[bytes]]:
    """A plain socket server that answers each connection with the next queued bytes."""
    answers: list[bytes] = []
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(protocol.server_name())
    listener.listen(8)

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)
                conn.sendall(answers.pop(0) if answers else b"")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield answers
    listener.shutdown(socket.SHUT_RDWR)  # wakes the accept()
    listener.close()
    thread.join(timeout=5)


@pytest.mark.parametrize("answer", [b"", b"<html>\n", b'{"no": "ok"}\n', b'{"ok": true}\n'])
def test_a_nonsense_answer_is_a_plain_error(fake_tray: list[bytes], answer: bytes) -> None:
    fake_tray.append(answer)
    with pytest.raises(AppError) as info:
        ipc_client.request_token("work", 60)
    assert info.value.title == "Token Tray gave an unreadable answer"


def test_a_token_answer_becomes_a_token(fake_tray: list[bytes]) -> None:
    token = Token("abc.def", "Bearer", 3600.0, 1_700_000_000.0, scope="read")
    fake_tray.append(protocol.encode(protocol.token_answer(token, "id1", "Work", "https://api/")))
    held = ipc_client.request_token("work", 60)
    assert held.token == token
    assert (held.profile_id, held.profile_name, held.api_url) == ("id1", "Work", "https://api/")


def test_an_unknown_profile_answer_means_fetch_directly(fake_tray: list[bytes]) -> None:
    error = AppError(ErrorKind.USAGE, "Unknown profile", "No such profile.")
    fake_tray.append(protocol.encode(protocol.error_answer(error, unknown_profile=True)))
    with pytest.raises(ipc_client.TrayNotRunning):
        ipc_client.request_token("new", 60)


@pytest.mark.parametrize(
    ("args", "options"),
    [
        ([], (None, "raw", None, False)),
        (["--profile", "work", "--format", "header"], ("work", "header", None, False)),
        (["--profile=Tarkov API", "--min-valid=0"], ("Tarkov API", "raw", 0.0, False)),
        (["--min-valid", "300", "--format=json"], (None, "json", 300.0, False)),
        (["--new", "--profile", "work"], ("work", "raw", None, True)),
        (["--json"], (None, "json", None, False)),
        (["--format", "env"], (None, "env", None, False)),
    ],
)
def test_the_fast_entry_reads_token_options(
    args: list[str], options: tuple[str | None, str, float | None, bool]
) -> None:
    assert entry.parse_token_options(args) == options


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["--format", "xml"],
        ["--min-valid", "soon"],
        ["--min-valid", "-1"],
        ["--min-valid", "nan"],
        ["--profile"],
        ["--profile", "--format"],
        ["--prof", "work"],
        ["work"],
        ["--new=yes"],
        ["--json", "--format", "raw"],
    ],
)
def test_the_fast_entry_leaves_the_rest_to_argparse(args: list[str]) -> None:
    assert entry.parse_token_options(args) is None


def test_token_is_an_immutable_value_whose_repr_hides_the_token() -> None:
    token = Token("secret-token-value", "Bearer", 60.0, 1000.0)
    assert token == Token("secret-token-value", "Bearer", lifetime=60.0, obtained_at=1000.0)
    assert token != Token("other", "Bearer", 60.0, 1000.0)
    assert len({token, Token("secret-token-value", "Bearer", 60.0, 1000.0)}) == 1
    assert "secret-token-value" not in repr(token)
    assert token.expires_at == 1060.0
    with pytest.raises(AttributeError):
        token.lifetime = 5.0


def test_prepare_runtime_dir_creates_a_private_folder(tmp_path: Path) -> None:
    folder = prepare_runtime_dir(tmp_path / "a" / "run")
    assert folder.stat().st_mode & 0o777 == 0o700


def test_prepare_runtime_dir_tightens_our_own_loose_folder(tmp_path: Path) -> None:
    (tmp_path / "run").mkdir(mode=0o755)
    assert prepare_runtime_dir(tmp_path / "run").stat().st_mode & 0o777 == 0o700


def test_prepare_runtime_dir_refuses_a_symlink(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "run").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(AppError) as info:
        prepare_runtime_dir(tmp_path / "run")
    assert info.value.title == "Runtime folder cannot be used"
    assert info.value.exit_code == 2


def test_one_instance_holds_the_lock_until_it_lets_go(isolated_runtime_dir: Path) -> None:
    first = claim_instance()
    assert first is not None
    assert claim_instance() is None
    assert not InstanceLock(isolated_runtime_dir).acquire()
    first.release()
    second = claim_instance()
    assert second is not None
    second.release()


class Steps:
    def __init__(self, answers_after: int) -> None:
        self.now = 0.0
        self.asked = 0
        self.answers_after = answers_after

    def ask(self) -> None:
        self.asked += 1
        if self.asked <= self.answers_after:
            raise ipc_client.TrayNotRunning

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_hand_over_waits_for_an_instance_that_is_still_starting() -> None:
    steps = Steps(answers_after=3)
    hand_over(steps.ask, seconds=10, clock=lambda: steps.now, sleep=steps.sleep)
    assert steps.asked == 4


def test_hand_over_gives_up_with_a_plain_error() -> None:
    steps = Steps(answers_after=1000)
    with pytest.raises(AppError) as info:
        hand_over(steps.ask, seconds=1, clock=lambda: steps.now, sleep=steps.sleep)
    assert info.value.title == "Token Tray is already running"
    assert steps.now >= 1


class FakeMsvcrt:
    """The C runtime's locking calls, recorded with the file position they were made at."""

    LK_NBLCK, LK_UNLCK = 2, 0

    def __init__(self) -> None:
        self.calls: list[tuple[int, int]] = []

    def locking(self, fd: int, mode: int, size: int) -> None:
        self.calls.append((mode, os.lseek(fd, 0, os.SEEK_CUR)))


def test_windows_unlocks_the_instance_lock_before_closing(
    isolated_runtime_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lock = InstanceLock(prepare_runtime_dir(isolated_runtime_dir))
    assert lock.acquire()
    fake = FakeMsvcrt()
    monkeypatch.setitem(sys.modules, "msvcrt", fake)
    with monkeypatch.context() as windows:
        windows.setattr(sys, "platform", "win32")
        lock.release()
    assert fake.calls == [(FakeMsvcrt.LK_UNLCK, 0)]  # the byte locked at position 0
    assert not lock.held
