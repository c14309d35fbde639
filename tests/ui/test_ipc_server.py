"""The command-line server on a real local socket, answered from a real ServiceRegistry.

Clients are the real plain-socket client (:mod:`tray_app.ipc.protocol`) or raw sockets, run on
threads while the Qt event loop serves them (``qtbot.waitUntil``). The fetch is the tray harness's
scripted one, so every request to the "token server" is counted; time moves with a fake clock and
the server's timers are fired by hand.
"""

from __future__ import annotations

import json
import os
import socket
import stat
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from PySide6.QtCore import QThreadPool, QTimer
from pytestqt.qtbot import QtBot

from tests.support.fakes import FakeClock
from tests.support.tray_harness import LIFETIME, ScriptedFetch, rejected, unavailable
from tray_app.core.config import Config
from tray_app.core.errors import AppError, ErrorKind
from tray_app.core.profile import Profile
from tray_app.core.status import TokenState
from tray_app.ipc import client as ipc_client
from tray_app.ipc import protocol
from tray_app.runtime.ipc_requests import RequestHandler
from tray_app.runtime.ipc_server import IpcServer, peer_uid
from tray_app.runtime.registry import ServiceRegistry

T = TypeVar("T")
WAIT_MS = 10_000
CROWD = 200


class Served:
    """A registry with two profiles, its request handler and the server, listening."""

    def __init__(self, qtbot: QtBot, folder: Path) -> None:
        self.qtbot = qtbot
        self.clock = FakeClock()
        self.fetch = ScriptedFetch(self.clock)
        self.pool = QThreadPool()
        self.registry = ServiceRegistry(self.fetch, clocks=self.clock.clocks(), pool=self.pool)
        url = "https://auth.example.com/token"
        self.config = Config(
            profiles=[Profile(name=n, token_url=url, client_id="app") for n in ("Work", "Other")]
        )
        self.registry.set_profiles(self.config.profiles)
        self.registry.start()
        self.shown = 0
        self.uid = os.getuid()
        self.handler = RequestHandler(
            self.registry, lambda: self.config, on_show=self._show, clock=self.clock
        )
        self.name = str(folder / protocol.SOCKET_NAME)
        self.server = IpcServer(self.handler, name=self.name, peer_uid=lambda _fd: self.uid)
        self.server.listen()
        qtbot.waitUntil(self._settled, timeout=WAIT_MS)

    def _show(self) -> None:
        self.shown += 1

    def _settled(self) -> bool:
        return all(s.status().state is TokenState.VALID for s in self.registry.services())

    def run(self, call: Callable[[], T]) -> T:
        """``call`` on a thread while the event loop serves it; its result (or its raise)."""
        outcome: dict[str, T | BaseException] = {}

        def work() -> None:
            try:
                outcome["result"] = call()
            except (AppError, ipc_client.TrayNotRunning, OSError) as error:
                outcome["result"] = error

        thread = threading.Thread(target=work)
        thread.start()
        self.qtbot.waitUntil(lambda: not thread.is_alive(), timeout=WAIT_MS)
        result = outcome["result"]
        if isinstance(result, BaseException):
            raise result
        return result

    def ask_token(self, profile: str | None = "Work", min_valid: float = 60) -> str:
        """The plain client call (blocks: run it on a thread, or through :meth:`run`)."""
        return ipc_client.request_token(profile, min_valid, name=self.name).token.access_token

    def token(self, profile: str | None = "Work", min_valid: float = 60) -> str:
        return self.run(lambda: self.ask_token(profile, min_valid))

    def raw(self, data: bytes) -> dict[str, Any]:
        """Send ``data`` on a raw connection; the answer the server gives."""

        def exchange() -> dict[str, Any]:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
                conn.settimeout(WAIT_MS / 1000)
                conn.connect(self.name)
                conn.sendall(data)
                answer = b""
                while not answer.endswith(b"\n"):
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    answer += chunk
            result: dict[str, Any] = json.loads(answer)
            return result

        return self.run(exchange)

    def close(self) -> None:
        self.fetch.gate.set()
        self.server.close()
        self.registry.stop_all()
        assert self.pool.waitForDone(WAIT_MS)


