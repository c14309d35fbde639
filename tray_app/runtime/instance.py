"""One Token Tray per user: the private runtime folder and the single-instance lock.

Design decisions:

* **The lock decides, not the socket.** ``QLocalServer`` with ``UserAccessOption`` binds in a
  temporary folder and renames the socket into place, so a second server would silently take
  the first one's socket instead of failing. Instead, whoever holds an exclusive ``flock`` on
  ``token-tray.lock`` in the runtime folder is *the* instance. The kernel drops the lock when
  the process dies, however it dies, so a socket left by a killed instance is known to be stale
  and is removed by the next one. On Windows ``msvcrt.locking`` plays the same part.
* :func:`prepare_runtime_dir` creates the folder with mode 0700 and tightens an existing one of
  ours; a folder that is a symlink or belongs to someone else is refused with a plain error.
  The folder it is given comes from :func:`tray_app.ipc.protocol.runtime_dir`, which never
  names a folder we did not make for ourselves unless it is already private: in a shared folder
  (``/tmp``, or ``TOKEN_TRAY_RUNTIME_DIR`` pointing at one) it picks a private subfolder and
  skips names another user planted first, so no shared folder's mode is ever changed.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

from tray_app.core.errors import AppError, ErrorKind
from tray_app.ipc import client as ipc_client
from tray_app.ipc import protocol
from tray_app.ipc.protocol import LOCK_NAME

HANDOVER_SECONDS = 10.0


def prepare_runtime_dir(folder: Path) -> Path:
    """Create ``folder`` (0700) or check that an existing one is ours; make it private."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = folder.lstat()
    except OSError as error:
        raise _unusable(folder, error.strerror or type(error).__name__) from None
    if sys.platform == "win32":  # pragma: no cover - no uid or modes there
        return folder
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
        raise _unusable(folder, "it belongs to another user or is not a real folder")
    if stat.S_IMODE(info.st_mode) != 0o700:
        folder.chmod(0o700)
    return folder


def _unusable(folder: Path, why: str) -> AppError:
    return AppError(
        ErrorKind.CONFIG,
        "Runtime folder cannot be used",
        f"Token Tray keeps its connection for the command line in {folder}, but cannot use it "
        f"({why}). Remove that folder, or set TOKEN_TRAY_RUNTIME_DIR to a folder only you can "
        "open, then start Token Tray again.",
    )


class InstanceLock:
    """An exclusive lock on ``<folder>/token-tray.lock`` held for the life of the process."""

    def __init__(self, folder: Path) -> None:
        self._path = folder / LOCK_NAME
        self._handle: IO[bytes] | None = None

    @property
    def held(self) -> bool:
        return self._handle is not None

    def acquire(self) -> bool:
        """Take the lock; False when another running instance holds it."""
        if self._handle is not None:
            return True
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        handle = os.fdopen(fd, "r+b")
        try:
            _lock(handle)
        except OSError:
            handle.close()
            return False
        self._handle = handle
        return True

    def release(self) -> None:
        """Let the next instance start (also happens by itself when the process ends)."""
        if self._handle is not None:
            _unlock(self._handle)
            self._handle.close()
            self._handle = None


def _lock(handle: IO[bytes]) -> None:
    if sys.platform == "win32":  # pragma: no cover - Windows only
        import msvcrt

        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def _unlock(handle: IO[bytes]) -> None:
    """Unlock explicitly on Windows before closing: the remarks of ``UnlockFile`` (which the C
    runtime's ``_locking`` calls) say that locks left to closing or exiting are released only
    when the system gets round to it, and advise unlocking explicitly, so a tray restarted at
    once could find the lock still held. (flock locks go with the descriptor: nothing to do.)"""
    if sys.platform == "win32":
        import msvcrt

        handle.seek(0)  # _locking works from the current position: the byte locked at 0
        with contextlib.suppress(OSError):  # not locked any more: closing is all that is left
            msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)


def claim_instance(folder: Path | None = None) -> InstanceLock | None:
    """The held lock when this process is the instance; None when another one runs.

    AppError (CONFIG) when the runtime folder cannot be made private.
    """
    lock = InstanceLock(prepare_runtime_dir(folder or Path(protocol.runtime_dir())))
    return lock if lock.acquire() else None


def hand_over(
    ask: Callable[[], object],
    *,
    seconds: float = HANDOVER_SECONDS,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Call ``ask`` (e.g. "show your window") until the running instance answers.

    It may hold the lock but still be starting, so "not running" is retried for ``seconds``.
    """
    deadline = clock() + seconds
    while True:
        try:
            ask()
        except ipc_client.TrayNotRunning:
            if clock() >= deadline:
                raise _not_answering() from None
            sleep(0.1)
        else:
            return


def _not_answering() -> AppError:
    return AppError(
        ErrorKind.UNAVAILABLE,
        "Token Tray is already running",
        "Another Token Tray is running for you but does not answer. Quit it (or stop "
        "`token-tray agent`), then start Token Tray again.",
    )
