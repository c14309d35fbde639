"""The ``token-tray`` command: start the tray, manage profiles, print a token for scripts.

Design decisions (DESIGN.md "Command line contract"):

* Program output (the token, ``profile list``) goes to stdout, messages to stderr.
* :func:`run_guarded` turns an :class:`AppError` into ``token-tray: <title>`` + message on
  stderr and its exit code. Never a traceback: an unexpected exception is named by type only
  (its text might hold a secret), logged at debug, exit 1. Ctrl-C exits 130 quietly.
* The client secret is never an argument (``ps``, shell history): ``--secret-stdin`` or a
  hidden prompt (on a terminal even ``--secret-stdin`` reads without echo).
* ``token`` asks the sources of :func:`token_sources` in order; for now only a direct fetch
  that keeps nothing on disk. The running tray will slot in first.
* ``profile list`` stays keyring-free: fast, and never asks to unlock anything.
* ``--issuer``, ``--preset``, ``export`` and ``import`` (a later version) are accepted, so the
  contract's shape is stable, and answer with a "not available yet" usage error.
* Importing this is cheap: core imports requests/keyring lazily; PySide6 waits for the tray.
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import shlex
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from tray_app import __version__
from tray_app.cli_help import (
    ADD_EPILOG,
    AUTH,
    BODY,
    CLI_SETTINGS_NOTE,
    FORMATS,
    MAIN_EPILOG,
    MARGIN,
    NO_PROFILE,
    PARAM,
    SCRIPT_EPILOG,
    TEXT_OPTIONS,
    TIMEOUT,
)
from tray_app.core.config import Config, ConfigStore
from tray_app.core.credentials import CredentialStore
from tray_app.core.errors import AppError, ErrorKind, usage_error
from tray_app.core.formats import OutputFormat, render
from tray_app.core.profile import BodyFormat, ClientAuth, Profile, check_profile, parse_extra_params
from tray_app.core.repository import ProfileRepository
from tray_app.core.source import TokenSource
from tray_app.core.token import Token

if TYPE_CHECKING:
    Parser = argparse.ArgumentParser
    Subparsers = argparse._SubParsersAction[Parser]

logger = logging.getLogger(__name__)

PROG = "token-tray"
INTERRUPTED = 130
TokenFinder = Callable[[Profile, float], Token | None]
"""A token source: a token valid for ``min_valid`` more seconds, or ``None`` to try the next."""


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}” is not a number of seconds") from None
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError("seconds must be zero or more")
    return value


def _command(group: Subparsers, name: str, summary: str, epilog: str = "") -> Parser:
    """A subcommand whose help keeps the examples' line breaks."""
    formatter = argparse.RawDescriptionHelpFormatter
    return group.add_parser(name, help=summary, epilog=epilog, formatter_class=formatter)


def _add_profile_add(profiles: Subparsers) -> None:
    add = _command(
        profiles, "add", "add a profile and save its secret in your password storage", ADD_EPILOG
    )
    add.add_argument("name", metavar="NAME", help="a short name, like “work”")
    where = add.add_mutually_exclusive_group(required=True)
    where.add_argument("--token-url", metavar="URL", help="the Token URL you were given")
    where.add_argument("--issuer", metavar="URL", help="(not available yet)")
    add.add_argument("--client-id", metavar="ID", required=True, help="the client ID you got")
    add.add_argument("--secret-stdin", action="store_true", help="read the secret from stdin")
    for flag, metavar, help_text in TEXT_OPTIONS:
        add.add_argument(flag, metavar=metavar, default="", help=help_text)
    add.add_argument("--param", metavar="KEY=VALUE", action="append", default=[], help=PARAM)
    add.add_argument("--body", choices=["form", "json"], default="form", help=BODY)
    add.add_argument("--client-auth", choices=["basic", "body"], help=AUTH)
    add.add_argument("--preset", metavar="NAME", help="(not available yet)")
    add.add_argument("--default", action="store_true", help="make it the default profile")
    add.add_argument("--timeout", metavar="SECONDS", type=float, default=15.0, help=TIMEOUT)
    add.add_argument("--refresh-margin", metavar="SECONDS", type=int, help=MARGIN)
    add.set_defaults(handler=cmd_profile_add)


