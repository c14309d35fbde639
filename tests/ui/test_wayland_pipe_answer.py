"""PipeAnswer: a paste is answered from the event loop, however slowly the program reads.

Real pipes; the reader is the test, reading when it likes. The give-up timer is fired by hand.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QObject
from pytestqt.qtbot import QtBot

from tray_app.gui.wayland.qt_clipboard import PipeAnswer

BIG = bytes(range(256)) * 4096  # 1 MiB: far more than a pipe holds at once


@pytest.fixture
def owner(qtbot: QtBot) -> Iterator[QObject]:
    parent = QObject()
    yield parent
    parent.deleteLater()


def read_available(fd: int, into: bytearray) -> bool:
    """Read what the pipe holds now; True at its end."""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            return False
        if not chunk:
            return True
        into += chunk


def finished(answer: PipeAnswer) -> bool:
    return answer.done


def test_a_big_answer_is_written_in_turns_while_the_reader_reads(
    qtbot: QtBot, owner: QObject
) -> None:
    reader, writer = os.pipe()
    os.set_blocking(reader, False)
    received = bytearray()

    PipeAnswer(writer, BIG, owner)  # returns at once: the pipe is full long before the end

    qtbot.waitUntil(lambda: read_available(reader, received), timeout=5000)
    assert bytes(received) == BIG
    os.close(reader)


def test_a_reader_that_went_away_ends_the_answer_quietly(
    qtbot: QtBot, owner: QObject, caplog: pytest.LogCaptureFixture
) -> None:
    reader, writer = os.pipe()
    os.close(reader)

    with caplog.at_level(logging.WARNING):
        answer = PipeAnswer(writer, b"token", owner)

    assert answer.done
    assert caplog.records == []


def test_a_reader_that_stops_reading_is_given_up(
    qtbot: QtBot, owner: QObject, caplog: pytest.LogCaptureFixture
) -> None:
    reader, writer = os.pipe()
    os.set_blocking(reader, False)
    answer = PipeAnswer(writer, BIG, owner)
    assert answer.deadline.isActive()
    assert not finished(answer)

    with caplog.at_level(logging.WARNING):
        answer.deadline.timeout.emit()

    assert finished(answer)
    assert "did not read it" in caplog.text
    received = bytearray()
    assert read_available(reader, received)  # the pipe is closed: the reader sees its end
    assert 0 < len(received) < len(BIG)
    os.close(reader)
