"""``token-tray agent``: the token services and the command-line server, without any window.

For SSH sessions, WSL and desktops without a system tray: ``token-tray token`` and
``token-tray status`` talk to the agent exactly as they talk to the tray. It uses a
``QCoreApplication`` and imports only QtCore and QtNetwork (no widget or GUI library is
loaded, so it runs where there is no display). SIGTERM and SIGINT stop it cleanly: services
stopped, socket removed, lock released. Like the tray, only one runs per user. It has the
tray's watchers (heartbeat, network, config.json), so a profile added or removed on the command
line is served without a restart.
Problems (a damaged config kept aside, a socket that cannot be opened) are logged and printed
on stderr; there is nobody to show a window to.
"""

from __future__ import annotations

import logging
import sys

from PySide6.QtCore import QCoreApplication

from tray_app.core.errors import AppError
from tray_app.ipc import client as ipc_client
from tray_app.runtime.host import SignalQuitter, TokenHost, build_core, configure_logging
from tray_app.runtime.instance import claim_instance, hand_over

_log = logging.getLogger(__name__)

ALREADY_RUNNING = "token-tray: Token Tray is already running; scripts can use it as it is."
STARTED = "token-tray: agent running; stop it with Ctrl-C or SIGTERM."


def report(error: AppError) -> None:
    """A problem the agent met: stderr (no window to show it in) and the log."""
    _log.warning("Agent: %s", error.title)
    print(f"token-tray: {error.title}\n{error.message}", file=sys.stderr, flush=True)


def run_agent() -> int:
    """Run headless until SIGTERM/SIGINT; returns the process exit code."""
    lock = claim_instance()
    if lock is None:
        hand_over(ipc_client.request_status)
        print(ALREADY_RUNNING, file=sys.stderr)
        return 0
    try:
        configure_logging()
        app = QCoreApplication(sys.argv[:1])
        app.setApplicationName("Token Tray agent")
        quitter = SignalQuitter(app)
        host = TokenHost(build_core(), on_error=report)
        app.aboutToQuit.connect(host.shutdown)
        host.configReloaded.connect(host.apply_config)  # follows `token-tray profile add`
        host.apply_config(host.load_config())
        host.start()
        if not host.config.profiles:
            print(
                "token-tray: no profile yet; add one with `token-tray profile add`.",
                file=sys.stderr,
            )
        print(STARTED, file=sys.stderr, flush=True)
        code = app.exec()
        quitter.close()
        return code
    finally:
        lock.release()
