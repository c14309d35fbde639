"""The keyring wrapper: client secrets live only in the OS keyring (service ``token-tray``).

Secrets are stored under the profile's stable id, so a rename keeps the secret. ``keyring`` is
imported lazily (it is slow to import and to pick a backend), and the backend is chosen on first
use, not at construction. Calls block (Secret Service over D-Bus): the tray calls them from a
worker thread.

Design decisions:

* **Secure or nothing.** :meth:`CredentialStore.check` (rules in
  :mod:`tray_app.core.keyring_backends`) refuses ``fail``, ``null``, every
  ``keyrings.alt`` backend (plaintext and "encrypted file" alike: their authors mark them as
  not recommended), any backend whose priority is 0 or below or cannot be determined (that is
  how keyring itself says "not usable here"), and a ``ChainerBackend`` whose *first* backend
  (the one that receives new secrets) is not secure. Every read, write and delete checks first,
  so a secret is never written to, nor silently "not found" in, a storage we refuse.
* **Titled errors.** keyring, SecretStorage, jeepney and dbus exceptions become STORAGE
  :class:`AppError`\\ s in plain words. A reason taken from a library exception is scrubbed of
  the secret being written and shortened, and the library's traceback is not chained to the
  error, so no secret reaches a message, log or traceback.
* **Deleting a missing secret is fine** (removing a profile that never had one must work).
* **Each failure its own words.** A locked storage, an unlock prompt the user dismissed, a
  refused write (``PasswordSetError``) and a storage that does not answer each get their own
  title, so the user knows whether to unlock, retry or restart the keyring.
* **Never hang.** Every backend call runs on a short-lived daemon thread and is abandoned after
  ``timeout`` seconds (default 30 s, enough to type an unlock password) with the STORAGE error
  "Password storage does not answer": a hung Secret Service (a frozen daemon, a prompt nobody
  can see) can stall neither the tray's worker pool forever nor a script. The abandoned thread
  ends whenever the backend returns; it holds no lock of ours.
* **Patient first access on macOS.** The Keychain asks "allow Token Tray to use …" on the first
  read after each rebuild of an ad-hoc signed app (its code identity changes), and the read
  blocks until the user answers. At login that prompt may sit unseen for minutes: it is a person
  deciding, not a hang. So the tray gives its *first* secret read or write ``first_timeout``
  seconds (:data:`FIRST_ACCESS_TIMEOUT` on macOS, :func:`first_access_timeout`); once the
  storage has answered once, the normal limit applies again. packaging/README.md says how a
  stable signing identity avoids the prompt altogether.
* **Size limit.** :func:`check_secret` refuses secrets over 2560 bytes as UTF-16 — Windows
  Credential Manager's limit, the smallest of the supported stores — on every platform, so a
  profile that works here also works when exported to a Windows colleague.
* ``tests/support/file_keyring.py`` is a test-only plaintext backend that this check accepts on
  purpose (it is selected only through ``PYTHON_KEYRING_BACKEND`` in subprocess tests).
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from tray_app.core.errors import AppError, ErrorKind
from tray_app.core.keyring_backends import (
    backend_errors,
    capital,
    display_name,
    is_dismissed,
    locked_errors,
    no_storage_message,
    reason,
    unlock_hint,
    why_insecure,
)
from tray_app.identity import KEYRING_SERVICE

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

MAX_SECRET_UTF16_BYTES = 2560
"""Windows Credential Manager's limit (CRED_MAX_CREDENTIAL_BLOB_SIZE), applied everywhere."""
KEYRING_TIMEOUT = 30.0
FIRST_ACCESS_TIMEOUT = 600.0
"""How long the tray waits for the first answer on macOS, where it may be a Keychain prompt."""
_T = TypeVar("_T")


def first_access_timeout(platform: str | None = None) -> float | None:
    """The tray's limit for its first storage call: long on macOS (a prompt), else the usual."""
    return FIRST_ACCESS_TIMEOUT if (platform or sys.platform) == "darwin" else None


def secret_fits(secret: str) -> bool:
    """Whether every supported password store can hold ``secret``."""
    return len(secret.encode("utf-16-le", "surrogatepass")) <= MAX_SECRET_UTF16_BYTES


def check_secret(secret: str) -> None:
    """Raise a USAGE :class:`AppError` when ``secret`` is too long for a password store."""
    if not secret_fits(secret):
        raise AppError(
            ErrorKind.USAGE,
            "Client secret too long",
            f"This client secret has {len(secret)} characters; password storage holds at most "
            f"{MAX_SECRET_UTF16_BYTES // 2}. Client secrets are usually far shorter: check that "
            "you pasted only the secret (not a whole file or page).",
        )


