"""The composition root: TrayApplication wired to real stores, a memory keyring and a real
loopback token server, offscreen. The tray waiter's timer is fired by hand.

The offscreen platform warns about what it cannot do (window hints for message boxes, a tray
window); those two messages, and only those, are ignored here.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import shiboken6
from keyring.backend import KeyringBackend
from keyring.backends.fail import Keyring as FailKeyring
from PySide6.QtCore import QThreadPool, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from tests.support.app_start import Availability, make_core, start_app
from tests.support.memory_keyring import MemoryKeyring
from tests.support.settings_harness import fill
from tests.support.tokenserver import TokenServer
from tests.support.tokenserver_rules import make_jwt
from tray_app.core.config import Config
from tray_app.core.errors import AppError, ErrorKind
from tray_app.core.formats import OutputFormat
from tray_app.core.profile import Profile
from tray_app.core.status import TokenState
from tray_app.gui.app import TrayApplication
from tray_app.gui.token_details import TokenDetailsDialog
from tray_app.gui.tray import DETAILS_TEXT
from tray_app.ipc import client as ipc_client
from tray_app.runtime.host import Core
from tray_app.runtime.token_service import TokenService

WAIT_MS = 5000
NO_TRAY_CHECKS = 15

pytestmark = pytest.mark.qt_log_ignore(
    r"This plugin does not support propagateSizeHints\(\)",
    r"No such signal QPlatformNativeInterface::systemTrayWindowChanged",
)


@pytest.fixture
def server() -> Iterator[TokenServer]:
    with TokenServer("standard") as running:
        yield running


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    return tmp_path / "config"


Factory = Callable[..., TrayApplication]


@pytest.fixture
def make_app(qtbot: QtBot, qapp: QApplication, config_dir: Path) -> Iterator[Factory]:
    made: list[TrayApplication] = []
    quit_on_close = qapp.quitOnLastWindowClosed()

    def factory(
        backend: KeyringBackend | None = None,
        *,
        tray: Availability | None = None,
        core: Core | None = None,
    ) -> TrayApplication:
        core = core or make_core(config_dir, backend or MemoryKeyring())
        app = TrayApplication(qapp, core, tray_available=tray or Availability(False))
        made.append(app)
        return app

    yield factory
    for app in made:
        app.shutdown()
        assert app.host.fetch_pool.waitForDone(WAIT_MS)
        dialog = app.settings_dialog
        if dialog is not None:
            dialog.close()
            dialog.deleteLater()
        app.deleteLater()
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QMessageBox):
            widget.close()
            widget.deleteLater()
    assert QThreadPool.globalInstance().waitForDone(WAIT_MS)
    qapp.setQuitOnLastWindowClosed(quit_on_close)


def dialog_shown(app: TrayApplication) -> bool:
    dialog = app.settings_dialog
    return dialog is not None and dialog.isVisible()


def fail_backend() -> KeyringBackend:
    """keyring's "no backend" backend (untyped upstream)."""
    backend: KeyringBackend = FailKeyring()  # type: ignore[no-untyped-call]
    return backend


def open_boxes() -> list[QMessageBox]:
    return [
        w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()
    ]


def box_texts() -> list[str]:
    return [f"{box.text()} | {box.informativeText()}" for box in open_boxes()]


def test_first_start_without_profiles_opens_settings(qtbot: QtBot, make_app: Factory) -> None:
    app = make_app()

    start_app(qtbot, app)

    dialog = app.settings_dialog
    assert dialog is not None
    assert dialog.isVisible()
    assert app.host.registry.services() == []


def test_saved_profile_gets_a_token_and_can_be_copied(
    make_app: Factory, config_dir: Path, server: TokenServer, qtbot: QtBot
) -> None:
    keyring = MemoryKeyring()
    core = make_core(config_dir, keyring)
    profile = server.profile(name="Standard API")
    core.repository.save_profile(profile, server.client_secret)
    app = make_app(core=core)

    start_app(qtbot, app)

    assert app.settings_dialog is None
    (service,) = app.host.registry.services()
    qtbot.waitUntil(lambda: service.status().state is TokenState.VALID, timeout=WAIT_MS)
    assert app.tray.copy(profile.id, OutputFormat.RAW)
    assert QApplication.clipboard().text() in server.issued_tokens


