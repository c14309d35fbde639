"""Live tokens for scripts: ``token-tray token`` against a running ``token-tray agent``.

Real processes only: the agent (``python -m tray_app agent``, headless), the command line in
subprocesses (plus the plain client on many threads), the real loopback token server that
counts every request, and the test-only file keyring. The single-instance behaviour of the
tray itself is covered on a real desktop in tests/desktop/test_single_instance.py.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.agent_process import Scene
from tests.support.processes import REPO_ROOT, wait_until
from tests.support.tokenserver import TokenServer
from tray_app.core.errors import AppError
from tray_app.ipc import client as ipc_client
from tray_app.ipc import protocol

CROWD = 200
SUBPROCESSES = 8
SHORT_LIFE = 200  # the agent refreshes it after 160 s
SLOW_ANSWER = 5.0
FRESH_ENOUGH = SHORT_LIFE - 5
"""A ``--min-valid`` only a new token meets once the held one is 5 s old; a new one meets it for
5 s, time enough for every caller of a crowd to be answered."""
HEAVY = (
    "PySide6",
    "requests",
    "keyring",
    "argparse",
    "platformdirs",
    "dataclasses",
    "typing",
    "shtab",
)


@pytest.fixture
def server() -> Iterator[TokenServer]:
    with TokenServer("standard", expires_in=SHORT_LIFE) as running:
        yield running


def token_lines(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout.strip()


def test_token_is_the_held_one_and_costs_no_request(scene: Scene, server: TokenServer) -> None:
    scene.agent()
    (held,) = server.issued_tokens
    for fmt, expected in (("raw", held), ("header", f"Authorization: Bearer {held}")):
        assert token_lines(scene.run("token", "--format", fmt)) == expected
    data = json.loads(token_lines(scene.run("token", "--profile", "work", "--format", "json")))
    assert data["access_token"] == held
    assert 0 < data["expires_in"] <= SHORT_LIFE
    assert server.request_count == 1


def test_the_fast_path_loads_no_heavy_module(scene: Scene, server: TokenServer) -> None:
    scene.agent()
    report = f"print([m for m in {HEAVY!r} if m in sys.modules], file=sys.stderr)"
    code = f"import sys; from tray_app.cli.fast import main; code = main(['token']); {report}"
    result = scene.run("-c", f"{code}; sys.exit(code)")
    assert token_lines(result) == server.issued_tokens[-1]
    baseline = scene.run("-c", f"import sys; {report}").stderr.strip()
    assert result.stderr.strip() == baseline  # nothing heavy beyond what Python itself loads
    assert all(name not in baseline for name in ("PySide6", "requests", "keyring"))


def age_held_token(scene: Scene) -> None:
    """Wait until the agent's token has less than ``FRESH_ENOUGH`` seconds left (a few s)."""

    def aged() -> bool:
        (work,) = ipc_client.request_status(name=scene.socket)
        return work["expires_in"] is not None and work["expires_in"] < FRESH_ENOUGH

    wait_until(aged, timeout=SHORT_LIFE - FRESH_ENOUGH + 10, what="the held token to age")


def test_min_valid_beyond_the_remaining_life_refreshes_once(
    scene: Scene, server: TokenServer
) -> None:
    scene.agent()
    (first,) = server.issued_tokens
    age_held_token(scene)
    fresh = token_lines(scene.run("token", "--min-valid", str(FRESH_ENOUGH)))
    assert fresh != first
    assert server.issued_tokens == [first, fresh]
    assert token_lines(scene.run("token", "--min-valid", str(FRESH_ENOUGH - 60))) == fresh
    assert server.request_count == 2


