"""The refresh policy as tables: margins, schedule floors, backoff, Retry-After, retryability."""

from __future__ import annotations

import pytest

from tray_app.core import refresh
from tray_app.core.errors import AppError, ErrorKind
from tray_app.core.token import Token


def make_token(lifetime: float, obtained_at: float = 1_000.0) -> Token:
    return Token("tok", "Bearer", lifetime=lifetime, obtained_at=obtained_at)


@pytest.mark.parametrize(
    ("lifetime", "margin"),
    [
        (20.0, 10.0),  # 0.2·L = 4 → 30 s floor → but at most L/2 = 10
        (60.0, 30.0),  # 30 s floor, exactly L/2
        (1800.0, 300.0),  # 0.2·L = 360 → 300 s cap
        (3600.0, 300.0),
        (86400.0, 300.0),
        (300.0, 60.0),  # inside the clamp: 0.2·L
        (0.0, 0.0),
        (-50.0, 0.0),
    ],
)
def test_margin_table(lifetime: float, margin: float) -> None:
    assert refresh.refresh_margin(lifetime) == pytest.approx(margin)


@pytest.mark.parametrize(
    ("lifetime", "override", "margin"),
    [
        (3600.0, 60.0, 60.0),
        (3600.0, 1000.0, 1000.0),  # the override replaces the 300 s cap
        (3600.0, 5000.0, 1800.0),  # … but never beyond L/2
        (20.0, 5.0, 5.0),
        (20.0, 30.0, 10.0),
        (0.0, 30.0, 0.0),
        (600.0, -5.0, 0.0),
    ],
)
def test_margin_override(lifetime: float, override: float, margin: float) -> None:
    assert refresh.refresh_margin(lifetime, override) == pytest.approx(margin)


@pytest.mark.parametrize(
    ("lifetime", "expected"),
    [(20.0, 1_010.0), (60.0, 1_030.0), (1800.0, 2_500.0), (3600.0, 4_300.0), (86400.0, 87_100.0)],
)
def test_refresh_at_is_obtained_plus_lifetime_minus_margin(
    lifetime: float, expected: float
) -> None:
    assert refresh.refresh_at(make_token(lifetime)) == pytest.approx(expected)


def test_refresh_at_uses_override() -> None:
    assert refresh.refresh_at(make_token(3600.0), 100.0) == pytest.approx(4_500.0)


@pytest.mark.parametrize("lifetime", [0.0, -3600.0, 1.0, 5.0])
def test_next_refresh_never_storms(lifetime: float) -> None:
    token = make_token(lifetime)
    assert refresh.next_refresh(token, last_attempt=1_000.0) == pytest.approx(
        1_000.0 + refresh.MIN_REFRESH_INTERVAL
    )


def test_next_refresh_keeps_normal_schedule() -> None:
    assert refresh.next_refresh(make_token(1800.0), last_attempt=1_000.0) == pytest.approx(2_500.0)


def test_next_refresh_with_absurd_lifetime_is_far_but_finite() -> None:
    deadline = refresh.next_refresh(make_token(1e15), last_attempt=1_000.0)
    assert deadline > 1e14
    assert refresh.timer_ms(deadline - 1_000.0) == refresh.MAX_TIMER_MS


@pytest.mark.parametrize(
    ("attempt", "ceiling"),
    [(1, 1.0), (2, 2.0), (3, 4.0), (5, 16.0), (9, 256.0), (10, 300.0), (50, 300.0), (10**6, 300.0)],
)
def test_backoff_ceiling_doubles_then_caps(attempt: int, ceiling: float) -> None:
    assert refresh.backoff_delay(attempt, rng=lambda: 1.0) == pytest.approx(ceiling)
    assert refresh.backoff_delay(attempt, rng=lambda: 0.5) == pytest.approx(ceiling / 2)
    assert refresh.backoff_delay(attempt, rng=lambda: 0.0) == 0.0


def test_backoff_is_full_jitter_within_bounds() -> None:
    values = iter([0.0, 0.25, 0.999])
    delays = [refresh.backoff_delay(4, rng=lambda: next(values)) for _ in range(3)]
    assert delays == pytest.approx([0.0, 2.0, 7.992])
    assert all(0.0 <= d <= 8.0 for d in delays)


