"""A copy the desktop does not take is said openly, and never treated as made.

The desktop that refuses is :class:`~tray_app.gui.clipboard.NoClipboard` (what a Wayland
compositor without data-control gets); :class:`Desktop` switches between it and Qt's real
clipboard, as a user who then moves to a working session would see.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.support.tray_harness import Harness, action, shown_menu, texts, tray_harness
from tray_app.core.formats import OutputFormat
from tray_app.core.notices import Route
from tray_app.gui.clipboard import NoClipboard, QtClipboard

FAILED_RAW = (
    "Nothing was copied: this desktop does not let Token Tray set the clipboard from the tray. "
    "In a terminal, run: token-tray token | wl-copy -n"
)
FAILED_HEADER = FAILED_RAW.replace("token-tray token |", "token-tray token --format header |")


class Desktop:
    """A clipboard that refuses copies until :attr:`refusing` is turned off."""

    def __init__(self) -> None:
        self.refusing = True
        self._refuse = NoClipboard("a compositor without data-control")
        self._qt = QtClipboard(QApplication.clipboard())

    def _current(self) -> NoClipboard | QtClipboard:
        return self._refuse if self.refusing else self._qt

    def set_text(self, text: str, hints: Mapping[str, bytes]) -> bool:
        return self._current().set_text(text, hints)

    def holds(self, text: str) -> bool:
        return self._current().holds(text)

    def clear(self) -> None:
        self._current().clear()


@pytest.fixture
def desktop() -> Desktop:
    return Desktop()


@pytest.fixture
def refusing(qtbot: QtBot, desktop: Desktop) -> Iterator[Harness]:
    with tray_harness(qtbot, desktop) as setup:
        yield setup


def test_a_refused_copy_is_announced_with_the_command_that_works(
    refusing: Harness, caplog: pytest.LogCaptureFixture
) -> None:

    profile_id = refusing.start("Tarkov API")[0].id

    assert not refusing.tray.copy(profile_id, OutputFormat.RAW)

    assert refusing.messages == [FAILED_RAW]
    assert "Could not copy: a compositor without data-control" in caplog.text  # for the log
    assert QApplication.clipboard().text() == "untouched"
    assert not refusing.writer.timer.isActive()  # no clear timer for a copy that did not happen


@pytest.mark.allow_log_warnings  # "Could not copy", asserted in the test above
def test_the_menu_and_tooltip_keep_the_problem_until_a_copy_works(
    refusing: Harness, desktop: Desktop
) -> None:
    refusing.start("Tarkov API")
    action(shown_menu(refusing), "Copy &header").trigger()

    menu = texts(shown_menu(refusing))
    assert menu[0] == FAILED_HEADER
    assert FAILED_HEADER in refusing.tray.tray_icon.toolTip()

    desktop.refusing = False
    action(shown_menu(refusing), "Copy &token").trigger()

    assert FAILED_HEADER not in texts(shown_menu(refusing))
    assert FAILED_HEADER not in refusing.tray.tray_icon.toolTip()
    assert QApplication.clipboard().text() == "tok-Tarkov_API-1"
    assert refusing.writer.timer.isActive()


@pytest.mark.allow_log_warnings  # "Could not copy", asserted in the first test
def test_without_balloons_the_problem_is_on_the_status_line_once(refusing: Harness) -> None:
    refusing.route = Route.STATUS_LINE
    refusing.start("Tarkov API")

    action(shown_menu(refusing), "Copy &token").trigger()

    assert texts(shown_menu(refusing)).count(FAILED_RAW) == 1