@pytest.fixture
def served(qtbot: QtBot, isolated_runtime_dir: Path) -> Iterator[Served]:
    setup = Served(qtbot, isolated_runtime_dir)
    yield setup
    setup.close()


def expire_soon(served: Served, remaining: float = 100.0) -> None:
    """Move the clock until the held tokens have ``remaining`` seconds left."""
    served.clock.now += LIFETIME - remaining


def test_a_held_token_is_answered_without_a_fetch(served: Served) -> None:
    assert served.token("Work") == "tok-Work-1"
    assert served.token(None) == "tok-Work-1"  # the default profile
    assert served.token("other") == "tok-Other-1"  # names are found case-insensitively
    assert sorted(served.fetch.calls) == ["Other", "Work"]  # one fetch each, at start


def test_the_answer_carries_what_the_formats_need(served: Served) -> None:
    held = served.run(lambda: ipc_client.request_token("Work", 60, name=served.name))
    assert (held.profile_name, held.api_url) == ("Work", "")
    assert held.token.expires_at == pytest.approx(served.clock.now + LIFETIME)
    assert held.token.token_type == "bearer"


def test_min_valid_beyond_the_remaining_life_refreshes_once(served: Served) -> None:
    expire_soon(served, remaining=100)
    assert served.token("Work", min_valid=60) == "tok-Work-1"
    assert served.token("Work", min_valid=300) == "tok-Work-2"
    assert served.token("Work", min_valid=300) == "tok-Work-2"
    assert served.fetch.calls.count("Work") == 2


def test_two_hundred_waiting_requests_share_one_refresh(served: Served) -> None:
    expire_soon(served, remaining=100)
    served.fetch.gate.clear()  # hold the refresh until every request is waiting for it
    outcomes: list[str | BaseException] = []

    def ask() -> None:
        outcomes.append(_outcome(lambda: served.ask_token("Work", min_valid=300)))

    threads = [threading.Thread(target=ask) for _ in range(CROWD)]
    for thread in threads:
        thread.start()
    served.qtbot.waitUntil(lambda: served.handler.waiting == CROWD, timeout=WAIT_MS)
    served.fetch.gate.set()
    served.qtbot.waitUntil(lambda: not any(t.is_alive() for t in threads), timeout=WAIT_MS)
    assert outcomes == ["tok-Work-2"] * CROWD
    assert served.fetch.calls.count("Work") == 2


def _outcome(call: Callable[[], str]) -> str | BaseException:
    try:
        return call()
    except (AppError, OSError) as error:
        return error


def test_a_min_valid_beyond_the_lifetime_is_refused_without_a_fetch(served: Served) -> None:
    for _ in range(3):
        with pytest.raises(AppError) as info:
            served.token("Work", min_valid=LIFETIME + 60)
        assert info.value.title == "Token too short-lived"
        assert f"valid for {LIFETIME:.0f} seconds" in info.value.message
        assert info.value.exit_code == 2  # waiting would not help: not "try again later"
    assert served.fetch.calls.count("Work") == 1  # the tray's own fetch only


