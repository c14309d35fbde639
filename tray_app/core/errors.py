"""Every failure a user can meet is an :class:`AppError`: a short title and a plain message.

The title is what fits on a tray status line ("Wrong client ID or secret"); the message says
what happened and what to do, in words a person who was only handed a client ID and secret can
act on. Neither may ever contain a secret or a token.

The :class:`ErrorKind` decides the command-line exit code (see DESIGN.md) and whether the
refresh loop may retry on its own.
"""

from __future__ import annotations

import enum


class ErrorKind(enum.Enum):
    """What went wrong, coarsely; each kind maps to one CLI exit code."""

    INTERNAL = "internal"
    """A bug or something unexpected inside Token Tray (exit 1)."""
    USAGE = "usage"
    """Bad arguments, an unknown profile, an invalid URL or field (exit 2)."""
    CONFIG = "config"
    """The configuration file cannot be read or written (exit 2)."""
    REJECTED = "rejected"
    """The token endpoint refused the request: an OAuth error or another 4xx (exit 3)."""
    UNAVAILABLE = "unavailable"
    """No usable token: network failure, timeout, 5xx, malformed or unsafe answer (exit 4)."""
    STORAGE = "storage"
    """No secure credential storage, or it is locked (exit 5)."""


EXIT_CODES: dict[ErrorKind, int] = {
    ErrorKind.INTERNAL: 1,
    ErrorKind.USAGE: 2,
    ErrorKind.CONFIG: 2,
    ErrorKind.REJECTED: 3,
    ErrorKind.UNAVAILABLE: 4,
    ErrorKind.STORAGE: 5,
}


class AppError(Exception):
    """A failure with a title and a message meant for the user.

    ``retryable`` says whether waiting and trying again may heal it (network errors, 408, 429,
    5xx, ``temporarily_unavailable``, ``server_error``); ``retry_after`` carries the server's
    ``Retry-After`` in seconds when it sent one. ``oauth_error`` and ``http_status`` keep the
    machine-readable cause for callers that need it (tests, the refresh policy).
    """

    def __init__(
        self,
        kind: ErrorKind,
        title: str,
        message: str,
        *,
        retryable: bool = False,
        retry_after: float | None = None,
        oauth_error: str | None = None,
        http_status: int | None = None,
    ) -> None:
        super().__init__(f"{title}: {message}")
        self.kind = kind
        self.title = title
        self.message = message
        self.retryable = retryable
        self.retry_after = retry_after
        self.oauth_error = oauth_error
        self.http_status = http_status

    @property
    def exit_code(self) -> int:
        """The command-line exit code for this error (DESIGN.md, "Errors and exit codes")."""
        return EXIT_CODES[self.kind]

    def __repr__(self) -> str:
        return f"AppError({self.kind.name}, {self.title!r}, {self.message!r})"


def usage_error(title: str, message: str) -> AppError:
    """Shorthand for the most common kind raised by validation code."""
    return AppError(ErrorKind.USAGE, title, message)
