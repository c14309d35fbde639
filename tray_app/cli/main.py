"""The ``token-tray`` command: start the tray, manage profiles, print a token for scripts.

Design decisions (DESIGN.md "Command line contract"):

* Program output (the token, ``profile list``) goes to stdout, messages to stderr.
* :func:`run_guarded` turns an :class:`AppError` into ``token-tray: <title>`` + message on
  stderr and its exit code. Never a traceback: an unexpected exception is named by type only
  (its text might hold a secret), logged at debug, exit 1. Ctrl-C exits 130 quietly.
* The client secret is never an argument (``ps``, shell history): ``--secret-stdin`` or a
  hidden prompt (on a terminal even ``--secret-stdin`` reads without echo).
* One module per command family, so each can grow on its own: :mod:`tray_app.cli.profile`
  (``profile …``), :mod:`tray_app.cli.token` (``token``), :mod:`tray_app.cli.status`
  (``status``, ``agent``), shared helpers in
  :mod:`tray_app.cli.common`; this module only builds the parser and runs the handler.
* ``--self-test`` checks the installation offscreen (:mod:`tray_app.diagnostics.selftest`);
  ``autostart`` and ``install-desktop`` are in :mod:`tray_app.cli.desktop`.
* ``--demo`` starts the tray in demo mode (:mod:`tray_app.demo.environment`); ``profile export`` and
  ``profile import`` are in :mod:`tray_app.cli.team`.
* Importing this is cheap: core imports requests/keyring lazily; PySide6 waits for the tray.
  The installed command enters through :mod:`tray_app.cli.fast`, which answers ``token`` from
  the running tray before this module (and argparse) is even imported.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence

from tray_app import __version__
from tray_app.cli.common import say
from tray_app.cli.completion import add_completion_command
from tray_app.cli.desktop import add_desktop_commands
from tray_app.cli.help_texts import MAIN_EPILOG
from tray_app.cli.hints import for_command_line
from tray_app.cli.profile import add_profile_commands
from tray_app.cli.status import add_status_commands
from tray_app.cli.token import add_token_command
from tray_app.core.errors import AppError
from tray_app.identity import PROG

_log = logging.getLogger(__name__)

INTERRUPTED = 130


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
        help="try Token Tray with a built-in demo token server (nothing is saved)",
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check this installation without a desktop (offscreen), print a report and exit",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    add_profile_commands(commands)
    add_token_command(commands)
    add_status_commands(commands)
    add_desktop_commands(commands)
    add_completion_command(commands, build_parser)
    parser.set_defaults(handler=cmd_tray)
    return parser


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse ``argv``; bad arguments exit 2 with a plain message (argparse)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.demo and args.command:
        parser.error("--demo only applies when starting the tray (without a command)")
    if args.self_test and (args.command or args.demo):
        parser.error("--self-test takes no command and no --demo")
    return args


def cmd_tray(args: argparse.Namespace) -> int:
    if args.self_test:
        from tray_app.diagnostics.selftest import run_self_test  # offscreen; PySide6 only from here

        return run_self_test()
    from tray_app.gui.startup import run_tray  # lazy: PySide6 only when the tray starts

    return run_tray(demo=args.demo)


def run_guarded(action: Callable[[], int], profile: str | None = None) -> int:
    """Run ``action``; turn every failure into a message on stderr and an exit code.

    Hints written for the tray's Settings window name ``profile edit`` and the flag instead
    (:mod:`tray_app.cli.hints`), for ``profile`` when the command names one.
    """
    try:
        return action()
    except AppError as error:
        shown = for_command_line(error, profile)
        say(f"{PROG}: {shown.title}\n{shown.message}")
        return error.exit_code
    except KeyboardInterrupt:
        return INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`token-tray token | head -c0`): nobody is left to tell.
        # Point stdout at devnull so the interpreter's final flush does not complain.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as error:  # noqa: BLE001 - the last guard: logged, then told plainly
        _log.debug("Unexpected error", exc_info=True)
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
    named = getattr(args, "profile", None) or getattr(args, "name", None)
    return run_guarded(lambda: handler(args), named if isinstance(named, str) else None)