def test_corrupt_config_is_reported_with_the_kept_file(
    qtbot: QtBot, make_app: Factory, config_dir: Path
) -> None:
    config_dir.mkdir(parents=True)
    (config_dir / "config.json").write_text("{ not json", encoding="utf-8")
    app = make_app()

    start_app(qtbot, app)

    (text,) = box_texts()
    assert text.startswith("Settings were reset")
    assert "config.json.corrupt-" in text
    assert app.settings_dialog is not None  # no profile left: the dialog opens too


def test_insecure_storage_is_reported(make_app: Factory, qtbot: QtBot) -> None:
    app = make_app(fail_backend())

    start_app(qtbot, app)

    qtbot.waitUntil(
        lambda: any("No secure password storage" in t for t in box_texts()), timeout=WAIT_MS
    )


def test_a_closed_message_box_is_deleted_and_closing_the_windows_closes_the_rest(
    make_app: Factory, qtbot: QtBot
) -> None:
    app = make_app()
    first, second = (AppError(ErrorKind.INTERNAL, title, "Details.") for title in ("One", "Two"))
    app.show_error(first)
    app.show_error(second)
    boxes = {box.text(): box for box in open_boxes()}
    closed, still_open = boxes["One"], boxes["Two"]
    closed.reject()  # the user closes the first
    qtbot.waitUntil(lambda: not shiboken6.isValid(closed), timeout=WAIT_MS)
    assert box_texts() == ["Two | Details."]
    app.close_windows()  # the app is replaced by the demo: its messages go with it
    qtbot.waitUntil(lambda: not shiboken6.isValid(still_open), timeout=WAIT_MS)


@pytest.mark.allow_log_warnings  # "No system tray after waiting": the log says what the box says
def test_no_tray_after_waiting_opens_settings_with_an_explanation(
    qtbot: QtBot, make_app: Factory, qapp: QApplication, config_dir: Path, server: TokenServer
) -> None:
    core = make_core(config_dir, MemoryKeyring())
    core.repository.save_profile(server.profile(name="Standard API"), server.client_secret)
    app = make_app(core=core)
    start_app(qtbot, app)
    assert not dialog_shown(app)

    for _check in range(NO_TRAY_CHECKS):
        app.waiter.timer.timeout.emit()

    assert dialog_shown(app)
    assert any(t.startswith("No system tray found") for t in box_texts())
    assert qapp.quitOnLastWindowClosed()


def test_a_tray_that_appears_late_is_used(
    qtbot: QtBot, make_app: Factory, qapp: QApplication
) -> None:
    availability = Availability(False)
    app = make_app(tray=availability)
    start_app(qtbot, app)
    assert not app.tray.tray_icon.isVisible()

    availability.available = True
    app.waiter.timer.timeout.emit()

    assert app.tray.tray_icon.isVisible()
    assert not qapp.quitOnLastWindowClosed()


def test_settings_changes_reach_the_services_and_the_tray(
    qtbot: QtBot, make_app: Factory, server: TokenServer
) -> None:
    app = make_app()
    start_app(qtbot, app)
    dialog = app.settings_dialog
    assert dialog is not None
    profile = server.profile(name="From Settings")

    dialog.configChanged.emit(Config(profiles=[profile]))

    assert [s.status().profile.id for s in app.host.registry.services()] == [profile.id]
    app.tray.menu.aboutToShow.emit()
    assert app.tray.menu.actions()[0].text().startswith("From Settings — ")


def test_application_settings_apply_at_once(
    make_app: Factory, config_dir: Path, server: TokenServer, qtbot: QtBot
) -> None:
    core = make_core(config_dir, MemoryKeyring())
    profile = server.profile(name="Standard API")
    core.repository.save_profile(profile, server.client_secret)
    app = make_app(core=core)
    start_app(qtbot, app)
    (service,) = app.host.registry.services()
    qtbot.waitUntil(lambda: service.valid_token() is not None, timeout=WAIT_MS)
    app.open_settings()
    tab = app.settings_dialog.app_tab  # type: ignore[union-attr]

    with qtbot.waitSignal(tab.saved, timeout=WAIT_MS):
        tab.left_click.setCurrentIndex(tab.left_click.findText("Copy the Authorization header"))
    qtbot.waitUntil(lambda: not tab.is_saving(), timeout=WAIT_MS)
    with qtbot.waitSignal(tab.saved, timeout=WAIT_MS):
        tab.clear_seconds.setValue(5)
    app.tray.left_click()

    assert QApplication.clipboard().text().startswith("Authorization: Bearer ")
    assert app.clipboard.timer.interval() == 5_000
    assert app.clipboard.timer.isActive()


