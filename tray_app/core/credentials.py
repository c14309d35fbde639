"""The keyring wrapper: client secrets live only in the OS keyring (service ``token-tray``).

Secrets are stored under the profile's stable id, so a rename keeps the secret. ``keyring`` is
imported lazily (it is slow to import and to pick a backend), and the backend is chosen on first
use, not at construction. Calls block (Secret Service over D-Bus): the tray calls them from a
worker thread.

Design decisions:

* **Secure or nothing.** :meth:`CredentialStore.check` refuses ``fail``, ``null``, every
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
* **Size limit.** :func:`check_secret` refuses secrets over 2560 bytes as UTF-16 — Windows
  Credential Manager's limit, the smallest of the supported stores — on every platform, so a
  profile that works here also works when exported to a Windows colleague.
* ``tests/support/file_keyring.py`` is a test-only plaintext backend that this check accepts on
  purpose (it is selected only through ``PYTHON_KEYRING_BACKEND`` in subprocess tests).
"""

from __future__ import annotations

import contextlib
import importlib
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from tray_app.core.errors import AppError, ErrorKind

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

SERVICE = "token-tray"
MAX_SECRET_UTF16_BYTES = 2560
"""Windows Credential Manager's limit (CRED_MAX_CREDENTIAL_BLOB_SIZE), applied everywhere."""
KEYRING_TIMEOUT = 30.0
_T = TypeVar("_T")
_REFUSED_MODULES = ("keyring.backends.fail", "keyring.backends.null", "keyrings.alt")
_FRIENDLY_NAMES = {
    "keyring.backends.SecretService": "Secret Service (GNOME Keyring, KWallet or KeePassXC)",
    "keyring.backends.libsecret": "Secret Service (libsecret)",
    "keyring.backends.kwallet": "KWallet",
    "keyring.backends.macOS": "macOS Keychain",
    "keyring.backends.Windows": "Windows Credential Manager",
    "keyring.backends.fail": "none",
    "keyring.backends.null": "none (disabled)",
}
_MAX_REASON = 200


def _no_storage_message(platform: str) -> str:
    if platform == "darwin":
        return (
            "Token Tray keeps client secrets only in the macOS Keychain, and it cannot be "
            "used. Open Keychain Access, make sure the “login” keychain is unlocked, then try "
            "again."
        )
    if platform.startswith("win"):
        return (
            "Token Tray keeps client secrets only in Windows Credential Manager, and it cannot "
            "be used. Sign in to Windows with your own account (not a guest or service "
            "account), then try again."
        )
    return (
        "Token Tray keeps client secrets only in your desktop's password storage, and none is "
        "available. Install GNOME Keyring (package “gnome-keyring”; on KDE, KWallet with its "
        "Secret Service support turned on), log out and back in so it starts and unlocks, "
        "then try again."
    )


def _unlock_hint(platform: str) -> str:
    if platform == "darwin":
        return "Unlock the “login” keychain in Keychain Access and try again."
    if platform.startswith("win"):
        return "Sign in to Windows again and try again."
    return "Unlock your password storage (log in again, or open Passwords and Keys) and try again."


def check_secret(secret: str) -> None:
    """Raise a USAGE :class:`AppError` when ``secret`` is too long for a password store."""
    size = len(secret.encode("utf-16-le", "surrogatepass"))
    if size > MAX_SECRET_UTF16_BYTES:
        raise AppError(
            ErrorKind.USAGE,
            "Client secret too long",
            f"This client secret has {len(secret)} characters; password storage holds at most "
            f"{MAX_SECRET_UTF16_BYTES // 2}. Client secrets are usually far shorter: check that "
            "you pasted only the secret (not a whole file or page).",
        )


def _module_of(backend: object) -> str:
    return type(backend).__module__


def _is_refused_module(module: str) -> bool:
    return any(module == name or module.startswith(name + ".") for name in _REFUSED_MODULES)


