"""What one profile's token service looks like from outside: its state and a snapshot of it.

Split from :mod:`tray_app.runtime.token_service` (which re-exports every name here) so that views —
the tray, the icons, the settings window — depend on a small, Qt-free value type rather than
on the service's machinery.

Design decisions:

* **"Failing" is its own fact, not a state.** While refreshes fail the held token is still
  served (state VALID or REFRESHING) and :attr:`ServiceStatus.failing` is True; the status line
  then reads "using current token, refresh failing — next try in 40 s" so the user knows both
  that copying still works and that something is wrong. Icons read ``failing`` too.
* The status line is computed at a given ``now`` (the caller's clock), never stored.
"""

from __future__ import annotations

import dataclasses
import enum

from tray_app.core.errors import AppError
from tray_app.core.profile import Profile
from tray_app.core.token import Token


class TokenState(enum.Enum):
    NO_TOKEN = "no token"  # noqa: S105 - a state name, not a password
    FETCHING = "fetching"
    VALID = "valid"
    REFRESHING = "refreshing"
    FAILED = "failed"
    EXPIRED = "expired"


SECONDS_SHOWN_BELOW = 300
"""Below 5 minutes the seconds are shown too: a fresh 2-minute token must not read "1 min"."""


def format_remaining(seconds: float) -> str:
    """'45 s', '1 min 59 s', '27 min', '2 h 5 min', '3 h' — rounded down (a token's life is
    never overstated), never below '1 s'; seconds are shown below 5 minutes."""
    whole = int(max(seconds, 1.0))
    if whole < 60:
        return f"{whole} s"
    if whole < SECONDS_SHOWN_BELOW and whole % 60:
        return f"{whole // 60} min {whole % 60} s"
    if whole < 3600:
        return f"{whole // 60} min"
    hours, minutes = whole // 3600, whole % 3600 // 60
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


TEXT_CHANGE_SLACK = 0.05
"""Seconds past the exact moment, so the new text is really due when the timer fires."""


def next_text_change(seconds: float) -> float | None:
    """Seconds until :func:`format_remaining` of a countdown now at ``seconds`` changes its text.

    None when it shows "1 s" until the token expires (the expiry itself changes the state).
    """
    whole = int(seconds)
    if whole <= 1:
        return None
    boundary = whole if whole < SECONDS_SHOWN_BELOW else whole // 60 * 60
    return seconds - boundary + TEXT_CHANGE_SLACK


_FIXED_DETAILS = {
    TokenState.NO_TOKEN: "not started",
    TokenState.FETCHING: "getting a token…",
    TokenState.REFRESHING: "refreshing…",
}


@dataclasses.dataclass(frozen=True)
class ServiceStatus:
    """A snapshot of one profile's token state, safe to hand to views."""

    profile: Profile
    state: TokenState
    token: Token | None = None
    error: AppError | None = None
    """The last failure; may be set while a still-valid token is served (see ``failing``)."""
    next_attempt_at: float | None = None
    """Wall-clock time of the next automatic attempt (refresh or retry); ``None``: none planned."""

    @property
    def failing(self) -> bool:
        """A token is still served, but the last refresh failed."""
        serving = self.state in (TokenState.VALID, TokenState.REFRESHING)
        return serving and self.error is not None and self.token is not None

    @property
    def needs_user(self) -> bool:
        """The last failure waits for the user ("Refresh now" or a change in Settings)."""
        return self.error is not None and self.next_attempt_at is None

    def status_line(self, now: float) -> str:
        """'Tarkov API — valid for 27 min' / '… — refreshing…' / '… — <error title>'."""
        return f"{self.profile.name} — {self._detail(now)}"

    def next_try(self, now: float) -> str:
        """'next try in 40 s', or '' when no automatic attempt is planned."""
        if self.next_attempt_at is None:
            return ""
        return f"next try in {format_remaining(self.next_attempt_at - now)}"

    def _detail(self, now: float) -> str:
        fixed = _FIXED_DETAILS.get(self.state)
        if fixed is not None:
            return fixed
        if self.failing and self.error is not None:
            return self._failing_detail(self.error, now)
        if self.state is TokenState.FAILED:
            title = self.error.title if self.error else "failed"
            retry = self.next_try(now)
            return f"{title} — {retry}" if retry else title
        if self.state is TokenState.VALID and self.token and self.token.is_valid(now):
            return f"valid for {format_remaining(self.token.remaining(now))}"
        return "token expired"

    def _failing_detail(self, error: AppError, now: float) -> str:
        head = f"using current token, refresh failing ({error.title})"
        retry = self.next_try(now)
        return f"{head} — {retry}" if retry else head
