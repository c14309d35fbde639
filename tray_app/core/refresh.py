"""Pure refresh policy: when to refresh, how long to back off, what may be retried.

No clocks, timers or Qt here: callers pass the current time and a random source, so every rule
is a table-driven unit test. See DESIGN.md "Refresh policy".

Design decisions:

* **Margin.** A token of lifetime L (measured from when its request was *sent*) is refreshed
  ``margin`` seconds before it expires: clamp(0.2·L, 30 s, 300 s), never more than L/2, so a
  20 s token is refreshed after 10 s and a day-long token 5 min before the end. A profile's own
  margin replaces the clamp but is still capped at L/2. A zero or negative lifetime gives a zero
  margin (the token is simply due now).
* **Two different floors.** Retries after a *failure* follow exponential backoff with full
  jitter starting from 1 s (``backoff_delay``), capped at 5 min: a flaky network heals quickly.
  Scheduled refreshes after a *success* are never closer than ``MIN_REFRESH_INTERVAL`` (10 s) to
  the previous attempt (``next_refresh``): a server answering ``expires_in: 0``, a negative or a
  tiny lifetime can never cause a refresh storm. An absurdly long lifetime is harmless: the
  deadline is far away and :func:`timer_ms` clamps the timer.
* **Backoff never outlives the token.** While the held token is still valid, the backoff ceiling
  is also at most half of its remaining life (but not below 1 s): retries get denser as expiry
  nears, so when the server comes back the token is replaced before it expires instead of the
  icon turning red while the server already answers.
* **Retry-After** (seconds) is honoured as a lower bound on the jittered delay, capped at 1 h so
  a broken header cannot park a profile for days.
* **What a script may ask for.** ``token --min-valid`` left out means "what the tray itself keeps
  in reserve" (:func:`default_min_valid`: the refresh margin), and a token fetched for the request
  is then taken whatever its lifetime: the newest token the server gives is never refused. An
  explicit ``--min-valid`` that a token of the server's lifetime cannot meet is a usage error
  naming that lifetime (:func:`too_short_lived`), not "try again later": waiting cannot help.
* **What is retryable.** :class:`AppError` carries a ``retryable`` flag set by the OAuth client,
  but :func:`is_retryable` also reads ``oauth_error`` and ``http_status`` so that DESIGN.md's
  table holds even if a caller forgot the flag: errors that need the user (``invalid_client``,
  other 4xx, …) are never retried, 408/429/5xx and the temporary OAuth errors always are.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable

from tray_app.core.errors import AppError, usage_error
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
_MAX_EXPONENT = 62
"""2**62 s is far beyond any cap; bounding the exponent keeps the float maths finite."""

NEVER_RETRY_OAUTH_ERRORS = frozenset(
    {
        "invalid_client",
        "invalid_grant",
        "invalid_scope",
        "unauthorized_client",
        "unsupported_grant_type",
        "invalid_request",
    }
)
RETRY_OAUTH_ERRORS = frozenset({"temporarily_unavailable", "server_error"})
RETRY_HTTP_STATUSES = frozenset({408, 429})


def refresh_margin(lifetime: float, override: float | None = None) -> float:
    """Seconds before expiry at which to refresh.

    clamp(0.2·L, 30 s, 300 s), never more than L/2; ``override`` (the profile's margin) replaces
    the clamp but is still capped at L/2.
    """
    half = max(0.0, lifetime / 2)
    if override is not None:
        return min(max(0.0, override), half)
    return min(max(0.2 * lifetime, MIN_MARGIN), MAX_MARGIN, half)


def default_min_valid(token: Token, override: float | None = None) -> float:
    """How long a held token must stay valid for a ``token`` request without ``--min-valid``.

    The tray refreshes ``refresh_margin`` seconds before expiry, so a token it holds and does
    not yet mean to replace always qualifies; one inside the margin waits for that refresh.
    """
    return refresh_margin(token.lifetime, override)


def too_short_lived(profile_name: str, lifetime: float, min_valid: float) -> AppError:
    """``--min-valid`` asks for more than a token of ``lifetime`` can give (exit 2)."""
    return usage_error(
        "Token too short-lived",
        f"The token server gives “{profile_name}” tokens valid for {lifetime:.0f} seconds, so "
        f"none stays valid for the {min_valid:.0f} seconds asked for with --min-valid. Ask for "
        f"less than {lifetime:.0f} seconds, or leave --min-valid out: then the newest token "
        "the server gives is always accepted.",
    )


def refresh_at(token: Token, override: float | None = None) -> float:
    """Wall-clock time at which ``token`` should be refreshed."""
    return token.obtained_at + token.lifetime - refresh_margin(token.lifetime, override)


def next_refresh(token: Token, last_attempt: float, override: float | None = None) -> float:
    """When to refresh after a success: :func:`refresh_at`, but never sooner than
    ``MIN_REFRESH_INTERVAL`` after ``last_attempt`` (the time the successful request started).
    """
    return max(refresh_at(token, override), last_attempt + MIN_REFRESH_INTERVAL)


def backoff_delay(
    attempt: int,
    *,
    retry_after: float | None = None,
    rng: Callable[[], float] = random.random,
    cap: float = BACKOFF_CAP,
    token_left: float | None = None,
) -> float:
    """Delay before retry number ``attempt`` (1 = first retry): full jitter, honours Retry-After.

    ``rng()*min(cap, 1 s·2^(attempt-1), token_left/2)`` (the last bound only while a token is
    held, and never below 1 s), then at least ``retry_after`` (itself capped at 1 h).
    """
    exponent = min(max(attempt, 1) - 1, _MAX_EXPONENT)
    ceiling = min(cap, BACKOFF_BASE * 2.0**exponent)
    if token_left is not None and token_left > 0:
        ceiling = min(ceiling, max(token_left / 2, BACKOFF_BASE))
    delay = min(max(rng(), 0.0), 1.0) * ceiling
    if retry_after is not None and math.isfinite(retry_after):
        delay = max(delay, min(retry_after, RETRY_AFTER_CAP))
    return delay


def is_retryable(error: AppError) -> bool:
    """True when waiting may heal ``error`` (network, 408, 429, 5xx, temporary OAuth errors)."""
    if error.oauth_error in NEVER_RETRY_OAUTH_ERRORS:
        return False
    if error.oauth_error in RETRY_OAUTH_ERRORS:
        return True
    status = error.http_status
    if status is not None and (status in RETRY_HTTP_STATUSES or 500 <= status <= 599):
        return True
    if status is not None and 400 <= status <= 499:
        return False
    return error.retryable


def timer_ms(seconds: float) -> int:
    """A QTimer interval for ``seconds``, clamped to [0, 2³¹-1] ms.

    Rounded up, so a timer never fires before its deadline just because of rounding.
    """
    if math.isnan(seconds) or seconds <= 0:
        return 0
    if seconds * 1000 >= MAX_TIMER_MS:
        return MAX_TIMER_MS
    return math.ceil(seconds * 1000)
