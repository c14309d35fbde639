"""``token-tray --self-test``: check an installation (a bundle above all) without a desktop.

It runs the real parts — Qt widgets on the ``offscreen`` platform, the tray menu and the
settings window built by the app's own :class:`~tray_app.gui.app.TrayApplication`, the icons and the
menu entry file from the package resources, the HTTPS libraries, the password storage — prints
one line per check and exits 0 when nothing is broken, 1 when something is.

Design decisions:

* **Offscreen, always.** ``QT_QPA_PLATFORM`` is set to ``offscreen`` before the QApplication
  exists, so the check runs over SSH, in CI and in a bundle on a machine without a display, and
  never flashes a window on a desktop.
* **Touches nothing of the user's.** The settings file is only *read* (a damaged one is
  reported, not moved aside); the tray and the settings window are built over an empty config
  in a temporary folder that is deleted afterwards; no command-line socket is opened and no
  single-instance lock taken, so a running Token Tray is not disturbed. The password storage
  is asked whether it is usable, never for a secret.
* **Broken vs. not set up.** A missing icon, a library missing from a bundle, or a window that
  cannot be built is *broken* (``FAILED``, exit 1: reinstall or report it). No secure password
  storage or an unreadable settings file is the computer's set-up, not the installation: it is a
  ``warning`` line in plain words, and the exit code stays 0.
* Each check catches everything it may raise and reports the exception's type (never its text,
  which might quote a file's content), so the report always reaches the end.
"""

from __future__ import annotations

import dataclasses
import enum
import os
import platform
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from tray_app import __version__
from tray_app.core.errors import AppError

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from tray_app.gui.app import TrayApplication

KEYRING_TIMEOUT = 10.0


class Outcome(enum.Enum):
    OK = "ok"
    WARNING = "warning"
    FAILED = "FAILED"


@dataclasses.dataclass(frozen=True)
class Check:
    name: str
    outcome: Outcome
    detail: str


def _guarded(name: str, check: Callable[[], Check]) -> Check:
    try:
        return check()
    except AppError as error:
        return Check(name, Outcome.FAILED, f"{error.title}. {error.message}")
    except Exception as error:  # noqa: BLE001 - a self-test reports whatever breaks, and goes on
        return Check(name, Outcome.FAILED, f"unexpected {type(error).__name__}")


def check_https() -> Check:
    import ssl

    import certifi  # requests' own certificate list, used when a profile names no CA file
    import requests
    import truststore

    truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if not Path(certifi.where()).is_file():
        return Check("HTTPS", Outcome.FAILED, "certifi's certificate file is missing")
    return Check("HTTPS", Outcome.OK, f"requests {requests.__version__}, system trust store")


def check_password_storage() -> Check:
    from tray_app.core.credentials import CredentialStore

    store = CredentialStore(timeout=KEYRING_TIMEOUT)
    name = store.backend_name()
    try:
        store.check()
    except AppError as error:
        detail = f"{name} — {error.title}: {error.message}"
        return Check("Password storage", Outcome.WARNING, detail)
    return Check("Password storage", Outcome.OK, name)


def check_settings_file() -> Check:
    from tray_app.core.config import ConfigStore

    store = ConfigStore()
    try:
        config = store.load()  # read only: a damaged file is reported, never moved aside
    except AppError as error:
        return Check("Settings file", Outcome.WARNING, f"{error.title}: {error.message}")
    count = len(config.profiles)
    where = store.path if store.path.exists() else f"none yet ({store.path})"
    return Check("Settings file", Outcome.OK, f"{count} profile(s), {where}")


def check_menu_entry_file() -> Check:
    from tray_app.core.desktop_entry import DESKTOP_FILE, exec_of, read_resource

    text = read_resource(DESKTOP_FILE).decode("utf-8")
    if "[Desktop Entry]" not in text or not exec_of(text):
        return Check("Menu entry file", Outcome.FAILED, f"{DESKTOP_FILE} is not a desktop entry")
    return Check("Menu entry file", Outcome.OK, DESKTOP_FILE)