def test_a_fresh_token_that_fell_short_is_remembered(served: Served) -> None:
    served.clock.now += 10  # the held token has 10 s less than a fresh one
    served.fetch.gate.clear()
    outcome: list[str | BaseException] = []
    asking = threading.Thread(
        target=lambda: outcome.append(_outcome(lambda: served.ask_token("Work", LIFETIME - 2)))
    )
    asking.start()
    served.qtbot.waitUntil(lambda: served.fetch.calls.count("Work") == 2, timeout=WAIT_MS)
    served.clock.now += 5  # a slow answer: the fresh token arrives 5 s into its life
    served.fetch.gate.set()
    served.qtbot.waitUntil(lambda: not asking.is_alive(), timeout=WAIT_MS)
    (error,) = outcome
    assert isinstance(error, AppError)
    assert (error.title, error.exit_code) == ("Token too short-lived", 2)
    with pytest.raises(AppError, match="too short-lived"):
        served.token("Work", min_valid=LIFETIME - 2)
    assert served.fetch.calls.count("Work") == 2  # remembered: no second attempt
    assert served.token("Work", min_valid=LIFETIME - 10) == "tok-Work-2"  # within reach


def test_without_min_valid_a_token_inside_the_margin_is_refreshed(served: Served) -> None:
    expire_soon(served, remaining=20)  # below the refresh margin of a LIFETIME token
    assert served.run(lambda: ipc_client.request_token("Work", None, name=served.name)) is not None
    assert served.fetch.calls.count("Work") == 2


def test_a_failing_refresh_answers_with_its_error_and_exit_code(served: Served) -> None:
    expire_soon(served, remaining=100)
    served.fetch.errors["Work"] = rejected()
    with pytest.raises(AppError) as info:
        served.token("Work", min_valid=300)
    assert (info.value.title, info.value.exit_code) == ("Wrong client ID or secret", 3)
    assert served.token("Work", min_valid=60) == "tok-Work-1"  # still valid for 100 s


def test_a_refresh_that_takes_too_long_is_answered_with_an_error(served: Served) -> None:
    expire_soon(served, remaining=100)
    served.fetch.gate.clear()
    outcome: list[str | BaseException] = []
    thread = threading.Thread(
        target=lambda: outcome.append(_outcome(lambda: served.ask_token("Work", 300)))
    )
    thread.start()
    served.qtbot.waitUntil(lambda: served.handler.waiting == 1, timeout=WAIT_MS)
    (timer,) = served.handler.findChildren(QTimer)
    timer.timeout.emit()  # the bounded wait is over
    served.qtbot.waitUntil(lambda: not thread.is_alive(), timeout=WAIT_MS)
    (error,) = outcome
    assert isinstance(error, AppError)
    assert (error.title, error.kind) == ("Token server is slow", ErrorKind.UNAVAILABLE)
    assert served.handler.waiting == 0


def test_an_unknown_profile_lets_the_command_line_fetch_directly(served: Served) -> None:
    answer = served.raw(protocol.encode({"request": "token", "profile": "Nope", "min_valid": 0}))
    assert answer["ok"] is False
    assert answer["unknown_profile"] is True
    with pytest.raises(ipc_client.TrayNotRunning):
        served.token("Nope")


def test_status_lists_states_and_expiry_but_no_token(served: Served) -> None:
    answer = served.raw(protocol.encode({"request": "status"}))
    assert "tok-" not in json.dumps(answer)
    assert [(p["name"], p["state"], p["default"]) for p in answer["profiles"]] == [
        ("Work", "valid", True),
        ("Other", "valid", False),
    ]
    assert answer["profiles"][0]["expires_in"] == int(LIFETIME)


def test_show_asks_for_the_settings_window(served: Served) -> None:
    served.run(lambda: ipc_client.request_show(name=served.name))
    assert served.shown == 1


def test_show_without_a_window_says_so(qtbot: QtBot, served: Served, tmp_path: Path) -> None:
    handler = RequestHandler(served.registry, lambda: served.config)
    replies: list[dict[str, Any]] = []
    handler({"request": "show"}, replies.append)
    assert replies[0]["error"]["title"] == "Token Tray runs without a window"


