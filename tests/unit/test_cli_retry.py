"""The command line's retry decision (pure): what, how often, how long."""

from __future__ import annotations

import pytest

from tray_app.cli.token import CLI_ATTEMPTS, CLI_BUDGET, _retry_delay
from tray_app.core.errors import AppError, ErrorKind


def unavailable(retry_after: float | None = None) -> AppError:
    return AppError(
        ErrorKind.UNAVAILABLE, "Token server unavailable", "x", retryable=True,
        retry_after=retry_after, http_status=503,
    )  # fmt: skip


def test_backoff_with_full_jitter_from_one_second() -> None:
    delays = [_retry_delay(unavailable(), n, 0.0, lambda: 1.0) for n in range(1, CLI_ATTEMPTS)]
    assert delays == [1.0, 2.0, 4.0]


def test_no_retry_after_the_last_attempt_or_for_what_cannot_heal() -> None:
    assert _retry_delay(unavailable(), CLI_ATTEMPTS, 0.0, lambda: 0.5) is None
    rejected = AppError(ErrorKind.REJECTED, "Wrong client ID or secret", "x", http_status=401)
    assert _retry_delay(rejected, 1, 0.0, lambda: 0.5) is None


def test_retry_after_is_a_floor(capsys: pytest.CaptureFixture[str]) -> None:
    assert _retry_delay(unavailable(retry_after=5), 1, 0.0, lambda: 0.5) == 5.0
    assert capsys.readouterr().err == ""


def test_the_budget_ends_the_run_and_says_why(capsys: pytest.CaptureFixture[str]) -> None:
    assert _retry_delay(unavailable(retry_after=60), 1, 0.0, lambda: 0.5) is None
    assert "asks to wait 60 s — not waiting that long" in capsys.readouterr().err
    assert _retry_delay(unavailable(), 2, CLI_BUDGET - 0.5, lambda: 1.0) is None
    assert "giving up after 2 attempts in 30 s" in capsys.readouterr().err
