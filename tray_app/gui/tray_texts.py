"""The words of the tray: status lines, tooltip lines and the "nothing to copy" message.

Pure functions of a :class:`~tray_app.core.status.ServiceStatus` (no widgets, no I/O), kept
apart from :mod:`tray_app.gui.tray` so the controller stays about wiring the icon and the menu.
"""

from __future__ import annotations

from tray_app.core.errors import ErrorKind
from tray_app.core.formats import OutputFormat
from tray_app.core.notices import copied_notice
from tray_app.core.refresh import is_retryable
from tray_app.core.status import ServiceStatus, TokenState, format_remaining


def menu_text(text: str) -> str:
    """``text`` shown literally in a menu: a single '&' would become a mnemonic."""
    return text.replace("&", "&&")


def sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?", "…")) else f"{text}."


def refresh_could_help(status: ServiceStatus) -> bool:
    """Whether asking for a new token now may heal ``status`` without the user's help."""
    if status.state in (TokenState.FETCHING, TokenState.REFRESHING):
        return False  # one is on its way already
    error = status.error
    if error is None:
        return True
    return is_retryable(error) or error.kind in (ErrorKind.STORAGE, ErrorKind.INTERNAL)


def missing_token_message(status: ServiceStatus) -> str:
    """Why there is nothing to copy for ``status``'s profile, and what happens next."""
    name = status.profile.name
    head = f"The token for {name} has expired" if status.token else f"No token for {name} yet"
    if status.state in (TokenState.FETCHING, TokenState.REFRESHING):
        return f"{head} — getting one now. Try again in a moment."
    if status.error is None:
        return f"{head} — asking for one now. Try again in a moment."
    # The title alone says what, not what to do: a user-fixable error brings its full advice.
    advice = "Trying again now." if refresh_could_help(status) else status.error.message
    return f"{head} — {sentence(status.error.title)} {advice}"


_COPY_FAILED_TITLE = "Nothing was copied"


def copy_failed_message(fmt: OutputFormat) -> str:
    """What to say when the desktop did not take the copy, with the command that works."""
    option = "" if fmt is OutputFormat.RAW else f" --format {fmt.value}"
    return (
        f"{_COPY_FAILED_TITLE}: this desktop does not let Token Tray set the clipboard from the "
        f"tray. In a terminal, run: token-tray token{option} | wl-copy -n"
    )


def copied_message(name: str, fmt: OutputFormat, remaining: float) -> str:
    """'Token for Tarkov API copied — valid for 27 min'."""
    return copied_notice(name, fmt, remaining).text


def tooltip_line(status: ServiceStatus, now: float) -> str:
    """One profile in the tooltip: its state and remaining lifetime, and a failing refresh."""
    line, error = status.status_line(now), status.error
    if error is None or status.state is TokenState.FAILED:  # FAILED already names the error
        return line
    if status.failing and status.token is not None:  # the tooltip has room for how long
        line = f"{status.profile.name} — valid for {format_remaining(status.token.remaining(now))}"
    valid = status.token is not None and status.token.is_valid(now)
    return f"{line} ({'refresh failing' if valid else 'last try failed'}: {error.title})"
