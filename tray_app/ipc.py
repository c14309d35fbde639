"""The local protocol between the running Token Tray (server) and ``token-tray`` (client).

The tray (or ``token-tray agent``) listens on a local socket; the command line asks it for the
token it already holds, so a script's call costs no request to the token server, no keyring
access and no Qt start-up. This module is the protocol and a plain-``socket`` client. It must
stay cheap to import, which a test checks: only ``os``, ``sys``, ``json``, ``errno``, ``time``
and the C socket module ``_socket`` (the ``socket`` wrapper pulls in ``selectors`` and more),
plus :mod:`tray_app.core.errors` / :mod:`tray_app.core.token` — never PySide6, requests,
keyring, and on Linux not platformdirs, ``pathlib``, ``typing`` or ``dataclasses`` either (each
costs a noticeable share of Python's start-up; see bench/token_cli.py).

Protocol (version 1): one connection carries one request and one answer, each a single line of
UTF-8 JSON ending in ``\\n``.

* requests: ``{"v": 1, "request": "token", "profile": NAME-or-null, "min_valid": SECONDS}``,
  ``{"v": 1, "request": "status"}``, ``{"v": 1, "request": "show"}``;
* answers: ``{"v": 1, "ok": true, ...}`` (``token``: ``"token"`` and ``"profile"`` objects;
  ``status``: ``"profiles"``; ``show``: nothing more) or ``{"v": 1, "ok": false, "error":
  {"kind", "title", "message"}}``, where ``kind`` is an :class:`ErrorKind` value, so an error
  from the tray exits with the same code as the same error met directly. ``"unknown_profile":
  true`` marks "the tray does not know that profile" (e.g. added on the command line after the
  tray started): the client then falls back to a direct fetch.

Where the socket lives (:func:`runtime_dir`): ``$TOKEN_TRAY_RUNTIME_DIR`` when set (tests,
portable use — the folder itself, like ``TOKEN_TRAY_CONFIG_DIR``); else on Linux and other
Unixes ``$XDG_RUNTIME_DIR/token-tray`` when ``XDG_RUNTIME_DIR`` is an absolute folder of ours
that nobody else can enter (the XDG rule), else ``$TMPDIR-or-/tmp/token-tray-<uid>``. This
is what platformdirs' ``user_runtime_dir`` does too, but platformdirs 4.14 warns on stderr
about the fallback and older versions return ``/run/user/<uid>`` even where it does not
exist, so the rule is spelled out here. On macOS platformdirs' folder is used (imported only
there); on Windows the socket is a named pipe, ``\\\\.\\pipe\\token-tray-<user>``, which Qt
limits to the current user.

Safety: the server makes the folder 0700 and refuses one owned by someone else; the client
refuses to talk through a folder that is not ours and private (someone who pre-created
``/tmp/token-tray-<uid>`` could otherwise hand out a token of their own). The server also
checks each peer's uid (see :mod:`tray_app.ui.ipc_server`).
"""

from __future__ import annotations

import _socket
import errno
import json
import os
import sys
import time

from tray_app.core.errors import AppError, ErrorKind
from tray_app.core.token import Token

TYPE_CHECKING = False  # typing is not imported at run time (start-up cost)
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

VERSION = 1
APP = "token-tray"
RUNTIME_DIR_ENV = "TOKEN_TRAY_RUNTIME_DIR"
SOCKET_NAME = "token-tray.sock"
LOCK_NAME = "token-tray.lock"
MAX_REQUEST_BYTES = 16 * 1024
"""A request is a few dozen bytes; the server drops a connection that sends more."""
MAX_ANSWER_BYTES = 1024 * 1024
READ_TIMEOUT_S = 5.0
"""The server waits this long for a whole request line, then answers with an error."""
TOKEN_WAIT_S = 25.0
"""The longest the server waits for a refresh before answering with an error."""
CLIENT_TIMEOUT_S = 35.0
"""The client waits this long for an answer (a little more than the server's own bound)."""
REQUESTS = ("token", "status", "show")
MIN_VALID = 60.0
"""Default of ``token --min-valid``: a script never gets a token about to die (DESIGN.md)."""

NOT_RUNNING_ERRNOS = frozenset({errno.ENOENT, errno.ECONNREFUSED, errno.ENOTSOCK, errno.ENOTDIR})


class TrayNotRunning(Exception):  # noqa: N818 - a condition, not an error for the user
    """Nobody listens on the socket: no tray or agent runs for this user."""


class ProtocolError(ValueError):
    """A request or answer that does not follow the protocol (the text says what is wrong)."""


class TrayToken:
    """A token handed out by the running tray, with what the output formats need."""

    __slots__ = ("api_url", "profile_id", "profile_name", "token")

    def __init__(self, token: Token, profile_id: str, profile_name: str, api_url: str) -> None:
        self.token, self.profile_id = token, profile_id
        self.profile_name, self.api_url = profile_name, api_url


