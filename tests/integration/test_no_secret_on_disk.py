"""After real work — tray fetches, copies, failures, the command line — no file anywhere under
the user's home (config, logs at DEBUG level, caches, state) holds a secret or a token.

The session is a private HOME with a real gnome-keyring (whose own file is encrypted), the
platform folders of that HOME, and a loopback server whose tokens are all recorded.
"""

from __future__ import annotations

import base64
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.support.app_start import start_app
from tests.support.tokenserver import Scripted, TokenServer
from tray_app.core.config import ConfigStore
from tray_app.core.credentials import CredentialStore
from tray_app.core.formats import OutputFormat
from tray_app.core.logsetup import default_log_dir, setup_logging
from tray_app.core.oauth import TokenClient
from tray_app.core.repository import ProfileRepository
from tray_app.core.source import TokenSource
from tray_app.core.status import TokenState
from tray_app.gui.app import TrayApplication
from tray_app.runtime.host import Core

pytestmark = [
    pytest.mark.keyring,
    pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)"),
]
REPO_ROOT = Path(__file__).resolve().parents[2]
SECRET = "tt-scan-Secret-7hG2kLq9ZxV4mN8pR1sT"
WAIT_MS = 10_000


@pytest.fixture
def home(gnome_keyring_session: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Path:
    """The private HOME; config goes to its platform folder (no TOKEN_TRAY_CONFIG_DIR)."""
    monkeypatch.delenv("TOKEN_TRAY_CONFIG_DIR", raising=False)
    return Path(gnome_keyring_session["HOME"])


@pytest.fixture
def debug_log(home: Path) -> Iterator[Path]:
    """The real rotating log in the platform log folder, at DEBUG level, for this test."""
    root = logging.getLogger()
    level = root.level
    handler = setup_logging(level=logging.DEBUG)
    yield default_log_dir()
    root.removeHandler(handler)
    handler.close()
    root.setLevel(level)


def files_holding(root: Path, needles: list[str]) -> list[tuple[Path, str]]:
    found = []
    for path in root.rglob("*"):
        if not path.is_file() or path.is_symlink():
            continue
        data = path.read_bytes()
        for needle in needles:
            forms = (needle.encode(), needle.encode("utf-16-le"))
            if any(form in data for form in forms):
                found.append((path, needle[:12] + "…"))
    return found


def test_no_file_written_holds_a_secret_or_a_token(
    qtbot: QtBot,
    qapp: QApplication,
    home: Path,
    debug_log: Path,
    gnome_keyring_session: dict[str, str],
) -> None:
    from keyring.backends.SecretService import Keyring

    with TokenServer("standard", client_secret=SECRET) as server:
        credentials = CredentialStore(Keyring())  # type: ignore[no-untyped-call]
        client = TokenClient()
        repository = ProfileRepository(ConfigStore(), credentials)
        core = Core(repository, credentials, TokenSource(credentials, client), client)
        profile = server.profile(name="Scanned")
        repository.save_profile(profile, SECRET)
        app = TrayApplication(qapp, core, tray_available=lambda: False, reachability=lambda: None)
        start_app(qtbot, app)
        try:
            (service,) = app.host.registry.services()
            qtbot.waitUntil(lambda: service.status().state is TokenState.VALID, timeout=WAIT_MS)
            for fmt in OutputFormat:
                assert app.tray.copy(profile.id, fmt)
            echo = f"client {SECRET} is unknown"  # a server that echoes the secret back
            server.script(
                Scripted.json(401, {"error": "invalid_client", "error_description": echo})
            )
            service.refresh_now()
            qtbot.waitUntil(lambda: service.status().error is not None, timeout=WAIT_MS)
            service.retry_now()
            qtbot.waitUntil(lambda: len(server.issued_tokens) == 2, timeout=WAIT_MS)
            qtbot.waitUntil(lambda: service.status().error is None, timeout=WAIT_MS)
        finally:
            app.shutdown()
            app.host.fetch_pool.waitForDone(WAIT_MS)
            app.deleteLater()  # deleted by Qt, in order (not by a later garbage collection)
            client.close()
        env = {**gnome_keyring_session, "PYTHONPATH": str(REPO_ROOT)}
        env.pop("TOKEN_TRAY_CONFIG_DIR", None)
        for name in ("raw", "curl", "json"):
            done = subprocess.run(
                [sys.executable, "-m", "tray_app", "token", "--format", name],
                capture_output=True, text=True, env=env, cwd=REPO_ROOT, timeout=60, check=False,
            )  # fmt: skip
            assert done.returncode == 0, done.stderr
        tokens = server.issued_tokens

    for handler in logging.getLogger().handlers:
        handler.flush()
    assert len(tokens) == 5
    log_text = (debug_log / "token-tray.log").read_text()
    assert "POST 127.0.0.1 -> 401" in log_text  # the echoing failure was logged ...
    assert "POST 127.0.0.1 -> 200" in log_text  # ... and the fetches
    assert (home / ".config" / "token-tray" / "config.json").is_file()
    basic = base64.b64encode(f"{server.client_id}:{SECRET}".encode()).decode()
    assert files_holding(home, [SECRET, basic, *tokens]) == []
    assert os.stat(home / ".config" / "token-tray" / "config.json").st_mode & 0o777 == 0o600
