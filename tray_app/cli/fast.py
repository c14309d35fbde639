"""The ``token-tray`` command's first stop: ``token`` answered by the running tray, fast.

Scripts run ``token-tray token`` hundreds of times a day, so its usual case — a tray or agent
is running and holds a valid token — must cost little more than Python's own start-up. This
module therefore imports only :mod:`tray_app.ipc.client` (a plain socket client) and the output
formats (printing the token needs them anyway, and ``enum`` is already loaded for the errors),
reads the few ``token`` options itself, asks the tray, prints, and exits.

Starting the tray (no arguments, or only ``--demo``) skips the command line too: it goes straight to
:func:`tray_app.gui.startup.run_tray`, so argparse and the command modules (which import the OAuth
and discovery code) are not loaded before the tray icon is up.

Everything else goes to the full command line (:func:`tray_app.cli.main.main`, argparse and all):
any other command, ``--help``, options it does not recognise or values it cannot read (argparse
then explains), no tray running, a profile the tray does not know (a direct fetch follows), and
every error (printed the same way as everywhere else).
"""

from __future__ import annotations

import math
import sys
import time

from tray_app.core.errors import AppError
from tray_app.core.formats import OutputFormat, render
from tray_app.ipc import client as ipc_client

TYPE_CHECKING = False  # typing is not imported at run time (start-up cost)
if TYPE_CHECKING:
    from collections.abc import Sequence

FORMATS = tuple(OutputFormat)  # str members: "raw" in FORMATS
OPTIONS = ("--profile", "--format", "--min-valid")
FLAGS = ("--new", "--json")
TokenOptions = tuple[str | None, str, float | None, bool]


def parse_token_options(args: Sequence[str]) -> TokenOptions | None:
    """(profile, format, min_valid, new) from ``token``'s arguments; None: let argparse handle
    them.

    ``min_valid`` is None when not given: the tray then applies its own default.
    """
    values: dict[str, str] = {}
    rest = list(args)
    while rest:
        option, equals, value = rest.pop(0).partition("=")
        if option in FLAGS and not equals:
            values[option] = ""
            continue
        if option not in OPTIONS:
            return None
        if not equals:
            if not rest:
                return None
            value = rest.pop(0)
        if value.startswith("-") and option != "--min-valid":
            return None
        values[option] = value
    if "--json" in values:
        if "--format" in values:
            return None  # argparse says they exclude each other
        values["--format"] = "json"
    fmt = values.get("--format", "raw")
    min_valid = _seconds(values["--min-valid"]) if "--min-valid" in values else None
    if fmt not in FORMATS or min_valid == -1.0:
        return None
    return values.get("--profile"), fmt, min_valid, "--new" in values


def _seconds(text: str) -> float:
    """A number of seconds, or -1.0 for anything argparse should explain instead."""
    try:
        value = float(text)
    except ValueError:
        return -1.0
    return value if value >= 0 and math.isfinite(value) else -1.0


def token_from_tray(options: TokenOptions) -> int | None:
    """Print the running tray's token; the exit code, or None to take the full path."""
    profile, fmt, min_valid, new = options
    try:
        held = ipc_client.request_token(profile, min_valid, new=new)
        text = render(held.token, fmt, now=time.time(), api_url=held.api_url)
    except (ipc_client.TrayNotRunning, ipc_client.UnsafeFolderError):
        return None  # the full path fetches directly (and says why for an unsafe folder)
    except AppError as error:
        return _report(error, profile)
    print(text.rstrip("\n"), flush=True)
    return 0


def _report(error: Exception, profile: str | None = None) -> int:
    from tray_app.cli.main import run_guarded

    def fail() -> int:
        raise error

    return run_guarded(fail, profile)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``token-tray`` and ``python -m tray_app``; returns the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args in ([], ["--demo"]):
        return start_tray(demo=bool(args))
    if args[:1] == ["token"]:
        options = parse_token_options(args[1:])
        if options is not None:
            try:
                code = token_from_tray(options)
            except KeyboardInterrupt:
                return 130
            except BrokenPipeError:
                return _report_closed_stdout()
            except Exception as error:  # noqa: BLE001 - a bug: one plain message, no traceback
                return _report(error)
            if code is not None:
                return code
    from tray_app.cli.main import main as full_main

    return full_main(args)


def start_tray(*, demo: bool) -> int:
    """Run the tray; a failure is reported exactly as the full command line would."""
    try:
        from tray_app.gui.startup import run_tray

        return run_tray(demo=demo)
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # noqa: BLE001 - AppError or a bug: reported plainly below
        from functools import partial

        from tray_app.cli.no_console import report_visibly

        return report_visibly(partial(_report, error))  # a windowless start has no stderr


def _report_closed_stdout() -> int:
    from tray_app.cli.main import run_guarded

    def closed() -> int:
        raise BrokenPipeError

    return run_guarded(closed)
