"""Unexpected exceptions in slots and threads: logged, reported without secrets, survived."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tray_app.core.logsetup import RedactionFilter, make_handler
from tray_app.gui.crash import TITLE, CrashReporter

SECRET = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXBheWxvYWQtMTIzNDU2Nzg5.sig0123456789abcdef"

pytestmark = [
    pytest.mark.qt_no_exception_capture,
    pytest.mark.qt_log_ignore(
        r"This plugin does not support propagateSizeHints\(\)",
        r"This plugin does not support raise\(\)",
    ),
]


class Emitter(QObject):
    fired = Signal()


@pytest.fixture
def reports() -> list[str]:
    return []


@pytest.fixture
def reporter(reports: list[str]) -> Iterator[CrashReporter]:
    hooks = (sys.excepthook, threading.excepthook)
    made = CrashReporter(reports.append)
    made.install()
    yield made
    made.uninstall()
    assert (sys.excepthook, threading.excepthook) == hooks
    dialog = made.dialog
    if dialog is not None:
        dialog.close()
        dialog.deleteLater()


def leak_a_token() -> None:
    raise ValueError(f"server said: access_token={SECRET}")


def test_an_exception_in_a_slot_is_reported_and_the_app_goes_on(
    qtbot: QtBot, reporter: CrashReporter, reports: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    emitter = Emitter()
    emitter.fired.connect(leak_a_token)
    still_running: list[bool] = []
    caplog.set_level(logging.ERROR)

    emitter.fired.emit()
    QTimer.singleShot(0, lambda: still_running.append(True))
    qtbot.waitUntil(lambda: still_running == [True], timeout=5000)

    [report] = reports
    assert "builtins.ValueError in the main thread" in report
    assert "leak_a_token" in report
    assert "Token Tray" in report
    assert "[redacted]" not in report.splitlines()[0]  # versions and platform stay readable
    assert SECRET not in report
    assert SECRET not in caplog.text
    assert "ValueError" in caplog.text


def test_an_exception_in_a_thread_reaches_the_gui_thread(
    qtbot: QtBot, reporter: CrashReporter, reports: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    worker = threading.Thread(target=leak_a_token, name="helper")
    worker.start()
    worker.join(5)
    qtbot.waitUntil(lambda: len(reports) == 1, timeout=5000)
    assert "in thread “helper”" in reports[0]
    assert SECRET not in reports[0]
    assert "in thread “helper”" in caplog.text  # logged too, as redacted as the report
    assert SECRET not in caplog.text


def test_the_dialog_offers_a_copyable_report(
    qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    reporter = CrashReporter()
    reporter.install()
    try:
        emitter = Emitter()
        emitter.fired.connect(leak_a_token)
        emitter.fired.emit()
        emitter.fired.emit()  # a second crash joins the open report
    finally:
        reporter.uninstall()
    assert [r.levelname for r in caplog.records] == ["ERROR", "ERROR"]  # both crashes logged
    dialog = reporter.dialog
    assert dialog is not None
    qtbot.addWidget(dialog)
    assert dialog.isVisible()
    assert dialog.windowTitle() == TITLE
    text = dialog.report.toPlainText()
    assert text.count("builtins.ValueError") == 2
    dialog.copy_button.click()
    assert QApplication.clipboard().text() == text
    assert SECRET not in text


def test_redaction_filter_on_real_log_output(tmp_path: Path) -> None:
    folder = tmp_path / "log"
    handler = make_handler(folder)
    log = logging.getLogger("test.crash.redaction")
    log.addHandler(handler)
    log.propagate = False
    try:
        log.warning("Authorization: Bearer %s", SECRET)
        log.warning("body client_secret=%s&grant_type=client_credentials", "s3cr3t-Value-99")
        try:
            leak_a_token()
        except ValueError:
            log.exception("failed")
    finally:
        log.removeHandler(handler)
        handler.close()
    written = (folder / "token-tray.log").read_text()
    assert SECRET not in written
    assert "s3cr3t-Value-99" not in written
    assert written.count("[redacted]") >= 3
    assert any(isinstance(f, RedactionFilter) for f in handler.filters)
