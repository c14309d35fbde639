"""The command line's named-pipe transport on Windows: open, send one line, read one line.

The tray's ``QLocalServer`` listens on ``\\\\.\\pipe\\<name>`` there. This module moves bytes;
:mod:`tray_app.ipc.client` checks the answer with the same code as on Unix.

Design decisions:

* **Opening.** ``ERROR_FILE_NOT_FOUND`` means no tray (no pipe of that name): :class:`NotServing`
  at once, so ``token`` fetches directly without waiting. Any other failure to open — every
  instance busy (``ERROR_PIPE_BUSY``: CreateFile's documentation says to wait and try again),
  access denied, anything else — is retried until :data:`OPEN_RETRY_S` or the caller's
  deadline, whichever comes first, and then also counts as "no tray": the command line works
  without one, and nothing is worse than the old "Internal error".
* **Reading with a deadline.** A read from a synchronous pipe handle blocks with no timeout, so
  the transport asks ``PeekNamedPipe`` how many bytes wait and reads only those; with nothing
  there it sleeps briefly and looks again until the deadline (:class:`TimedOut`). A hung tray
  can no longer hang ``token`` or "already running" hand-over. ``PeekNamedPipe`` failing means
  the server closed its end: what arrived so far is the answer.
* The real pipe (:class:`WinPipe`, ctypes and msvcrt, imported on Windows only) sits behind a
  four-method object, so the logic runs in the tests against a fake pipe.
* Import-light like the client: ``os``-level modules only until a pipe is really opened.
"""

from __future__ import annotations

import contextlib
import time

from tray_app.ipc.protocol import MAX_ANSWER_BYTES

TYPE_CHECKING = False  # typing is not imported at run time (start-up cost)
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Protocol

    class Pipe(Protocol):
        def write(self, data: bytes) -> None: ...

        def available(self) -> int | None:
            """Bytes ready to read now; None once the server has closed its end."""

        def read(self, size: int) -> bytes: ...

        def close(self) -> None: ...


PIPE_PREFIX = "\\\\.\\pipe\\"
OPEN_RETRY_S = 2.0
"""How long a pipe that exists but cannot be opened (busy, denied) is retried."""
POLL_S = 0.002
"""The pause between two looks for the answer: short, as a token answer takes about 1 ms."""


class NotServing(Exception):  # noqa: N818 - a condition, not an error for the user
    """No pipe to talk to (not there, or it could not be opened in time)."""


class TimedOut(Exception):  # noqa: N818 - a condition, mapped to a user message by the client
    """The tray took the request but did not answer before the deadline."""


class TooLarge(Exception):  # noqa: N818 - a condition, mapped to a user message by the client
    """The answer is larger than :data:`MAX_ANSWER_BYTES`."""


def exchange(
    name: str,
    line: bytes,
    deadline: float,
    *,
    open_pipe: Callable[[str], Pipe] | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> bytes:
    """Send ``line`` to the pipe ``name`` and return the answer's bytes."""
    pipe = _open(PIPE_PREFIX + name, deadline, open_pipe or WinPipe, clock, sleep)
    try:
        with contextlib.suppress(OSError):  # it may have answered (a refusal) before reading
            pipe.write(line)
        return _read_line(pipe, deadline, clock, sleep)
    finally:
        pipe.close()


def _open(
    path: str,
    deadline: float,
    open_pipe: Callable[[str], Pipe],
    clock: Callable[[], float],
    sleep: Callable[[float], None],
) -> Pipe:
    give_up = min(deadline, clock() + OPEN_RETRY_S)
    while True:
        try:
            return open_pipe(path)
        except FileNotFoundError:
            raise NotServing from None
        except OSError:
            if clock() >= give_up:
                raise NotServing from None
            sleep(0.01)


def _read_line(
    pipe: Pipe, deadline: float, clock: Callable[[], float], sleep: Callable[[float], None]
) -> bytes:
    data = b""
    while not data.endswith(b"\n"):
        ready = pipe.available()
        if ready is None:
            break  # the server closed its end
        if ready:
            data += pipe.read(min(ready, MAX_ANSWER_BYTES + 1 - len(data)))
            if len(data) > MAX_ANSWER_BYTES:
                raise TooLarge
            continue
        if clock() >= deadline:
            raise TimedOut
        sleep(POLL_S)
    return data


class WinPipe:  # pragma: no cover - Windows only
    """A client end of a named pipe, opened the way ``open()`` does (``CreateFileW``)."""

    def __init__(self, path: str) -> None:
        import ctypes
        import msvcrt

        self._file = open(path, "r+b", buffering=0)  # noqa: SIM115 - closed by close()
        self._ctypes = ctypes
        self._handle = getattr(msvcrt, "get_osfhandle")(self._file.fileno())  # noqa: B009
        self._kernel32 = getattr(ctypes, "WinDLL")("kernel32", use_last_error=True)  # noqa: B009

    def write(self, data: bytes) -> None:
        self._file.write(data)

    def available(self) -> int | None:
        ctypes = self._ctypes
        waiting = ctypes.c_ulong(0)
        handle = ctypes.c_void_p(self._handle)
        if not self._kernel32.PeekNamedPipe(handle, None, 0, None, ctypes.byref(waiting), None):
            return None  # ERROR_BROKEN_PIPE and the like: nothing more will come
        return int(waiting.value)

    def read(self, size: int) -> bytes:
        return self._file.read(size) or b""

    def close(self) -> None:
        self._file.close()
