"""Icon first: the tray icon is shown before the app, requests, keyring or truststore load.

A real ``token-tray`` start (``tray_app.gui.startup.run_tray``) on a real X desktop with a tray
host and one profile, in a subprocess that records ``sys.modules`` the moment the icon has been
shown, and again once the services have run (the first fetch and the storage check import the
libraries: the record proves they are loaded *after* the icon, not never).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.support.processes import REPO_ROOT
from tests.support.tokenserver import TokenServer
from tests.support.xdesktop import Desktop, add_profile_via_cli

pytestmark = pytest.mark.desktop

RECORD = """
import json, sys
from tray_app.gui import startup

LATE = ("requests", "keyring", "truststore", "tray_app.gui.app")
record = {}
show = startup.show_icon_early

def loaded():
    return sorted(name for name in LATE if name in sys.modules)

def recording(app, icons):
    icon = show(app, icons)
    record["at_icon"] = loaded()
    record["icon_shown"] = icon is not None and icon.isVisible()
    from PySide6.QtCore import QTimer
    timer = QTimer(app)

    def check():
        if len(loaded()) == len(LATE):  # the first fetch and the storage check ran
            record["later"] = loaded()
            print(json.dumps(record), flush=True)
            app.quit()

    timer.timeout.connect(check)
    timer.start(100)
    return icon

startup.show_icon_early = recording
sys.exit(startup.run_tray())
"""


def test_the_icon_is_shown_before_the_app_and_the_network_and_keyring_libraries(
    desktop: Desktop, standard_server: TokenServer
) -> None:
    add_profile_via_cli(
        desktop.env,
        "Work",
        token_url=standard_server.token_url,
        client_id=standard_server.client_id,
        secret=standard_server.client_secret,
    )

    result = subprocess.run(
        [sys.executable, "-c", RECORD],
        env=desktop.env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout.strip().splitlines()[-1])
    assert record["icon_shown"] is True
    assert record["at_icon"] == []
    assert record["later"] == ["keyring", "requests", "tray_app.gui.app", "truststore"]