def test_a_corrected_secret_in_settings_is_used_at_once(
    make_app: Factory, config_dir: Path, server: TokenServer, qtbot: QtBot
) -> None:
    core = make_core(config_dir, MemoryKeyring())
    profile = server.profile(name="Standard API")
    core.repository.save_profile(profile, "not-the-secret")
    app = make_app(core=core)
    start_app(qtbot, app)
    (service,) = app.host.registry.services()
    qtbot.waitUntil(lambda: service.status().state is TokenState.FAILED, timeout=WAIT_MS)
    error = service.status().error
    assert error is not None
    assert error.title == "Wrong client ID or secret"

    app.open_settings()
    dialog = app.settings_dialog
    assert dialog is not None
    fill(dialog, secret=server.client_secret)
    with qtbot.waitSignal(dialog.secretChanged, timeout=WAIT_MS) as changed:
        dialog.save()

    assert changed.args == [profile.id]
    qtbot.waitUntil(lambda: service.status().state is TokenState.VALID, timeout=WAIT_MS)
    assert app.tray.copy(profile.id, OutputFormat.RAW)
    assert QApplication.clipboard().text() in server.issued_tokens


def started_with_a_profile(
    make_app: Factory, config_dir: Path, server: TokenServer, qtbot: QtBot
) -> tuple[TrayApplication, Profile, TokenService]:
    """A started app with one profile on ``server`` whose first token has arrived."""
    core = make_core(config_dir, MemoryKeyring())
    profile = server.profile(name="Standard API")
    core.repository.save_profile(profile, server.client_secret)
    app = make_app(core=core)
    start_app(qtbot, app)
    (service,) = app.host.registry.services()
    qtbot.waitUntil(lambda: service.status().state is TokenState.VALID, timeout=WAIT_MS)
    return app, profile, service


def test_shutdown_clears_our_copy_and_stops_services(
    make_app: Factory, config_dir: Path, server: TokenServer, qtbot: QtBot
) -> None:
    app, profile, service = started_with_a_profile(make_app, config_dir, server, qtbot)
    assert app.tray.copy(profile.id, OutputFormat.HEADER)

    app.shutdown()

    assert QApplication.clipboard().text() == ""
    assert service.valid_token() is None


def test_the_command_line_gets_the_trays_token_and_can_open_settings(
    make_app: Factory, config_dir: Path, server: TokenServer, qtbot: QtBot
) -> None:
    core = make_core(config_dir, MemoryKeyring())
    core.repository.save_profile(server.profile(name="Standard API"), server.client_secret)
    app = make_app(core=core)
    start_app(qtbot, app)
    (service,) = app.host.registry.services()
    qtbot.waitUntil(lambda: service.valid_token() is not None, timeout=WAIT_MS)
    answers: list[object] = []

    def ask() -> None:
        answers.append(ipc_client.request_token(None, 60).token.access_token)
        ipc_client.request_show()
        answers.append("shown")

    thread = threading.Thread(target=ask)
    thread.start()
    qtbot.waitUntil(lambda: not thread.is_alive(), timeout=WAIT_MS)

    assert answers == [server.issued_tokens[-1], "shown"]
    assert server.request_count == 1
    assert dialog_shown(app)
    socket_path = app.host.server.name
    app.shutdown()
    assert not os.path.exists(socket_path)


def test_without_a_usable_runtime_folder_the_tray_runs_without_serving(
    qtbot: QtBot, qapp: QApplication, config_dir: Path, isolated_runtime_dir: Path
) -> None:
    core = make_core(config_dir, MemoryKeyring())
    app = TrayApplication(qapp, core, tray_available=Availability(False), serve=False)
    start_app(qtbot, app)
    try:
        assert not app.host.server.is_listening()
        assert list(isolated_runtime_dir.iterdir()) == []
    finally:
        app.shutdown()
        dialog = app.settings_dialog
        if dialog is not None:
            dialog.close()
            dialog.deleteLater()
        app.deleteLater()


def details_windows() -> list[TokenDetailsDialog]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, TokenDetailsDialog)]