def _add_profile(commands: Subparsers) -> None:
    profile = _command(commands, "profile", "add, list, remove profiles or replace a saved secret")
    profiles = profile.add_subparsers(dest="action", metavar="ACTION", required=True)
    _add_profile_add(profiles)
    listing = _command(profiles, "list", "show the profiles")
    listing.add_argument("--json", action="store_true", help="print JSON for programs")
    listing.set_defaults(handler=cmd_profile_list)
    remove = _command(profiles, "remove", "remove a profile and its saved secret")
    remove.add_argument("name", metavar="NAME")
    remove.set_defaults(handler=cmd_profile_remove)
    secret = _command(profiles, "set-secret", "replace the saved client secret of a profile")
    secret.add_argument("name", metavar="NAME")
    secret.add_argument("--secret-stdin", action="store_true", help="read the secret from stdin")
    secret.set_defaults(handler=cmd_profile_set_secret)
    for action, operand in (("export", "NAME"), ("import", "FILE")):
        later = _command(profiles, action, "(not available yet)")
        later.add_argument(operand.lower(), metavar=operand)
        later.set_defaults(handler=cmd_not_available)


def _add_token(commands: Subparsers) -> None:
    token = _command(commands, "token", "print a fresh access token", SCRIPT_EPILOG)
    which = "profile name (default: the default profile, marked * in `profile list`)"
    token.add_argument("--profile", metavar="NAME", help=which)
    formats = [fmt.value for fmt in OutputFormat]
    token.add_argument("--format", choices=formats, default="raw", help=FORMATS)
    min_valid = "the token must stay valid at least this long (default: 0)"
    token.add_argument("--min-valid", metavar="SECONDS", type=_seconds, default=0.0, help=min_valid)
    token.set_defaults(handler=cmd_token)


