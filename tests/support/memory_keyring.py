"""An in-memory keyring backend for unit tests, with switches to simulate failures.

``viable`` is False so keyring's own backend detection never picks it up, even though
defining a :class:`~keyring.backend.KeyringBackend` subclass registers it globally: tests pass
an instance explicitly (``CredentialStore(MemoryKeyring())``).
"""

from __future__ import annotations

from keyring.backend import KeyringBackend
from keyring.compat import properties
from keyring.errors import KeyringLocked, PasswordDeleteError, PasswordSetError


class MemoryKeyring(KeyringBackend):
    """Secrets in a dict keyed by ``(service, username)``.

    ``locked=True`` makes every call raise :class:`KeyringLocked`; ``fail_writes`` and
    ``fail_deletes`` make writes or deletes raise the errors real backends raise.
    """

    viable = False

    @properties.classproperty
    def priority(cls) -> float:  # noqa: N805 - keyring's class property
        return 1

    def __init__(
        self, *, locked: bool = False, fail_writes: bool = False, fail_deletes: bool = False
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.passwords: dict[tuple[str, str], str] = {}
        self.locked = locked
        self.fail_writes = fail_writes
        self.fail_deletes = fail_deletes
        self.writes = 0

    def get_password(self, service: str, username: str) -> str | None:
        self._check_unlocked()
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._check_unlocked()
        if self.fail_writes:
            raise PasswordSetError("simulated failure: the storage refused to save")
        self.passwords[(service, username)] = password
        self.writes += 1

    def delete_password(self, service: str, username: str) -> None:
        self._check_unlocked()
        if self.fail_deletes:
            raise PasswordDeleteError("simulated failure: the storage refused to delete")
        if self.passwords.pop((service, username), None) is None:
            raise PasswordDeleteError("No such password!")

    def _check_unlocked(self) -> None:
        if self.locked:
            raise KeyringLocked("Failed to unlock the collection!")