class CredentialStore:
    """Secrets by profile id in the OS keyring; see the module docstring for the rules."""

    def __init__(
        self,
        backend: KeyringBackend | None = None,
        *,
        platform: str | None = None,
        timeout: float = KEYRING_TIMEOUT,
        first_timeout: float | None = None,
    ) -> None:
        self._backend = backend
        self._platform = platform or sys.platform
        self._timeout = timeout
        self._first_timeout = first_timeout  # None: the first call gets ``timeout`` too
        self._answered = False
        self._lock = threading.Lock()
        self._checked = False

    def check(self) -> None:
        """Raise a STORAGE AppError when there is no secure backend."""
        if self._checked:
            return
        backend = self._get_backend()
        why = self._with_timeout(lambda: why_insecure(backend))  # may ask D-Bus
        if why is not None:
            raise AppError(
                ErrorKind.STORAGE,
                "No secure password storage",
                f"{no_storage_message(self._platform)} (Details: {why}.)",
            )
        self._checked = True

    def backend_name(self) -> str:
        """A human-readable name of the password storage in use (never raises)."""
        try:
            return display_name(self._get_backend())
        except AppError:
            return "none (unavailable)"

    def get_secret(self, profile_id: str) -> str | None:
        """The secret stored for ``profile_id``, or ``None`` when there is none."""
        return self._call(
            profile_id,
            lambda b: b.get_password(KEYRING_SERVICE, profile_id),
            "Secret could not be read",
        )

    def set_secret(self, profile_id: str, secret: str) -> None:
        """Store (or replace) the secret for ``profile_id``."""
        check_secret(secret)
        self._call(
            profile_id,
            lambda b: b.set_password(KEYRING_SERVICE, profile_id, secret),
            "Secret could not be saved",
            secret,
        )

    def delete_secret(self, profile_id: str) -> None:
        """Remove the secret for ``profile_id``; a missing secret is not an error.

        Backends signal "missing" and "refused" with the same exception, so look first.
        """
        if self.get_secret(profile_id) is not None:
            self._call(
                profile_id,
                lambda b: b.delete_password(KEYRING_SERVICE, profile_id),
                "Secret could not be removed",
            )

    def _call(
        self,
        profile_id: str,
        action: Callable[[KeyringBackend], _T],
        title: str,
        secret: str | None = None,
    ) -> _T:
        """Run ``action`` on the checked backend; library errors become a STORAGE AppError.

        The AppError is raised outside the ``except`` block on purpose: it then carries no
        ``__context__``, so the library's traceback (whose frames hold the secret, and with
        keyring 25's SecretService a still-open D-Bus connection) is freed at once instead of
        living as long as the error is kept for display.
        """
        self._require_id(profile_id)
        self.check()
        backend = self._get_backend()
        try:
            return self._with_timeout(lambda: self._answering(action, backend), limit=self._limit())
        except backend_errors() as exc:
            error = self._error(exc, title, secret)
        raise error

    def _with_timeout(
        self, call: Callable[[], _T], name: str | None = None, limit: float | None = None
    ) -> _T:
        """``call()`` on a daemon thread; a STORAGE error if it has not returned in time.

        ``name`` names the storage in that error; by default the backend's name (pass it while
        the backend is still being detected: asking for the name then would wait for the lock).
        """
        outcome: list[_T] = []
        failure: list[BaseException] = []
        done = threading.Event()

        def run() -> None:
            try:
                outcome.append(call())
            except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread
                failure.append(exc)
            finally:
                done.set()

        threading.Thread(target=run, name="keyring-call", daemon=True).start()
        limit = limit or self._timeout
        if not done.wait(limit):
            who = name or f"your password storage ({self.backend_name()})"
            raise AppError(
                ErrorKind.STORAGE,
                "Password storage does not answer",
                f"{capital(who)} did not answer within {limit:g} seconds. If it shows "
                "an unlock window, answer it; otherwise log out and back in (or restart it), "
                "then try again.",
            )
        if failure:
            raise failure[0]
        return outcome[0]

    def _limit(self) -> float:
        """How long a secret's read or write may take: long until the storage first answered."""
        if self._answered or self._first_timeout is None:
            return self._timeout
        return max(self._first_timeout, self._timeout)

    def _answering(self, action: Callable[[KeyringBackend], _T], backend: KeyringBackend) -> _T:
        try:
            return action(backend)
        finally:
            self._answered = True  # answered (even with an error): no prompt is pending now

    def _get_backend(self) -> KeyringBackend:
        with self._lock:
            if self._backend is None:  # detection probes D-Bus too: never wait forever
                self._backend = self._with_timeout(self._detect, "your password storage")
            return self._backend

    def _detect(self) -> KeyringBackend:
        import keyring  # lazily: slow to import and to pick a backend

        errors: tuple[type[BaseException], ...] = (ImportError, AttributeError, *backend_errors())
        try:
            return keyring.get_keyring()
        except errors as exc:
            # e.g. PYTHON_KEYRING_BACKEND names a backend that is missing or cannot run here
            raise AppError(
                ErrorKind.STORAGE,
                "No secure password storage",
                f"{no_storage_message(self._platform)} (Details: {reason(exc)}.)",
            ) from None

    def _error(self, exc: BaseException, title: str, secret: str | None = None) -> AppError:
        from keyring.errors import NoKeyringError, PasswordSetError

        if is_dismissed(exc):
            return AppError(
                ErrorKind.STORAGE,
                "Unlocking was cancelled",
                "The window asking to unlock your password storage was closed without "
                f"unlocking it, so Token Tray cannot reach the client secret. {self._retry()}",
            )
        if isinstance(exc, locked_errors()):
            return AppError(
                ErrorKind.STORAGE, "Password storage is locked", unlock_hint(self._platform)
            )
        if isinstance(exc, PasswordSetError):
            return AppError(
                ErrorKind.STORAGE,
                "Secret could not be saved",
                f"Your password storage ({self.backend_name()}) refused to save the client "
                f"secret: {reason(exc, secret)}. Nothing was changed. Make sure it is "
                "unlocked and has room, then save again.",
            )
        if isinstance(exc, NoKeyringError):
            return AppError(
                ErrorKind.STORAGE,
                "No secure password storage",
                no_storage_message(self._platform),
            )
        return AppError(
            ErrorKind.STORAGE,
            title,
            f"Your password storage ({self.backend_name()}) reported: {reason(exc, secret)}. "
            "Make sure it is running and unlocked, then try again.",
        )

    def _retry(self) -> str:
        return unlock_hint(self._platform).replace("Unlock", "Try again and unlock", 1)

    @staticmethod
    def _require_id(profile_id: str) -> None:
        if not profile_id.strip():
            raise AppError(
                ErrorKind.INTERNAL, "Profile has no id", "A profile without an id reached storage."
            )