def build_parser() -> argparse.ArgumentParser:
    """The whole command line; every (sub)command sets ``handler``."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Keep OAuth 2.0 client-credentials tokens fresh and copy them in one click.",
        epilog=MAIN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="(not available yet) a tray with a built-in demo token server",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_profile(commands)
    _add_token(commands)
    parser.set_defaults(handler=cmd_tray)
    return parser


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse ``argv``; bad arguments exit 2 with a plain message (argparse)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.demo and args.command:
        parser.error("--demo only applies when starting the tray (without a command)")
    return args


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


def _refuse_later_options(args: argparse.Namespace) -> None:
    later = "--issuer" if args.issuer is not None else "--preset" if args.preset else None
    if later:
        raise usage_error(
            "Not available yet",
            f"{later} is not available in this version. Give the Token URL itself with "
            "--token-url (and --body json for JSON-only services).",
        )


def _ca_bundle(path: str) -> str:
    if not path:
        return ""
    bundle = Path(path).expanduser().resolve()
    if not bundle.is_file():
        raise usage_error("CA bundle not found", f"There is no file at {bundle}.")
    return str(bundle)


def profile_from_args(args: argparse.Namespace) -> Profile:
    """A validated profile from ``profile add`` arguments (no secret)."""
    _refuse_later_options(args)
    body = BodyFormat(args.body)
    auth = args.client_auth or (ClientAuth.BODY if body is BodyFormat.JSON else ClientAuth.BASIC)
    profile = Profile(
        name=args.name.strip(),
        token_url=args.token_url.strip(),
        client_id=args.client_id.strip(),
        scope=args.scope.strip(),
        audience=args.audience,
        resource=args.resource,
        extra_params=parse_extra_params(args.param),
        body_format=body,
        client_auth=ClientAuth(auth),
        refresh_margin=args.refresh_margin,
        timeout=args.timeout,
        ca_bundle=_ca_bundle(args.ca_bundle),
        api_url=args.api_url.strip(),
    )
    return check_profile(profile)


def cmd_profile_add(args: argparse.Namespace) -> int:
    profile = profile_from_args(args)
    store = ConfigStore()
    if store.load().find(profile.name) is not None:
        raise usage_error(
            "Name already used",
            f"A profile named “{profile.name}” already exists. Choose another name, or remove "
            f"the old one first with `token-tray profile remove {shlex.quote(profile.name)}`.",
        )
    credentials = CredentialStore()
    credentials.check()
    secret = read_secret(args.secret_stdin, f"Client secret for {profile.name}: ")
    config = ProfileRepository(store, credentials).save_profile(
        profile, secret, make_default=args.default
    )
    default = config.default_profile()
    is_default = default is not None and default.id == profile.id
    say(f"Saved profile “{profile.name}”" + (" (the default)." if is_default else "."))
    return 0


def _table(config: Config) -> str:
    default = config.default_profile()
    rows = [("", "NAME", "TOKEN URL", "CLIENT ID", "REQUEST")]
    for p in config.profiles:
        marker = "*" if default is not None and p.id == default.id else ""
        request = f"{p.body_format.value}, {p.effective_client_auth.value}"
        rows.append((marker, p.name, p.token_url, p.client_id, request))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows)
    return "\n".join(line.rstrip() for line in lines)


def cmd_profile_list(args: argparse.Namespace) -> int:
    config = ConfigStore().load()
    default = config.default_profile()
    if args.json:
        data = [{**p.to_dict(), "default": p == default} for p in config.profiles]
        print(json.dumps(data, indent=2, ensure_ascii=False))
    elif config.profiles:
        print(_table(config))
    else:
        say(f"No profile yet. {NO_PROFILE}")
    return 0


def cmd_profile_remove(args: argparse.Namespace) -> int:
    store = ConfigStore()
    profile = choose_profile(store.load(), args.name)
    ProfileRepository(store, CredentialStore()).remove_profile(profile.id)
    say(f"Removed profile “{profile.name}” and its saved secret.")
    return 0


def cmd_profile_set_secret(args: argparse.Namespace) -> int:
    store = ConfigStore()
    profile = choose_profile(store.load(), args.name)
    credentials = CredentialStore()
    credentials.check()
    secret = read_secret(args.secret_stdin, f"New client secret for {profile.name}: ")
    ProfileRepository(store, credentials).save_profile(profile, secret)
    say(f"Saved the new client secret for “{profile.name}”.")
    return 0


def cmd_not_available(args: argparse.Namespace) -> int:
    message = f"`token-tray profile {args.action}` is not available in this version."
    raise usage_error("Not available yet", message)


def fetch_directly(profile: Profile, min_valid: float) -> Token:
    """Fetch a new token with the saved secret; nothing is written anywhere."""
    source = TokenSource(CredentialStore())
    try:
        token = source.fetch(profile)
    finally:
        source.close()
    if not token.is_valid(time.time(), min_valid):
        raise AppError(
            ErrorKind.UNAVAILABLE,
            "Token too short-lived",
            f"The token server gave a token valid for {token.lifetime:.0f} seconds, "
            f"less than the {min_valid:.0f} seconds asked for with --min-valid.",
        )
    return token


def token_sources() -> tuple[TokenFinder, ...]:
    """Where ``token`` looks, in order (the running tray joins first in a later version)."""
    return (fetch_directly,)


def obtain_token(
    args: argparse.Namespace, sources: Sequence[TokenFinder] | None = None
) -> tuple[Profile, Token]:
    """The chosen profile and a token valid for ``args.min_valid`` from the first source."""
    profile = choose_profile(ConfigStore().load(), args.profile)
    for source in token_sources() if sources is None else sources:
        token = source(profile, args.min_valid)
        if token is not None:
            return profile, token
    raise AppError(ErrorKind.UNAVAILABLE, "No token", "No way to get a token was available.")


def cmd_token(args: argparse.Namespace) -> int:
    profile, token = obtain_token(args)
    text = render(token, OutputFormat(args.format), now=time.time(), api_url=profile.api_url)
    print(text.rstrip("\n"), flush=True)
    return 0


def cmd_tray(args: argparse.Namespace) -> int:
    from tray_app.app import run_tray  # lazy: PySide6 only when the tray starts

    return run_tray(demo=args.demo)


def run_guarded(action: Callable[[], int]) -> int:
    """Run ``action``; turn every failure into a message on stderr and an exit code."""
    try:
        return action()
    except AppError as error:
        note = f"\n{CLI_SETTINGS_NOTE}" if "Settings" in error.message else ""
        say(f"{PROG}: {error.title}\n{error.message}{note}")
        return error.exit_code
    except KeyboardInterrupt:
        return INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`token-tray token | head -c0`): nobody is left to tell.
        # Point stdout at devnull so the interpreter's final flush does not complain.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as error:
        logger.debug("Unexpected error", exc_info=True)
        say(
            f"{PROG}: Internal error\nSomething unexpected went wrong "
            f"({type(error).__name__}). Please report it, with the command you ran."
        )
        return 1


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``token-tray`` and ``python -m tray_app``; returns the exit code."""
    try:
        args = parse_args(argv)
    except KeyboardInterrupt:
        return INTERRUPTED
    handler: Callable[[argparse.Namespace], int] = args.handler
    return run_guarded(lambda: handler(args))
