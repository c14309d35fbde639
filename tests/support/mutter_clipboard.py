"""Read GNOME's clipboard (mutter's selection) in a headless session, as remote desktop does.

A Wayland program may read the clipboard only while it has keyboard focus, and headless mutter
has no keyboard (``wl-paste``: "This seat has no keyboard"). mutter's own remote-desktop
interface (``org.gnome.Mutter.RemoteDesktop``, used by gnome-remote-desktop) reads the same
selection that every Wayland program on that desktop pastes from: a session with the clipboard
enabled answers ``SelectionRead(mime_type)`` with a pipe carrying the data. mutter finishes
each read a moment after the pipe's end and refuses a read started before that ("Tried to read
in parallel"): such a read is asked again.
"""

from __future__ import annotations

import os
import select
from types import TracebackType

from jeepney import DBusAddress, MessageType, new_method_call
from jeepney.io.blocking import open_dbus_connection
from jeepney.low_level import Message

from tests.support.processes import wait_until

NAME = "org.gnome.Mutter.RemoteDesktop"
TIMEOUT = 10.0
PARALLEL = "Tried to read in parallel"


class MutterClipboard:
    """A remote-desktop session of mutter with the clipboard enabled; stopped on exit."""

    def __init__(self, bus: str) -> None:
        self._connection = open_dbus_connection(bus=bus, enable_fds=True)
        desktop = DBusAddress("/org/gnome/Mutter/RemoteDesktop", bus_name=NAME, interface=NAME)
        (path,) = self._call(new_method_call(desktop, "CreateSession"))
        self._session = DBusAddress(path, bus_name=NAME, interface=f"{NAME}.Session")
        self._call(new_method_call(self._session, "Start"))
        self._call(new_method_call(self._session, "EnableClipboard", "a{sv}", ({},)))

    def __enter__(self) -> MutterClipboard:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._call(new_method_call(self._session, "Stop"))
        self._connection.close()

    def read(self, mime: str = "text/plain;charset=utf-8") -> str | None:
        """The clipboard as ``mime`` (None when it is empty or does not offer ``mime``)."""
        reply = wait_until(lambda: self._read_reply(mime), timeout=TIMEOUT, what="mutter's read")
        if reply.header.message_type is MessageType.error:
            return None
        fd = reply.body[0].to_raw_fd()
        try:
            return _read_all(fd).decode("utf-8", errors="replace")
        finally:
            os.close(fd)

    def _read_reply(self, mime: str) -> Message | None:
        """mutter's answer to SelectionRead; None while an earlier read is still finishing."""
        reply = self._connection.send_and_get_reply(
            new_method_call(self._session, "SelectionRead", "s", (mime,)), timeout=TIMEOUT
        )
        busy = reply.header.message_type is MessageType.error and reply.body == (PARALLEL,)
        return None if busy else reply

    def _call(self, message: object) -> tuple[object, ...]:
        reply = self._connection.send_and_get_reply(message, timeout=TIMEOUT)
        if reply.header.message_type is MessageType.error:
            raise AssertionError(f"mutter refused: {reply.body}")
        return tuple(reply.body)


def _read_all(fd: int) -> bytes:
    """Everything until the writer closes the pipe (the owner answers asynchronously)."""
    data = bytearray()
    while True:
        ready, _, _ = select.select([fd], [], [], TIMEOUT)
        if not ready:
            raise AssertionError("the clipboard owner did not answer in time")
        chunk = os.read(fd, 65536)
        if not chunk:
            return bytes(data)
        data += chunk