def _priority(backend: KeyringBackend) -> float | None:
    """The backend's priority, or ``None`` when it says it cannot run here."""
    try:
        return float(type(backend).priority)
    except _backend_errors():
        return None


def _display_name(backend: KeyringBackend) -> str:
    from keyring.backends.chainer import ChainerBackend

    if isinstance(backend, ChainerBackend):
        names = [_display_name(member) for member in type(backend).backends]
        return "chain of " + (", ".join(names) if names else "nothing")
    friendly = _FRIENDLY_NAMES.get(_module_of(backend))
    return friendly or str(type(backend).name)


def _why_insecure(backend: KeyringBackend) -> str | None:
    """A short reason why ``backend`` must not hold secrets, or ``None`` when it is fine."""
    from keyring.backends.chainer import ChainerBackend

    module, name = _module_of(backend), _display_name(backend)
    if module == "keyring.backends.fail":
        return "no supported password storage was found"
    if module == "keyring.backends.null":
        return "password storage is switched off: keyring's “null” backend is configured"
    if _is_refused_module(module):
        return f"“{name}” keeps passwords in a file without proper protection"
    if isinstance(backend, ChainerBackend):
        chain = list(type(backend).backends)
        return "nothing is there to chain" if not chain else _why_insecure(chain[0])
    priority = _priority(backend)
    if priority is None or priority <= 0:
        return f"“{name}” cannot be used on this computer"
    return None


def _backend_errors() -> tuple[type[BaseException], ...]:
    """Exception types a backend may raise, including those of optional D-Bus libraries.

    A library that is not installed cannot raise, so a failed import just leaves it out.
    """
    from keyring.errors import KeyringError

    found: list[type[BaseException]] = [KeyringError, OSError, RuntimeError]
    with contextlib.suppress(ImportError):
        from secretstorage.exceptions import SecretStorageException

        found.append(SecretStorageException)
    with contextlib.suppress(ImportError):
        from jeepney.wrappers import DBusErrorResponse

        found.append(DBusErrorResponse)
    with contextlib.suppress(ImportError):  # dbus-python (KWallet) ships no type information
        found.append(importlib.import_module("dbus").DBusException)
    return tuple(found)


def _locked_errors() -> tuple[type[BaseException], ...]:
    """Exception types meaning "the storage is locked" (or its unlock prompt was dismissed)."""
    from keyring.errors import KeyringLocked

    found: list[type[BaseException]] = [KeyringLocked]
    with contextlib.suppress(ImportError):
        from secretstorage.exceptions import (
            LockedException,
            PromptDismissedException,
        )

        found += [LockedException, PromptDismissedException]
    return tuple(found)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _is_dismissed(exc: BaseException) -> bool:
    """The user closed the unlock prompt (SecretStorage says so directly; keyring's
    SecretService backend turns it into ``KeyringLocked("...dismissed...")``)."""
    try:
        from secretstorage.exceptions import PromptDismissedException
    except ImportError:
        return "dismissed" in str(exc).lower()
    return isinstance(exc, PromptDismissedException) or "dismissed" in str(exc).lower()