def test_another_users_connection_is_refused(
    served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    served.uid = os.getuid() + 1
    with pytest.raises(AppError) as info:
        served.token("Work")
    assert info.value.title == "Not your Token Tray"
    assert "Refused a command-line connection from another user" in caplog.text
    served.uid = os.getuid()
    assert served.token("Work") == "tok-Work-1"


def test_peer_uid_reads_the_real_peer_credentials() -> None:
    left, right = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    with left, right:
        assert peer_uid(left.fileno()) == os.getuid()


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"hello\n", "not a line of JSON"),
        (b"[1, 2]\n", "must be a JSON object"),
        (b'{"v": 1, "request": "rm -rf"}\n', "Unknown request"),
        (b'{"v": 9, "request": "token"}\n', "Unsupported protocol version"),
        (b'{"v": 1, "request": "token", "min_valid": "soon"}\n', "number of seconds"),
        (b"\xff\xfe\n", "not a line of JSON"),
        (b"[" * 15_000 + b"\n", "not a line of JSON"),
        (b'{"v": 1, "request": "token", "profile": ' + b"[" * 5000 + b"\n", "not a line of JSON"),
        (b"x" * (protocol.MAX_REQUEST_BYTES + 10), "larger than"),
    ],
)
def test_garbage_gets_an_error_and_the_server_keeps_serving(
    served: Served, data: bytes, says: str
) -> None:
    answer = served.raw(data)
    assert answer["ok"] is False
    assert answer["error"]["kind"] == "usage"
    assert says in answer["error"]["message"]
    assert served.token("Work") == "tok-Work-1"