def test_two_hundred_concurrent_calls_share_one_refresh(scene: Scene, server: TokenServer) -> None:
    scene.agent()
    age_held_token(scene)
    min_valid = FRESH_ENOUGH  # every call needs a new token: they must share one request
    argv = [sys.executable, "-m", "tray_app", "token", "--min-valid", str(min_valid)]
    children = [
        subprocess.Popen(argv, env=scene.env(), cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True)
        for _ in range(SUBPROCESSES)
    ]
    answers: list[str] = []
    errors: list[BaseException] = []

    def ask() -> None:
        try:
            answers.append(
                ipc_client.request_token(None, min_valid, name=scene.socket).token.access_token
            )
        except (AppError, ipc_client.TrayNotRunning, OSError) as error:
            errors.append(error)

    threads = [threading.Thread(target=ask) for _ in range(CROWD - SUBPROCESSES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    printed = [child.communicate(timeout=60)[0].strip() for child in children]
    assert errors == []
    assert [child.returncode for child in children] == [0] * SUBPROCESSES
    fresh = server.issued_tokens[-1]
    assert answers + printed == [fresh] * CROWD
    assert server.request_count == 2  # the agent's first token, then one refresh for all


def exported(env_text: str) -> tuple[str, str]:
    """What ``eval "$(token-tray token --format env)"`` sets in a POSIX shell."""
    script = 'eval "$1"; printf "%s\\n%s" "$ACCESS_TOKEN" "$ACCESS_TOKEN_EXPIRES_AT"'
    shell = subprocess.run(
        ["sh", "-c", script, "sh", env_text], capture_output=True, text=True, check=True
    )
    token, expires_at = shell.stdout.split("\n")
    return token, expires_at


FAST_ENV = (
    "import sys; from tray_app.cli.fast import main; code = main(['token', '--format', 'env']);"
    " print('argparse' in sys.modules, file=sys.stderr); sys.exit(code)"
)


@pytest.mark.parametrize("agent", [False, True], ids=["direct", "agent"])
def test_json_flag_and_env_format(scene: Scene, server: TokenServer, agent: bool) -> None:
    if agent:
        scene.agent()
    data = json.loads(token_lines(scene.run("token", "--json")))
    assert data["access_token"] == server.issued_tokens[-1]
    result = scene.run("-c", FAST_ENV)
    token, expires_at = exported(token_lines(result))
    assert token == server.issued_tokens[-1]
    server_expiry = server.expires_at(token)
    assert server_expiry is not None
    assert abs(int(expires_at) - server_expiry) <= 2
    assert result.stderr.strip() == ("False" if agent else "True")  # the fast path: no argparse
    both = scene.run("token", "--json", "--format", "raw")
    assert (both.returncode, both.stdout) == (2, "")
    assert "not allowed with" in both.stderr


def test_new_fetches_now_and_concurrent_callers_share_one_request(
    scene: Scene, server: TokenServer
) -> None:
    scene.agent()
    (held,) = server.issued_tokens
    first = token_lines(scene.run("token", "--new"))
    assert first != held
    assert token_lines(scene.run("token", "--new")) not in (held, first)
    assert server.request_count == 3
    server.delay = SLOW_ANSWER  # every caller below arrives while the one request runs
    argv = [sys.executable, "-m", "tray_app", "token", "--new"]
    answers: list[str] = []

    def ask() -> None:
        answers.append(
            ipc_client.request_token(None, None, new=True, name=scene.socket).token.access_token
        )

    threads = [threading.Thread(target=ask) for _ in range(CROWD // 10)]
    for thread in threads:
        thread.start()
    children = [
        subprocess.Popen(argv, env=scene.env(), cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True)
        for _ in range(SUBPROCESSES)
    ]
    for thread in threads:
        thread.join(timeout=60)
    printed = [child.communicate(timeout=60)[0].strip() for child in children]
    assert [child.returncode for child in children] == [0] * SUBPROCESSES
    assert answers + printed == [server.issued_tokens[-1]] * (len(threads) + SUBPROCESSES)
    assert server.request_count == 4


def test_new_without_a_tray_fetches_directly(scene: Scene, server: TokenServer) -> None:
    assert token_lines(scene.run("token", "--new")) == server.issued_tokens[-1]
    assert server.request_count == 1


def test_status_shows_state_and_expiry_never_the_token(scene: Scene, server: TokenServer) -> None:
    scene.agent()
    table = scene.run("status")
    assert table.returncode == 0, table.stderr
    header, row = table.stdout.splitlines()
    assert header.split() == ["PROFILE", "STATE", "VALID", "FOR", "PROBLEM"]
    assert row.split()[:3] == ["*", "Work", "valid"]
    data = json.loads(scene.run("status", "--json").stdout)
    assert (data["format"], data["version"], data["running"]) == ("token-tray-status", 1, True)
    (work,) = data["profiles"]
    assert (work["name"], work["state"], work["default"]) == ("Work", "valid", True)
    assert work["expires_at"].endswith("Z")
    held = server.issued_tokens[-1]
    assert held not in table.stdout + json.dumps(data)


def test_status_without_a_running_tray_says_so_and_exits_6(scene: Scene) -> None:
    result = scene.run("status")
    assert (result.returncode, result.stdout) == (6, "")
    assert "Token Tray is not running" in result.stderr
    as_json = scene.run("status", "--json")
    assert as_json.returncode == 6
    assert json.loads(as_json.stdout) == {
        "format": "token-tray-status",
        "version": 1,
        "running": False,
        "demo": False,
        "profiles": [],
    }


def test_the_runtime_folder_is_private(scene: Scene) -> None:
    assert not scene.runtime.exists()
    scene.agent()
    assert stat.S_IMODE(scene.runtime.stat().st_mode) == 0o700
    assert stat.S_IMODE(os.stat(scene.socket).st_mode) & 0o077 == 0


@pytest.mark.parametrize("mode", [0o755, 0o1777])
def test_a_loose_or_shared_runtime_folder_keeps_its_mode_and_gets_a_private_one_inside(
    scene: Scene, server: TokenServer, mode: int
) -> None:
    scene.runtime.mkdir()
    scene.runtime.chmod(mode)
    scene.agent()
    assert stat.S_IMODE(scene.runtime.stat().st_mode) == mode
    inner = Path(scene.socket).parent
    assert inner.parent == scene.runtime
    assert stat.S_IMODE(inner.stat().st_mode) == 0o700
    result = scene.run("token")
    assert (result.returncode, result.stdout.strip()) == (0, server.issued_tokens[-1])
    assert server.request_count == 1  # the agent's token


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_the_agent_stops_cleanly_on_a_signal(scene: Scene, signum: int) -> None:
    agent = scene.agent()
    assert scene.stop(agent, signum) == 0
    assert not os.path.exists(scene.socket)
    assert "Traceback" not in scene.log_text()
    after = scene.run("status")
    assert "Token Tray is not running" in after.stderr


def test_a_killed_agents_socket_does_not_block_the_next(scene: Scene, server: TokenServer) -> None:
    first = scene.agent()
    assert scene.stop(first, signal.SIGKILL) == -signal.SIGKILL
    assert os.path.exists(scene.socket)  # left behind
    assert token_lines(scene.run("token")) == server.issued_tokens[-1]  # direct fetch meanwhile
    scene.agent()
    before = server.request_count
    assert token_lines(scene.run("token")) == server.issued_tokens[-1]
    assert server.request_count == before


def test_a_second_agent_exits_0_and_leaves_the_first(scene: Scene, server: TokenServer) -> None:
    first = scene.agent()
    second = scene.run("agent")
    assert second.returncode == 0, second.stderr
    assert "already running" in second.stderr
    assert first.poll() is None
    assert token_lines(scene.run("token")) == server.issued_tokens[-1]


def test_the_agent_has_no_window_to_show(scene: Scene) -> None:
    scene.agent()
    result = scene.run()  # `token-tray` (the tray) while the agent runs
    assert result.returncode == 2
    assert "Token Tray runs without a window" in result.stderr


def exchange(path: str, data: bytes) -> bytes:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(30)
        conn.connect(path)
        conn.sendall(data)
        answer = b""
        while chunk := conn.recv(4096):
            answer += chunk
    return answer


def test_garbage_and_silence_do_not_stop_the_agent(scene: Scene, server: TokenServer) -> None:
    scene.agent()
    garbage = json.loads(exchange(scene.socket, b"\x00\x01 not json\n"))
    assert garbage["ok"] is False
    assert garbage["error"]["title"] == "Bad request"
    oversized = json.loads(exchange(scene.socket, b"{" * (protocol.MAX_REQUEST_BYTES + 1)))
    assert "larger than" in oversized["error"]["message"]
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as silent:
        silent.connect(scene.socket)  # says nothing and stays connected
        assert token_lines(scene.run("token")) == server.issued_tokens[-1]
    assert server.request_count == 1


def test_the_agent_follows_profiles_added_and_removed_on_the_command_line(
    scene: Scene, server: TokenServer
) -> None:
    process = scene.agent()
    scene.save(server.profile(name="Added later"), server.client_secret)

    def both_served() -> list[str] | None:
        names = [p["name"] for p in scene.wait_serving(process)]
        return names if len(names) == 2 else None

    assert wait_until(both_served, what="the agent to pick up the new profile") == [
        "Work",
        "Added later",
    ]
    held = server.issued_tokens[-1]
    assert token_lines(scene.run("token", "--profile", "Added later")) == held
    assert server.request_count == 2  # the agent fetched it; the command line did not
    removed = scene.run("profile", "remove", "Added later")
    assert removed.returncode == 0, removed.stderr
    wait_until(lambda: len(scene.wait_serving(process)) == 1 or None, what="the agent to drop it")
    unknown = scene.run("token", "--profile", "Added later")
    assert unknown.returncode == 2
    assert "Unknown profile" in unknown.stderr


def test_an_error_from_the_agent_keeps_its_exit_code(scene: Scene, server: TokenServer) -> None:
    scene.agent()
    result = scene.run("token", "--min-valid", "5000")  # longer than any token it gets
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith("token-tray: Token too short-lived\n")
    assert "Traceback" not in result.stderr
    assert server.request_count == 1  # the agent knows the lifetime: no attempt


def test_a_new_secret_from_the_command_line_is_tried_by_the_agent_at_once(
    tmp_path: Path, server: TokenServer
) -> None:
    scene = Scene(tmp_path)
    try:
        scene.save(server.profile(name="Work"), "not-the-secret")
        process = scene.agent()
        (work,) = scene.wait_serving(process)
        assert (work["state"], work["error"]) == ("failed", "Wrong client ID or secret")
        result = scene.run(
            "profile", "set-secret", "Work", "--secret-stdin", input_text=server.client_secret
        )
        assert result.returncode == 0, result.stderr
        assert "The running Token Tray is getting a token with it now." in result.stderr
        wait_until(
            lambda: scene.wait_serving(process)[0]["state"] == "valid" or None,
            what="the agent to use the new secret",
        )
        assert server.request_count == 2  # the rejected one, then one with the new secret
    finally:
        scene.close()
