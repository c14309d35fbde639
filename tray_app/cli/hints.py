"""Error hints said the command line's way: ``profile edit`` and its flag, not "in Settings".

The errors of the core are written for the tray ("Check the Token URL in Settings"). On the
command line the same sentence names the command and the flag that changes that field:
"Check the Token URL (`token-tray profile edit work --token-url URL`)". The field is read from
the sentence's own words, so a reworded message still gets the right flag; a sentence that names
no field (or an error without "Settings", like "No profile yet") is left as it is. Nothing is
appended below messages it does not apply to.
"""

from __future__ import annotations

import re
import shlex

from tray_app.core.errors import AppError

SETTINGS = re.compile(r"\s+(?:under Advanced\s+)?in\s+Settings\b")
SENTENCE = re.compile(r"(?<=[.!?])\s+")
FIELDS = (
    ("token url", "--token-url URL"),
    ("client id", "--client-id ID"),
    ("scope", "--scope S"),
    ("audience", "--audience A"),
    ("resource", "--resource R"),
    ("extra parameter", "--param KEY=VALUE"),
    ("timeout", "--timeout SECONDS"),
    ("ca bundle", "--ca-bundle FILE"),
)
SECRET_WORD = "secret"  # noqa: S105 - a word to look for, not a password


def commands_for(text: str, profile: str) -> list[str]:
    """The commands that change the fields ``text`` talks about, for ``profile``."""
    lowered = text.lower()
    name = shlex.quote(profile)
    flags = [flag for words, flag in FIELDS if words in lowered]
    found = [f"token-tray profile edit {name} {' '.join(flags)}"] if flags else []
    if SECRET_WORD in lowered and "set-secret" not in lowered:
        found.append(f"token-tray profile set-secret {name}")
    return found


def _sentence(sentence: str, context: str, profile: str) -> str:
    if not SETTINGS.search(sentence):
        return sentence
    found = commands_for(sentence, profile) or commands_for(context, profile)
    if not found:
        return sentence
    said = " and ".join(f"`{command}`" for command in found)
    return SETTINGS.sub(f" ({said})", sentence, count=1)


def for_command_line(error: AppError, profile: str | None) -> AppError:
    """``error`` with its Settings hints naming ``profile edit`` and the flag instead."""
    if not SETTINGS.search(error.message):
        return error
    name = profile or "NAME"
    sentences = SENTENCE.split(error.message)
    message = " ".join(_sentence(s, error.message, name) for s in sentences)
    return AppError(
        error.kind,
        error.title,
        message,
        retryable=error.retryable,
        retry_after=error.retry_after,
        oauth_error=error.oauth_error,
        http_status=error.http_status,
    )
