"""Helpers shared by the ``token-tray`` subcommands (:mod:`tray_app.cli.main` and its parts).

Kept free of requests, keyring and PySide6 so that every subcommand can import it cheaply.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

from tray_app.cli.help_texts import NO_PROFILE
from tray_app.core.config import Config, ConfigStore
from tray_app.core.errors import usage_error
from tray_app.core.presets import preset_problems
from tray_app.core.profile import Profile

if TYPE_CHECKING:
    Parser = argparse.ArgumentParser
    Subparsers = argparse._SubParsersAction[Parser]


def seconds_arg(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}” is not a number of seconds") from None
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError("seconds must be zero or more")
    return value


def command(group: Subparsers, name: str, summary: str, epilog: str = "") -> Parser:
    """A subcommand whose help keeps the examples' line breaks."""
    formatter = argparse.RawDescriptionHelpFormatter
    return group.add_parser(name, help=summary, epilog=epilog, formatter_class=formatter)


def say(message: str) -> None:
    """A message for the person at the terminal (stderr, never stdout)."""
    print(message, file=sys.stderr)


def choose_profile(config: Config, name: str | None) -> Profile:
    """The named profile, or the default one; a plain error when there is none."""
    if not config.profiles:
        raise usage_error("No profile yet", NO_PROFILE)
    profile = config.default_profile() if name is None else config.find(name)
    if profile is None:
        known = ", ".join(p.name for p in config.profiles)
        raise usage_error(
            "Unknown profile", f"There is no profile named “{name}”. Known profiles: {known}."
        )
    return profile


def read_secret(
    use_stdin: bool,
    prompt: str,
    *,
    stdin: TextIO | None = None,
    ask: Callable[[str], str] | None = None,
) -> str:
    """The client secret: a hidden prompt on a terminal, else one line of piped stdin."""
    stream = sys.stdin if stdin is None else stdin
    if stream is not None and stream.isatty():
        secret = (ask or getpass.getpass)(prompt)
    elif use_stdin and stream is not None:
        secret = stream.readline().rstrip("\r\n")
    else:
        raise usage_error(
            "No client secret given",
            "Input is not a terminal, so nobody can be asked for the client secret. "
            "Pipe it in and add --secret-stdin.",
        )
    if not secret:
        raise usage_error("No client secret given", "The client secret must not be empty.")
    return secret


def check_secret_shape(profile: Profile, secret: str) -> None:
    """Refuse a secret that cannot be right for the profile's preset (never quotes it)."""
    problem = preset_problems(profile, secret).get("secret")
    if problem:
        raise usage_error("Invalid client secret", problem)


def ask_secret_and_save(
    store: ConfigStore, profile: Profile, use_stdin: bool, *, make_default: bool
) -> bool:
    """Check the password storage, ask for the secret, save both; True when it is the default.

    The storage is checked before asking, so nobody types a secret that cannot be kept.
    """
    from tray_app.core.credentials import CredentialStore
    from tray_app.core.repository import ProfileRepository

    credentials = CredentialStore()
    credentials.check()
    secret = read_secret(use_stdin, f"Client secret for {profile.name}: ")
    check_secret_shape(profile, secret)
    config = ProfileRepository(store, credentials).save_profile(
        profile, secret, make_default=make_default
    )
    default = config.default_profile()
    return default is not None and default.id == profile.id
