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
* **Where the copy goes** (:func:`clipboard_backend`): on X11, and under test platforms, Qt's
  own clipboard. In a Wayland session the tray's clicks come from the shell, so the app has no
  focus and Qt's Wayland clipboard would be ignored by the compositor: there the copy goes
  through the data-control protocol (:mod:`tray_app.gui.wayland`, imported only then) when the
  compositor offers it. Without it (GNOME's Mutter) a Qt on XWayland uses Qt's X11 clipboard,
  which Mutter takes without focus — start-up puts Qt on XWayland by itself in that case
  (:func:`tray_app.gui.startup.choose_platform`). A native Wayland Qt without data-control
  (no XWayland, or the user chose ``QT_QPA_PLATFORM=wayland``) gets :class:`NoClipboard`,
  whose copies fail openly — the tray then says so and names the command that works.
* :meth:`ClipboardWriter.copy` returns whether the copy happened; a failed copy arms no timer.
* The copy is cleared after ``clear_after_ms`` (0 = never) and on quit, but **only if the
  clipboard still holds our text**: if the user has copied something else meanwhile, it is left
  alone. The check compares the current clipboard text with what we wrote, whoever owns the
  clipboard now (a clipboard manager may have re-offered our very text).
* Only the CLIPBOARD selection is written. The X11 PRIMARY selection (middle-click paste) is
  left alone: putting a secret there would leak it to every middle click.
* Each clear-or-leave decision is logged (never the text), which is also how the desktop
  tests know the timer has fired without guessing at timings.
* The timer is a single-shot QTimer owned by this object and exposed for tests, which fire it
  by hand instead of sleeping.
"""

from __future__ import annotations

import logging
import os
import struct
import sys
from collections.abc import Mapping
from typing import Protocol

from PySide6.QtCore import QMimeData, QObject, QTimer, Slot
from PySide6.QtGui import QClipboard

KDE_SECRET_HINT = "x-kde-passwordManagerHint"  # noqa: S105 - a MIME type name
MAC_CONCEALED_HINT = "application/x-nspasteboard-concealed-type"
WINDOWS_HINT_FORMATS = (
    "ExcludeClipboardContentFromMonitorProcessing",
    "CanIncludeInClipboardHistory",
    "CanUploadToCloudClipboard",
)
DWORD_ZERO = struct.pack("<I", 0)
CLIPBOARD = QClipboard.Mode.Clipboard
TEST_PLATFORMS = ("offscreen", "minimal")

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


class ClipboardBackend(Protocol):
    """Where copies go: Qt's clipboard, the Wayland data-control clipboard, or nowhere."""

    def set_text(self, text: str, hints: Mapping[str, bytes]) -> bool:
        """Put ``text`` with ``hints`` on the clipboard; False when it did not happen."""

    def holds(self, text: str) -> bool:
        """Whether the clipboard still holds our copy ``text``."""

    def clear(self) -> None:
        """Empty the clipboard (called only while it holds our copy)."""


class QtClipboard:
    """Qt's clipboard: right on X11, macOS and Windows, where a tray click needs no focus."""

    def __init__(self, clipboard: QClipboard) -> None:
        self._clipboard = clipboard

    def set_text(self, text: str, hints: Mapping[str, bytes]) -> bool:
        mime = QMimeData()
        mime.setText(text)
        for fmt, value in hints.items():
            mime.setData(fmt, value)
        self._clipboard.setMimeData(mime, CLIPBOARD)
        return True

    def holds(self, text: str) -> bool:
        """Whether the clipboard holds ``text``, whoever owns it.

        Ownership is not the test: a clipboard manager that ignores the secret hint takes the
        clipboard over with the very same text (on X11 it becomes the owner), and the token
        must still go. So the content is compared. Reading another owner's text on X11 is a
        round trip to that program; Qt bounds it with its clipboard timeout, and it happens
        only when the clear timer fires and at quit.
        """
        return self._clipboard.text(CLIPBOARD) == text

    def clear(self) -> None:
        self._clipboard.clear(CLIPBOARD)


class NoClipboard:
    """A desktop where nothing lets the app set the clipboard: every copy fails openly."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def set_text(self, text: str, hints: Mapping[str, bytes]) -> bool:
        _log.warning("Could not copy: %s", self.reason)
        return False

    def holds(self, text: str) -> bool:
        return False

    def clear(self) -> None:
        """Nothing of ours can be on the clipboard."""


def clipboard_backend(
    clipboard: QClipboard, platform: str, env: Mapping[str, str] = os.environ
) -> ClipboardBackend:
    """The way copies really reach the clipboard on this desktop (see the module notes)."""
    if not env.get("WAYLAND_DISPLAY") or platform in TEST_PLATFORMS:
        return QtClipboard(clipboard)
    from tray_app.gui.wayland.qt_clipboard import WaylandClipboard
    from tray_app.gui.wayland.wire import WaylandError

    try:
        return WaylandClipboard.open(env)
    except WaylandError as error:
        reason = str(error)
    _log.info("No data-control clipboard: %s", reason)
    if platform == "wayland":
        return NoClipboard(f"the compositor does not let a tray set the clipboard ({reason})")
    _log.info("Copying through XWayland's clipboard")
    return QtClipboard(clipboard)


class ClipboardWriter(QObject):
    """Copies secrets to the clipboard and clears them later if they are still there."""

    def __init__(
        self,
        clipboard: QClipboard | ClipboardBackend,
        *,
        clear_after_ms: int = 60_000,
        hints: Mapping[str, bytes] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._backend = QtClipboard(clipboard) if isinstance(clipboard, QClipboard) else clipboard
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

    def copy(self, text: str) -> bool:
        """Put ``text`` on the clipboard with the secret hints and arm the clear timer.

        False when the copy did not happen: then nothing is armed and nothing is forgotten.
        """
        if not self._backend.set_text(text, self._hints):
            return False
        self._copied = text
        self._timer.stop()
        if self._clear_after_ms > 0:
            self._timer.start(self._clear_after_ms)
        return True

    def holds_our_copy(self) -> bool:
        """True while the clipboard still holds the text of our last copy."""
        return self._copied is not None and self._backend.holds(self._copied)

    @Slot()
    def clear_if_ours(self) -> bool:
        """Clear the clipboard if it still holds our copy; forget the copy either way."""
        self._timer.stop()
        if self._copied is None:
            return False
        ours = self.holds_our_copy()
        if ours:
            self._backend.clear()
            _log.info("Cleared our copy from the clipboard")
        else:
            _log.info("Left the clipboard alone: it holds something copied after ours")
        self._copied = None
        return ours
