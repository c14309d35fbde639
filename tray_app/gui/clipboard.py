"""Concealed clipboard copies that clean up after themselves.

Design decisions:

* Every copy is a ``QMimeData`` with ``text/plain`` plus the hints that ask clipboard managers
  and the system not to keep the text in a history or send it to other devices. They come from
  :func:`secret_hints` (per platform, injectable for tests):

  - **Linux / BSD** (X11 and Wayland): ``x-kde-passwordManagerHint`` = ``secret``, honoured by
    Klipper, CopyQ, GPaste and other managers.
  - **Windows**: the registered clipboard formats ``ExcludeClipboardContentFromMonitorProcessing``
    (its presence keeps the copy out of clipboard history, cloud sync and monitoring apps),
    ``CanIncludeInClipboardHistory`` and ``CanUploadToCloudClipboard`` (both a DWORD 0 =
    "no"), each as a 4-byte little-endian DWORD 0. Qt's Windows backend turns a MIME name
    ``application/x-qt-windows-mime;value="<Name>"`` into ``RegisterClipboardFormat(<Name>)``
    (``QWindowsMimeRegistry::registerMimeType``), so the bytes land under exactly those names.
  - **macOS**: ``application/x-nspasteboard-concealed-type``, the MIME form password managers
    built on Qt use (KeePassXC, CopyQ, QtPass). Plain Qt writes an unknown MIME type as the
    pasteboard type ``com.trolltech.anymime.application--x-nspasteboard-concealed-type``:
    Qt-based clipboard managers read it back as that MIME type and skip the copy, but native
    managers only look for ``org.nspasteboard.ConcealedType``. Writing that exact type needs a
    ``QUtiMimeConverter`` subclass, which PySide6 does not expose; so on macOS the hint is
    partial and the timed clear is what really protects the token (README, "Clipboard").
* The copy is cleared after ``clear_after_ms`` (0 = never) and on quit, but **only if the
  clipboard still holds our text**: if the user has copied something else meanwhile, it is left
  alone. The check compares the current clipboard text with what we wrote.
* Only the CLIPBOARD selection is written. The X11 PRIMARY selection (middle-click paste) is
  left alone: putting a secret there would leak it to every middle click.
* Each clear-or-leave decision is logged (never the text), which is also how the desktop
  tests know the timer has fired without guessing at timings.
* The timer is a single-shot QTimer owned by this object and exposed for tests, which fire it
  by hand instead of sleeping.
"""

from __future__ import annotations

import logging
import struct
import sys
from collections.abc import Mapping

from PySide6.QtCore import QMimeData, QObject, QTimer, Slot
from PySide6.QtGui import QClipboard, QGuiApplication

KDE_SECRET_HINT = "x-kde-passwordManagerHint"  # noqa: S105 - a MIME type name
MAC_CONCEALED_HINT = "application/x-nspasteboard-concealed-type"
WINDOWS_HINT_FORMATS = (
    "ExcludeClipboardContentFromMonitorProcessing",
    "CanIncludeInClipboardHistory",
    "CanUploadToCloudClipboard",
)
DWORD_ZERO = struct.pack("<I", 0)
CLIPBOARD = QClipboard.Mode.Clipboard

_log = logging.getLogger(__name__)


def windows_format(name: str) -> str:
    """The MIME name Qt's Windows backend registers as the clipboard format ``name``."""
    return f'application/x-qt-windows-mime;value="{name}"'


def secret_hints(platform: str = sys.platform) -> dict[str, bytes]:
    """Extra MIME formats that mark a copy as a secret on ``platform`` (``sys.platform``)."""
    if platform.startswith(("win32", "cygwin")):
        return {windows_format(name): DWORD_ZERO for name in WINDOWS_HINT_FORMATS}
    if platform == "darwin":
        return {MAC_CONCEALED_HINT: b"secret"}
    return {KDE_SECRET_HINT: b"secret"}


class ClipboardWriter(QObject):
    """Copies secrets to the clipboard and clears them later if they are still there."""

    def __init__(
        self,
        clipboard: QClipboard,
        *,
        clear_after_ms: int = 60_000,
        hints: Mapping[str, bytes] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._clipboard = clipboard
        self._clear_after_ms = clear_after_ms
        self._hints = dict(secret_hints() if hints is None else hints)
        self._copied: str | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.clear_if_ours)

    @property
    def timer(self) -> QTimer:
        """The clear-after timer (exposed so tests can fire it by hand)."""
        return self._timer

    @property
    def clear_after_ms(self) -> int:
        return self._clear_after_ms

    def set_clear_after_ms(self, milliseconds: int) -> None:
        """Change the delay for later copies (0 or less: never clear on a timer)."""
        self._clear_after_ms = milliseconds

    def copy(self, text: str) -> None:
        """Put ``text`` on the clipboard with the secret hints and arm the clear timer."""
        mime = QMimeData()
        mime.setText(text)
        for fmt, value in self._hints.items():
            mime.setData(fmt, value)
        self._clipboard.setMimeData(mime, CLIPBOARD)
        self._copied = text
        self._timer.stop()
        if self._clear_after_ms > 0:
            self._timer.start(self._clear_after_ms)

    def holds_our_copy(self) -> bool:
        """True while the clipboard still holds the text of our last copy.

        On X11 another program's clipboard is never read: asking a hung owner for its text
        blocks the GUI thread for seconds, and if we do not own the clipboard it is not ours.
        """
        if self._copied is None:
            return False
        if QGuiApplication.platformName() == "xcb" and not self._clipboard.ownsClipboard():
            return False
        return self._clipboard.text(CLIPBOARD) == self._copied

    @Slot()
    def clear_if_ours(self) -> bool:
        """Clear the clipboard if it still holds our copy; forget the copy either way."""
        self._timer.stop()
        if self._copied is None:
            return False
        ours = self.holds_our_copy()
        if ours:
            self._clipboard.clear(CLIPBOARD)
            _log.info("Cleared our copy from the clipboard")
        else:
            _log.info("Left the clipboard alone: it holds something copied after ours")
        self._copied = None
        return ours
