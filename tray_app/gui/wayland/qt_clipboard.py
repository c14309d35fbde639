"""The data-control clipboard, served from the Qt event loop.

:class:`WaylandClipboard` is a :class:`~tray_app.gui.clipboard.ClipboardBackend`: the
:class:`~tray_app.gui.clipboard.ClipboardWriter` keeps its rules (hints, clear after N seconds
and on quit, only our own copy) and this class does the Wayland part.

Design decisions:

* A ``QSocketNotifier`` on the compositor socket dispatches events as they come, so a paste in
  another program (a ``send`` request) is answered while the app idles, and ``cancelled``
  tells at once that someone else copied.
* Answers are written to the requester's pipe without blocking: the pipe is made
  non-blocking, what does not fit now waits for a write notifier, and the pipe is closed once
  everything is written (the reader sees the end of the text). A reader that went away only
  ends that answer; one that stops reading is given up after ``ANSWER_TIMEOUT_MS``, so a hung
  program cannot keep our pipe ends open for ever.
* A broken connection (the compositor restarted or reported an error) turns every later copy
  into an honest failure instead of a pretend success; it is logged once.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable, Mapping

from PySide6.QtCore import QObject, QSocketNotifier, QTimer, Slot

from tray_app.gui.wayland.data_control import DataControl
from tray_app.gui.wayland.wire import Connection, WaylandError, is_gone

ANSWER_TIMEOUT_MS = 10_000

_log = logging.getLogger(__name__)


class PipeAnswer(QObject):
    """Writes one answer to a pipe as fast as its reader takes it, then closes the pipe."""

    def __init__(self, fd: int, data: bytes, parent: QObject) -> None:
        super().__init__(parent)
        self._fd, self._data = fd, memoryview(data)
        os.set_blocking(fd, False)
        self._notifier = QSocketNotifier(fd, QSocketNotifier.Type.Write, self)
        self._notifier.setEnabled(False)
        self._notifier.activated.connect(self._write)
        self._deadline = QTimer(self)
        self._deadline.setSingleShot(True)
        self._deadline.timeout.connect(self._give_up)
        self._deadline.start(ANSWER_TIMEOUT_MS)
        self._write()

    @Slot()
    def _write(self) -> None:
        try:
            while self._data:
                self._data = self._data[os.write(self._fd, self._data) :]
        except BlockingIOError:
            self._notifier.setEnabled(True)  # the rest when the reader has made room
            return
        except OSError as error:
            if not is_gone(error):
                _log.warning("Could not hand the copy to a program: %s", error.strerror)
        self._finish()

    @property
    def done(self) -> bool:
        """True once the pipe is closed: all written, the reader gone, or given up."""
        return self._fd < 0

    @property
    def deadline(self) -> QTimer:
        """The give-up timer (exposed so tests can fire it by hand)."""
        return self._deadline

    @Slot()
    def _give_up(self) -> None:
        _log.warning("A program asked for the copy but did not read it; gave up after 10 s")
        self._finish()

    def _finish(self) -> None:
        self._deadline.stop()
        self._notifier.setEnabled(False)
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
        self.deleteLater()


class WaylandClipboard(QObject):
    """Copies through data-control; answers pastes from the event loop."""

    def __init__(self, connection: Connection, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._connection = connection
        self._control = DataControl(connection, self._answer)
        self._broken = False
        self._notifier = QSocketNotifier(connection.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._on_readable)
        _log.info("Copying through the compositor's %s", self._control.interface)

    @classmethod
    def open(cls, env: Mapping[str, str] = os.environ) -> WaylandClipboard:
        """Open a connection of our own; :class:`WaylandError` when data-control is missing."""
        connection = Connection.open(env)
        try:
            return cls(connection)
        except WaylandError:
            connection.close()
            raise

    def set_text(self, text: str, hints: Mapping[str, bytes]) -> bool:
        if self._broken:
            return False
        return self._guard(lambda: self._control.copy(text, hints))

    def holds(self, text: str) -> bool:
        return not self._broken and self._control.holds(text)

    def clear(self) -> None:
        if not self._broken:
            self._guard(self._clear)

    def _clear(self) -> bool:
        self._control.clear()
        return True

    def _guard(self, action: Callable[[], bool]) -> bool:
        try:
            return action()
        except WaylandError as error:
            self._break(error)
            return False

    def _answer(self, fd: int, data: bytes) -> None:
        PipeAnswer(fd, data, self)

    @Slot()
    def _on_readable(self) -> None:
        self._guard(self._read)

    def _read(self) -> bool:
        self._connection.read()
        return True

    def _break(self, error: WaylandError) -> None:
        _log.warning("Lost the compositor's clipboard: %s", error)
        self._broken = True
        self._notifier.setEnabled(False)
        with contextlib.suppress(OSError):
            self._connection.close()
