"""Every fault mode through ``token-tray token`` in a subprocess (real server, file keyring).

Checked for each mode: the exit code, the title on stderr, how many requests the server saw,
the retry schedule (the subprocess records its sleeps instead of sleeping, so nothing waits),
and an empty stdout — a script must never mistake an error for a token.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cli import RECORD_SLEEPS, Cli
from tests.support.tokenserver import TokenServer
from tests.support.tokenserver_faults import (
    BY_NAME,
    FINAL,
    RETRY_AFTER_SECONDS,
    RETRYABLE,
    Fault,
    closed_port_url,
)
from tray_app.cli.token import CLI_ATTEMPTS, CLI_BUDGET


@pytest.fixture(scope="module")
def server() -> Iterator[TokenServer]:
    with TokenServer("standard") as running:
        yield running


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path)


def run_token(
    cli: Cli, server: TokenServer, fault: Fault, times: int
) -> tuple[subprocess.CompletedProcess[str], list[float], int]:
    """Script ``fault`` ``times`` times, run ``token``; return the run, its sleeps, requests."""
    url = closed_port_url() if fault.make is None else server.token_url
    cli.save(server.profile(name="Faulty", token_url=url, timeout=1), server.client_secret)
    before = server.request_count
    for _ in range(times if fault.make is not None else 0):
        server.script(fault.answer())
    result = cli.run("-c", RECORD_SLEEPS, "token")
    *_, last = result.stderr.strip().splitlines()
    assert last.startswith("SLEPT ")
    slept = json.loads(last.removeprefix("SLEPT "))
    server.script()  # nothing left over for the next test
    return result, slept, server.request_count - before


@pytest.mark.parametrize("fault", FINAL, ids=lambda f: f.name)
def test_final_fault_fails_at_once(cli: Cli, server: TokenServer, fault: Fault) -> None:
    result, slept, requests = run_token(cli, server, fault, 1)
    assert result.returncode == fault.exit_code, result.stderr
    assert result.stdout == ""
    assert f"token-tray: {fault.title}\n" in result.stderr
    assert fault.says in result.stderr
    assert slept == []
    assert requests == 1


@pytest.mark.parametrize(
    "fault", [f for f in RETRYABLE if f.name != "status_503_retry_after_date"], ids=lambda f: f.name
)
def test_retryable_fault_is_retried_then_exits_4(
    cli: Cli, server: TokenServer, fault: Fault
) -> None:
    result, slept, requests = run_token(cli, server, fault, CLI_ATTEMPTS)
    assert result.returncode == 4, result.stderr
    assert result.stdout == ""
    assert f"token-tray: {fault.title}\n" in result.stderr
    assert result.stderr.count("trying again in") == CLI_ATTEMPTS - 1
    assert len(slept) == CLI_ATTEMPTS - 1
    assert sum(slept) <= CLI_BUDGET
    floor = fault.retry_after or 0.0
    assert all(floor <= s <= max(floor, 2.0 ** (n)) for n, s in enumerate(slept))
    assert requests == (0 if fault.make is None else CLI_ATTEMPTS)


def test_retry_after_seconds_is_honoured_exactly(cli: Cli, server: TokenServer) -> None:
    result, slept, requests = run_token(cli, server, BY_NAME["status_429_retry_after_seconds"], 2)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == server.issued_tokens[-1]
    assert slept == [RETRY_AFTER_SECONDS, RETRY_AFTER_SECONDS]
    assert requests == 3


def test_retry_after_beyond_the_budget_gives_up_at_once(cli: Cli, server: TokenServer) -> None:
    result, slept, requests = run_token(cli, server, BY_NAME["status_503_retry_after_date"], 1)
    assert result.returncode == 4
    assert result.stdout == ""
    assert "asks to wait 1" in result.stderr  # ~120 s
    assert "not waiting that long" in result.stderr
    assert slept == []
    assert requests == 1


@pytest.mark.parametrize("name", ["hang", "connection_reset", "status_502"])
def test_a_fault_that_heals_gives_a_token(cli: Cli, server: TokenServer, name: str) -> None:
    result, slept, requests = run_token(cli, server, BY_NAME[name], 1)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == server.issued_tokens[-1]
    assert len(slept) == 1
    assert 0 <= slept[0] <= 1
    assert requests == 2
