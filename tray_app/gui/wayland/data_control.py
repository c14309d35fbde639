"""The clipboard through ``ext_data_control_manager_v1`` or ``zwlr_data_control_manager_v1``.

A tray icon on Wayland is drawn by the shell (StatusNotifierItem), so clicks on it give the
app no keyboard focus and no input serial, and the core ``wl_data_device.set_selection`` is
ignored. The data-control protocols let a privileged client — clipboard managers, wl-copy,
Token Tray — set the selection without focus. Both protocols have the same requests and
events in the same order (ext is the standardised copy of wlr's version 2), so one client
serves both, preferring ext.

Design decisions:

* Every copy is a new data source offering the text under the types text editors, terminals,
  X11 programs (through XWayland) and clipboard managers ask for, plus the hints (the caller's
  ``x-kde-passwordManagerHint: secret``). Each ``send`` gets exactly those bytes; the writing is
  left to the ``write`` collaborator, which must never block (:mod:`.qt_clipboard`).
* ``cancelled`` on our current source means someone else set the selection (or we cleared
  it). That someone may be a clipboard manager that takes every copy over and offers the same
  text again; so once our source is gone, whether the clipboard still holds our copy is
  decided by its content: the current offer is read (``receive``, one pipe, at most
  :data:`READ_LIMIT` bytes within the timeout) and compared with what we copied. Text the user
  copied meanwhile differs, and is left alone.
* :meth:`DataControl.copy` ends with a bounded roundtrip: only when the compositor has
  processed the selection and has not cancelled it does it report success. A copy that did not
  happen is never reported.
* Only the regular selection is set; the primary selection (middle-click paste) is untouched.
* The device announces every selection change with a new offer object; those offers are
  destroyed as soon as they are replaced, so the compositor keeps nothing for us.
"""

from __future__ import annotations

import logging
import os
import select
import time
from collections.abc import Callable, Mapping
from functools import partial

from tray_app.gui.wayland.wire import Connection, Reader, WaylandError, string, u32

MANAGERS = ("ext_data_control_manager_v1", "zwlr_data_control_manager_v1")
"""Preferred first."""
SEAT = "wl_seat"
TEXT_TYPES = ("text/plain;charset=utf-8", "text/plain", "UTF8_STRING", "TEXT", "STRING")
NO_OBJECT = 0

# manager requests
CREATE_DATA_SOURCE, GET_DATA_DEVICE, MANAGER_DESTROY = 0, 1, 2
# device requests and events
SET_SELECTION, DEVICE_DESTROY = 0, 1
DATA_OFFER, SELECTION, FINISHED, PRIMARY_SELECTION = 0, 1, 2, 3
# source requests and events
OFFER, SOURCE_DESTROY = 0, 1
SEND, CANCELLED = 0, 1
# offer requests and events
RECEIVE, OFFER_DESTROY = 0, 1
OFFER_EVENT = 0
READ_LIMIT = 1024 * 1024

Writer = Callable[[int, bytes], None]
"""Writes bytes to a pipe (and closes it) without blocking the caller."""

_log = logging.getLogger(__name__)


class NoDataControlError(WaylandError):
    """The compositor does not offer a data-control manager (e.g. GNOME's Mutter)."""


def payload(text: str, hints: Mapping[str, bytes]) -> dict[str, bytes]:
    """The bytes to send for each offered MIME type."""
    data = text.encode("utf-8")
    return {**dict.fromkeys(TEXT_TYPES, data), **hints}


class Globals:
    """The registry's globals, collected during the first roundtrip."""

    def __init__(self) -> None:
        self.found: dict[str, tuple[int, int]] = {}

    def on_event(self, opcode: int, args: Reader) -> None:
        if opcode == 0:  # global(name, interface, version)
            name, interface, version = args.uint(), args.string(), args.uint()
            self.found.setdefault(interface, (name, version))

    def manager(self) -> str | None:
        return next((interface for interface in MANAGERS if interface in self.found), None)


def read_globals(connection: Connection, timeout: float) -> tuple[int, Globals]:
    """The registry's id and every global the compositor announces (one roundtrip)."""
    found = Globals()
    registry = connection.get_registry(found.on_event)
    connection.roundtrip(timeout)
    return registry, found


def lacks_data_control(env: Mapping[str, str], timeout: float = 1.0) -> bool:
    """True when the compositor named by ``env`` answers and offers no data-control.

    False when it offers one, and when it cannot be asked (then nothing is known).
    """
    try:
        connection = Connection.open(env)
    except WaylandError:
        return False
    try:
        _registry, found = read_globals(connection, timeout)
    except WaylandError:
        return False
    finally:
        connection.close()
    return found.manager() is None


class Source:
    """One copy: a data source that answers ``send`` until it is cancelled."""

    def __init__(self, text: str, hints: Mapping[str, bytes], write: Writer) -> None:
        self.text, self.data, self._write = text, payload(text, hints), write
        self.cancelled = False
        self.on_cancel: Callable[[], None] = lambda: None

    def on_event(self, opcode: int, args: Reader) -> None:
        if opcode == SEND:
            mime, fd = args.string(), args.fd()
            data = self.data.get(mime)
            if data is None or self.cancelled:
                os.close(fd)
            else:
                self._write(fd, data)
        elif opcode == CANCELLED and not self.cancelled:
            self.cancelled = True
            self.on_cancel()


