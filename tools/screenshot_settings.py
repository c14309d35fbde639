"""Take ``docs/screenshots/settings.png``: the settings dialog filled with example data.

Usage: ``.venv/bin/python -m tools.screenshot_settings [--output PATH] [--collapsed] [--app-tab]
[--demo]``

``--app-tab`` shows the Application tab instead (default output
``docs/screenshots/settings-application.png``); ``--demo`` shows the window as the demo shows it
(its banner, and Save marked "not kept"; default output ``docs/screenshots/settings-demo.png``).

Renders offscreen (no display needed) with the real parts: a ProfileRepository on a temporary
config folder with an in-memory keyring, and a real Test request. The profile shows the real
Tarkov Database token URL, but the Test request is sent to the loopback token server in its
Tarkov (JSON) mode instead, so the result line shows a real answer without using the network.
The window is captured with ``QWidget.grab()``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from tests.support.memory_keyring import MemoryKeyring
from tests.support.tokenserver import TokenServer

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO_ROOT / "docs" / "screenshots" / "settings.png"
APP_TAB_OUTPUT = REPO_ROOT / "docs" / "screenshots" / "settings-application.png"
DEMO_OUTPUT = REPO_ROOT / "docs" / "screenshots" / "settings-demo.png"
WIDTH, HEIGHT = 900, 720
TARKOV_ENDPOINT = "https://identity.tarkov-database.com/v1/oauth/token"
ACME_ENDPOINT = "https://login.acme.example/oauth2/token"


class DesktopKeyring(MemoryKeyring):
    """In memory, but named like the Linux desktop's password storage the user would see."""

    name = "Secret Service (GNOME Keyring, KWallet or KeePassXC)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--output", type=Path)
    parser.add_argument("--collapsed", action="store_true", help="keep Advanced folded")
    parser.add_argument("--app-tab", action="store_true", help="show the Application tab")
    parser.add_argument("--demo", action="store_true", help="show it as in demo mode")
    args = parser.parse_args(argv)
    named = APP_TAB_OUTPUT if args.app_tab else DEMO_OUTPUT if args.demo else DEFAULT_OUTPUT
    output = args.output or named
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory() as folder, TokenServer("seed") as server:
        os.environ["TOKEN_TRAY_CONFIG_DIR"] = folder
        shoot(server, output, collapsed=args.collapsed, app_tab=args.app_tab, demo=args.demo)
    print(output)
    return 0


def shoot(
    server: TokenServer, output: Path, *, collapsed: bool, app_tab: bool = False, demo: bool = False
) -> None:
    from PySide6.QtCore import QThreadPool
    from PySide6.QtWidgets import QApplication

    from tray_app.core.config import ConfigStore
    from tray_app.core.credentials import CredentialStore
    from tray_app.core.oauth import TokenClient
    from tray_app.core.profile import BodyFormat, Profile
    from tray_app.core.repository import ProfileRepository
    from tray_app.core.token import Token
    from tray_app.gui.settings.dialog import SettingsDialog

    app = QApplication.instance() or QApplication(sys.argv[:1])
    repository = ProfileRepository(ConfigStore(), CredentialStore(DesktopKeyring()))
    tarkov = Profile(
        name="Tarkov API",
        token_url=TARKOV_ENDPOINT,
        client_id=server.client_id,
        body_format=BodyFormat.JSON,
        api_url="https://api.tarkov-database.com/v2/item",
        preset="tarkov-database",
    )
    repository.save_profile(tarkov, server.client_secret, make_default=True)
    other = Profile(
        name="Acme staging",
        token_url=ACME_ENDPOINT,
        client_id="acme-reporting",
        scope="reports.read",
    )
    config = repository.save_profile(other, "example-secret")
    pool = QThreadPool()
    client = TokenClient()

    def to_loopback(profile: Profile, secret: str) -> Token:
        return client.fetch(profile.replace(token_url=server.token_url), secret)

    dialog = SettingsDialog(repository, test_fetch=to_loopback, config=config, pool=pool)
    dialog.onboarding.set_demo(demo)
    dialog.resize(WIDTH, HEIGHT)
    dialog.show()
    _settle(app, pool)
    dialog.form.set_advanced_visible(not collapsed)
    if demo:  # an edit, so that Save is enabled and shows its demo label
        dialog.form.edits["scope"].setText("item:read")
        dialog.form.edits["scope"].textEdited.emit("item:read")
    dialog.test_button.click()
    _settle(app, pool)
    if app_tab:
        dialog.tabs.setCurrentWidget(dialog.app_tab)
        _settle(app, pool)
    output.parent.mkdir(parents=True, exist_ok=True)
    if not dialog.grab().save(str(output)):
        raise SystemExit(f"Could not write {output}")
    dialog.discard_changes()  # else closing would ask whether to save
    dialog.close()
    client.close()


def _settle(app: object, pool: object) -> None:
    from PySide6.QtCore import QCoreApplication, QThreadPool

    assert isinstance(pool, QThreadPool)
    for _ in range(5):
        pool.waitForDone(20_000)
        QCoreApplication.processEvents()


if __name__ == "__main__":
    raise SystemExit(main())
