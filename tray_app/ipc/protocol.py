"""The local protocol between the running Token Tray (server) and ``token-tray`` (client).

The tray (or ``token-tray agent``) listens on a local socket; the command line asks it for the
token it already holds, so a script's call costs no request to the token server, no keyring
access and no Qt start-up. This module is the protocol (shared by both sides);
:mod:`tray_app.ipc.client` is the client. Both stay cheap to import, which a test checks: only
``os``, ``sys``, ``json`` and ``time`` here plus :mod:`tray_app.core.errors` — never PySide6,
requests, keyring, and on Linux not platformdirs, ``pathlib``, ``typing`` or ``dataclasses``
either (each costs a noticeable share of Python's start-up; see bench/token_cli.py).

Protocol (version 1): one connection carries one request and one answer, each a single line of
UTF-8 JSON ending in ``\\n``.

* requests: ``{"v": 1, "request": "token", "profile": NAME-or-null, "min_valid": SECONDS}``
  (``min_valid`` left out: the tray's own refresh margin, and a token fetched for the request is
  taken whatever its lifetime — see :func:`tray_app.core.refresh.default_min_valid`; with
  ``"new": true`` the tray fetches a new token first, past any remembered failure, and answers
  with it — requests that arrive while that fetch runs share it),
  ``{"v": 1, "request": "status"}``, ``{"v": 1, "request": "show"}``,
  ``{"v": 1, "request": "retry", "profile": ID-or-NAME}`` (sent by ``profile set-secret``: forget
  the profile's failure and fetch with the new secret now);
* answers: ``{"v": 1, "ok": true, ...}`` (``token``: ``"token"`` and ``"profile"`` objects;
  ``status``: ``"profiles"``; ``show`` and ``retry``: nothing more) or
  ``{"v": 1, "ok": false, "error": {"kind", "title", "message"}}``, where ``kind`` is an
  :class:`ErrorKind` value, so an error from the tray exits with the same code as the same
  error met directly. ``"unknown_profile": true`` marks "the tray does not know that profile"
  (e.g. added on the command line after the tray started): the client then falls back to a
  direct fetch.

Where the socket lives (:func:`runtime_dir`): ``$TOKEN_TRAY_RUNTIME_DIR`` when set (tests,
portable use — the folder itself, like ``TOKEN_TRAY_CONFIG_DIR``); else on Linux and other
Unixes ``$XDG_RUNTIME_DIR/token-tray`` when ``XDG_RUNTIME_DIR`` is an absolute folder of ours
that nobody else can enter (the XDG rule), else ``$TMPDIR-or-/tmp/token-tray-<uid>`` (or a
numbered variant when another user holds that name: :func:`private_subfolder`). This
is what platformdirs' ``user_runtime_dir`` does too, but platformdirs 4.14 warns on stderr
about the fallback and older versions return ``/run/user/<uid>`` even where it does not
exist, so the rule is spelled out here. On macOS it is ``~/Library/Caches/TemporaryItems/
token-tray`` whatever the ``XDG_*`` variables say (:mod:`tray_app.core.folders` says why); on
Windows the socket is a named pipe, ``\\\\.\\pipe\\token-tray-<SID>-<session>``, and
the client checks whose process serves it (:mod:`tray_app.ipc.winpipe`); the lock lives in a
``session-<id>`` folder, so each remote-desktop session of a user runs its own tray.

Safety: the server makes the folder 0700 and refuses one owned by someone else, and checks
each peer's uid (:mod:`tray_app.runtime.ipc_server`); the client talks only through a folder that is
ours and private (:func:`is_private_dir`).
"""

from __future__ import annotations

import json
import os
import sys

from tray_app.core import json_text
from tray_app.core.errors import AppError, ErrorKind
from tray_app.identity import APP_ID

TYPE_CHECKING = False  # typing is not imported at run time (start-up cost)
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from tray_app.core.token import Token