class DataControl:
    """Sets and clears the clipboard of the first seat; knows whether it still holds ours."""

    def __init__(self, connection: Connection, write: Writer, *, timeout: float = 2.0) -> None:
        self._connection, self._write, self._timeout = connection, write, timeout
        self._sources: dict[int, Source] = {}
        self._current: Source | None = None
        self._copied: str | None = None
        self._offers: dict[str, int] = {}
        self._offer_types: dict[int, list[str]] = {}
        self.finished = False
        registry, found = read_globals(connection, timeout)
        self.interface = found.manager()
        if self.interface is None or SEAT not in found.found:
            raise NoDataControlError("the compositor offers no data-control protocol")
        manager_name, _version = found.found[self.interface]
        seat_name, _seat_version = found.found[SEAT]
        self._manager = connection.bind(registry, manager_name, self.interface, 1, _ignore)
        seat = connection.bind(registry, seat_name, SEAT, 1, _ignore)
        self._device = connection.new_id(self._on_device)
        connection.send(self._manager, GET_DATA_DEVICE, u32(self._device), u32(seat))
        connection.roundtrip(timeout)

    def copy(self, text: str, hints: Mapping[str, bytes]) -> bool:
        """Make ``text`` the selection; True once the compositor has taken it."""
        if self.finished:
            return False
        source = Source(text, hints, self._write)
        source.on_cancel = self._on_cancel
        source_id = self._connection.new_id(source.on_event)
        self._sources[source_id] = source
        self._connection.send(self._manager, CREATE_DATA_SOURCE, u32(source_id))
        for mime in source.data:
            self._connection.send(source_id, OFFER, string(mime))
        self._connection.send(self._device, SET_SELECTION, u32(source_id))
        self._current, self._copied = source, text
        self._connection.roundtrip(self._timeout)
        return self._current is not None and self._current.text == text

    def holds(self, text: str) -> bool:
        """True while the selection holds ``text`` we copied: our own source, or the same text
        offered again by whoever took the selection over."""
        if self._current is not None:
            return self._current.text == text
        if self.finished or text != self._copied:
            return False
        return self.read_selection() == text

    def clear(self) -> None:
        """Empty the selection (the caller has checked that it holds our copy)."""
        if self.finished:
            return
        self._connection.send(self._device, SET_SELECTION, u32(NO_OBJECT))
        self._connection.roundtrip(self._timeout)
        self._copied = None

    def read_selection(self) -> str | None:
        """The selection's text as its owner gives it, or None (no text, no answer in time)."""
        offer = self._offers.get("selection", NO_OBJECT)
        types = self._offer_types.get(offer, [])
        mime = next((m for m in TEXT_TYPES[:2] if m in types), None)
        if offer == NO_OBJECT or mime is None:
            return None
        reader, writer = os.pipe2(os.O_CLOEXEC)
        try:
            self._connection.send_fd(offer, RECEIVE, writer, string(mime))
        finally:
            os.close(writer)
        with os.fdopen(reader, "rb") as stream:
            data = _read_bounded(stream.fileno(), self._timeout)
        return None if data is None else data.decode("utf-8", errors="replace")

    def _on_cancel(self) -> None:
        """A source was replaced: destroy the cancelled ones, forget ours if it was one."""
        if self._current is not None and self._current.cancelled:
            self._current = None
        for source_id, source in list(self._sources.items()):
            if source.cancelled:
                del self._sources[source_id]
                self._connection.send(source_id, SOURCE_DESTROY)

    def _on_device(self, opcode: int, args: Reader) -> None:
        if opcode == DATA_OFFER:
            offer = args.uint()
            types = self._offer_types[offer] = []
            self._connection.add_server_object(offer, partial(_offer_event, types))
        elif opcode in (SELECTION, PRIMARY_SELECTION):
            kind = "selection" if opcode == SELECTION else "primary"
            self._replace_offer(kind, args.uint())
        elif opcode == FINISHED:
            _log.warning("The compositor ended clipboard access (its seat went away)")
            self.finished = True
            self._current = None

    def _replace_offer(self, kind: str, offer: int) -> None:
        old = self._offers.get(kind, NO_OBJECT)
        self._offers[kind] = offer
        if old not in (NO_OBJECT, *self._offers.values()):
            self._connection.send(old, OFFER_DESTROY)
            self._connection.forget_server_object(old)
            self._offer_types.pop(old, None)


def _offer_event(types: list[str], opcode: int, args: Reader) -> None:
    if opcode == OFFER_EVENT:
        types.append(args.string())


def _read_bounded(fd: int, timeout: float) -> bytes | None:
    """Everything written to ``fd`` until EOF, within ``timeout`` and :data:`READ_LIMIT`."""
    chunks: list[bytes] = []
    size = 0
    deadline = time.monotonic() + timeout
    while (remaining := deadline - time.monotonic()) > 0:
        readable, _, _ = select.select([fd], [], [], remaining)
        if not readable:
            break
        chunk = os.read(fd, 65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
        if size > READ_LIMIT:
            return None
    return None


def _ignore(_opcode: int, _args: Reader) -> None:
    """For objects whose events carry nothing we need (manager, seat, offers)."""
