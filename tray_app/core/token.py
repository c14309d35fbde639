"""The access token Token Tray holds: in memory only, never logged, never written to disk.

:class:`Token` is a small immutable value class written out by hand rather than a frozen
dataclass: ``token-tray token`` imports it on its fast path (the answer of the running tray),
and importing :mod:`dataclasses` (which pulls in :mod:`inspect`) would alone cost about as
much as Python's whole start-up. It behaves like the frozen dataclass it replaces: keyword or
positional construction, equality and hashing by value, no assignment, and a repr that hides
the token.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing is not imported at run time (start-up cost, see above)
if TYPE_CHECKING:
    from typing import NoReturn

_FIELDS = (
    "access_token",
    "token_type",
    "lifetime",
    "obtained_at",
    "scope",
    "lifetime_from_server",
    "client_proof",
)


class Token:
    """An access token and when it stops being valid.

    ``obtained_at`` is the wall-clock time (seconds since the epoch) at which the request that
    produced it was *sent*, so the lifetime is never overestimated by the round trip.
    ``lifetime`` is the number of seconds the token is valid from ``obtained_at``.
    ``lifetime_from_server`` is False when the answer had no ``expires_in`` and the lifetime
    was inferred. ``client_proof`` says how the client proved who it was when that was a key
    ("signed with key ID …", "client certificate SHA-256 …"), so Settings' Test can show what
    the provider saw; "" for a client secret.
    """

    __slots__ = _FIELDS
    access_token: str
    token_type: str
    lifetime: float
    obtained_at: float
    scope: str | None
    lifetime_from_server: bool
    client_proof: str

    def __init__(  # noqa: PLR0917 - positional, like the dataclass it replaces
        self,
        access_token: str,
        token_type: str,
        lifetime: float,
        obtained_at: float,
        scope: str | None = None,
        lifetime_from_server: bool = True,
        client_proof: str = "",
    ) -> None:
        values = (
            access_token,
            token_type,
            lifetime,
            obtained_at,
            scope,
            lifetime_from_server,
            client_proof,
        )
        for name, value in zip(_FIELDS, values, strict=True):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError(f"cannot assign to field {name!r}: a Token is immutable")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError(f"cannot delete field {name!r}: a Token is immutable")

    def _key(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in _FIELDS)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Token):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in _FIELDS[1:])
        return f"Token({shown})"

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