def test_backoff_custom_cap_and_attempt_zero() -> None:
    assert refresh.backoff_delay(20, rng=lambda: 1.0, cap=30.0) == pytest.approx(30.0)
    assert refresh.backoff_delay(0, rng=lambda: 1.0) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("attempt", "token_left", "ceiling"),
    [
        (9, 30.0, 15.0),  # a 2-minute token failing 30 s before its end: retry within 15 s
        (9, 1.0, 1.0),  # never below 1 s, even in the token's last second
        (3, 600.0, 4.0),  # far from the end the doubling decides
        (12, 7200.0, 300.0),  # and the 5-minute cap
        (9, None, 256.0),  # no token held: plain backoff
        (9, -5.0, 256.0),  # expired: plain backoff
    ],
)
def test_backoff_never_outlives_the_held_token(
    attempt: int, token_left: float | None, ceiling: float
) -> None:
    delay = refresh.backoff_delay(attempt, rng=lambda: 1.0, token_left=token_left)
    assert delay == pytest.approx(ceiling)


def test_retry_after_still_wins_over_the_tokens_remaining_life() -> None:
    assert refresh.backoff_delay(9, retry_after=60.0, rng=lambda: 1.0, token_left=30.0) == 60.0


@pytest.mark.parametrize(
    ("retry_after", "rng_value", "expected"),
    [
        (120.0, 0.1, 120.0),  # Retry-After beats a short jitter
        (0.5, 1.0, 4.0),  # … but the jitter wins when longer (attempt 3 → up to 4 s)
        (86_400.0, 0.5, 3_600.0),  # capped at one hour
        (-10.0, 0.5, 2.0),  # nonsense ignored
        (float("nan"), 0.5, 2.0),
        (None, 0.5, 2.0),
    ],
)
def test_backoff_honours_retry_after(
    retry_after: float | None, rng_value: float, expected: float
) -> None:
    delay = refresh.backoff_delay(3, retry_after=retry_after, rng=lambda: rng_value)
    assert delay == pytest.approx(expected)


def error(
    *,
    retryable: bool = False,
    oauth_error: str | None = None,
    http_status: int | None = None,
    kind: ErrorKind = ErrorKind.REJECTED,
) -> AppError:
    return AppError(
        kind, "t", "m", retryable=retryable, oauth_error=oauth_error, http_status=http_status
    )


@pytest.mark.parametrize(
    ("err", "expected"),
    [
        (error(kind=ErrorKind.UNAVAILABLE, retryable=True), True),  # network / timeout
        (error(http_status=408), True),
        (error(http_status=429), True),
        (error(http_status=500), True),
        (error(http_status=503, retryable=True), True),
        (error(http_status=400, oauth_error="temporarily_unavailable"), True),
        (error(http_status=500, oauth_error="server_error"), True),
        (error(oauth_error="temporarily_unavailable"), True),
        (error(http_status=401, oauth_error="invalid_client", retryable=True), False),
        (error(http_status=400, oauth_error="invalid_grant"), False),
        (error(http_status=400, oauth_error="invalid_scope"), False),
        (error(http_status=400, oauth_error="unauthorized_client"), False),
        (error(http_status=400, oauth_error="unsupported_grant_type"), False),
        (error(http_status=400, oauth_error="invalid_request"), False),
        (error(http_status=503, oauth_error="invalid_client"), False),
        (error(http_status=404, retryable=True), False),  # other 4xx: never
        (error(http_status=415), False),
        (error(http_status=422), False),
        (error(kind=ErrorKind.STORAGE), False),
        (error(kind=ErrorKind.USAGE), False),
        (error(kind=ErrorKind.UNAVAILABLE, http_status=200), False),  # malformed answer
    ],
)
def test_retryable_table(err: AppError, expected: bool) -> None:
    assert refresh.is_retryable(err) is expected


@pytest.mark.parametrize(
    ("seconds", "ms"),
    [
        (0.0, 0),
        (-5.0, 0),
        (float("nan"), 0),
        (0.0001, 1),  # rounded up: never early
        (1.5, 1500),
        (1500.0, 1_500_000),
        (2_147_483.647, 2**31 - 1),
        (10**12, 2**31 - 1),
        (float("inf"), 2**31 - 1),
    ],
)
def test_timer_ms_clamps(seconds: float, ms: int) -> None:
    assert refresh.timer_ms(seconds) == ms
