"""Demo mode: the built-in loopback server, the temporary config and in-memory secrets; it starts,
fetches, and refreshes under a fake clock (timers fired by hand), and "Try the demo" swaps a
still-empty tray for the demo one."""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from tests.support.app_start import Availability, make_core
from tests.support.fakes import FakeClock
from tests.support.memory_keyring import MemoryKeyring
from tray_app.core.jwt_claims import decode_jwt
from tray_app.core.oauth import TokenClient
from tray_app.core.source import TokenSource
from tray_app.core.status import TokenState
from tray_app.demo.environment import DEMO_PROFILE_NAME, MEMORY_STORAGE_NAME, DemoEnvironment
from tray_app.demo.server import DEMO_LIFETIME
from tray_app.gui.icons import IconProvider
from tray_app.gui.startup import TrayRunner, build_demo_core
from tray_app.runtime.registry import ServiceRegistry

WAIT_MS = 5000
START = 1_800_000_000.0

pytestmark = pytest.mark.qt_log_ignore(
    r"This plugin does not support propagateSizeHints\(\)",
    r"No such signal QPlatformNativeInterface::systemTrayWindowChanged",
)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def environment(clock: FakeClock) -> Iterator[DemoEnvironment]:
    env = DemoEnvironment(clock=clock)
    yield env
    env.close()


def test_demo_environment_holds_one_profile_and_keeps_the_secret_in_memory(
    environment: DemoEnvironment,
) -> None:
    config = environment.repository.load()
    [profile] = config.profiles
    assert profile.name == DEMO_PROFILE_NAME
    assert config.default_profile() == profile
    assert profile.token_url.startswith("http://127.0.0.1:")
    assert environment.folder.exists()
    assert environment.server.client_secret not in (environment.folder / "config.json").read_text()
    assert environment.credentials.get_secret(profile.id) == environment.server.client_secret
    assert environment.credentials.backend_name() == MEMORY_STORAGE_NAME
    assert environment.credentials._backend is None  # the OS keyring was never even looked up


def test_demo_fetches_and_refreshes_under_a_fake_clock(
    qtbot: QtBot, environment: DemoEnvironment, clock: FakeClock
) -> None:
    core = build_demo_core(environment)
    pool = QThreadPool()
    registry = ServiceRegistry(core.source.fetch, clocks=clock.clocks(), pool=pool)
    registry.set_profiles(environment.repository.load().profiles)
    registry.start()
    try:
        [service] = registry.services()
        qtbot.waitUntil(lambda: service.status().state is TokenState.VALID, timeout=WAIT_MS)
        first = service.valid_token()
        assert first is not None
        assert first.lifetime == DEMO_LIFETIME
        decoded = decode_jwt(first.access_token)
        assert decoded is not None
        assert decoded.claims["exp"] == START + DEMO_LIFETIME
        assert service.timer.isActive()
        assert service.status().next_attempt_at == START + 90  # 30 s before expiry

        clock.now = START + 89
        service.timer.timeout.emit()  # woken early: nothing yet
        assert environment.server.token_requests == 1
        clock.now = START + 90
        service.timer.timeout.emit()
        qtbot.waitUntil(lambda: environment.server.token_requests == 2, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: service.valid_token() not in (None, first), timeout=WAIT_MS)
        second = service.valid_token()
        assert second is not None
        assert second.expires_at == START + 90 + DEMO_LIFETIME
        assert service.status().state is TokenState.VALID
    finally:
        registry.stop_all()
        pool.waitForDone(WAIT_MS)
        core.client.close()


def test_the_demo_api_accepts_only_its_live_tokens(
    environment: DemoEnvironment, clock: FakeClock
) -> None:
    client = TokenClient(clock=clock)
    try:
        token = TokenSource(environment.credentials, client).fetch(environment.profile)
    finally:
        client.close()
    request = urllib.request.Request(
        environment.profile.api_url, headers={"Authorization": f"Bearer {token.access_token}"}
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert "Your token works" in json.loads(answer.read())["message"]
    clock.now = START + DEMO_LIFETIME + 1
    with pytest.raises(urllib.error.HTTPError) as expired:
        urllib.request.urlopen(request, timeout=10)
    assert expired.value.code == 401
    expired.value.close()


def test_closing_removes_the_temporary_folder(clock: FakeClock) -> None:
    env = DemoEnvironment(clock=clock)
    env.close()
    assert not env.folder.exists()
    env.close()  # twice is fine


@pytest.fixture
def switched() -> list[bool]:
    """Calls of the runner's ``on_demo`` (in production: release the single-instance lock)."""
    return []


@pytest.fixture
def runner(
    qtbot: QtBot, qapp: QApplication, tmp_path: Path, switched: list[bool]
) -> Iterator[TrayRunner]:
    quit_on_close = qapp.quitOnLastWindowClosed()
    made = TrayRunner(
        qapp,
        IconProvider(),
        build=lambda: make_core(tmp_path / "config", MemoryKeyring()),
        tray_available=Availability(False),
        on_demo=lambda: switched.append(True),
    )
    yield made
    made.close()
    current = made.current
    if current is not None:
        assert current.host.fetch_pool.waitForDone(WAIT_MS)
        current.close_windows()
        current.deleteLater()
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QMessageBox):
            widget.close()
    assert QThreadPool.globalInstance().waitForDone(WAIT_MS)
    qapp.setQuitOnLastWindowClosed(quit_on_close)


def test_demo_mode_starts_with_its_profile(runner: TrayRunner, qtbot: QtBot) -> None:
    app = runner.start(demo=True)
    environment = runner.environment
    assert environment is not None
    assert app.settings_dialog is None  # there is a profile: no first-start window
    [service] = app.host.registry.services()
    assert service.profile.name == DEMO_PROFILE_NAME
    qtbot.waitUntil(lambda: service.status().state is TokenState.VALID, timeout=WAIT_MS)
    assert environment.server.token_requests == 1
    # a script's `token-tray token` never gets a demo token
    assert not app.host.server.is_listening()
    runner.close()
    assert not environment.folder.exists()


def test_try_the_demo_replaces_the_empty_tray(
    runner: TrayRunner, qtbot: QtBot, switched: list[bool]
) -> None:
    first = runner.start(demo=False)
    qtbot.waitUntil(first.host.registry.is_started, timeout=WAIT_MS)
    dialog = first.settings_dialog
    assert dialog is not None
    assert dialog.demo_button.isVisible()

    assert first.host.server.is_listening()
    socket_path = first.host.server.name
    dialog.demo_button.click()

    demo = runner.current
    assert demo is not None
    assert demo is not first
    assert not dialog.isVisible()
    assert runner.environment is not None
    [service] = demo.host.registry.services()
    qtbot.waitUntil(lambda: service.status().state is TokenState.VALID, timeout=WAIT_MS)
    assert not os.path.exists(socket_path)  # the replaced tray stopped serving
    assert switched == [True]  # run_tray releases the single-instance lock here
    assert not demo.host.server.is_listening()