# -- where ---------------------------------------------------------------------------------


def runtime_dir() -> str:
    """The per-user folder that holds the socket and the single-instance lock."""
    override = os.environ.get(RUNTIME_DIR_ENV)
    if override:
        return override
    if sys.platform == "darwin" or sys.platform == "win32":
        import platformdirs  # only here: it costs import time on the fast path elsewhere

        return str(platformdirs.user_runtime_dir(APP, appauthor=False))
    xdg = os.environ.get("XDG_RUNTIME_DIR", "")
    if xdg and os.path.isabs(xdg) and is_private_dir(xdg):
        return os.path.join(xdg, APP)
    temp = os.environ.get("TMPDIR") or "/tmp"  # noqa: S108 - checked: ours and private
    return os.path.join(temp, f"{APP}-{os.getuid()}")


def server_name() -> str:
    """What ``QLocalServer.listen`` gets: the socket path, or the pipe name on Windows."""
    if sys.platform == "win32":
        return f"{APP}-{os.environ.get('USERNAME', 'user')}"
    return os.path.join(runtime_dir(), SOCKET_NAME)


def is_private_dir(path: str) -> bool:
    """True for a real folder (not a link) owned by us that only we can enter."""
    import stat  # already loaded by os at start-up: free

    try:
        info = os.lstat(path)
    except OSError:
        return False
    return (
        stat.S_ISDIR(info.st_mode)
        and info.st_uid == os.getuid()
        and stat.S_IMODE(info.st_mode) & 0o077 == 0
    )


# -- encoding ------------------------------------------------------------------------------


def encode(message: Mapping[str, Any]) -> bytes:
    """One protocol line."""
    return json.dumps({"v": VERSION, **message}, separators=(",", ":")).encode() + b"\n"


def decode(line: bytes) -> dict[str, Any]:
    """The object on one line; :class:`ProtocolError` when it is not one."""
    try:
        message = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ProtocolError("The request is not a line of JSON.") from None
    if not isinstance(message, dict):
        raise ProtocolError("The request must be a JSON object.")
    return message


def parse_request(line: bytes) -> dict[str, Any]:
    """A checked request: known name, right version, typed fields (server side)."""
    request = decode(line)
    if request.get("v") != VERSION:
        raise ProtocolError(f"Unsupported protocol version (this Token Tray speaks {VERSION}).")
    name = request.get("request")
    if name not in REQUESTS:
        raise ProtocolError(f"Unknown request; known: {', '.join(REQUESTS)}.")
    if name == "token":
        profile, min_valid = request.get("profile"), request.get("min_valid", 0)
        if profile is not None and not isinstance(profile, str):
            raise ProtocolError("“profile” must be a name or null.")
        if isinstance(min_valid, bool) or not isinstance(min_valid, int | float):
            raise ProtocolError("“min_valid” must be a number of seconds.")
        if not 0 <= min_valid < float("inf"):
            raise ProtocolError("“min_valid” must be zero or more.")
    return request


def error_answer(error: AppError, *, unknown_profile: bool = False) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "ok": False,
        "error": {"kind": error.kind.value, "title": error.title, "message": error.message},
    }
    if unknown_profile:
        answer["unknown_profile"] = True
    return answer


def token_answer(token: Token, profile_id: str, name: str, api_url: str) -> dict[str, Any]:
    return {
        "ok": True,
        "token": {
            "access_token": token.access_token,
            "token_type": token.token_type,
            "obtained_at": token.obtained_at,
            "lifetime": token.lifetime,
            "scope": token.scope,
        },
        "profile": {"id": profile_id, "name": name, "api_url": api_url},
    }


def bad_request(text: str) -> AppError:
    return AppError(ErrorKind.USAGE, "Bad request", text)


def answer_error(answer: Mapping[str, Any]) -> AppError:
    """The AppError an error answer carries (INTERNAL when the answer is unreadable)."""
    detail = answer.get("error")
    if isinstance(detail, dict):
        try:
            kind = ErrorKind(detail.get("kind"))
        except ValueError:
            kind = ErrorKind.INTERNAL
        title, message = detail.get("title"), detail.get("message")
        if isinstance(title, str) and isinstance(message, str):
            return AppError(kind, title, message)
    return _unreadable_answer()


def _unreadable_answer() -> AppError:
    return AppError(
        ErrorKind.INTERNAL,
        "Token Tray gave an unreadable answer",
        "The running Token Tray answered in a way this command does not understand. If you "
        "updated Token Tray, quit it and start it again.",
    )


# -- client --------------------------------------------------------------------------------


