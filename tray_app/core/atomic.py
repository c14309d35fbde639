"""Durable file primitives for config.json: an atomic write, a no-replace rename, a file lock.

Design decisions:

* :func:`write_atomically` writes a temp file *in the same folder* (``O_CREAT | O_EXCL``, mode
  0600 from creation, never world-readable), fsyncs it, ``os.replace``\\ s it over the target and
  fsyncs the folder so the rename itself survives a power cut. A crash at any point leaves either
  the old file or the new one — never a torn one; a crash between write and replace leaves the
  old file plus an orphaned temp file, which :func:`remove_orphans` deletes on the next save
  (under the lock, so never a temp file another writer is still filling).
* **Windows: the rename is retried briefly.** ``os.replace`` (``MoveFileExW``) fails with a
  sharing violation or "access denied" while any process has the target open without
  ``FILE_SHARE_DELETE`` — and Python's own ``open()`` on Windows opens files that way (the C
  runtime's ``_wsopen``), as do virus scanners and indexers for a moment. Readers of
  config.json (the other Token Tray process, for instance) hold it only for milliseconds, so
  :func:`replace` tries again for up to about a second before giving up.
* :func:`interprocess_lock` is a ``filelock.FileLock`` on a sibling ``.lock`` file (mode 0600):
  the tray and the command line each hold it around load-modify-save, so neither loses the
  other's change. It is re-entrant within a thread and uses ``flock``, which the kernel releases
  when a process dies, so a killed writer never leaves the lock stuck. The ``FileLock`` is
  created on first use (:class:`InterprocessLock`): reading the settings at start needs no lock,
  and importing filelock would cost the tray's start-up for nothing.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from tray_app.core.errors import AppError, ErrorKind

if TYPE_CHECKING:
    from filelock import BaseFileLock

LOCK_TIMEOUT = 15.0
"""Seconds to wait for another Token Tray process to finish its change of the settings."""


def temp_pattern(target: Path) -> str:
    return f".{target.name}.*.tmp"


def write_atomically(target: Path, data: bytes) -> None:
    """Replace ``target`` with ``data`` atomically and durably (see the module docstring)."""
    temp = target.parent / f".{target.name}.{secrets.token_hex(6)}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(temp, flags, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        replace(temp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise
    sync_directory(target.parent)


REPLACE_ATTEMPTS = 20
REPLACE_PAUSE = 0.05


def replace(
    source: Path,
    target: Path,
    *,
    platform: str | None = None,
    rename: Callable[[Path, Path], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """``os.replace``, retried on Windows while another process has ``target`` open."""
    rename = rename or os.replace  # looked up now: a test may stand in for os.replace
    attempts = REPLACE_ATTEMPTS if (platform or sys.platform) == "win32" else 1
    for _ in range(attempts - 1):
        try:
            rename(source, target)
        except PermissionError:
            sleep(REPLACE_PAUSE)
        else:
            return
    rename(source, target)  # the last try: its error is the caller's


def sync_directory(directory: Path) -> None:
    """Make a rename in ``directory`` durable. Windows cannot open folders; some FS refuse."""
    if os.name == "nt":
        return
    # The new file is already in place: a folder that refuses fsync is not a failure.
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def remove_orphans(target: Path) -> list[Path]:
    """Delete temp files a crashed writer left next to ``target``; call with the lock held."""
    removed = []
    for orphan in target.parent.glob(temp_pattern(target)):
        with contextlib.suppress(OSError):
            orphan.unlink()
            removed.append(orphan)
    return removed


def rename_no_replace(source: Path, target: Path) -> None:
    """Rename ``source`` to ``target``; raise FileExistsError rather than replace anything."""
    if os.name == "nt":  # Windows' rename already refuses an existing target.
        os.rename(source, target)
        return
    try:
        os.link(source, target)  # atomic "create only if absent"
    except OSError as exc:  # exists, or a filesystem without hard links: check, then rename
        if isinstance(exc, FileExistsError) or os.path.lexists(target):
            raise FileExistsError(target) from None
        os.rename(source, target)
        return
    os.unlink(source)


class InterprocessLock:
    """A ``filelock.FileLock`` on ``path``, created (and filelock imported) on first use."""

    def __init__(self, path: Path, timeout: float) -> None:
        self._path, self._timeout = path, timeout
        self._lock: BaseFileLock | None = None
        self._creating = threading.Lock()  # two threads' first use must share one FileLock

    def _file_lock(self) -> BaseFileLock:
        with self._creating:
            if self._lock is None:
                from filelock import FileLock

                self._lock = FileLock(self._path, timeout=self._timeout, mode=0o600)
            return self._lock

    def acquire(self) -> None:
        self._file_lock().acquire()

    def release(self) -> None:
        self._file_lock().release()

    def __enter__(self) -> InterprocessLock:
        self.acquire()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()


def interprocess_lock(target: Path, timeout: float = LOCK_TIMEOUT) -> InterprocessLock:
    """A re-entrant lock shared by every process that changes ``target``."""
    return InterprocessLock(target.parent / f".{target.name}.lock", timeout)


@contextlib.contextmanager
def holding(lock: InterprocessLock, target: Path) -> Iterator[None]:
    """Hold ``lock``; a timeout or an unusable lock file is a plain CONFIG :class:`AppError`."""
    from filelock import Timeout

    try:
        lock.acquire()
    except Timeout:
        raise AppError(
            ErrorKind.CONFIG,
            "Settings are busy",
            "Another Token Tray (the tray or a command) kept the settings file locked for too "
            "long. Try again in a moment.",
        ) from None
    except OSError as exc:
        raise AppError(
            ErrorKind.CONFIG,
            "Settings could not be saved",
            f"Token Tray could not lock {target}: {exc.strerror or type(exc).__name__}.",
        ) from None
    try:
        yield
    finally:
        lock.release()