def test_tray_menu_opens_token_details_that_follow_the_token(
    make_app: Factory, config_dir: Path, server: TokenServer, qtbot: QtBot
) -> None:
    calls: list[int] = []

    def numbered_jwt() -> str:
        calls.append(1)
        return make_jwt({"sub": f"call-{len(calls)}", "exp": 4_000_000_000})

    server.token_factory = numbered_jwt
    app, _, service = started_with_a_profile(make_app, config_dir, server, qtbot)

    app.tray.rebuild_menu()
    [action] = [a for a in app.tray.menu.actions() if a.text() == DETAILS_TEXT]
    action.trigger()

    [dialog] = details_windows()
    assert dialog.isVisible()
    assert dialog.texts()["sub"] == "call-1"
    service.refresh_now()
    qtbot.waitUntil(lambda: dialog.texts().get("sub") == "call-2", timeout=WAIT_MS)
    dialog.close()
    qtbot.waitUntil(lambda: details_windows() == [], timeout=WAIT_MS)  # released, not kept


@pytest.mark.qt_log_ignore(r"This plugin does not support raise\(\)")  # offscreen: no stacking
def test_settings_open_behind_another_window_come_to_the_front(
    make_app: Factory, qtbot: QtBot
) -> None:
    app = make_app()
    start_app(qtbot, app)
    dialog = app.settings_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isActiveWindow, timeout=WAIT_MS)
    other = QWidget()
    qtbot.addWidget(other)
    other.show()
    other.activateWindow()
    qtbot.waitUntil(other.isActiveWindow, timeout=WAIT_MS)

    app.open_settings()  # e.g. "already running": the second start asks for the window

    qtbot.waitUntil(dialog.isActiveWindow, timeout=WAIT_MS)


def test_settings_shown_again_are_activated_too(
    make_app: Factory, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app()
    start_app(qtbot, app)
    dialog = app.settings_dialog
    assert dialog is not None
    dialog.close()
    activated: list[bool] = []
    monkeypatch.setattr(dialog, "activateWindow", lambda: activated.append(dialog.isVisible()))

    app.open_settings()  # Windows only flashes the taskbar for a window shown but not activated

    assert activated == [True]


def test_an_error_box_shows_server_html_as_text(make_app: Factory, qtbot: QtBot) -> None:
    from tests.support.hostile import HOSTILE, green_pixels

    app = make_app()
    app.show_error(AppError(ErrorKind.REJECTED, "Wrong client ID or secret", HOSTILE))
    (box,) = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]
    qtbot.waitUntil(box.isVisible)
    assert HOSTILE in box.informativeText()
    assert green_pixels(box) == 0


def test_sigterm_quits_at_once_with_unsaved_settings_edits(
    make_app: Factory,
    *,
    config_dir: Path,
    server: TokenServer,
    qtbot: QtBot,
    qapp: QApplication,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from tests.support.settings_harness import fill
    from tray_app.runtime.host import SignalQuitter

    caplog.set_level(logging.INFO)
    core = make_core(config_dir, MemoryKeyring())
    core.repository.save_profile(server.profile(name="Standard API"), server.client_secret)
    app = make_app(core=core)
    start_app(qtbot, app)
    app.open_settings()
    dialog = app.settings_dialog
    assert dialog is not None
    fill(dialog, name="Edited but not saved")
    assert dialog.has_unsaved_changes()

    questions: list[str] = []
    ticks: list[int] = []

    def answer_questions() -> None:  # the old behaviour: a modal "Save the changes?" blocks
        for box in open_boxes():
            questions.append(box.text())
            box.done(QMessageBox.StandardButton.Discard)
        ticks.append(1)
        if len(ticks) >= 5:  # still running 5 s after the signal: end the test's loop
            qapp.exit(3)

    rescue = QTimer()
    rescue.timeout.connect(answer_questions)
    rescue.start(1000)
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    quitter = SignalQuitter(qapp)
    try:
        QTimer.singleShot(0, lambda: os.kill(os.getpid(), signal.SIGTERM))
        assert qapp.exec() == 0
    finally:
        dialog.discard_changes()  # closing it at teardown must not ask either way
        rescue.stop()
        quitter.close()
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
    assert questions == []
    assert "Quitting: unsaved changes in Settings are discarded" in caplog.text
    assert [p.name for p in core.repository.load().profiles] == ["Standard API"]
