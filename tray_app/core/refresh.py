"""Pure refresh policy: when to refresh, how long to back off, what may be retried.

No clocks, timers or Qt here: callers pass the current time and a random source, so every rule
is a table-driven unit test. See DESIGN.md "Refresh policy".
"""

from __future__ import annotations

import random
from collections.abc import Callable

from tray_app.core.errors import AppError
from tray_app.core.token import Token

MIN_MARGIN = 30.0
MAX_MARGIN = 300.0
BACKOFF_BASE = 1.0
BACKOFF_CAP = 300.0
RETRY_AFTER_CAP = 3600.0
MIN_REFRESH_INTERVAL = 10.0
"""No profile is ever asked to refresh more often than this (no refresh storms)."""
MAX_TIMER_MS = 2**31 - 1
HEARTBEAT_SECONDS = 30.0


def refresh_margin(lifetime: float, override: float | None = None) -> float:
    """Seconds before expiry at which to refresh.

    clamp(0.2·L, 30 s, 300 s), never more than L/2; ``override`` (the profile's margin) replaces
    the clamp but is still capped at L/2.
    """
    raise NotImplementedError


def refresh_at(token: Token, override: float | None = None) -> float:
    """Wall-clock time at which ``token`` should be refreshed."""
    raise NotImplementedError


def backoff_delay(
    attempt: int,
    *,
    retry_after: float | None = None,
    rng: Callable[[], float] = random.random,
    cap: float = BACKOFF_CAP,
) -> float:
    """Delay before retry number ``attempt`` (1 = first retry): full jitter, honours Retry-After."""
    raise NotImplementedError


def is_retryable(error: AppError) -> bool:
    """True when waiting may heal ``error`` (network, 408, 429, 5xx, temporary OAuth errors)."""
    raise NotImplementedError


def timer_ms(seconds: float) -> int:
    """A QTimer interval for ``seconds``, clamped to [0, 2³¹−1] ms."""
    raise NotImplementedError
