"""A server that trickles its answer — one byte every quarter second, in the headers or the body.

Every single receive succeeds, so only a deadline on the whole exchange ends it. Checked through
the HTTP client, the command line, the agent and the tray: the exchange ends within the
profile's timeout plus a small margin, a healthy profile beside four trickling ones keeps
getting its token, and quitting never waits on the trickling calls. Every test bounds its own
run time (a thread join, a subprocess timeout, ``waitUntil``), so the old hang shows as a
failure, not a stuck run.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.support.agent_process import Scene
from tests.support.cli import RECORD_SLEEPS, Cli
from tests.support.memory_keyring import MemoryKeyring
from tests.support.processes import REPO_ROOT, wait_until
from tests.support.tokenserver import TRICKLES, TokenServer, make_certificate
from tray_app.cli.token import CLI_ATTEMPTS
from tray_app.core.errors import AppError
from tray_app.core.oauth import TokenClient
from tray_app.core.profile import Profile
from tray_app.core.status import TokenState
from tray_app.ipc import client as ipc_client

TIMEOUT = 1.0
MARGIN = 1.5
"""Allowed beyond the timeout: thread start-up and a loaded 2-core machine, not the trickle."""
SLOW_TIMEOUT = 20.0
"""The trickling profiles' timeout in the agent and tray tests: far longer than they may wait."""
HEALTHY_WITHIN = 10.0
QUIT_WITHIN = 5.0


def fetch_in_thread(
    client: TokenClient, profile: Profile, secret: str
) -> tuple[threading.Thread, list[object], float]:
    """Start ``client.fetch`` in a daemon thread; return it, its outcome list, the start time."""
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(client.fetch(profile, secret))
        except AppError as error:
            outcome.append(error)

    thread = threading.Thread(target=run, daemon=True)
    started = time.monotonic()
    thread.start()
    return thread, outcome, started


TITLES = {"headers": "Token server did not answer", "body": "Token server too slow"}
"""Cut before the headers were complete, the server did not answer; after, it was too slow."""


@pytest.fixture(params=TRICKLES)
def trickling(request: pytest.FixtureRequest) -> Iterator[TokenServer]:
    with TokenServer("standard", trickle=request.param) as running:
        yield running


@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
def test_the_whole_exchange_ends_within_the_timeout(
    trickling: TokenServer, tls: bool, tmp_path: Path
) -> None:
    server = trickling
    profile = server.profile(timeout=TIMEOUT)
    if tls:
        server.stop()
        cert = make_certificate(tmp_path)
        server = TokenServer("standard", trickle=trickling.trickle, tls=cert).start()
        profile = server.profile(timeout=TIMEOUT, ca_bundle=str(cert[0]))
    client = TokenClient()
    try:
        thread, outcome, started = fetch_in_thread(client, profile, server.client_secret)
        thread.join(TIMEOUT + 10)
        elapsed = time.monotonic() - started
        assert not thread.is_alive(), "the fetch was still running 10 s after its timeout"
    finally:
        client.close()
        server.stop()
    (error,) = outcome
    assert isinstance(error, AppError)
    assert error.title == TITLES[trickling.trickle]
    assert error.retryable
    assert elapsed < TIMEOUT + MARGIN, f"took {elapsed:.2f} s"


def test_closing_the_client_cuts_an_exchange_in_flight(trickling: TokenServer) -> None:
    client = TokenClient()
    profile = trickling.profile(timeout=60)
    thread, outcome, _ = fetch_in_thread(client, profile, trickling.client_secret)
    wait_until(lambda: trickling.request_count, timeout=10, what="the request to arrive")
    time.sleep(0.5)  # let the trickle start
    closed = time.monotonic()
    client.close()
    thread.join(10)
    assert not thread.is_alive()
    assert time.monotonic() - closed < MARGIN
    assert isinstance(outcome[0], AppError)


def test_the_command_line_gives_up_within_its_attempts(
    trickling: TokenServer, tmp_path: Path
) -> None:
    cli = Cli(tmp_path)
    cli.save(trickling.profile(name="Slow", timeout=TIMEOUT), trickling.client_secret)
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", RECORD_SLEEPS, "token"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=cli.env(),
        timeout=CLI_ATTEMPTS * (TIMEOUT + 10),
        check=False,
    )
    elapsed = time.monotonic() - started
    assert result.returncode == 4, result.stderr
    assert result.stdout == ""
    assert f"token-tray: {TITLES[trickling.trickle]}\n" in result.stderr
    assert trickling.request_count == CLI_ATTEMPTS
    # Sleeps are recorded, not slept: what is left is start-up plus the attempts themselves.
    assert elapsed < CLI_ATTEMPTS * TIMEOUT + 2 * MARGIN + 3, f"took {elapsed:.2f} s"


def slow_and_healthy(
    save: Callable[[Profile, str], object], slow: TokenServer, healthy: TokenServer
) -> Profile:
    """Save four trickling profiles and one healthy one; return the healthy one."""
    for number in range(4):
        save(slow.profile(name=f"Slow {number}", timeout=SLOW_TIMEOUT), slow.client_secret)
    good = healthy.profile(name="Healthy")
    save(good, healthy.client_secret)
    return good


@pytest.fixture
def healthy() -> Iterator[TokenServer]:
    with TokenServer("standard") as running:
        yield running


def test_the_agent_serves_a_healthy_profile_and_quits_at_once(
    trickling: TokenServer, healthy: TokenServer, tmp_path: Path
) -> None:
    scene = Scene(tmp_path)
    try:
        slow_and_healthy(scene.save, trickling, healthy)
        agent = scene.start("agent")

        def healthy_token() -> bool:
            try:
                states = ipc_client.request_status(name=scene.socket)
            except (ipc_client.TrayNotRunning, AppError):
                return False
            return any(p["name"] == "Healthy" and p["state"] == "valid" for p in states)

        wait_until(healthy_token, timeout=HEALTHY_WITHIN, what="the healthy profile's token")
        wait_until(lambda: trickling.request_count >= 4, timeout=10, what="the four slow fetches")
        assert healthy.request_count == 1
        signalled = time.monotonic()
        agent.send_signal(signal.SIGTERM)
        assert agent.wait(timeout=QUIT_WITHIN + 10) == 0, scene.log_text()
        assert time.monotonic() - signalled < QUIT_WITHIN
    finally:
        scene.close()


def test_the_tray_serves_a_healthy_profile_and_quits_at_once(
    trickling: TokenServer, healthy: TokenServer, tmp_path: Path, qtbot: QtBot, qapp: QApplication
) -> None:
    from tests.support.app_start import Availability, make_core, start_app
    from tray_app.gui.app import TrayApplication

    core = make_core(tmp_path / "config", MemoryKeyring())
    good = slow_and_healthy(core.repository.save_profile, trickling, healthy)
    app = TrayApplication(qapp, core, tray_available=Availability(False))
    try:
        start_app(qtbot, app)
        service = next(s for s in app.host.registry.services() if s.status().profile.id == good.id)
        qtbot.waitUntil(
            lambda: service.status().state is TokenState.VALID, timeout=int(HEALTHY_WITHIN * 1000)
        )
        qtbot.waitUntil(lambda: trickling.request_count >= 4, timeout=5000)
        quitting = time.monotonic()
        app.shutdown()
        assert app.host.fetch_pool.waitForDone(int((QUIT_WITHIN + 10) * 1000))
        assert time.monotonic() - quitting < QUIT_WITHIN
    finally:
        trickling.stop()
        app.shutdown()
        app.host.fetch_pool.waitForDone(30_000)
        app.deleteLater()