def ask(
    request: Mapping[str, Any], *, name: str | None = None, timeout: float = CLIENT_TIMEOUT_S
) -> dict[str, Any]:
    """Send ``request`` to the running tray and return its answer (``ok`` true or false).

    Raises :class:`TrayNotRunning` when nobody listens, an AppError when the tray is there
    but does not answer in time or answers nonsense.
    """
    target = name if name is not None else server_name()
    if sys.platform == "win32":
        return _ask_pipe(target, encode(request))
    folder = os.path.dirname(target)
    if not is_private_dir(folder):
        if os.path.lexists(folder):
            raise _unsafe_folder(folder)
        raise TrayNotRunning
    deadline = time.monotonic() + timeout
    conn = _connect(target, deadline)
    try:
        _send(conn, encode(request))
        return _read_answer(conn, deadline)
    finally:
        conn.close()


def _connect(path: str, deadline: float) -> _socket.socket:
    conn = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        while True:
            conn.settimeout(max(deadline - time.monotonic(), 0.001))
            try:
                conn.connect(path)
            except BlockingIOError:  # the listen queue is full: many clients at once
                if time.monotonic() >= deadline:
                    raise _no_answer() from None
                time.sleep(0.002)
            except OSError as error:
                if error.errno in NOT_RUNNING_ERRNOS:
                    raise TrayNotRunning from None
                raise
            else:
                return conn
    except BaseException:
        conn.close()
        raise


def _send(conn: _socket.socket, line: bytes) -> None:
    try:
        conn.sendall(line)
    except (BrokenPipeError, ConnectionResetError):
        return  # it answered without waiting for the request (e.g. a refusal): read that


def _read_answer(conn: _socket.socket, deadline: float) -> dict[str, Any]:
    data = b""
    while not data.endswith(b"\n"):
        conn.settimeout(max(deadline - time.monotonic(), 0.001))
        try:
            chunk = conn.recv(65536)
        except TimeoutError:
            raise _no_answer() from None
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            break
        data += chunk
        if len(data) > MAX_ANSWER_BYTES:
            raise _unreadable_answer()
    try:
        answer = decode(data)
    except ProtocolError:
        raise _unreadable_answer() from None
    if not isinstance(answer.get("ok"), bool):
        raise _unreadable_answer()
    return answer


def _ask_pipe(pipe: str, line: bytes) -> dict[str, Any]:  # pragma: no cover - Windows only
    try:
        with open(rf"\\.\pipe\{pipe}", "r+b", buffering=0) as handle:
            handle.write(line)
            data = handle.readline(MAX_ANSWER_BYTES)
    except FileNotFoundError:
        raise TrayNotRunning from None
    try:
        answer = decode(data)
    except ProtocolError:
        raise _unreadable_answer() from None
    return answer


def _no_answer() -> AppError:
    return AppError(
        ErrorKind.UNAVAILABLE,
        "Token Tray did not answer",
        "Token Tray is running but did not answer in time. If this keeps happening, quit it "
        "(or stop `token-tray agent`) and start it again.",
    )


def _unsafe_folder(folder: str) -> AppError:
    return AppError(
        ErrorKind.CONFIG,
        "Unsafe runtime folder",
        f"The folder {folder} is not private to you (it belongs to someone else, or others "
        "can open it), so Token Tray will not use it. Remove it, or set TOKEN_TRAY_RUNTIME_DIR "
        "to a folder only you can open.",
    )


def request_token(profile: str | None, min_valid: float, *, name: str | None = None) -> TrayToken:
    """A token valid for ``min_valid`` more seconds from the running tray.

    Raises TrayNotRunning (also when the tray does not know ``profile``: try a direct fetch),
    or the tray's AppError.
    """
    answer = ask({"request": "token", "profile": profile, "min_valid": min_valid}, name=name)
    if not answer["ok"]:
        if answer.get("unknown_profile") is True:
            raise TrayNotRunning
        raise answer_error(answer)
    try:
        data, about = answer["token"], answer["profile"]
        token = Token(
            access_token=str(data["access_token"]),
            token_type=str(data["token_type"]),
            lifetime=float(data["lifetime"]),
            obtained_at=float(data["obtained_at"]),
            scope=data.get("scope"),
        )
        return TrayToken(token, str(about["id"]), str(about["name"]), str(about["api_url"]))
    except (KeyError, TypeError, ValueError, AttributeError):
        raise _unreadable_answer() from None


def request_status(*, name: str | None = None) -> list[dict[str, Any]]:
    """Every profile's state in the running tray (no tokens)."""
    answer = ask({"request": "status"}, name=name)
    if not answer["ok"]:
        raise answer_error(answer)
    profiles = answer.get("profiles")
    if not isinstance(profiles, list) or not all(isinstance(p, dict) for p in profiles):
        raise _unreadable_answer()
    return profiles


def request_show(*, name: str | None = None, timeout: float = 5.0) -> None:
    """Ask the running tray to bring up its settings window."""
    answer = ask({"request": "show"}, name=name, timeout=timeout)
    if not answer["ok"]:
        raise answer_error(answer)
