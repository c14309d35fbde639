"""The command line's side of :mod:`tray_app.ipc.protocol`: a plain-socket client for the running
tray.

Import-light on purpose (a test checks it): ``os``, ``sys``, ``time``, the C socket module
``_socket`` (the ``socket`` wrapper pulls in ``selectors`` and more) and
:mod:`tray_app.ipc.protocol`; never PySide6, requests or keyring, and not ``typing``,
``dataclasses`` or ``pathlib`` either, each of which costs a noticeable share of Python's start-up.

Safety: the client refuses to talk through a folder that is not ours and private (someone who
pre-created ``/tmp/token-tray-<uid>`` could otherwise hand out a token of their own). When the
listen queue is full (hundreds of calls at once) it retries until its deadline.
"""

from __future__ import annotations

import _socket
import os
import sys
import time

from tray_app.core.errors import AppError, ErrorKind
from tray_app.core.token import Token
from tray_app.ipc.protocol import (
    CLIENT_TIMEOUT_S,
    MAX_ANSWER_BYTES,
    ProtocolError,
    answer_error,
    decode,
    encode,
    is_private_dir,
    server_name,
    unreadable_answer,
)

TYPE_CHECKING = False  # typing is not imported at run time (start-up cost)
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any


class TrayNotRunning(Exception):  # noqa: N818 - a condition, not an error for the user
    """Nobody listens on the socket: no tray or agent runs for this user."""


class TrayToken:
    """A token handed out by the running tray, with what the output formats need."""

    __slots__ = ("api_url", "profile_id", "profile_name", "token")

    def __init__(self, token: Token, profile_id: str, profile_name: str, api_url: str) -> None:
        self.token, self.profile_id = token, profile_id
        self.profile_name, self.api_url = profile_name, api_url


def ask(
    request: Mapping[str, Any], *, name: str | None = None, timeout: float = CLIENT_TIMEOUT_S
) -> dict[str, Any]:
    """Send ``request`` to the running tray and return its answer (``ok`` true or false).

    Raises :class:`TrayNotRunning` when nobody listens, an AppError when the tray is there
    but does not answer in time or answers nonsense.
    """
    target = name if name is not None else server_name()
    deadline = time.monotonic() + timeout
    if sys.platform == "win32":
        return _ask_pipe(target, encode(request), deadline)
    folder = os.path.dirname(target)
    if not is_private_dir(folder):
        if os.path.lexists(folder):
            raise _unsafe_folder(folder)
        raise TrayNotRunning
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
            except OSError:
                # Nobody can be reached at this path: not running (ENOENT, ECONNREFUSED…), or a
                # socket that cannot exist (a runtime folder path too long for AF_UNIX). Either
                # way no tray serves us, and the command line works without one.
                raise TrayNotRunning from None
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
            raise unreadable_answer()
    return _checked_answer(data)


def _checked_answer(data: bytes) -> dict[str, Any]:
    """The answer on ``data`` (socket or pipe alike): a JSON object with a boolean ``ok``."""
    try:
        answer = decode(data)
    except ProtocolError:
        raise unreadable_answer() from None
    if not isinstance(answer.get("ok"), bool):
        raise unreadable_answer()
    return answer


def _ask_pipe(pipe: str, line: bytes, deadline: float) -> dict[str, Any]:
    from tray_app.ipc import winpipe  # Windows only: the named-pipe transport

    try:
        data = winpipe.exchange(pipe, line, deadline, MAX_ANSWER_BYTES)
    except winpipe.NotServing:
        raise TrayNotRunning from None
    except winpipe.Impostor:
        raise _not_ours(pipe) from None
    except winpipe.TimedOut:
        raise _no_answer() from None
    except winpipe.TooLarge:
        raise unreadable_answer() from None
    return _checked_answer(data)


def _no_answer() -> AppError:
    return AppError(
        ErrorKind.UNAVAILABLE,
        "Token Tray did not answer",
        "Token Tray is running but did not answer in time. If this keeps happening, quit it "
        "(or stop `token-tray agent`) and start it again.",
    )


class UnsafeFolderError(AppError):
    """The runtime folder is ours but others can enter it: the tray there is not trusted.

    ``token`` then fetches directly (a direct fetch needs no folder) and says why."""


def _unsafe_folder(folder: str) -> AppError:
    return UnsafeFolderError(
        ErrorKind.CONFIG,
        "Unsafe runtime folder",
        f"The folder {folder} is not private to you (it belongs to someone else, or others "
        "can open it), so Token Tray will not use it. Remove it, or set TOKEN_TRAY_RUNTIME_DIR "
        "to a folder only you can open.",
    )


def _not_ours(pipe: str) -> AppError:
    return AppError(
        ErrorKind.CONFIG,
        "Someone else answers for Token Tray",
        f"The connection Token Tray uses for the command line ({pipe}) is held by a program "
        "that does not run as you, so this command did not trust its answer. Sign out and back "
        "in (or restart the computer), then start Token Tray again.",
    )


def request_token(
    profile: str | None, min_valid: float | None, *, new: bool = False, name: str | None = None
) -> TrayToken:
    """A token valid for ``min_valid`` more seconds from the running tray.

    ``None`` leaves the field out: the tray's refresh margin, and never a refusal of the newest
    token the server gives. Raises TrayNotRunning (also when the tray does not know
    ``profile``: try a direct fetch), or the tray's AppError. ``new``: a token fetched now.
    """
    request: dict[str, Any] = {"request": "token", "profile": profile}
    if min_valid is not None:
        request["min_valid"] = min_valid
    if new:
        request["new"] = True
    answer = ask(request, name=name)
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
        raise unreadable_answer() from None


def request_status(*, name: str | None = None) -> list[dict[str, Any]]:
    """Every profile's state in the running tray (no tokens)."""
    return request_state(name=name)[0]


def request_state(*, name: str | None = None) -> tuple[list[dict[str, Any]], bool]:
    """Every profile's state in the running tray (no tokens), and whether it runs the demo."""
    answer = ask({"request": "status"}, name=name)
    if not answer["ok"]:
        raise answer_error(answer)
    profiles = answer.get("profiles")
    if not isinstance(profiles, list) or not all(isinstance(p, dict) for p in profiles):
        raise unreadable_answer()
    return profiles, answer.get("demo") is True


def request_show(*, name: str | None = None, timeout: float = 5.0) -> None:
    """Ask the running tray to bring up its settings window."""
    answer = ask({"request": "show"}, name=name, timeout=timeout)
    if not answer["ok"]:
        raise answer_error(answer)


def request_retry(profile: str, *, name: str | None = None, timeout: float = 5.0) -> None:
    """Ask the running tray to forget ``profile``'s failure and fetch now (a new secret)."""
    answer = ask({"request": "retry", "profile": profile}, name=name, timeout=timeout)
    if not answer["ok"]:
        if answer.get("unknown_profile") is True:
            raise TrayNotRunning  # that tray does not serve this profile: nothing to retry
        raise answer_error(answer)
