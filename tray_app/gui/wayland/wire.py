"""A small client of the Wayland wire protocol: a socket, messages, object ids and fds.

Only what a clipboard owner needs: bind globals from the registry, send requests whose
arguments are unsigned integers, object ids and strings, and receive events that may carry
file descriptors. No Qt here: :mod:`.qt_clipboard` calls :meth:`Connection.read` when the
socket is readable.

Design decisions:

* **Wire format** (the Wayland specification, "Wire Format"): every message is a header of two
  32-bit words in the host's byte order — the object id, then ``size << 16 | opcode`` — and
  arguments padded to 32 bits; a string is its length including the NUL, its bytes and the NUL.
  File descriptors travel beside the bytes as ``SCM_RIGHTS`` ancillary data, in the order of
  the ``fd`` arguments; they are queued here and taken by the handler that parses the event.
* **Object ids** are allocated upwards from 2 and never reused: the server accepts a new id
  only if it is free and at most one past the highest in use, and a clipboard creates one
  object per copy, so the table stays small for the life of the app.
* A destroyed client object keeps its handler until the server's ``delete_id``: an event sent
  before the server saw the destroy (a ``send`` carrying a pipe) still finds its parser, so no
  descriptor is left in the queue to be handed to the wrong event.
* Events for unknown objects are skipped by their size (the server's own objects, such as
  offers we destroyed, carry no descriptors in the protocols used here).
* The socket is non-blocking: :meth:`Connection.read` takes what is there and never waits.
  Only :meth:`Connection.roundtrip` waits, bounded by a timeout, to learn that the compositor
  has processed everything sent so far.
"""

from __future__ import annotations

import array
import errno
import os
import select
import socket
import struct
import time
from collections import deque
from collections.abc import Callable, Mapping
from pathlib import Path

DISPLAY_ID = 1
WORD = struct.Struct("=I")
HEADER = struct.Struct("=II")
MAX_FDS_PER_READ = 28  # libwayland's limit per message buffer
READ_SIZE = 4096
SERVER_ID_START = 0xFF000000

# wl_display
SYNC, GET_REGISTRY = 0, 1
ERROR, DELETE_ID = 0, 1
# wl_registry
BIND = 0
GLOBAL, GLOBAL_REMOVE = 0, 1

Handler = Callable[[int, "Reader"], None]
"""Called with an event's opcode and a reader over its arguments."""


class WaylandError(OSError):
    """The compositor closed the connection or reported a protocol error."""


def u32(value: int) -> bytes:
    return WORD.pack(value)


def string(text: str) -> bytes:
    data = text.encode() + b"\0"
    return u32(len(data)) + data + b"\0" * (-len(data) % 4)


def socket_path(env: Mapping[str, str]) -> Path | None:
    """The compositor's socket named by ``WAYLAND_DISPLAY`` (relative to the runtime folder)."""
    name = env.get("WAYLAND_DISPLAY")
    if not name:
        return None
    path = Path(name)
    if path.is_absolute():
        return path
    runtime = env.get("XDG_RUNTIME_DIR")
    return Path(runtime) / path if runtime else None


class Reader:
    """Reads the arguments of one event, in order."""

    def __init__(self, payload: bytes, take_fd: Callable[[], int]) -> None:
        self._payload, self._offset, self._take_fd = payload, 0, take_fd

    def uint(self) -> int:
        (value,) = WORD.unpack_from(self._payload, self._offset)
        self._offset += 4
        return int(value)

    def string(self) -> str:
        length = self.uint()
        data = self._payload[self._offset : self._offset + max(length - 1, 0)]
        self._offset += length + (-length % 4)
        return data.decode("utf-8", errors="replace")

    def fd(self) -> int:
        return self._take_fd()


