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
* **Whose pipe.** Pipe names are global to the machine, across users and sessions, and Qt
  creates its pipe without ``FILE_FLAG_FIRST_PIPE_INSTANCE`` (Qt's ``qlocalserver_win.cpp``,
  ``addListener``), so the name alone proves nothing: another local user can create it first,
  and ``DOMAIN\alice`` and ``PC\alice``, or one user's two remote-desktop sessions, would
  share a name built from the user name. So the name is built from the user's SID and the
  session ID (:func:`pipe_name`), and before trusting an answer the client asks Windows which
  process serves the pipe (``GetNamedPipeServerProcessId``) and whose token that process runs
  with (``OpenProcessToken`` + ``GetTokenInformation(TokenUser)``). Another user's server —
  or one whose owner cannot be read — is refused (:class:`Impostor`); the answer is never
  read.
* The real pipe (:class:`WinPipe`, ctypes and msvcrt, imported on Windows only) sits behind a
  small object, so the logic runs in the tests against a fake pipe.
* Import-light like the client: ``os``-level modules only until a pipe is really opened.
"""

from __future__ import annotations

import contextlib
import time

TYPE_CHECKING = False  # typing is not imported at run time (start-up cost)
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, Protocol

    class Pipe(Protocol):
        def write(self, data: bytes) -> None: ...

        def available(self) -> int | None:
            """Bytes ready to read now; None once the server has closed its end."""

        def read(self, size: int) -> bytes: ...

        def server_sid(self) -> str | None:
            """The SID (``S-1-5-…``) of the user running the server; None when unreadable."""

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


class Impostor(Exception):  # noqa: N818 - a condition, mapped to a user message by the client
    """The pipe is served by another user's process (or one whose owner cannot be read)."""


class TooLarge(Exception):  # noqa: N818 - a condition, mapped to a user message by the client
    """The answer is larger than the caller's limit."""


def pipe_name(app: str, sid: str, session: int) -> str:
    """The pipe of ``app`` for one user (``sid``) in one logon session (``session``)."""
    return f"{app}-{sid}-{session}"


def exchange(
    name: str,
    line: bytes,
    deadline: float,
    limit: int,
    *,
    open_pipe: Callable[[str], Pipe] | None = None,
    own_sid: str | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> bytes:
    """Send ``line`` to the pipe ``name`` and return the answer's bytes (at most ``limit``).

    :class:`Impostor` when the pipe's server does not run as ``own_sid`` (default: this
    process's user); :class:`NotServing` also when this process's own SID cannot be read (the
    command line then fetches directly rather than trust an unchecked answer).
    """
    expected = own_sid or user_sid()
    if expected is None:  # nothing to compare the server with: do without the tray
        raise NotServing
    pipe = _open(PIPE_PREFIX + name, deadline, open_pipe or WinPipe, clock, sleep)
    try:
        if pipe.server_sid() != expected:
            raise Impostor
        with contextlib.suppress(OSError):  # it may have answered (a refusal) before reading
            pipe.write(line)
        return _read_line(pipe, deadline, limit, clock, sleep)
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
    pipe: Pipe,
    deadline: float,
    limit: int,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
) -> bytes:
    data = b""
    while not data.endswith(b"\n"):
        ready = pipe.available()
        if ready is None:
            break  # the server closed its end
        if ready:
            data += pipe.read(min(ready, limit + 1 - len(data)))
            if len(data) > limit:
                raise TooLarge
            continue
        if clock() >= deadline:
            raise TimedOut
        sleep(POLL_S)
    return data


PROCESS_QUERY_LIMITED_INFORMATION = 0x1000
TOKEN_QUERY = 0x0008
TOKEN_USER_CLASS = 1  # TOKEN_INFORMATION_CLASS.TokenUser


def _dll(name: str) -> Any:  # pragma: no cover - Windows only
    import ctypes

    return getattr(ctypes, "WinDLL")(name, use_last_error=True)  # noqa: B009


def process_sid(process: int) -> str | None:  # pragma: no cover - Windows only
    """The string SID of the user whose token ``process`` (a process handle) runs with."""
    import ctypes

    advapi32, kernel32 = _dll("advapi32"), _dll("kernel32")
    token = ctypes.c_void_p()
    if not advapi32.OpenProcessToken(ctypes.c_void_p(process), TOKEN_QUERY, ctypes.byref(token)):
        return None
    try:
        needed = ctypes.c_ulong(0)
        advapi32.GetTokenInformation(token, TOKEN_USER_CLASS, None, 0, ctypes.byref(needed))
        buffer = ctypes.create_string_buffer(needed.value)
        if not advapi32.GetTokenInformation(
            token, TOKEN_USER_CLASS, buffer, needed, ctypes.byref(needed)
        ):
            return None
        sid = ctypes.c_void_p.from_buffer(buffer)  # TOKEN_USER starts with SID_AND_ATTRIBUTES.Sid
        text = ctypes.c_wchar_p()
        if not advapi32.ConvertSidToStringSidW(sid, ctypes.byref(text)):
            return None
        try:
            return text.value
        finally:
            kernel32.LocalFree(text)
    finally:
        kernel32.CloseHandle(token)


def user_sid() -> str | None:  # pragma: no cover - Windows only
    """This process's user SID (``S-1-5-21-…``)."""
    import ctypes

    kernel32 = _dll("kernel32")
    kernel32.GetCurrentProcess.restype = ctypes.c_void_p  # a HANDLE, not an int
    return process_sid(kernel32.GetCurrentProcess())


def session_id() -> int:  # pragma: no cover - Windows only
    """This process's logon session (Remote Desktop gives each session its own)."""
    import ctypes

    kernel32 = _dll("kernel32")
    session = ctypes.c_ulong(0)
    kernel32.ProcessIdToSessionId(kernel32.GetCurrentProcessId(), ctypes.byref(session))
    return int(session.value)


ERROR_FILE_NOT_FOUND = 2


def pipe_exists(name: str) -> bool:  # pragma: no cover - Windows only
    """True when some process already serves the pipe ``name`` (busy or not).

    ``WaitNamedPipeW`` fails with ``ERROR_FILE_NOT_FOUND`` only when no instance exists; it
    opens no connection, so it costs the owner nothing.
    """
    import ctypes

    kernel32 = _dll("kernel32")
    if kernel32.WaitNamedPipeW(PIPE_PREFIX + name, 1):
        return True
    return int(getattr(ctypes, "get_last_error")()) != ERROR_FILE_NOT_FOUND  # noqa: B009


class WinPipe:  # pragma: no cover - Windows only
    """A client end of a named pipe, opened the way ``open()`` does (``CreateFileW``)."""

    def __init__(self, path: str) -> None:
        import ctypes
        import msvcrt

        self._file = open(path, "r+b", buffering=0)  # noqa: SIM115 - closed by close()
        self._ctypes = ctypes
        self._handle = getattr(msvcrt, "get_osfhandle")(self._file.fileno())  # noqa: B009
        self._kernel32 = _dll("kernel32")

    def server_sid(self) -> str | None:
        ctypes, kernel32 = self._ctypes, self._kernel32
        pid = ctypes.c_ulong(0)
        handle = ctypes.c_void_p(self._handle)
        if not kernel32.GetNamedPipeServerProcessId(handle, ctypes.byref(pid)):
            return None
        kernel32.OpenProcess.restype = ctypes.c_void_p  # a HANDLE, not an int
        process = kernel32.OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, False, pid.value)
        if not process:
            return None
        try:
            return process_sid(process)
        finally:
            kernel32.CloseHandle(process)

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