VERSION = 1
RUNTIME_DIR_ENV = "TOKEN_TRAY_RUNTIME_DIR"
SOCKET_NAME = f"{APP_ID}.sock"
LOCK_NAME = f"{APP_ID}.lock"
MAX_REQUEST_BYTES = 16 * 1024
"""A request is a few dozen bytes; the server drops a connection that sends more."""
MAX_ANSWER_BYTES = 1024 * 1024
READ_TIMEOUT_S = 5.0
"""The server waits this long for a whole request line, then answers with an error."""
TOKEN_WAIT_S = 25.0
"""The longest the server waits for a refresh before answering with an error."""
CLIENT_TIMEOUT_S = 35.0
"""The client waits this long for an answer (a little more than the server's own bound)."""
REQUESTS = ("token", "status", "show", "retry")
SUBFOLDER_TRIES = 10


class ProtocolError(ValueError):
    """A request or answer that does not follow the protocol (the text says what is wrong)."""


# -- where ---------------------------------------------------------------------------------


def runtime_dir() -> str:
    """The per-user folder that holds the socket and the single-instance lock."""
    override = os.environ.get(RUNTIME_DIR_ENV)
    if override:
        # A folder that is missing (created 0700) or already private is used as it is; any
        # other (a shared one like /tmp, or a loose one) gets a private folder inside it, so
        # its own mode is never changed.
        if sys.platform == "win32":  # pragma: no cover - no uid or modes there
            return override
        usable = not os.path.lexists(override) or is_private_dir(override)
        return override if usable else private_subfolder(override)
    if sys.platform == "darwin" or sys.platform == "win32":
        from tray_app.core.folders import user_folder  # not needed on Linux's fast path

        folder = user_folder("runtime")
        if sys.platform == "win32":  # one tray per logon session, like its pipe (winpipe)
            from tray_app.ipc import winpipe

            return os.path.join(folder, f"session-{winpipe.session_id()}")
        return folder
    xdg = os.environ.get("XDG_RUNTIME_DIR", "")
    if xdg and os.path.isabs(xdg) and is_private_dir(xdg):
        return os.path.join(xdg, APP_ID)
    temp = os.environ.get("TMPDIR") or "/tmp"  # noqa: S108 - checked: ours and private
    return private_subfolder(temp)


def private_subfolder(parent: str) -> str:
    """``<parent>/token-tray-<uid>``, or the first of ``-1`` … ``-9`` after it that nobody else
    holds.

    In a shared folder another user can create our name first (a folder, or a symlink); that
    one is skipped instead of blocking Token Tray. Server and client apply the same rule, so
    they meet in the same folder: the first that is missing (the server creates it) or a real
    folder of ours. When all are taken, the first is returned and the server explains it.
    """
    import stat  # already loaded by os at start-up: free

    first = os.path.join(parent, f"{APP_ID}-{os.getuid()}")
    for candidate in (first, *(f"{first}-{n}" for n in range(1, SUBFOLDER_TRIES))):
        try:
            info = os.lstat(candidate)
        except FileNotFoundError:
            return candidate
        except OSError:
            continue
        if stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid():
            return candidate
    return first


def server_name() -> str:
    """What ``QLocalServer.listen`` gets: the socket path, or the pipe name on Windows (by the
    user's SID and the session: see :mod:`tray_app.ipc.winpipe`)."""
    if sys.platform == "win32":
        from tray_app.ipc import winpipe

        return winpipe.pipe_name(APP_ID, winpipe.user_sid() or "unknown", winpipe.session_id())
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
        message = json_text.loads(line.decode("utf-8"))
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
    if name == "retry" and not isinstance(request.get("profile"), str):
        raise ProtocolError("“profile” must be a profile's id or name.")
    if name == "token":
        profile = request.get("profile")
        if profile is not None and not isinstance(profile, str):
            raise ProtocolError("“profile” must be a name or null.")
        if "min_valid" in request:
            _check_seconds(request["min_valid"])
        if not isinstance(request.get("new", False), bool):
            raise ProtocolError("“new” must be true or false.")
    return request


def _check_seconds(min_valid: object) -> None:
    if isinstance(min_valid, bool) or not isinstance(min_valid, int | float):
        raise ProtocolError("“min_valid” must be a number of seconds.")
    if not 0 <= min_valid < float("inf"):
        raise ProtocolError("“min_valid” must be zero or more.")


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
    return unreadable_answer()


def unreadable_answer() -> AppError:
    return AppError(
        ErrorKind.INTERNAL,
        "Token Tray gave an unreadable answer",
        "The running Token Tray answered in a way this command does not understand. If you "
        "updated Token Tray, quit it and start it again.",
    )
