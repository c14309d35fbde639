"""TrayController: copying (never stale, never a needless fetch), clicks, tooltip and icon."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QSystemTrayIcon

from tests.support.tray_harness import (
    LIFETIME,
    WAIT_MS,
    Harness,
    action,
    rejected,
    shown_menu,
    submenu,
    unavailable,
)
from tray_app.core.config import LeftClick
from tray_app.core.errors import AppError
from tray_app.core.formats import OutputFormat
from tray_app.core.profile import Profile
from tray_app.core.status import ServiceStatus, TokenState
from tray_app.gui.clipboard import KDE_SECRET_HINT
from tray_app.gui.icons import IconState
from tray_app.gui.tray_texts import copied_message, missing_token_message

# -- copying -----------------------------------------------------------------------------------


def test_copy_token_uses_the_held_token_without_fetching(harness: Harness) -> None:
    harness.start("Tarkov API")
    harness.clock.now += 3 * 60

    action(shown_menu(harness), "Copy &token").trigger()

    assert harness.clipboard.text() == "tok-Tarkov_API-1"
    mime = harness.clipboard.mimeData()
    assert mime is not None
    assert bytes(mime.data(KDE_SECRET_HINT).data()) == b"secret"
    assert harness.fetch.calls == ["Tarkov API"]
    assert harness.messages == ["Token for Tarkov API copied — valid for 27 min"]
    assert harness.writer.timer.isActive()


def test_copy_header_and_curl(harness: Harness) -> None:
    harness.start("Tarkov API")
    menu = shown_menu(harness)

    action(menu, "Copy &header").trigger()
    assert harness.clipboard.text() == "Authorization: Bearer tok-Tarkov_API-1"

    action(menu, "Copy as c&url").trigger()  # the profile has no API URL
    assert harness.clipboard.text() == (
        "curl -H 'Authorization: Bearer tok-Tarkov_API-1' '<API-URL>'"
    )
    assert harness.messages[-1].startswith("curl command for Tarkov API copied")
    assert "Replace <API-URL> at its end with the address to call" in harness.messages[-1]
    assert "API URL" in harness.messages[-1]


def test_copy_from_a_submenu_copies_that_profile(harness: Harness) -> None:
    harness.start("Main", "Other")

    action(submenu(shown_menu(harness), "Other"), "Copy &token").trigger()

    assert harness.clipboard.text() == "tok-Other-1"


def test_copy_without_a_valid_token_explains_and_copies_nothing(harness: Harness) -> None:
    harness.fetch.errors["Tarkov API"] = rejected()
    harness.start("Tarkov API")

    action(shown_menu(harness), "Copy &token").trigger()

    assert harness.clipboard.text() == "untouched"
    assert harness.messages == [
        "Tarkov API needs your attention: Wrong client ID or secret. Check them.",
        "No token for Tarkov API yet — Wrong client ID or secret. Check them.",
    ]
    (service,) = harness.registry.services()
    assert service.status().state is TokenState.FAILED  # a refresh cannot fix a wrong secret
    assert harness.fetch.calls == ["Tarkov API"]


def test_copy_after_a_retryable_failure_triggers_a_refresh(harness: Harness) -> None:
    harness.fetch.errors["Tarkov API"] = unavailable()
    harness.start("Tarkov API")
    del harness.fetch.errors["Tarkov API"]

    assert (
        harness.tray.copy(harness.registry.services()[0].status().profile.id, OutputFormat.RAW)
        is False
    )

    assert harness.messages[-1].endswith("Server not reachable. Trying again now.")
    harness.wait_settled()
    assert harness.fetch.calls == ["Tarkov API", "Tarkov API"]
    assert harness.clipboard.text() == "untouched"


def test_copy_of_an_expired_token_copies_nothing(harness: Harness) -> None:
    harness.start("Tarkov API")
    harness.clock.now += LIFETIME + 1  # the service's timer has not fired yet
    harness.fetch.gate.clear()

    action(shown_menu(harness), "Copy &token").trigger()

    assert harness.clipboard.text() == "untouched"
    assert harness.messages[-1].startswith("The token for Tarkov API has expired")
    harness.qtbot.waitUntil(lambda: len(harness.fetch.calls) == 2, timeout=WAIT_MS)  # a new one


def test_no_success_message_when_notifications_are_off(harness: Harness) -> None:
    harness.start("Tarkov API")
    harness.settings.notifications = False

    action(shown_menu(harness), "Copy &token").trigger()

    assert harness.clipboard.text() == "tok-Tarkov_API-1"
    assert harness.messages == []


# -- left click --------------------------------------------------------------------------------


def test_left_click_copies_the_default_token(harness: Harness) -> None:
    harness.start("Alpha", "Tarkov API", default="Tarkov API")

    harness.tray.tray_icon.activated.emit(QSystemTrayIcon.ActivationReason.Trigger)

    assert harness.clipboard.text() == "tok-Tarkov_API-1"


def test_left_click_can_copy_the_header(harness: Harness) -> None:
    harness.start("Tarkov API")
    harness.settings.left_click = LeftClick.COPY_HEADER

    harness.tray.tray_icon.activated.emit(QSystemTrayIcon.ActivationReason.Trigger)

    assert harness.clipboard.text() == "Authorization: Bearer tok-Tarkov_API-1"


def test_other_activations_copy_nothing(harness: Harness) -> None:
    harness.start("Tarkov API")

    harness.tray.tray_icon.activated.emit(QSystemTrayIcon.ActivationReason.Context)
    harness.tray.tray_icon.activated.emit(QSystemTrayIcon.ActivationReason.MiddleClick)

    assert harness.clipboard.text() == "untouched"


def test_left_click_without_profiles_opens_settings(harness: Harness) -> None:
    harness.tray.tray_icon.activated.emit(QSystemTrayIcon.ActivationReason.Trigger)

    assert harness.opened_settings == 1
    assert harness.clipboard.text() == "untouched"


# -- tooltip and icon --------------------------------------------------------------------------


def test_tooltip_lists_every_profile(harness: Harness) -> None:
    harness.fetch.errors["Beta"] = rejected()
    harness.start("Alpha", "Beta")

    assert harness.tray.tray_icon.toolTip() == (
        "Token Tray\nAlpha — valid for 30 min\nBeta — Wrong client ID or secret"
    )


def test_tooltip_minutes_follow_the_coarse_timer(harness: Harness) -> None:
    harness.start("Alpha")
    harness.clock.now += 12 * 60

    harness.tray.timer.timeout.emit()

    assert harness.tray.tray_icon.toolTip() == "Token Tray\nAlpha — valid for 18 min"


def test_tooltip_without_profiles(harness: Harness) -> None:
    assert harness.tray.tray_icon.toolTip() == "Token Tray\nNo profile yet"


def test_icon_is_empty_without_profiles(harness: Harness) -> None:
    assert harness.tray.icon_state is IconState.EMPTY
    assert not harness.tray.tray_icon.icon().isNull()


def test_icon_turns_to_warning_when_a_refresh_fails(harness: Harness) -> None:
    harness.start("Alpha")
    assert harness.tray.icon_state is IconState.OK

    harness.fetch.errors["Alpha"] = unavailable()
    action(shown_menu(harness), "&Refresh now").trigger()

    harness.qtbot.waitUntil(lambda: harness.tray.icon_state is IconState.WARNING, timeout=WAIT_MS)


def test_icon_shows_an_error_when_a_profile_has_no_token(harness: Harness) -> None:
    harness.fetch.errors["Beta"] = rejected()
    harness.start("Alpha", "Beta")

    assert harness.tray.icon_state is IconState.ERROR


# -- pure helpers ------------------------------------------------------------------------------


def _status(state: TokenState, error: AppError | None = None) -> ServiceStatus:
    profile = Profile(name="Tarkov API", token_url="https://a.example/t", client_id="c")
    return ServiceStatus(profile, state, error=error)


def test_missing_token_messages() -> None:
    assert missing_token_message(_status(TokenState.FETCHING)) == (
        "No token for Tarkov API yet — getting one now. Try again in a moment."
    )
    assert missing_token_message(_status(TokenState.FAILED, rejected())) == (
        "No token for Tarkov API yet — Wrong client ID or secret. Check them."
    )
    assert missing_token_message(_status(TokenState.FAILED, unavailable())) == (
        "No token for Tarkov API yet — Server not reachable. Trying again now."
    )


def test_copied_message() -> None:
    assert copied_message("Tarkov API", OutputFormat.HEADER, 27 * 60 + 30) == (
        "Header for Tarkov API copied — valid for 27 min"
    )


@pytest.mark.qt_log_ignore(r"No such signal QPlatformNativeInterface::systemTrayWindowChanged")
def test_tooltip_timer_is_set_to_the_next_text_change_not_a_period(harness: Harness) -> None:
    harness.start("Alpha")
    harness.tray.show()
    harness.clock.now += 20.5  # 30 min token: "29 min" from now until 29 min are left

    harness.tray.refresh()

    timer = harness.tray.timer
    assert timer.isSingleShot()
    assert timer.isActive()
    assert timer.interval() == round((1800 - 20.5 - 29 * 60 + 0.05) * 1000)


@pytest.mark.qt_log_ignore(r"No such signal QPlatformNativeInterface::systemTrayWindowChanged")
def test_tooltip_timer_sleeps_while_no_token_is_held(harness: Harness) -> None:
    harness.fetch.errors["Alpha"] = rejected()
    harness.start("Alpha")
    harness.tray.show()

    harness.tray.refresh()

    assert not harness.tray.timer.isActive()
