"""The access token Token Tray holds: in memory only, never logged, never written to disk."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Token:
    """An access token and when it stops being valid.

    ``obtained_at`` is the wall-clock time (seconds since the epoch) at which the request that
    produced it was *sent*, so the lifetime is never overestimated by the round trip.
    ``lifetime`` is the number of seconds the token is valid from ``obtained_at``.
    """

    access_token: str = dataclasses.field(repr=False)
    token_type: str
    lifetime: float
    obtained_at: float
    scope: str | None = None
    lifetime_from_server: bool = True
    """False when the answer had no ``expires_in`` and the lifetime was inferred."""

    @property
    def expires_at(self) -> float:
        """Wall-clock time at which the token expires."""
        return self.obtained_at + self.lifetime

    def remaining(self, now: float) -> float:
        """Seconds of validity left at wall-clock ``now`` (negative once expired)."""
        return self.expires_at - now

    def is_valid(self, now: float, min_valid: float = 0.0) -> bool:
        """True when the token stays valid for at least ``min_valid`` more seconds."""
        return self.remaining(now) > min_valid
