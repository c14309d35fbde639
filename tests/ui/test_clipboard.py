"""ClipboardWriter: concealed copies, cleared later only if the clipboard still holds them.

The clear timer is fired by hand (its ``timeout`` signal), never waited for.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtGui import QClipboard
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tray_app.gui.clipboard import (
    KDE_SECRET_HINT,
    MAC_CONCEALED_HINT,
    ClipboardWriter,
    secret_hints,
)

SECRET_TEXT = "eyJhbGciOi.token-value"


@pytest.fixture
def clipboard(qtbot: QtBot) -> Iterator[QClipboard]:
    board = QApplication.clipboard()
    board.setText("before")
    yield board
    board.clear()


@pytest.fixture
def writer(clipboard: QClipboard) -> Iterator[ClipboardWriter]:
    copier = ClipboardWriter(clipboard, clear_after_ms=60_000)
    yield copier
    copier.timer.stop()
    copier.deleteLater()


def hint_of(clipboard: QClipboard) -> bytes:
    mime = clipboard.mimeData()
    assert mime is not None
    return bytes(mime.data(KDE_SECRET_HINT).data())


def test_copy_sets_text_and_secret_hint(clipboard: QClipboard, writer: ClipboardWriter) -> None:
    writer.copy(SECRET_TEXT)

    assert clipboard.text() == SECRET_TEXT
    assert hint_of(clipboard) == b"secret"
    assert writer.holds_our_copy()


def test_copy_arms_the_clear_timer(writer: ClipboardWriter) -> None:
    writer.copy(SECRET_TEXT)

    assert writer.timer.isActive()
    assert writer.timer.isSingleShot()
    assert writer.timer.interval() == 60_000


def test_clears_when_the_timer_fires(clipboard: QClipboard, writer: ClipboardWriter) -> None:
    writer.copy(SECRET_TEXT)

    writer.timer.timeout.emit()

    assert clipboard.text() == ""
    assert not writer.holds_our_copy()


def test_does_not_clear_what_the_user_copied_meanwhile(
    clipboard: QClipboard, writer: ClipboardWriter
) -> None:
    writer.copy(SECRET_TEXT)
    clipboard.setText("the user's own text")

    writer.timer.timeout.emit()

    assert clipboard.text() == "the user's own text"


def test_clear_if_ours_at_quit(clipboard: QClipboard, writer: ClipboardWriter) -> None:
    writer.copy(SECRET_TEXT)

    assert writer.clear_if_ours() is True

    assert clipboard.text() == ""
    assert not writer.timer.isActive()


def test_clear_if_ours_leaves_foreign_text(clipboard: QClipboard, writer: ClipboardWriter) -> None:
    writer.copy(SECRET_TEXT)
    clipboard.setText("other")

    assert writer.clear_if_ours() is False
    assert clipboard.text() == "other"


def test_clear_without_any_copy_touches_nothing(
    clipboard: QClipboard, writer: ClipboardWriter
) -> None:
    assert writer.clear_if_ours() is False
    assert clipboard.text() == "before"


def test_a_second_copy_restarts_the_timer_and_is_the_one_cleared(
    clipboard: QClipboard, writer: ClipboardWriter
) -> None:
    writer.copy("first-copy")
    writer.set_clear_after_ms(30_000)
    writer.copy(SECRET_TEXT)

    assert writer.timer.isActive()
    assert writer.timer.interval() == 30_000  # restarted by the second copy
    writer.timer.timeout.emit()

    assert clipboard.text() == ""


def test_zero_delay_never_clears_on_a_timer(clipboard: QClipboard, writer: ClipboardWriter) -> None:
    writer.set_clear_after_ms(0)

    writer.copy(SECRET_TEXT)

    assert not writer.timer.isActive()
    assert clipboard.text() == SECRET_TEXT
    assert writer.clear_if_ours() is True


def test_injected_hints_replace_the_defaults(clipboard: QClipboard, qtbot: QtBot) -> None:
    writer = ClipboardWriter(clipboard, clear_after_ms=0, hints={"x-test-hint": b"\x00"})

    writer.copy(SECRET_TEXT)

    mime = clipboard.mimeData()
    assert mime is not None
    assert mime.hasFormat("x-test-hint")
    assert not mime.hasFormat(KDE_SECRET_HINT)
    writer.deleteLater()


def test_linux_hint_marks_the_copy_as_a_secret() -> None:
    assert secret_hints("linux") == {KDE_SECRET_HINT: b"secret"}
    assert secret_hints("freebsd14") == {KDE_SECRET_HINT: b"secret"}


def registered_format(mime: str) -> str:
    """The clipboard format name Qt's Windows backend registers for ``mime``.

    Mirrors ``customMimeType()`` in Qt's qwindowsmimeregistry.cpp: the text between the
    ``application/x-qt-windows-mime;value="`` prefix and the last double quote.
    """
    prefix = 'application/x-qt-windows-mime;value="'
    assert mime.lower().startswith(prefix.lower()), mime
    return mime[len(prefix) : mime.rindex('"')]


def test_windows_hints_are_registered_formats_holding_dword_zero() -> None:
    hints = secret_hints("win32")

    assert sorted(registered_format(mime) for mime in hints) == [
        "CanIncludeInClipboardHistory",
        "CanUploadToCloudClipboard",
        "ExcludeClipboardContentFromMonitorProcessing",
    ]
    for payload in hints.values():
        assert payload == b"\x00\x00\x00\x00"  # a 4-byte little-endian DWORD 0
    assert KDE_SECRET_HINT not in hints


def test_macos_hint_is_the_concealed_type() -> None:
    assert secret_hints("darwin") == {MAC_CONCEALED_HINT: b"secret"}


@pytest.mark.parametrize("platform", ["win32", "darwin", "linux"])
def test_every_platform_payload_survives_a_copy(
    clipboard: QClipboard, qtbot: QtBot, platform: str
) -> None:
    hints = secret_hints(platform)
    writer = ClipboardWriter(clipboard, clear_after_ms=0, hints=hints)

    writer.copy(SECRET_TEXT)

    mime = clipboard.mimeData()
    assert mime is not None
    assert mime.text() == SECRET_TEXT
    for fmt, payload in hints.items():
        assert bytes(mime.data(fmt).data()) == payload
    writer.deleteLater()
