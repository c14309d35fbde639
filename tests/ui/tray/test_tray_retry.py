"""The tray under failing refreshes: the "refresh failing" line with its reason, one "Refresh now"
that also retries, a copy that tries at once, the log folder."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication

from tests.support.tray_harness import (
    LIFETIME,
    PROFILE_ACTIONS,
    TAIL,
    Harness,
    action,
    rejected,
    shown_menu,
    texts,
    unavailable,
)
from tray_app.core.logsetup import default_log_dir
from tray_app.core.status import TokenState
from tray_app.gui.log_folder import COPY_PATH, open_log_folder


def refresh_fails(harness: Harness, name: str, error_kind: str) -> None:
    """The refresh of ``name``'s token (due at 1500 s) meets a failure."""
    harness.fetch.errors[name] = unavailable() if error_kind == "unavailable" else rejected()
    service = harness.registry.services()[0]
    status = service.status()
    assert status.next_attempt_at is not None
    harness.clock.now = status.next_attempt_at
    service.check_clock()
    harness.qtbot.waitUntil(lambda: service.status().error is not None, timeout=5000)


def test_failing_refresh_says_why_and_offers_one_refresh_entry(harness: Harness) -> None:
    harness.start("Tarkov API")
    refresh_fails(harness, "Tarkov API", "unavailable")

    menu = shown_menu(harness)

    line = texts(menu)[0]
    title = harness.registry.services()[0].status().error.title  # type: ignore[union-attr]
    assert re.fullmatch(
        rf"Tarkov API — using current token, refresh failing \({title}\) — next try in \d+ s",
        line,
    ), line
    assert texts(menu) == [line, *PROFILE_ACTIONS, *TAIL]  # no second "Retry now" entry
    assert "refresh failing" in harness.tray.tray_icon.toolTip()


def test_a_copy_while_refreshes_fail_tries_again_at_once(harness: Harness) -> None:
    harness.start("Tarkov API")
    refresh_fails(harness, "Tarkov API", "unavailable")
    service = harness.registry.services()[0]
    planned = service.status().next_attempt_at
    assert planned is not None
    assert planned > harness.clock.now  # the next automatic try is still ahead
    del harness.fetch.errors["Tarkov API"]

    action(shown_menu(harness), "Copy &token").trigger()

    assert harness.clipboard.text() == "tok-Tarkov_API-1"  # the current token, at once
    harness.qtbot.waitUntil(lambda: service.status().error is None, timeout=5000)
    assert harness.fetch.calls == ["Tarkov API"] * 3  # first, failed refresh, the copy's try
    harness.wait_settled()


def test_copy_still_works_while_refresh_fails(harness: Harness) -> None:
    harness.start("Tarkov API")
    refresh_fails(harness, "Tarkov API", "unavailable")

    action(shown_menu(harness), "Copy &token").trigger()

    assert harness.clipboard.text() == "tok-Tarkov_API-1"


def test_retry_now_clears_a_failure_that_waits_for_the_user(harness: Harness) -> None:
    harness.start("Tarkov API")
    refresh_fails(harness, "Tarkov API", "rejected")
    service = harness.registry.services()[0]
    assert service.status().needs_user
    assert texts(shown_menu(harness))[0].endswith(
        "using current token, refresh failing (Wrong client ID or secret)"
    )
    del harness.fetch.errors["Tarkov API"]

    action(shown_menu(harness), "&Refresh now").trigger()
    harness.qtbot.waitUntil(lambda: service.status().state is TokenState.VALID, timeout=5000)
    harness.wait_settled()

    status = service.status()
    assert status.error is None
    assert status.token is not None
    assert status.token.access_token == "tok-Tarkov_API-3"
    assert "refresh failing" not in texts(shown_menu(harness))[0]


def test_expired_token_is_never_copied_after_a_resume(harness: Harness) -> None:
    harness.start("Tarkov API")
    harness.clock.jump(LIFETIME + 3600)  # the laptop slept past the token's end

    action(shown_menu(harness), "Copy &token").trigger()

    assert harness.clipboard.text() == "untouched"
    assert harness.messages[-1].startswith("The token for Tarkov API has expired")
    harness.wait_settled()
    assert harness.fetch.calls == ["Tarkov API", "Tarkov API"]


def test_open_log_folder(harness: Harness) -> None:
    action(shown_menu(harness), "Open &log folder").trigger()

    assert harness.opened_log_folder == 1
    assert harness.tray.log_path_box is None


@pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")  # offscreen
def test_without_a_file_manager_the_log_folder_is_named_and_its_path_copied(
    harness: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    harness.file_manager = False

    action(shown_menu(harness), "Open &log folder").trigger()

    box = harness.tray.log_path_box
    assert box is not None
    assert box.isVisible()
    folder = str(tmp_path / "state" / "token-tray" / "log")
    assert box.informativeText() == folder
    [copy] = [b for b in box.buttons() if b.text() == COPY_PATH]
    copy.click()
    assert QGuiApplication.clipboard().text() == folder
    box.close()


class UrlCatcher(QObject):
    """Receives the URLs QDesktopServices would hand to the file manager."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url)


def test_open_log_folder_shows_the_platform_log_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    catcher = UrlCatcher()
    QDesktopServices.setUrlHandler("file", catcher, "open")  # type: ignore[arg-type]
    try:
        assert open_log_folder()
    finally:
        QDesktopServices.unsetUrlHandler("file")
    folder = tmp_path / "state" / "token-tray" / "log"
    assert [url.toLocalFile() for url in catcher.urls] == [str(folder)]
    assert folder.is_dir()
    assert default_log_dir() == folder
