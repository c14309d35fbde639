"""Unexpected exceptions: logged, reported in a dialog with a copyable redacted report, survived.

Design decisions:

* :class:`CrashReporter` installs ``sys.excepthook`` (PySide6 hands exceptions raised in slots,
  timers and event handlers to it) and ``threading.excepthook`` (plain threads). Work on the worker
  pool never gets this far: :class:`~tray_app.runtime.workers.Task` turns every exception into an
  INTERNAL error. So an exception anywhere is logged and shown, and the tray keeps running — Qt's
  event loop simply continues with the next event.
* **The report holds no secret.** Like :func:`~tray_app.core.logsetup.log_unexpected` it carries
  the exception *type* and the stack frames (file, line, function, source line), never the
  exception's message or any local value — a library's error text may quote a token — and the
  whole text still goes through :func:`~tray_app.core.logsetup.redact`. Versions and platform are
  added so the report is useful on its own.
* Exceptions from other threads reach the GUI through a queued signal; dialogs are only ever
  built on the GUI thread. While a report is open, further crashes are appended to it (capped)
  instead of stacking windows. The dialog is non-modal and never blocks the event loop.
* ``show`` is injectable: tests record reports instead of opening windows when they want to.
"""

from __future__ import annotations

import logging
import platform
import sys
import threading
import traceback
from collections.abc import Callable
from types import TracebackType

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from tray_app import __version__
from tray_app.core.logsetup import LOG_NAME, default_log_dir, redact
from tray_app.gui.activation import bring_forward

_log = logging.getLogger(__name__)

TITLE = "Token Tray hit a problem"
EXPLANATION = (
    "Something unexpected went wrong inside Token Tray. It keeps running, and your profiles "
    "and secrets are safe. If this keeps happening, please report it: press “Copy report” and "
    "paste the report into your message. It contains no token and no secret."
)
MAX_REPORT_CHARS = 20_000

ExcInfo = tuple[type[BaseException], BaseException | None, TracebackType | None]


def crash_report(exc_type: type[BaseException], tb: TracebackType | None, where: str) -> str:
    """A redacted, self-contained report: versions, exception type, stack frames."""
    header = (
        f"Token Tray {__version__} · Python {platform.python_version()} · "
        f"PySide6 {pyside_version} · {platform.system()} {platform.release()}\n"
        f"{exc_type.__module__}.{exc_type.__qualname__} in {where}\n"
        f"Log file: {default_log_dir() / LOG_NAME}\n"
    )
    frames = "".join(traceback.format_tb(tb)) if tb is not None else "(no stack)\n"
    return redact(header + "Traceback (most recent call last):\n" + frames)


class CrashDialog(QDialog):
    """Explains, shows the report read-only, and copies it on request."""

    def __init__(self, report: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        layout = QVBoxLayout(self)
        label = QLabel(EXPLANATION, self)
        label.setWordWrap(True)
        layout.addWidget(label)
        self.report = QPlainTextEdit(report, self)
        self.report.setReadOnly(True)
        self.report.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        layout.addWidget(self.report)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.copy_button = QPushButton("&Copy report", self)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.copy_button.clicked.connect(self.copy_report)
        layout.addWidget(buttons)
        self.resize(640, 420)

    def add(self, report: str) -> None:
        text = f"{self.report.toPlainText()}\n\n{report}"
        self.report.setPlainText(text[-MAX_REPORT_CHARS:])

    @Slot()
    def copy_report(self) -> None:
        QGuiApplication.clipboard().setText(self.report.toPlainText())


class CrashReporter(QObject):
    """Installs the exception hooks; create it on the GUI thread."""

    reported = Signal(str)
    """A redacted report; emitted on whichever thread crashed, delivered on the GUI thread."""

    def __init__(
        self, show: Callable[[str], None] | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._show = show or self._show_dialog
        self._dialog: CrashDialog | None = None
        self._previous: tuple[object, object] | None = None
        self.reported.connect(self._on_reported)

    @property
    def dialog(self) -> CrashDialog | None:
        return self._dialog

    def install(self) -> None:
        if self._previous is None:
            self._previous = (sys.excepthook, threading.excepthook)
            sys.excepthook = self.excepthook
            threading.excepthook = self.thread_excepthook

    def uninstall(self) -> None:
        if self._previous is not None:
            sys.excepthook, threading.excepthook = self._previous  # type: ignore[assignment]
            self._previous = None

    def excepthook(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        self._report(exc_type, tb, "the main thread")

    def thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        name = args.thread.name if args.thread is not None else "a thread"
        self._report(args.exc_type, args.exc_traceback, f"thread “{name}”")

    def _report(self, exc_type: type[BaseException], tb: TracebackType | None, where: str) -> None:
        report = crash_report(exc_type, tb, where)
        _log.error("Unexpected error:\n%s", report)
        self.reported.emit(report)

    @Slot(str)
    def _on_reported(self, report: str) -> None:
        self._show(report)

    def _show_dialog(self, report: str) -> None:
        if self._dialog is not None and self._dialog.isVisible():
            self._dialog.add(report)
            return
        self._dialog = CrashDialog(report)
        bring_forward(self._dialog)
