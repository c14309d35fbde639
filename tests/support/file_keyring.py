"""TEST-ONLY keyring backend that stores secrets IN PLAINTEXT in a JSON file.

!!! NEVER USE THIS OUTSIDE THE TEST SUITE. !!!

It exists so command-line tests can run ``token-tray`` in a subprocess with a keyring that
survives between invocations and that the test can inspect:

    env["PYTHON_KEYRING_BACKEND"] = "tests.support.file_keyring.FileKeyring"
    env["TOKEN_TRAY_TEST_KEYRING_DIR"] = str(tmp_path / "keyring")
    env["PYTHONPATH"] = <repository root>   # so ``tests.support`` is importable

Safety catches: ``viable`` is False, so keyring's automatic detection never selects it; and its
priority raises (which makes keyring refuse to load it) unless ``TOKEN_TRAY_TEST_KEYRING_DIR``
is set. ``CredentialStore.check()`` accepts it on purpose (it is not one of the refused
backends), which is what lets the CLI tests exercise the real code path.
``TOKEN_TRAY_TEST_KEYRING_LOCKED=1`` makes every call raise ``KeyringLocked`` (exit code 5 tests).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.compat import properties
from keyring.errors import KeyringLocked, PasswordDeleteError

DIR_ENV = "TOKEN_TRAY_TEST_KEYRING_DIR"
LOCKED_ENV = "TOKEN_TRAY_TEST_KEYRING_LOCKED"
FILE_NAME = "test-keyring.json"


class FileKeyring(KeyringBackend):
    """Plaintext JSON ``{service: {username: password}}`` in ``$TOKEN_TRAY_TEST_KEYRING_DIR``."""

    viable = False

    @properties.classproperty
    def priority(cls) -> float:  # noqa: N805 - keyring's class property
        if not os.environ.get(DIR_ENV):
            raise RuntimeError(f"FileKeyring is test-only and needs {DIR_ENV}")
        return 1

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(service, {}).get(username)

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data.setdefault(service, {})[username] = password
        self._store(data)

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        if data.get(service, {}).pop(username, None) is None:
            raise PasswordDeleteError("No such password!")
        self._store(data)

    @staticmethod
    def path() -> Path:
        return Path(os.environ[DIR_ENV]) / FILE_NAME

    def _load(self) -> dict[str, dict[str, str]]:
        if os.environ.get(LOCKED_ENV) == "1":
            raise KeyringLocked("Failed to unlock the collection!")
        try:
            data: dict[str, dict[str, str]] = json.loads(self.path().read_text("utf-8"))
        except FileNotFoundError:
            return {}
        return data

    def _store(self, data: dict[str, dict[str, str]]) -> None:
        path = self.path()
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{FILE_NAME}.{os.getpid()}.tmp")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle)
        os.replace(temp, path)