def _reason(exc: BaseException, secret: str | None = None) -> str:
    """A short, secret-free description of a library exception."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    if secret:
        text = text.replace(secret, "•••")
    return text if len(text) <= _MAX_REASON else text[: _MAX_REASON - 1] + "…"


class CredentialStore:
    """Secrets by profile id in the OS keyring; see the module docstring for the rules."""

    def __init__(
        self,
        backend: KeyringBackend | None = None,
        *,
        platform: str | None = None,
        timeout: float = KEYRING_TIMEOUT,
    ) -> None:
        self._backend = backend
        self._platform = platform or sys.platform
        self._timeout = timeout
        self._lock = threading.Lock()
        self._checked = False

    def check(self) -> None:
        """Raise a STORAGE AppError when there is no secure backend."""
        if self._checked:
            return
        backend = self._get_backend()
        why = self._with_timeout(lambda: _why_insecure(backend))  # may ask D-Bus
        if why is not None:
            raise AppError(
                ErrorKind.STORAGE,
                "No secure password storage",
                f"{_no_storage_message(self._platform)} (Details: {why}.)",
            )
        self._checked = True

    def backend_name(self) -> str:
        """A human-readable name of the password storage in use (never raises)."""
        try:
            return _display_name(self._get_backend())
        except AppError:
            return "none (unavailable)"

    def get_secret(self, profile_id: str) -> str | None:
        """The secret stored for ``profile_id``, or ``None`` when there is none."""
        return self._call(
            profile_id, lambda b: b.get_password(SERVICE, profile_id), "Secret could not be read"
        )

    def set_secret(self, profile_id: str, secret: str) -> None:
        """Store (or replace) the secret for ``profile_id``."""
        check_secret(secret)
        self._call(
            profile_id,
            lambda b: b.set_password(SERVICE, profile_id, secret),
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
                lambda b: b.delete_password(SERVICE, profile_id),
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
            return self._with_timeout(lambda: action(backend))
        except _backend_errors() as exc:
            error = self._error(exc, title, secret)
        raise error

    def _with_timeout(self, call: Callable[[], _T], name: str | None = None) -> _T:
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
        if not done.wait(self._timeout):
            who = name or f"your password storage ({self.backend_name()})"
            raise AppError(
                ErrorKind.STORAGE,
                "Password storage does not answer",
                f"{_capital(who)} did not answer within {self._timeout:g} seconds. If it shows "
                "an unlock window, answer it; otherwise log out and back in (or restart it), "
                "then try again.",
            )
        if failure:
            raise failure[0]
        return outcome[0]

    def _get_backend(self) -> KeyringBackend:
        with self._lock:
            if self._backend is None:  # detection probes D-Bus too: never wait forever
                self._backend = self._with_timeout(self._detect, "your password storage")
            return self._backend

    def _detect(self) -> KeyringBackend:
        import keyring  # lazily: slow to import and to pick a backend

        errors: tuple[type[BaseException], ...] = (ImportError, AttributeError, *_backend_errors())
        try:
            return keyring.get_keyring()
        except errors as exc:
            # e.g. PYTHON_KEYRING_BACKEND names a backend that is missing or cannot run here
            raise AppError(
                ErrorKind.STORAGE,
                "No secure password storage",
                f"{_no_storage_message(self._platform)} (Details: {_reason(exc)}.)",
            ) from None

    def _error(self, exc: BaseException, title: str, secret: str | None = None) -> AppError:
        from keyring.errors import NoKeyringError, PasswordSetError

        if _is_dismissed(exc):
            return AppError(
                ErrorKind.STORAGE,
                "Unlocking was cancelled",
                "The window asking to unlock your password storage was closed without "
                f"unlocking it, so Token Tray cannot reach the client secret. {self._retry()}",
            )
        if isinstance(exc, _locked_errors()):
            return AppError(
                ErrorKind.STORAGE, "Password storage is locked", _unlock_hint(self._platform)
            )
        if isinstance(exc, PasswordSetError):
            return AppError(
                ErrorKind.STORAGE,
                "Secret could not be saved",
                f"Your password storage ({self.backend_name()}) refused to save the client "
                f"secret: {_reason(exc, secret)}. Nothing was changed. Make sure it is "
                "unlocked and has room, then save again.",
            )
        if isinstance(exc, NoKeyringError):
            return AppError(
                ErrorKind.STORAGE,
                "No secure password storage",
                _no_storage_message(self._platform),
            )
        return AppError(
            ErrorKind.STORAGE,
            title,
            f"Your password storage ({self.backend_name()}) reported: {_reason(exc, secret)}. "
            "Make sure it is running and unlocked, then try again.",
        )

    def _retry(self) -> str:
        return _unlock_hint(self._platform).replace("Unlock", "Try again and unlock", 1)

    @staticmethod
    def _require_id(profile_id: str) -> None:
        if not profile_id.strip():
            raise AppError(
                ErrorKind.INTERNAL, "Profile has no id", "A profile without an id reached storage."
            )
