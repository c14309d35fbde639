"""Build and start a :class:`~tray_app.gui.app.TrayApplication` in a test as ``run_tray`` does.

:func:`make_core` gives it real stores in a test folder and one fake clock for the token
client, the services, the tray and the command-line server alike, so the whole app runs on the
test's time.

``start()`` shows the tray and leaves the services for the event loop's first turn (icon
first, see :mod:`tray_app.gui.app`); :func:`start_app` runs that turn, so a test continues with the
services running, as a user's app is a moment after start.
"""

from __future__ import annotations

from pathlib import Path

from keyring.backend import KeyringBackend
from pytestqt.qtbot import QtBot

from tests.support.fakes import FakeClock
from tray_app.core.clocks import Clocks
from tray_app.core.config import ConfigStore
from tray_app.core.credentials import CredentialStore
from tray_app.core.oauth import TokenClient
from tray_app.core.repository import ProfileRepository
from tray_app.core.source import TokenSource
from tray_app.gui.app import TrayApplication
from tray_app.runtime.host import Core

WAIT_MS = 5000


def start_app(qtbot: QtBot, app: TrayApplication) -> None:
    app.start()
    qtbot.waitUntil(app.host.registry.is_started, timeout=WAIT_MS)


class Availability:
    """Whether a system tray is there, switched by the test."""

    def __init__(self, available: bool) -> None:
        self.available = available

    def __call__(self) -> bool:
        return self.available


def make_core(
    folder: Path,
    backend: KeyringBackend,
    clock: FakeClock | None = None,
    *,
    clocks: Clocks | None = None,
) -> Core:
    """Real config and keyring stores over ``folder`` and ``backend``, on ``clock``'s time
    (``clocks=SYSTEM_CLOCKS``: on real time, for the stress workload)."""
    if clocks is None:
        clocks = (clock if clock is not None else FakeClock()).clocks()
    credentials = CredentialStore(backend)
    client = TokenClient(clock=clocks.wall)
    repository = ProfileRepository(ConfigStore(folder), credentials)
    source = TokenSource(credentials, client)
    return Core(repository, credentials, source, client, clocks)