class Connection:
    """One client connection to the compositor, with a handler per object id."""

    def __init__(self, sock: socket.socket) -> None:
        sock.setblocking(False)
        self._sock = sock
        self._buffer = bytearray()
        self._fds: deque[int] = deque()
        self._handlers: dict[int, Handler] = {DISPLAY_ID: self._on_display}
        self._next_id = 2
        self._done: set[int] = set()
        self.error: str | None = None

    @classmethod
    def open(cls, env: Mapping[str, str] = os.environ) -> Connection:
        """Connect to the compositor named by ``env``; :class:`WaylandError` when there is none."""
        path = socket_path(env)
        if path is None:
            raise WaylandError("WAYLAND_DISPLAY is not set")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
        try:
            sock.connect(str(path))
        except OSError as error:
            sock.close()
            raise WaylandError(f"cannot connect to {path}: {error.strerror}") from error
        return cls(sock)

    def fileno(self) -> int:
        return self._sock.fileno()

    def close(self) -> None:
        self._sock.close()
        while self._fds:
            os.close(self._fds.popleft())

    def new_id(self, handler: Handler) -> int:
        object_id = self._next_id
        self._next_id += 1
        self._handlers[object_id] = handler
        return object_id

    def add_server_object(self, object_id: int, handler: Handler) -> None:
        """Listen to an object the compositor created (an id from a ``new_id`` event argument)."""
        self._handlers[object_id] = handler

    def forget_server_object(self, object_id: int) -> None:
        self._handlers.pop(object_id, None)

    def send(self, object_id: int, opcode: int, *args: bytes) -> None:
        """Send one request; :class:`WaylandError` when the compositor is gone."""
        payload = b"".join(args)
        message = HEADER.pack(object_id, (HEADER.size + len(payload)) << 16 | opcode) + payload
        try:
            self._sock.sendall(message)
        except BlockingIOError:  # a full socket buffer: only a hung compositor does that
            self._send_slowly(message)
        except OSError as error:
            raise WaylandError(f"the compositor connection failed: {error.strerror}") from error

    def send_fd(self, object_id: int, opcode: int, fd: int, *args: bytes) -> None:
        """Send one request whose ``fd`` argument travels beside the bytes (SCM_RIGHTS)."""
        payload = b"".join(args)
        message = HEADER.pack(object_id, (HEADER.size + len(payload)) << 16 | opcode) + payload
        rights = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [fd]).tobytes())]
        self._sock.setblocking(True)
        try:
            self._sock.settimeout(1.0)
            self._sock.sendmsg([message], rights)
        except OSError as error:
            raise WaylandError(f"the compositor connection failed: {error.strerror}") from error
        finally:
            self._sock.setblocking(False)

    def _send_slowly(self, message: bytes) -> None:
        self._sock.settimeout(1.0)
        try:
            self._sock.sendall(message)
        except OSError as error:
            raise WaylandError("the compositor does not take requests") from error
        finally:
            self._sock.setblocking(False)

    def get_registry(self, handler: Handler) -> int:
        registry = self.new_id(handler)
        self.send(DISPLAY_ID, GET_REGISTRY, u32(registry))
        return registry

    def bind(self, registry: int, name: int, interface: str, version: int, handler: Handler) -> int:
        object_id = self.new_id(handler)
        self.send(registry, BIND, u32(name), string(interface), u32(version), u32(object_id))
        return object_id

    def roundtrip(self, timeout: float = 2.0) -> None:
        """Wait until the compositor has handled every request sent so far, dispatching events."""
        callback = self._next_id
        self.new_id(lambda _opcode, _args: self._done.add(callback))
        self.send(DISPLAY_ID, SYNC, u32(callback))
        deadline = time.monotonic() + timeout
        while callback not in self._done:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise WaylandError("the compositor did not answer in time")
            readable, _, _ = select.select([self._sock], [], [], remaining)
            if readable:
                self.read()
        self._done.discard(callback)

    def read(self) -> None:
        """Take everything the socket holds and dispatch the complete events in it."""
        while self._receive():
            pass
        self._dispatch()
        if self.error is not None:
            raise WaylandError(self.error)

    def _receive(self) -> bool:
        fd_size = socket.CMSG_SPACE(MAX_FDS_PER_READ * 4)
        try:
            data, ancillary, _flags, _addr = self._sock.recvmsg(READ_SIZE, fd_size)
        except (BlockingIOError, InterruptedError):
            return False
        except OSError as error:
            raise WaylandError(f"the compositor connection failed: {error.strerror}") from error
        for level, kind, fd_data in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds = array.array("i")
                fds.frombytes(fd_data[: len(fd_data) - len(fd_data) % fds.itemsize])
                self._fds.extend(fds)
        if not data:
            raise WaylandError("the compositor closed the connection")
        self._buffer += data
        return True

    def _dispatch(self) -> None:
        while len(self._buffer) >= HEADER.size:
            object_id, word = HEADER.unpack_from(self._buffer)
            size, opcode = word >> 16, word & 0xFFFF
            if size < HEADER.size or len(self._buffer) < size:
                return
            payload = bytes(self._buffer[HEADER.size : size])
            del self._buffer[:size]
            handler = self._handlers.get(object_id)
            if handler is not None:
                handler(opcode, Reader(payload, self._take_fd))

    def _take_fd(self) -> int:
        if not self._fds:
            raise WaylandError("an event announced a file descriptor that did not arrive")
        return self._fds.popleft()

    def _on_display(self, opcode: int, args: Reader) -> None:
        if opcode == ERROR:
            object_id, code, message = args.uint(), args.uint(), args.string()
            self.error = f"protocol error {code} on object {object_id}: {message}"
        elif opcode == DELETE_ID:
            self._handlers.pop(args.uint(), None)


def is_gone(error: OSError) -> bool:
    """Whether writing to a pipe failed because its reader went away (not worth a warning)."""
    return error.errno in (errno.EPIPE, errno.EBADF)
