"""What keyring backends are acceptable, what they are called, and how their errors read.

Split from :mod:`tray_app.core.credentials` (which holds the store itself) to keep both small.
Nothing here touches a secret: these helpers classify backends and exception types and turn
library exceptions into short, secret-free reasons. ``keyring`` and the optional D-Bus
libraries are imported inside the functions (slow imports; optional packages).
"""

from __future__ import annotations

import contextlib
import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

REFUSED_MODULES = ("keyring.backends.fail", "keyring.backends.null", "keyrings.alt")
FRIENDLY_NAMES = {
    "keyring.backends.SecretService": "Secret Service (GNOME Keyring, KWallet or KeePassXC)",
    "keyring.backends.libsecret": "Secret Service (libsecret)",
    "keyring.backends.kwallet": "KWallet",
    "keyring.backends.macOS": "macOS Keychain",
    "keyring.backends.Windows": "Windows Credential Manager",
    "keyring.backends.fail": "none",
    "keyring.backends.null": "none (disabled)",
}
MAX_REASON = 200


def no_storage_message(platform: str) -> str:
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


def unlock_hint(platform: str) -> str:
    if platform == "darwin":
        return "Unlock the “login” keychain in Keychain Access and try again."
    if platform.startswith("win"):
        return "Sign in to Windows again and try again."
    return "Unlock your password storage (log in again, or open Passwords and Keys) and try again."


def module_of(backend: object) -> str:
    return type(backend).__module__


def is_refused_module(module: str) -> bool:
    return any(module == name or module.startswith(name + ".") for name in REFUSED_MODULES)


def backend_priority(backend: KeyringBackend) -> float | None:
    """The backend's priority, or ``None`` when it says it cannot run here."""
    try:
        return float(type(backend).priority)
    except backend_errors():
        return None


def display_name(backend: KeyringBackend) -> str:
    from keyring.backends.chainer import ChainerBackend

    if isinstance(backend, ChainerBackend):
        names = [display_name(member) for member in type(backend).backends]
        return "chain of " + (", ".join(names) if names else "nothing")
    friendly = FRIENDLY_NAMES.get(module_of(backend))
    return friendly or str(type(backend).name)


def why_insecure(backend: KeyringBackend) -> str | None:
    """A short reason why ``backend`` must not hold secrets, or ``None`` when it is fine."""
    from keyring.backends.chainer import ChainerBackend

    module, name = module_of(backend), display_name(backend)
    if module == "keyring.backends.fail":
        return "no supported password storage was found"
    if module == "keyring.backends.null":
        return "password storage is switched off: keyring's “null” backend is configured"
    if is_refused_module(module):
        return f"“{name}” keeps passwords in a file without proper protection"
    if isinstance(backend, ChainerBackend):
        chain = list(type(backend).backends)
        return "nothing is there to chain" if not chain else why_insecure(chain[0])
    priority = backend_priority(backend)
    if priority is None or priority <= 0:
        return f"“{name}” cannot be used on this computer"
    return None


def backend_errors() -> tuple[type[BaseException], ...]:
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


def locked_errors() -> tuple[type[BaseException], ...]:
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


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def is_dismissed(exc: BaseException) -> bool:
    """The user closed the unlock prompt (SecretStorage says so directly; keyring's
    SecretService backend turns it into ``KeyringLocked("...dismissed...")``)."""
    try:
        from secretstorage.exceptions import PromptDismissedException
    except ImportError:
        return "dismissed" in str(exc).lower()
    return isinstance(exc, PromptDismissedException) or "dismissed" in str(exc).lower()


def reason(exc: BaseException, secret: str | None = None) -> str:
    """A short, secret-free description of a library exception."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    if secret:
        text = text.replace(secret, "•••")
    return text if len(text) <= MAX_REASON else text[: MAX_REASON - 1] + "…"