def check_icons() -> Check:
    from tray_app.gui.icons import APP_ICON, IconProvider, IconState, read_icon_bytes, small_variant

    names = [APP_ICON] + [s.value for s in IconState] + [small_variant(s.value) for s in IconState]
    missing = []
    for name in names:
        try:
            read_icon_bytes(name)
        except FileNotFoundError:
            missing.append(name)
    if missing:
        return Check("Icons", Outcome.FAILED, "missing: " + ", ".join(missing))
    icons = IconProvider()
    drawn = [icons.app_icon(), *(icons.state_icon(state) for state in IconState)]
    if any(icon.isNull() or icon.pixmap(22, 22).isNull() for icon in drawn):
        return Check("Icons", Outcome.FAILED, "an icon could not be drawn (SVG support missing?)")
    return Check("Icons", Outcome.OK, f"{len(names)} files, drawn at tray size")


def check_tray_and_settings(app: QApplication, folder: Path) -> list[Check]:
    """Build the tray menu and the settings window as Token Tray does, over an empty config."""
    from tray_app.core.config import ConfigStore
    from tray_app.core.credentials import CredentialStore
    from tray_app.core.oauth import TokenClient
    from tray_app.core.repository import ProfileRepository
    from tray_app.core.source import TokenSource
    from tray_app.gui.app import TrayApplication
    from tray_app.runtime.host import Core

    credentials = CredentialStore(timeout=KEYRING_TIMEOUT)
    client = TokenClient()
    repository = ProfileRepository(ConfigStore(folder), credentials)
    core = Core(repository, credentials, TokenSource(credentials, client), client)
    tray = TrayApplication(
        app, core, serve=False, ipc_name=str(folder / "unused.sock"), reachability=lambda: None
    )
    try:
        return [
            _guarded("Tray menu", lambda: _menu(tray)),
            _guarded("Settings window", lambda: _settings(tray)),
        ]
    finally:
        tray.shutdown()
        tray.close_windows()
        client.close()
        app.processEvents()


def _menu(tray: TrayApplication) -> Check:
    tray.tray.rebuild_menu()
    texts = [action.text() for action in tray.tray.menu.actions() if action.text()]
    if "&Quit" not in texts or "&Settings…" not in texts:
        return Check("Tray menu", Outcome.FAILED, f"unexpected entries: {texts}")
    return Check("Tray menu", Outcome.OK, ", ".join(t.replace("&", "") for t in texts))


def _settings(tray: TrayApplication) -> Check:
    tray.open_settings()
    dialog = tray.settings_dialog
    if dialog is None or not dialog.isVisible():
        return Check("Settings window", Outcome.FAILED, "it did not open")
    tabs = [dialog.tabs.tabText(i).replace("&", "") for i in range(dialog.tabs.count())]
    return Check("Settings window", Outcome.OK, "tabs: " + ", ".join(tabs))


def run_checks() -> list[Check]:
    os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before any QApplication exists
    from PySide6.QtWidgets import QApplication

    from tray_app.identity import APP_ID, DISPLAY_NAME

    app = QApplication([sys.argv[0] if sys.argv else APP_ID])
    app.setApplicationName(DISPLAY_NAME)
    checks = [
        _guarded("Icons", check_icons),
        _guarded("Menu entry file", check_menu_entry_file),
        _guarded("HTTPS", check_https),
        _guarded("Password storage", check_password_storage),
        _guarded("Settings file", check_settings_file),
    ]
    with tempfile.TemporaryDirectory(prefix="token-tray-selftest-") as folder:
        checks += check_tray_and_settings(app, Path(folder))
    return checks


def report(checks: list[Check]) -> tuple[str, int]:
    """The printed report and the exit code (1 when any check failed)."""
    kind = "bundle" if getattr(sys, "frozen", False) else "Python package"
    lines = [f"Token Tray {__version__} self-test ({platform.system()}, {kind})"]
    width = max(len(c.name) for c in checks)
    lines += [f"  {c.outcome.value:<8} {c.name:<{width}}  {c.detail}" for c in checks]
    failed = [c.name for c in checks if c.outcome is Outcome.FAILED]
    warned = [c.name for c in checks if c.outcome is Outcome.WARNING]
    if failed:
        lines.append(
            f"Broken: {', '.join(failed)} (see FAILED above). Reinstall Token Tray; if that "
            "does not help, report it with this output."
        )
    elif warned:
        lines.append(
            "This installation works; fix the warning above on this computer before you add "
            "profiles."
        )
    else:
        lines.append("All checks passed.")
    return "\n".join(lines), 1 if failed else 0


def run_self_test(out: TextIO | None = None) -> int:
    text, code = report(run_checks())
    print(text, file=out or sys.stdout, flush=True)
    return code
