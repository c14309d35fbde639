"""Demo mode: the built-in loopback server, the temporary config and in-memory secrets; it starts,
fetches, and refreshes under a fake clock (timers fired by hand), and "Try the demo" swaps a
still-empty tray for the demo one."""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from tests.support.app_start import Availability, make_core
from tests.support.fakes import FakeClock
from tests.support.memory_keyring import MemoryKeyring
from tray_app.core.jwt_claims import decode_jwt
from tray_app.core.oauth import TokenClient
from tray_app.core.profile import Profile
from tray_app.core.source import TokenSource
from tray_app.core.status import TokenState
from tray_app.demo.environment import DEMO_PROFILE_NAME, MEMORY_STORAGE_NAME, DemoEnvironment
from tray_app.demo.server import DEMO_LIFETIME
from tray_app.gui.icons import IconProvider
from tray_app.gui.startup import TrayRunner, build_demo_core
from tray_app.gui.tray import LEAVE_DEMO_TEXT
from tray_app.ipc import client as ipc_client
from tray_app.runtime.registry import ServiceRegistry

WAIT_MS = 5000
T = TypeVar("T")
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
def keyring() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def runner(
    qtbot: QtBot, qapp: QApplication, tmp_path: Path, keyring: MemoryKeyring
) -> Iterator[TrayRunner]:
    quit_on_close = qapp.quitOnLastWindowClosed()
    made = TrayRunner(
        qapp,
        IconProvider(),
        build=lambda: make_core(tmp_path / "config", keyring),
        tray_available=Availability(False),
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
    runner.close()
    assert not environment.folder.exists()


def test_try_the_demo_replaces_the_empty_tray(runner: TrayRunner, qtbot: QtBot) -> None:
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
    assert demo.host.server.is_listening()  # the one instance: status and show reach it
    assert demo.host.server.name == socket_path


def test_the_demo_answers_status_and_show_but_gives_scripts_no_token(
    runner: TrayRunner, qtbot: QtBot
) -> None:
    demo = runner.start(demo=True)
    [service] = demo.host.registry.services()
    qtbot.waitUntil(lambda: service.status().state is TokenState.VALID, timeout=WAIT_MS)
    socket = demo.host.server.name

    profiles, is_demo = run_in_thread(qtbot, lambda: ipc_client.request_state(name=socket))
    assert is_demo
    assert [entry["name"] for entry in profiles] == [DEMO_PROFILE_NAME]
    with pytest.raises(ipc_client.TrayNotRunning):  # the command line fetches directly instead
        run_in_thread(qtbot, lambda: ipc_client.request_token(None, 0, name=socket))
    run_in_thread(qtbot, lambda: ipc_client.request_show(name=socket))
    qtbot.waitUntil(lambda: demo.settings_dialog is not None, timeout=WAIT_MS)


def test_settings_in_the_demo_say_so_and_that_nothing_saved_is_kept(
    runner: TrayRunner, qtbot: QtBot
) -> None:
    demo = runner.start(demo=True)
    demo.open_settings()
    dialog = demo.settings_dialog
    assert dialog is not None
    assert dialog.demo_banner.isVisible()
    assert "Nothing you save here is kept" in dialog.demo_banner.text()
    assert dialog.leave_demo_button.isVisible()
    assert not dialog.demo_button.isVisible()
    qtbot.waitUntil(
        lambda: "memory" in dialog.form.edits["secret"].placeholderText(), timeout=WAIT_MS
    )
    dialog.form.edits["name"].setText("Work")
    dialog.form.edits["name"].textEdited.emit("Work")
    assert "not kept" in dialog.save_button.text()
    dialog.save_button.click()
    qtbot.waitUntil(lambda: "Saved" in dialog.status.text(), timeout=WAIT_MS)
    assert "gone when you leave the demo" in dialog.status.text()


def test_leaving_the_demo_returns_to_the_real_profiles(
    runner: TrayRunner, qtbot: QtBot, tmp_path: Path, keyring: MemoryKeyring
) -> None:
    real = make_core(tmp_path / "config", keyring)
    real.repository.save_profile(
        Profile(name="Work", token_url="https://login.example.com/token", client_id="w"), "s"
    )
    real.client.close()
    runner.start(demo=True)
    demo = runner.current
    assert demo is not None
    environment = runner.environment
    assert environment is not None
    [leave] = [a for a in demo.tray.menu.actions() if a.text() == LEAVE_DEMO_TEXT]

    leave.trigger()

    back = runner.current
    assert back is not None
    assert back is not demo
    assert runner.environment is None
    assert not environment.folder.exists()
    assert [s.profile.name for s in back.host.registry.services()] == ["Work"]
    assert LEAVE_DEMO_TEXT not in [a.text() for a in back.tray.menu.actions()]
    back.open_settings()
    dialog = back.settings_dialog
    assert dialog is not None
    assert not dialog.demo_banner.isVisible()
    assert dialog.save_button.text() == "&Save"


def run_in_thread(qtbot: QtBot, call: Callable[[], T]) -> T:
    """Run a blocking command-line call off the GUI thread while Qt keeps serving."""
    results: list[T] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            results.append(call())
        except BaseException as error:  # noqa: BLE001 - handed back to the test
            errors.append(error)

    thread = threading.Thread(target=work)
    thread.start()
    qtbot.waitUntil(lambda: not thread.is_alive(), timeout=WAIT_MS)
    if errors:
        raise errors[0]
    return results[0]
