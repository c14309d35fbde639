"""A tray started without a console (Windows' windowless exe) shows its start-up error."""

from __future__ import annotations

import sys

import pytest

from tray_app.cli import fast, no_console
from tray_app.core.errors import AppError, ErrorKind
from tray_app.gui import startup

BROKEN = AppError(ErrorKind.UNAVAILABLE, "Token Tray is already running", "It does not answer.")


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    boxes: list[tuple[str, str]] = []
    monkeypatch.setattr(no_console, "message_box", lambda title, text: boxes.append((title, text)))
    return boxes


def fail_to_start(*, demo: bool) -> int:
    raise BROKEN


def test_a_windowless_start_shows_its_error_in_a_message_box(
    monkeypatch: pytest.MonkeyPatch, shown: list[tuple[str, str]]
) -> None:
    monkeypatch.setattr(startup, "run_tray", fail_to_start)
    monkeypatch.setattr(sys, "stderr", None)
    with monkeypatch.context() as windows:
        windows.setattr(sys, "platform", "win32")
        code = fast.start_tray(demo=False)
    assert code == BROKEN.exit_code
    assert shown == [
        ("Token Tray", "token-tray: Token Tray is already running\nIt does not answer.")
    ]
    assert sys.stderr is None


def test_with_a_console_the_error_is_printed_only(
    monkeypatch: pytest.MonkeyPatch,
    shown: list[tuple[str, str]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(startup, "run_tray", fail_to_start)
    with monkeypatch.context() as windows:
        windows.setattr(sys, "platform", "win32")
        code = fast.start_tray(demo=False)
    assert code == BROKEN.exit_code
    assert "Token Tray is already running" in capsys.readouterr().err
    assert shown == []


def test_without_stderr_elsewhere_nothing_is_shown(
    monkeypatch: pytest.MonkeyPatch, shown: list[tuple[str, str]]
) -> None:
    monkeypatch.setattr(sys, "stderr", None)
    assert no_console.report_visibly(lambda: 3, platform="linux") == 3
    assert shown == []
