"""What to tell the user, and when: the decisions behind Token Tray's notifications.

No widget and no timer lives here, only decisions, so every rule is a plain unit test
(tests/ui/test_notifier.py). :class:`~tray_app.gui.tray.TrayController` feeds it statuses and
shows what it returns.

Design decisions:

* **After a copy** a short message says what was copied and how long it stays valid
  ("Token for Tarkov API copied — valid for 27 min"). ``AppSettings.notifications`` turns only
  these off: they confirm something the user just did.
* **A profile that needs the user** (an error no retry can heal: rejected credentials, no
  secure storage, a locked keyring, a wrong setting) is announced once, with the error's plain
  advice. The same failure is never announced again — not after "Refresh now", not after the
  automatic retries — only a *different* one is. These are shown even with copy
  notifications off: without them a broken profile would go unnoticed until the next paste.
* **Recovery** ("Tarkov API works again — valid for 30 min") is announced once, when a profile
  that needed the user has a valid token and no error again. Retryable trouble (network down,
  server errors) is not announced: the icon and tooltip show it and the app keeps trying.
* **Where a message goes.** :func:`message_route`: a tray balloon when the platform supports
  them (``QSystemTrayIcon.supportsMessages()``) and the icon is shown; otherwise the *status
  line*, a line at the top of the tray menu and in the tooltip, so nothing is lost on
  desktops without a notification service.
"""

from __future__ import annotations

import dataclasses
import enum

from tray_app.core.errors import AppError
from tray_app.core.formats import OutputFormat
from tray_app.core.refresh import is_retryable
from tray_app.core.status import ServiceStatus, TokenState, format_remaining

API_URL_PLACEHOLDER = "<API-URL>"
"""Ends a copied curl command of a profile without an API URL: it says where the address goes,
and curl refuses it as a URL without sending anything (no lookup of a made-up host name)."""
COPIED_LABELS = {
    OutputFormat.RAW: "Token",
    OutputFormat.HEADER: "Header",
    OutputFormat.CURL: "curl command",
    OutputFormat.JSON: "Token JSON",
    OutputFormat.ENV: "Shell variables",
}


class Route(enum.Enum):
    BALLOON = "balloon"
    STATUS_LINE = "status line"


@dataclasses.dataclass(frozen=True)
class Notice:
    """One message for the user; ``warning`` picks the warning icon."""

    text: str
    warning: bool = False


def message_route(supports_messages: bool, icon_visible: bool) -> Route:
    """A balloon where the platform can show one, else the status line."""
    return Route.BALLOON if supports_messages and icon_visible else Route.STATUS_LINE


def copied_notice(
    name: str, fmt: OutputFormat, remaining: float, *, has_api_url: bool = True
) -> Notice:
    """'Token for Tarkov API copied — valid for 27 min'."""
    label = COPIED_LABELS[fmt]
    text = f"{label} for {name} copied — valid for {format_remaining(remaining)}"
    if fmt is OutputFormat.CURL and not has_api_url:
        text += f". Replace {API_URL_PLACEHOLDER} at its end with the address to call, or set "
        text += "the API URL of the profile in Settings."
    return Notice(text)


def needs_user(status: ServiceStatus) -> AppError | None:
    """The error of ``status`` that only the user can fix, or None."""
    error = status.error
    if error is None or is_retryable(error):
        return None
    return error


def _sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?", "…")) else f"{text}."


class ProfileWatch:
    """Turns a stream of statuses into "needs you" and "works again" notices, never repeated.

    Remembers, per profile id, the failure already announced (its kind and title). Profiles
    that disappear are forgotten with :meth:`keep_only`.
    """

    def __init__(self) -> None:
        self._announced: dict[str, tuple[str, str]] = {}

    def observe(self, status: ServiceStatus, now: float) -> Notice | None:
        """The notice ``status`` calls for, if any (call it on every status change)."""
        profile = status.profile
        error = needs_user(status)
        if error is not None:
            key = (error.kind.value, error.title)
            if self._announced.get(profile.id) == key:
                return None
            self._announced[profile.id] = key
            return Notice(
                f"{profile.name} needs your attention: {_sentence(error.title)} {error.message}",
                warning=True,
            )
        if profile.id in self._announced and _healthy(status, now):
            del self._announced[profile.id]
            remaining = status.token.remaining(now) if status.token else 0.0
            return Notice(f"{profile.name} works again — valid for {format_remaining(remaining)}")
        return None

    def keep_only(self, profile_ids: set[str]) -> None:
        """Forget profiles that no longer exist."""
        for profile_id in set(self._announced) - profile_ids:
            del self._announced[profile_id]


def _healthy(status: ServiceStatus, now: float) -> bool:
    return (
        status.state is TokenState.VALID
        and status.error is None
        and status.token is not None
        and status.token.is_valid(now)
    )
