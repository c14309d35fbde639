"""The clipboard on a real X desktop: a copied token never outlives its clear time or the app.

Every copy here is a left-click on the real tray icon, read back with ``xclip``. The clear time
is set short in config.json; the tests wait for the app's own log line ("Cleared our copy…",
"Left the clipboard alone…") or for the clipboard to change, with a bounded wait, instead of
sleeping for the clear time and hoping.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

import pytest

from tests.desktop.steps import add_profile, change_settings, copy_with
from tests.support.clipboard_manager import ClipboardManager
from tests.support.keyring_session import stop_process
from tests.support.processes import REPO_ROOT, wait_until
from tests.support.tokenserver import TokenServer
from tests.support.xdesktop import AppLauncher, Desktop, app_log

pytestmark = pytest.mark.desktop

CLEARED = "Cleared our copy from the clipboard"
LEFT_ALONE = "Left the clipboard alone"
MIDDLE_CLICK_TEXT = "text selected for middle-click pasting"
USER_TEXT = "something the user copied in another program"
QT_COPY_AND_QUIT = """
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication([])
app.clipboard().setText("copied by an app that then quit")
QTimer.singleShot(0, app.quit)
app.exec()
"""


def start_with_token(
    desktop: Desktop, launch_app: AppLauncher, server: TokenServer, clear_seconds: int
) -> tuple[subprocess.Popen[bytes], str, str]:
    """A running app whose token was just copied by a left-click: (app, icon, token)."""
    add_profile(desktop, "Standard API", server)
    change_settings(desktop, clipboard_clear_seconds=clear_seconds)
    app = launch_app()
    icon = wait_until(lambda: desktop.tray_icon_of(app.pid), what="the tray icon")
    wait_until(lambda: server.issued_tokens, what="the first token")
    token = copy_with(desktop, lambda: desktop.click(icon, 1), server.issued_tokens.__contains__)
    return app, icon, token


def timer_fired(desktop: Desktop) -> Callable[[], bool]:
    """True once the app logged its clear-or-leave decision."""
    return lambda: any(line in app_log(desktop.env) for line in (CLEARED, LEFT_ALONE))


def test_the_copy_is_cleared_after_the_clear_time_and_primary_is_untouched(
    desktop: Desktop, launch_app: AppLauncher, standard_server: TokenServer
) -> None:
    desktop.set_selection(MIDDLE_CLICK_TEXT, "primary")

    app, _icon, _token = start_with_token(desktop, launch_app, standard_server, clear_seconds=2)

    wait_until(lambda: desktop.clipboard() is None, timeout=15, what="the clipboard to empty")
    assert CLEARED in app_log(desktop.env)
    assert desktop.selection("primary") == MIDDLE_CLICK_TEXT
    assert app.poll() is None


def test_text_copied_meanwhile_by_another_program_survives(
    desktop: Desktop, launch_app: AppLauncher, standard_server: TokenServer
) -> None:
    app, _icon, _token = start_with_token(desktop, launch_app, standard_server, clear_seconds=5)

    desktop.set_selection(USER_TEXT)  # xclip -i, as any other program copies

    wait_until(timer_fired(desktop), timeout=20, what="the clear timer")
    assert desktop.clipboard() == USER_TEXT
    assert LEFT_ALONE in app_log(desktop.env)
    assert app.poll() is None


def test_quitting_clears_our_copy_even_with_a_clipboard_manager(
    desktop: Desktop, launch_app: AppLauncher, standard_server: TokenServer
) -> None:
    with ClipboardManager(desktop.display) as manager:
        app, _icon, token = start_with_token(desktop, launch_app, standard_server, 0)
        assert desktop.clipboard() == token  # no timer: only quitting clears it

        stop_process(app)  # SIGTERM, as a logout or `kill` sends

        assert app.returncode == 0
        assert desktop.clipboard() is None
        assert manager.saved is None
        assert CLEARED in app_log(desktop.env)


def test_control_the_clipboard_manager_keeps_what_a_quitting_app_copied(
    desktop: Desktop,
) -> None:
    """Without this, the test above could pass just because nothing survives a quit on X11."""
    with ClipboardManager(desktop.display) as manager:
        subprocess.run(
            [sys.executable, "-c", QT_COPY_AND_QUIT],
            env=desktop.env,
            cwd=REPO_ROOT,
            check=True,
            timeout=60,
            capture_output=True,
        )

        assert manager.save_requests == 1
        assert desktop.clipboard() == "copied by an app that then quit"


def test_our_text_re_owned_by_a_clipboard_manager_is_cleared_all_the_same(
    desktop: Desktop, launch_app: AppLauncher, standard_server: TokenServer
) -> None:
    app, _icon, token = start_with_token(desktop, launch_app, standard_server, clear_seconds=5)

    desktop.set_selection(token)  # what `xclip -o | xclip -i` does: same text, new owner

    wait_until(timer_fired(desktop), timeout=20, what="the clear timer")
    assert desktop.clipboard() is None
    assert CLEARED in app_log(desktop.env)
    assert app.poll() is None
