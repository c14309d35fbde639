"""When does a "valid for …" countdown text change? (the tray's tooltip timer deadline)."""

from __future__ import annotations

import pytest

from tray_app.core.status import TEXT_CHANGE_SLACK, format_remaining, next_text_change


@pytest.mark.parametrize(
    "seconds", [2.5, 2.0, 45.3, 59.9, 60.0, 61.2, 119.7, 299.5, 300.2, 1799.0, 3600.0, 7322.7]
)
def test_the_text_changes_just_after_the_delay_and_not_before(seconds: float) -> None:
    delay = next_text_change(seconds)
    assert delay is not None
    assert 0 < delay <= (60 if seconds >= 300 else 1) + TEXT_CHANGE_SLACK
    shown = format_remaining(seconds)
    assert format_remaining(seconds - delay + 2 * TEXT_CHANGE_SLACK) == shown
    assert format_remaining(seconds - delay) != shown


def test_minutes_change_once_a_minute() -> None:
    assert next_text_change(30 * 60 - 0.5) == pytest.approx(59.5 + TEXT_CHANGE_SLACK)


def test_the_last_second_does_not_change_until_expiry() -> None:
    assert next_text_change(1.0) is None
    assert next_text_change(0.4) is None


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (119.6, "1 min 59 s"),  # a fresh 2-minute token, a moment after it was asked for
        (120.0, "2 min"),
        (61.0, "1 min 1 s"),
        (299.9, "4 min 59 s"),
        (300.0, "5 min"),
        (1799.9, "29 min"),  # longer lives: minutes, rounded down
        (7322.7, "2 h 2 min"),
    ],
)
def test_remaining_time_is_never_overstated_nor_cut_to_whole_minutes_when_short(
    seconds: float, shown: str
) -> None:
    assert format_remaining(seconds) == shown