def test_a_handler_that_fails_still_answers(
    qtbot: QtBot, isolated_runtime_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(_request: dict[str, Any], _reply: Callable[[dict[str, Any]], None]) -> None:
        raise KeyError("a bug in a handler")

    name = str(isolated_runtime_dir / "broken.sock")
    server = IpcServer(broken, name=name, peer_uid=lambda _fd: os.getuid())
    server.listen()
    answers: list[dict[str, Any]] = []

    def ask() -> None:
        try:
            ipc_client.request_status(name=name)
        except AppError as error:
            answers.append({"kind": error.kind.value, "title": error.title})

    thread = threading.Thread(target=ask)
    thread.start()
    qtbot.waitUntil(lambda: not thread.is_alive(), timeout=WAIT_MS)
    server.close()
    assert answers == [{"kind": "internal", "title": "Something went wrong"}]
    assert "Unexpected KeyError while answering the command line" in caplog.text


def test_a_slow_request_is_cut_off_without_blocking_others(served: Served) -> None:
    slow = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    with slow:
        slow.connect(served.name)
        slow.sendall(b'{"v": 1, "req')
        assert served.token("Work") == "tok-Work-1"  # served meanwhile
        served.qtbot.waitUntil(lambda: len(served.server.findChildren(QTimer)) == 1)
        (timer,) = served.server.findChildren(QTimer)
        timer.timeout.emit()
        slow.settimeout(WAIT_MS / 1000)
        answer = served.run(lambda: slow.recv(4096))
    assert b"did not arrive in time" in answer


def test_socket_is_private_and_removed_on_close(served: Served) -> None:
    mode = stat.S_IMODE(os.stat(served.name).st_mode)
    assert mode & 0o077 == 0
    served.server.close()
    assert not os.path.exists(served.name)


def test_a_stale_socket_is_replaced(qtbot: QtBot, isolated_runtime_dir: Path) -> None:
    name = str(isolated_runtime_dir / "stale.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as dead:
        dead.bind(name)  # the file stays, nobody listens: what a killed instance leaves
    server = IpcServer(lambda request, reply: reply({"ok": True}), name=name)
    server.listen()
    try:
        assert server.is_listening()
    finally:
        server.close()


def test_a_live_socket_is_never_taken_over(qtbot: QtBot, isolated_runtime_dir: Path) -> None:
    name = str(isolated_runtime_dir / "live.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as live:
        live.bind(name)
        live.listen(1)
        server = IpcServer(lambda request, reply: reply({"ok": True}), name=name)
        with pytest.raises(AppError, match="already running"):
            server.listen()
        assert not server.is_listening()
        assert os.path.exists(name)


def test_a_client_that_leaves_while_waiting_is_forgotten(served: Served) -> None:
    expire_soon(served, remaining=100)
    served.fetch.gate.clear()
    leaving = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    leaving.connect(served.name)
    leaving.sendall(protocol.encode({"request": "token", "profile": "Work", "min_valid": 300}))
    served.qtbot.waitUntil(lambda: served.handler.waiting == 1, timeout=WAIT_MS)
    leaving.close()
    served.qtbot.waitUntil(lambda: not served.server.findChildren(QTimer), timeout=WAIT_MS)
    served.fetch.gate.set()  # the refresh ends; its answer has nobody to go to
    served.qtbot.waitUntil(lambda: served.handler.waiting == 0, timeout=WAIT_MS)
    assert served.token("Work", min_valid=300) == "tok-Work-2"


def test_requests_do_not_defeat_the_retry_backoff(served: Served) -> None:
    expire_soon(served, remaining=100)
    served.fetch.errors["Work"] = unavailable()
    for _attempt in range(3):
        with pytest.raises(AppError) as info:
            served.token("Work", min_valid=300)
        assert info.value.title == "Server not reachable"
    assert served.fetch.calls.count("Work") == 2  # one refresh; then the backoff holds
    assert served.token("Work", min_valid=60) == "tok-Work-1"


def test_retry_tries_a_failed_profile_at_once(served: Served) -> None:
    served.fetch.errors["Work"] = rejected()
    work = served.registry.services()[0]
    work.refresh_now()
    served.qtbot.waitUntil(lambda: work.status().error is not None, timeout=WAIT_MS)
    assert work.status().next_attempt_at is None  # a rejected secret waits for the user
    del served.fetch.errors["Work"]  # the user saved the right secret (`profile set-secret`)
    served.run(lambda: ipc_client.request_retry("Work", name=served.name))
    served.qtbot.waitUntil(lambda: work.status().error is None, timeout=WAIT_MS)
    assert work.status().state is TokenState.VALID
    assert served.fetch.calls.count("Work") == 3


def test_retry_of_a_profile_the_tray_does_not_serve(served: Served) -> None:
    with pytest.raises(ipc_client.TrayNotRunning):
        served.run(lambda: ipc_client.request_retry("Nope", name=served.name))
    answer = served.raw(protocol.encode({"request": "retry"}))
    assert answer["ok"] is False
    assert "profile" in answer["error"]["message"]


def ask_new(served: Served) -> str:
    return ipc_client.request_token("Work", None, new=True, name=served.name).token.access_token


def test_new_fetches_past_the_held_token_and_concurrent_callers_share_it(served: Served) -> None:
    served.fetch.gate.clear()
    outcomes: list[str | BaseException] = []
    callers = [
        threading.Thread(target=lambda: outcomes.append(_outcome(lambda: ask_new(served))))
        for _ in range(20)
    ]
    for caller in callers:
        caller.start()
    served.qtbot.waitUntil(lambda: served.handler.waiting == 20, timeout=WAIT_MS)
    served.fetch.gate.set()
    served.qtbot.waitUntil(lambda: len(outcomes) == 20, timeout=WAIT_MS)
    assert outcomes == ["tok-Work-2"] * 20
    assert served.fetch.calls.count("Work") == 2
    assert served.token("Work") == "tok-Work-2"  # the new one is held from now on


def test_new_goes_past_a_failure_that_needs_the_user(served: Served) -> None:
    served.fetch.errors["Work"] = rejected()
    with pytest.raises(AppError):
        served.run(lambda: ask_new(served))
    del served.fetch.errors["Work"]  # fixed outside Token Tray (e.g. the secret in the keyring)
    assert served.run(lambda: ask_new(served)) == "tok-Work-3"
