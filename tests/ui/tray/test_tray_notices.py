"""Notifications through the tray: real services, the decision module, balloon or status line."""

from __future__ import annotations

from tests.support.tray_harness import (
    PROFILE_ACTIONS,
    SEPARATOR,
    TAIL,
    WAIT_MS,
    Harness,
    action,
    rejected,
    shown_menu,
    texts,
    unavailable,
)
from tray_app.core.notices import Route
from tray_app.gui.icons import IconState

NEEDS_YOU = "Tarkov API needs your attention: Wrong client ID or secret. Check them."


def test_rejected_credentials_are_announced_once(harness: Harness) -> None:
    harness.fetch.errors["Tarkov API"] = rejected()
    harness.start("Tarkov API")
    assert harness.messages == [NEEDS_YOU]

    action(shown_menu(harness), "&Refresh now").trigger()
    harness.qtbot.waitUntil(lambda: len(harness.fetch.calls) == 2, timeout=WAIT_MS)
    harness.wait_settled()

    assert harness.messages == [NEEDS_YOU]  # the same failure: not repeated


def test_recovery_is_announced_once(harness: Harness) -> None:
    harness.fetch.errors["Tarkov API"] = rejected()
    harness.start("Tarkov API")
    del harness.fetch.errors["Tarkov API"]

    action(shown_menu(harness), "&Refresh now").trigger()
    harness.qtbot.waitUntil(lambda: len(harness.messages) == 2, timeout=WAIT_MS)
    harness.wait_settled()

    assert harness.messages == [NEEDS_YOU, "Tarkov API works again — valid for 30 min"]


def test_network_trouble_is_not_announced(harness: Harness) -> None:
    harness.fetch.errors["Tarkov API"] = unavailable()
    harness.start("Tarkov API")

    assert harness.messages == []


def test_needs_you_is_shown_even_with_copy_notifications_off(harness: Harness) -> None:
    harness.settings.notifications = False
    harness.fetch.errors["Tarkov API"] = rejected()

    harness.start("Tarkov API")

    assert harness.messages == [NEEDS_YOU]


def test_without_balloons_the_message_goes_to_the_status_line(harness: Harness) -> None:
    harness.route = Route.STATUS_LINE
    harness.start("Tarkov API")

    action(shown_menu(harness), "Copy &token").trigger()

    copied = "Token for Tarkov API copied — valid for 30 min"
    assert harness.tray.status_message == copied
    menu = shown_menu(harness)
    assert texts(menu) == [
        copied,
        SEPARATOR,
        "Tarkov API — valid for 30 min",
        *PROFILE_ACTIONS,
        *TAIL,
    ]
    assert not menu.actions()[0].isEnabled()
    assert harness.tray.tray_icon.toolTip().splitlines()[-1] == copied


def test_with_balloons_the_menu_has_no_message_line(harness: Harness) -> None:
    harness.start("Tarkov API")

    action(shown_menu(harness), "Copy &token").trigger()

    assert harness.tray.status_message is None
    assert texts(shown_menu(harness))[0] == "Tarkov API — valid for 30 min"


def test_tooltip_says_when_a_refresh_fails_but_the_token_is_valid(harness: Harness) -> None:
    harness.start("Tarkov API", "Acme")
    harness.fetch.errors["Tarkov API"] = unavailable()
    harness.clock.now += 5 * 60

    action(shown_menu(harness), "&Refresh now").trigger()
    harness.qtbot.waitUntil(lambda: len(harness.fetch.calls) == 3, timeout=WAIT_MS)
    harness.wait_settled()

    assert harness.tray.tray_icon.toolTip() == (
        "Token Tray\n"
        "Tarkov API — valid for 25 min (refresh failing: Server not reachable)\n"
        "Acme — valid for 25 min"
    )


def test_tooltip_while_retrying_without_a_token(harness: Harness) -> None:
    harness.fetch.errors["Tarkov API"] = unavailable()
    harness.start("Tarkov API")
    harness.fetch.gate.clear()

    action(shown_menu(harness), "&Refresh now").trigger()

    assert harness.tray.tray_icon.toolTip() == (
        "Token Tray\nTarkov API — getting a token… (last try failed: Server not reachable)"
    )
    assert harness.tray.icon_state is IconState.ERROR
    harness.fetch.gate.set()


def test_clicking_a_needs_you_balloon_opens_settings(harness: Harness) -> None:
    harness.fetch.errors["Tarkov API"] = rejected()
    harness.start("Tarkov API")

    harness.tray.tray_icon.messageClicked.emit()
    harness.tray.tray_icon.messageClicked.emit()  # once per balloon

    assert harness.opened_settings == 1


def test_clicking_a_copy_balloon_opens_nothing(harness: Harness) -> None:
    harness.start("Tarkov API")
    action(shown_menu(harness), "Copy &token").trigger()

    harness.tray.tray_icon.messageClicked.emit()

    assert harness.opened_settings == 0


def test_a_message_from_before_the_icon_appeared_is_shown_once_it_does(harness: Harness) -> None:
    harness.route = Route.STATUS_LINE  # no icon yet
    harness.fetch.errors["Tarkov API"] = rejected()
    harness.start("Tarkov API")
    before = harness.tray.status_message
    assert before == NEEDS_YOU

    harness.route = Route.BALLOON  # the tray appeared
    harness.tray.messenger.replay()
    harness.tray.messenger.replay()  # only once

    assert harness.tray.status_message is None
    assert texts(shown_menu(harness))[0] == "Tarkov API — Wrong client ID or secret"
    assert harness.messages == [NEEDS_YOU, NEEDS_YOU]
    harness.tray.tray_icon.messageClicked.emit()
    assert harness.opened_settings == 1  # still the warning that opens Settings
