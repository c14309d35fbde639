"""Take the onboarding screenshots: the first-start window with a provider chosen, and the
"Token details" window.

Usage: ``.venv/bin/python -m tools.screenshot_onboarding [--folder PATH]``

Renders offscreen with the real parts: the settings window on an empty temporary config (as on
first start) with Auth0 chosen and partly filled in, so its helper field and a live hint show;
and the token details of a real token from the built-in demo server (a JWT, decoded).
Writes ``settings-provider.png`` and ``token-details.png`` into ``docs/screenshots/``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from tests.support.memory_keyring import MemoryKeyring

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FOLDER = REPO_ROOT / "docs" / "screenshots"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER)
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    args.folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        os.environ["TOKEN_TRAY_CONFIG_DIR"] = folder
        for path in (shoot_provider(args.folder), shoot_details(args.folder)):
            print(path)
    return 0


def _app() -> object:
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication(sys.argv[:1])


def _save(widget: object, path: Path) -> Path:
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QWidget

    assert isinstance(widget, QWidget)
    for _ in range(3):
        QCoreApplication.processEvents()
    if not widget.grab().save(str(path)):
        raise SystemExit(f"Could not write {path}")
    return path


def shoot_provider(folder: Path) -> Path:
    from PySide6.QtCore import QThreadPool

    from tray_app.core.config import ConfigStore
    from tray_app.core.credentials import CredentialStore
    from tray_app.core.oauth import TokenClient
    from tray_app.core.repository import ProfileRepository
    from tray_app.gui.settings.dialog import SettingsDialog

    _app()
    repository = ProfileRepository(ConfigStore(), CredentialStore(MemoryKeyring()))
    pool, client = QThreadPool(), TokenClient()
    dialog = SettingsDialog(
        repository, test_fetch=client.fetch, config=repository.load(), pool=pool
    )
    dialog.resize(900, 720)
    dialog.show()
    pool.waitForDone(20_000)
    form = dialog.form
    form.provider.combo.setCurrentIndex(form.provider.combo.findData("auth0"))
    for key, text in (("name", "Shop API"), ("client_id", "AbC123xYz")):
        form.edits[key].setText(text)
        form.edits[key].textEdited.emit(text)
    domain = form.provider.edits["domain"]
    domain.setText("acme.eu.auth0.com")
    domain.textEdited.emit(domain.text())
    dialog.save()  # reveals what is still missing, as pressing Enter would
    path = _save(dialog, folder / "settings-provider.png")
    dialog.hide()
    client.close()
    return path


def shoot_details(folder: Path) -> Path:
    import time

    from tray_app.core.oauth import TokenClient
    from tray_app.core.source import TokenSource
    from tray_app.core.status import ServiceStatus, TokenState
    from tray_app.demo.environment import DemoEnvironment
    from tray_app.gui.token_details import TokenDetailsDialog

    _app()
    environment = DemoEnvironment()
    client = TokenClient()
    try:
        token = TokenSource(environment.credentials, client).fetch(environment.profile)
        status = ServiceStatus(environment.profile, TokenState.VALID, token)
        dialog = TokenDetailsDialog(status, copy=lambda _text: None, clock=lambda: time.time() + 30)
        dialog.resize(640, 560)
        dialog.show()
        return _save(dialog, folder / "token-details.png")
    finally:
        client.close()
        environment.close()


if __name__ == "__main__":
    raise SystemExit(main())
