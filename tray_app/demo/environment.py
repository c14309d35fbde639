"""Demo mode: everything the tray needs, with nothing taken from (or left on) the user's computer.

``token-tray --demo`` (and "Try the demo" in the first-start window) builds a
:class:`DemoEnvironment`:

* a temporary config folder (deleted on quit) holding one profile, "Demo", pointed at
* the built-in :class:`~tray_app.demo.server.DemoTokenServer` on 127.0.0.1, which issues tokens
  valid for two minutes, so the automatic refresh can be watched, and whose ``/api/me`` makes
  the copied curl command work;
* a :class:`MemoryCredentialStore`: the demo secret (and any secret typed into Settings during
  the demo) lives in this process's memory only — never in the user's keyring.

No Qt here: :mod:`tray_app.gui.app` wires the environment into the tray.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from tray_app.core.config import ConfigStore
from tray_app.core.credentials import CredentialStore
from tray_app.core.profile import BodyFormat, ClientAuth, Profile
from tray_app.core.repository import ProfileRepository
from tray_app.demo.server import DEMO_SCOPE, DemoTokenServer

DEMO_PROFILE_NAME = "Demo"
MEMORY_STORAGE_NAME = "memory only (demo mode)"


class MemoryCredentialStore(CredentialStore):
    """Secrets in a dict for the life of the process: demo mode never touches the keyring."""

    def __init__(self) -> None:
        super().__init__()
        self._secrets: dict[str, str] = {}
        self._memory_lock = threading.Lock()

    def check(self) -> None:
        """Memory is always there."""

    def backend_name(self) -> str:
        return MEMORY_STORAGE_NAME

    def get_secret(self, profile_id: str) -> str | None:
        with self._memory_lock:
            return self._secrets.get(profile_id)

    def set_secret(self, profile_id: str, secret: str) -> None:
        with self._memory_lock:
            self._secrets[profile_id] = secret

    def delete_secret(self, profile_id: str) -> None:
        with self._memory_lock:
            self._secrets.pop(profile_id, None)


class DemoEnvironment:
    """The demo's server, config folder and in-memory secrets; :meth:`close` removes them."""

    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.folder = Path(tempfile.mkdtemp(prefix="token-tray-demo-"))
        self.server = DemoTokenServer(clock=clock).start()
        self.credentials = MemoryCredentialStore()
        self.repository = ProfileRepository(ConfigStore(self.folder), self.credentials)
        self.profile = Profile(
            name=DEMO_PROFILE_NAME,
            token_url=self.server.token_url,
            client_id=self.server.client_id,
            scope=DEMO_SCOPE,
            body_format=BodyFormat.FORM,
            client_auth=ClientAuth.BASIC,
            api_url=self.server.api_url,
        )
        self.repository.save_profile(self.profile, self.server.client_secret, make_default=True)

    def close(self) -> None:
        """Stop the server and delete the temporary config folder (idempotent)."""
        self.server.stop()
        shutil.rmtree(self.folder, ignore_errors=True)
