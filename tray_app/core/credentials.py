"""The keyring wrapper: client secrets live only in the OS keyring (service ``token-tray``).

Secrets are stored under the profile's stable id, so a rename keeps the secret. A backend that
is not secure (``fail``, ``null``, plaintext, chainer with nothing secure behind it) is refused
with a plain-language STORAGE :class:`AppError`; nothing ever falls back to plaintext.
``keyring`` is imported lazily (it is slow to import and to pick a backend).
Calls block (Secret Service over D-Bus): the tray calls them from a worker thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

SERVICE = "token-tray"


class CredentialStore:
    def __init__(self, backend: KeyringBackend | None = None) -> None:
        raise NotImplementedError

    def check(self) -> None:
        """Raise a STORAGE AppError when there is no secure backend."""
        raise NotImplementedError

    def backend_name(self) -> str:
        raise NotImplementedError

    def get_secret(self, profile_id: str) -> str | None:
        raise NotImplementedError

    def set_secret(self, profile_id: str, secret: str) -> None:
        raise NotImplementedError

    def delete_secret(self, profile_id: str) -> None:
        raise NotImplementedError
