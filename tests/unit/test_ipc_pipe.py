"""The command line's named-pipe client (Windows), against a fake pipe: retries, deadlines and
the same answer checks as on Unix."""

from __future__ import annotations

import errno
import json
import os
import sys
from collections.abc import Callable

import pytest

from tray_app.core import folders
from tray_app.core.errors import AppError, ErrorKind
from tray_app.ipc import client as ipc_client
from tray_app.ipc import protocol, winpipe
from tray_app.ipc.protocol import MAX_ANSWER_BYTES
from tray_app.runtime.instance import hand_over

NAME = "token-tray-test"
OURS = "S-1-5-21-1004336348-1177238915-682003330-1001"


class FakePipe:
    """A pipe whose server answers ``answer`` in ``pieces`` and then closes (None: never)."""

    def __init__(self, answer: bytes | None, pieces: int = 1, server: str | None = OURS) -> None:
        self.written, self.server = b"", server
        self.closed = False
        size = max(1, -(-len(answer) // pieces)) if answer else 1
        self._chunks = [answer[i : i + size] for i in range(0, len(answer), size)] if answer else []
        self._hangs = answer is None

    def write(self, data: bytes) -> None:
        self.written += data

    def available(self) -> int | None:
        if self._chunks:
            return len(self._chunks[0])
        return 0 if self._hangs else None

    def read(self, size: int) -> bytes:
        chunk = self._chunks.pop(0)
        if len(chunk) > size:  # a pipe hands out what was asked for and keeps the rest
            self._chunks.insert(0, chunk[size:])
        return chunk[:size]

    def server_sid(self) -> str | None:
        return self.server

    def close(self) -> None:
        self.closed = True


class Opener:
    """Stands in for CreateFileW: raises ``failures`` in turn, then opens ``pipe``."""

    def __init__(self, pipe: FakePipe, failures: list[OSError] | None = None) -> None:
        self.pipe, self.failures = pipe, list(failures or [])
        self.paths: list[str] = []

    def __call__(self, path: str) -> FakePipe:
        self.paths.append(path)
        if self.failures:
            raise self.failures.pop(0)
        return self.pipe


@pytest.fixture
def on_windows(monkeypatch: pytest.MonkeyPatch) -> Callable[[Opener], None]:
    """The client takes its Windows path; the pipe is whatever the test installs."""

    def install(opener: Opener) -> None:
        monkeypatch.setattr(winpipe, "WinPipe", opener)
        monkeypatch.setattr(winpipe, "user_sid", lambda: OURS)
        monkeypatch.setattr(sys, "platform", "win32")

    return install


def line(answer: dict[str, object]) -> bytes:
    return json.dumps({"v": 1, **answer}).encode() + b"\n"


def busy() -> OSError:
    return OSError(errno.EBUSY, "All pipe instances are busy")


def test_a_busy_or_refused_pipe_is_retried(on_windows: Callable[[Opener], None]) -> None:
    pipe = FakePipe(line({"ok": True, "profiles": []}), pieces=3)
    opener = Opener(pipe, [busy(), PermissionError(errno.EACCES, "Access is denied")])
    on_windows(opener)
    assert ipc_client.request_status(name=NAME) == []
    assert opener.paths == [r"\\.\pipe\token-tray-test"] * 3
    assert json.loads(pipe.written) == {"v": 1, "request": "status"}
    assert pipe.closed


def test_no_pipe_means_no_tray_at_once(on_windows: Callable[[Opener], None]) -> None:
    opener = Opener(FakePipe(None), [FileNotFoundError(errno.ENOENT, "not found")])
    on_windows(opener)
    with pytest.raises(ipc_client.TrayNotRunning):
        ipc_client.ask({"request": "status"}, name=NAME)
    assert len(opener.paths) == 1


def test_a_pipe_that_never_opens_means_no_tray_after_a_while() -> None:
    now = [0.0]
    opener = Opener(FakePipe(None), [busy() for _ in range(1000)])
    with pytest.raises(winpipe.NotServing):
        winpipe.exchange(
            NAME,
            b"{}\n",
            deadline=35.0,
            limit=MAX_ANSWER_BYTES,
            open_pipe=opener,
            own_sid=OURS,
            clock=lambda: now[0],
            sleep=lambda seconds: now.__setitem__(0, now[0] + seconds),
        )
    assert winpipe.OPEN_RETRY_S <= now[0] < winpipe.OPEN_RETRY_S + 0.1


def test_a_tray_that_never_answers_is_given_up(on_windows: Callable[[Opener], None]) -> None:
    pipe = FakePipe(None)
    on_windows(Opener(pipe))
    with pytest.raises(AppError) as caught:
        ipc_client.ask({"request": "status"}, name=NAME, timeout=0.2)
    assert caught.value.kind is ErrorKind.UNAVAILABLE
    assert caught.value.title == "Token Tray did not answer"
    assert pipe.closed


def test_hand_over_ends_when_the_tray_hangs(on_windows: Callable[[Opener], None]) -> None:
    on_windows(Opener(FakePipe(None)))
    with pytest.raises(AppError, match="did not answer"):
        hand_over(lambda: ipc_client.request_show(name=NAME, timeout=0.2), seconds=1)


@pytest.mark.parametrize(
    "answer", [b'{"v": 1}\n', b'{"v": 1, "ok": "yes"}\n', b"[]\n", b"not json\n"]
)
def test_the_answer_is_checked_as_on_unix(
    on_windows: Callable[[Opener], None], answer: bytes
) -> None:
    on_windows(Opener(FakePipe(answer)))
    with pytest.raises(AppError) as caught:
        ipc_client.ask({"request": "status"}, name=NAME)
    assert caught.value.title == "Token Tray gave an unreadable answer"


def test_an_answer_too_large_is_refused(on_windows: Callable[[Opener], None]) -> None:
    huge = b'{"ok": true, "pad": "' + b"x" * MAX_ANSWER_BYTES + b'"}\n'
    on_windows(Opener(FakePipe(huge, pieces=8)))
    with pytest.raises(AppError, match="unreadable answer"):
        ipc_client.ask({"request": "status"}, name=NAME)


def test_the_pipe_is_named_by_user_sid_and_session() -> None:
    assert winpipe.pipe_name("token-tray", OURS, 2) == f"token-tray-{OURS}-2"
    # the same account in two sessions, or two accounts named alike, never share a pipe
    assert winpipe.pipe_name("token-tray", OURS, 1) != winpipe.pipe_name("token-tray", OURS, 2)


@pytest.mark.parametrize("server", ["S-1-5-21-1004336348-1177238915-682003330-1002", None])
def test_another_users_pipe_is_never_trusted(
    on_windows: Callable[[Opener], None], server: str | None
) -> None:
    pipe = FakePipe(line({"ok": True, "profiles": []}), server=server)
    on_windows(Opener(pipe))
    with pytest.raises(AppError) as caught:
        ipc_client.request_status(name=NAME)
    assert caught.value.kind is ErrorKind.CONFIG
    assert caught.value.title == "Someone else answers for Token Tray"
    assert pipe.written == b""  # nothing was sent to it, nothing read from it
    assert pipe.closed


def test_each_windows_session_has_its_own_lock_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(protocol.RUNTIME_DIR_ENV, raising=False)
    monkeypatch.setattr(folders, "user_folder", lambda _kind: r"C:\Users\ana\AppData\Local\Temp")
    folders_seen = []
    for session in (1, 2):
        monkeypatch.setattr(winpipe, "session_id", lambda session=session: session)
        with monkeypatch.context() as windows:
            windows.setattr(sys, "platform", "win32")
            folders_seen.append(protocol.runtime_dir())
    assert [os.path.basename(folder) for folder in folders_seen] == ["session-1", "session-2"]


def test_without_our_own_sid_no_pipe_is_trusted(
    on_windows: Callable[[Opener], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    pipe = FakePipe(line({"ok": True, "profiles": []}), server=None)
    opener = Opener(pipe)
    on_windows(opener)
    monkeypatch.setattr(winpipe, "user_sid", lambda: None)
    with pytest.raises(ipc_client.TrayNotRunning):  # the command line fetches directly
        ipc_client.request_status(name=NAME)
    assert opener.paths == []
