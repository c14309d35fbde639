"""``token-tray token``: print a fresh access token for scripts.

``token`` asks the sources of :func:`token_sources` in order: the running tray or agent
(:func:`from_tray`, over :mod:`tray_app.ipc.protocol`: no request to the token server while its
token stays valid for ``--min-valid``), then a direct fetch that keeps nothing on disk.
Without ``--min-valid`` a held token must last the tray's refresh margin
(:func:`tray_app.core.refresh.default_min_valid`) and a fetched one is taken whatever its
lifetime: the newest token the server gives is never refused, even where tokens live 60 s. An
explicit ``--min-valid`` no token can meet is a usage error (exit 2) naming the server's
lifetime: waiting would not help, so it must not say "try again later" (exit 4). The usual
case never reaches this module: :mod:`tray_app.cli.fast` answers ``token`` from the tray without
importing argparse, requests or keyring; this is the full path (help, errors, no tray running).

Design decisions (retries of the direct fetch):

* A script waits for its token, so :func:`fetch_directly` retries what can heal (network errors,
  timeouts, 408, 429, 5xx, ``temporarily_unavailable``, ``server_error`` —
  :func:`tray_app.core.refresh.is_retryable`) up to ``CLI_ATTEMPTS`` times with the tray's
  backoff (full jitter from 1 s, at least the server's ``Retry-After``), but never beyond
  ``CLI_BUDGET`` seconds: a ``Retry-After`` that would take longer ends the run at once (exit 4)
  instead of making the script hang. Everything else fails on the first answer.
* Each retry is announced on stderr (stdout stays empty on failure). ``sleep`` and
  ``monotonic`` are parameters so tests can run the schedule without waiting.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING

from tray_app.cli.common import choose_profile, command, say, seconds_arg
from tray_app.cli.help_texts import FORMATS, MIN_VALID, NEW, SCRIPT_EPILOG
from tray_app.cli.hints import for_command_line
from tray_app.core import refresh
from tray_app.core.config import ConfigStore
from tray_app.core.credentials import CredentialStore
from tray_app.core.errors import AppError, ErrorKind
from tray_app.core.formats import OutputFormat, render
from tray_app.core.profile import Profile
from tray_app.core.source import TokenSource
from tray_app.core.token import Token
from tray_app.identity import PROG
from tray_app.ipc import client as ipc_client

CLI_ATTEMPTS = 4
CLI_BUDGET = 30.0
"""Seconds of waiting between attempts the command line accepts before it gives up."""

TokenFinder = Callable[[Profile, float | None], Token | None]
"""A token source: a token valid for ``min_valid`` more seconds (``None``: the default), or
``None`` to try the next."""

if TYPE_CHECKING:
    from tray_app.cli.common import Subparsers


def add_token_command(commands: Subparsers) -> None:
    token = command(commands, "token", "print a fresh access token", SCRIPT_EPILOG)
    which = "profile name (default: the default profile, marked * in `profile list`)"
    token.add_argument("--profile", metavar="NAME", help=which)
    formats = [fmt.value for fmt in OutputFormat]
    shape = token.add_mutually_exclusive_group()
    shape.add_argument("--format", choices=formats, default="raw", help=FORMATS)
    shape.add_argument(
        "--json",
        dest="format",
        action="store_const",
        const="json",
        help="the same as --format json",
    )
    token.add_argument("--min-valid", metavar="SECONDS", type=seconds_arg, help=MIN_VALID)
    token.add_argument("--new", action="store_true", help=NEW)
    token.set_defaults(handler=cmd_token)


def fetch_directly(
    profile: Profile,
    min_valid: float | None,
    *,
    sleep: Callable[[float], object] = time.sleep,
    monotonic: Callable[[], float] = time.monotonic,
    rng: Callable[[], float] = random.random,
) -> Token:
    """Fetch a new token with the saved secret, retrying what can heal; nothing is written."""
    source = TokenSource(CredentialStore())
    started = monotonic()
    try:
        for attempt in range(1, CLI_ATTEMPTS + 1):
            try:
                token = source.fetch(profile)
                break
            except AppError as error:
                delay = _retry_delay(error, attempt, monotonic() - started, rng)
                if delay is None:
                    raise
                say(f"{PROG}: {error.title} — trying again in {delay:.1f} s")
                sleep(delay)
    finally:
        source.close()
    if min_valid is not None and not token.is_valid(time.time(), min_valid):
        raise refresh.too_short_lived(profile.name, token.lifetime, min_valid)
    return token


def from_tray(profile: Profile, min_valid: float | None, *, new: bool = False) -> Token | None:
    """The running tray's (or agent's) token; None when none runs or it lacks ``profile``.

    ``new``: the tray fetches one now (concurrent callers share that request).
    """
    try:
        return ipc_client.request_token(profile.id, min_valid, new=new).token
    except ipc_client.TrayNotRunning:
        return None
    except ipc_client.UnsafeFolderError as error:  # a direct fetch needs no folder: say why
        say(f"{PROG}: {error.title} — fetching the token directly. {error.message}")
        return None


def _retry_delay(
    error: AppError, attempt: int, spent: float, rng: Callable[[], float]
) -> float | None:
    """Seconds to wait before the next attempt, or ``None`` to give up now."""
    if not refresh.is_retryable(error) or attempt >= CLI_ATTEMPTS:
        return None
    delay = refresh.backoff_delay(attempt, retry_after=error.retry_after, rng=rng)
    if spent + delay <= CLI_BUDGET:
        return delay
    if error.retry_after is not None and delay <= error.retry_after:
        say(f"{PROG}: the token server asks to wait {delay:.0f} s — not waiting that long.")
    else:
        say(f"{PROG}: giving up after {attempt} attempts in {spent:.0f} s.")
    return None


def token_sources(*, new: bool = False) -> tuple[TokenFinder, ...]:
    """Where ``token`` looks, in order: the running tray, then a direct fetch (always new)."""
    return (partial(from_tray, new=new), fetch_directly)


def obtain_token(
    args: argparse.Namespace, sources: Sequence[TokenFinder] | None = None
) -> tuple[Profile, Token]:
    """The chosen profile and a token valid for ``args.min_valid`` from the first source.

    Hints in errors name this profile (the default one too) in ``profile edit`` commands.
    """
    profile = choose_profile(ConfigStore().load(), args.profile)
    try:
        for source in token_sources(new=args.new) if sources is None else sources:
            token = source(profile, args.min_valid)
            if token is not None:
                return profile, token
    except AppError as error:
        raise for_command_line(error, profile.name) from None
    raise AppError(ErrorKind.UNAVAILABLE, "No token", "No way to get a token was available.")


def cmd_token(args: argparse.Namespace) -> int:
    profile, token = obtain_token(args)
    text = render(token, OutputFormat(args.format), now=time.time(), api_url=profile.api_url)
    print(text.rstrip("\n"), flush=True)
    return 0
