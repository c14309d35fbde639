"""The tray menu: its exact structure, mnemonics and status lines, for 0, 1 and 3 profiles."""

from __future__ import annotations

from tests.support.tray_harness import (
    PROFILE_ACTIONS,
    SEPARATOR,
    TAIL,
    Harness,
    action,
    rejected,
    shown_menu,
    submenu,
    texts,
)

# -- menu structure ----------------------------------------------------------------------------


def test_menu_without_profiles(harness: Harness) -> None:
    menu = shown_menu(harness)

    assert texts(menu) == ["No profile yet", *TAIL]
    assert not menu.actions()[0].isEnabled()


def test_menu_with_one_profile(harness: Harness) -> None:
    harness.start("Tarkov API")

    menu = shown_menu(harness)

    assert texts(menu) == ["Tarkov API — valid for 30 min", *PROFILE_ACTIONS, *TAIL]
    assert [a.isEnabled() for a in menu.actions()[:5]] == [False, True, True, True, True]


def test_menu_with_three_profiles_puts_the_default_first(harness: Harness) -> None:
    harness.start("Alpha", "Tarkov API", "Zulu", default="Tarkov API")

    menu = shown_menu(harness)

    assert texts(menu) == [
        "Tarkov API — valid for 30 min",
        *PROFILE_ACTIONS,
        SEPARATOR,
        "> Alpha",
        "> Zulu",
        *TAIL,
    ]
    for name in ("Alpha", "Zulu"):
        sub = submenu(menu, name)
        assert texts(sub) == [f"{name} — valid for 30 min", *PROFILE_ACTIONS]
        assert not sub.actions()[0].isEnabled()


def test_without_a_default_the_first_profile_leads(harness: Harness) -> None:
    harness.start("One", "Two")

    menu = shown_menu(harness)

    assert texts(menu)[0] == "One — valid for 30 min"
    assert "> Two" in texts(menu)


def test_ampersands_in_names_are_not_mnemonics(harness: Harness) -> None:
    harness.start("Main", "R&D")

    menu = shown_menu(harness)

    assert "> R&&D" in texts(menu)
    assert texts(submenu(menu, "R&&D"))[0] == "R&&D — valid for 30 min"


def test_menu_is_rebuilt_when_shown(harness: Harness) -> None:
    harness.start("Tarkov API")
    shown_menu(harness)
    harness.clock.now += 10 * 60

    menu = shown_menu(harness)

    assert texts(menu)[0] == "Tarkov API — valid for 20 min"


def test_status_line_shows_the_error_title(harness: Harness) -> None:
    harness.fetch.errors["Tarkov API"] = rejected()
    harness.start("Tarkov API")

    assert texts(shown_menu(harness))[0] == "Tarkov API — Wrong client ID or secret"


def test_status_line_shows_refreshing_while_a_refresh_runs(harness: Harness) -> None:
    harness.start("Tarkov API")
    menu = shown_menu(harness)
    harness.fetch.gate.clear()

    action(menu, "&Refresh now").trigger()

    assert texts(shown_menu(harness))[0] == "Tarkov API — refreshing…"
    harness.fetch.gate.set()
    harness.wait_settled()
    assert harness.fetch.calls == ["Tarkov API", "Tarkov API"]


def test_open_menu_updates_its_status_line_in_place(harness: Harness) -> None:
    harness.start("Tarkov API")
    menu = shown_menu(harness)
    harness.clock.now += 15 * 60

    harness.tray.timer.timeout.emit()

    assert menu.actions()[0].text() == "Tarkov API — valid for 15 min"


def test_settings_and_quit_call_back(harness: Harness) -> None:
    menu = shown_menu(harness)

    action(menu, "&Settings…").trigger()
    action(menu, "&Quit").trigger()

    assert (harness.opened_settings, harness.quit_requests) == (1, 1)
