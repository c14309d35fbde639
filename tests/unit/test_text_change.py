"""When does a "valid for …" countdown text change? (the tray's tooltip timer deadline)."""

from __future__ import annotations

import pytest

from tray_app.core.status import TEXT_CHANGE_SLACK, format_remaining, next_text_change


@pytest.mark.parametrize("seconds", [2.5, 2.0, 45.3, 59.9, 60.0, 61.2, 1799.0, 3600.0, 7322.7])
def test_the_text_changes_just_after_the_delay_and_not_before(seconds: float) -> None:
    delay = next_text_change(seconds)
    assert delay is not None
    assert 0 < delay <= 60 + TEXT_CHANGE_SLACK
    shown = format_remaining(seconds)
    assert format_remaining(seconds - delay + 2 * TEXT_CHANGE_SLACK) == shown
    assert format_remaining(seconds - delay) != shown


def test_minutes_change_once_a_minute() -> None:
    assert next_text_change(30 * 60 - 0.5) == pytest.approx(59.5 + TEXT_CHANGE_SLACK)


def test_the_last_second_does_not_change_until_expiry() -> None:
    assert next_text_change(1.0) is None
    assert next_text_change(0.4) is None
