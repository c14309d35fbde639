"""``token-tray profile export`` and ``profile import``: team profile files (core/team.py).

``export NAME`` prints the file to stdout (``--output FILE`` writes it instead), so it can be
piped or redirected; it never contains the secret. ``import FILE`` checks everything first —
the file, the name (``--name`` picks another one on a clash), the password storage — and only
then asks for the secret (hidden prompt, or ``--secret-stdin``), like ``profile add``.
"""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path
from typing import TYPE_CHECKING

from tray_app.cli.common import ask_secret_and_save, choose_profile, command, say
from tray_app.cli.help_texts import EXPORT_EPILOG, IMPORT_EPILOG
from tray_app.core.config import ConfigStore
from tray_app.core.presets import check_with_preset
from tray_app.core.team import (
    destination,
    export_text,
    name_clash,
    read_profile_file,
    write_profile_file,
)

if TYPE_CHECKING:
    from tray_app.cli.common import Subparsers


def add_team_commands(profiles: Subparsers) -> None:
    export = command(profiles, "export", "write a profile to a file for your team", EXPORT_EPILOG)
    export.add_argument("name", metavar="NAME")
    export.add_argument("--output", metavar="FILE", help="write to FILE instead of stdout")
    export.set_defaults(handler=cmd_profile_export)
    imported = command(
        profiles, "import", "add a profile from a file, then ask for its secret", IMPORT_EPILOG
    )
    imported.add_argument("file", metavar="FILE")
    imported.add_argument("--name", metavar="NAME", help="save it under this name instead")
    imported.add_argument("--secret-stdin", action="store_true", help="read the secret from stdin")
    imported.add_argument("--default", action="store_true", help="make it the default profile")
    imported.set_defaults(handler=cmd_profile_import)


def cmd_profile_export(args: argparse.Namespace) -> int:
    profile = choose_profile(ConfigStore().load(), args.name)
    if args.output:
        path = write_profile_file(profile, Path(args.output).expanduser())
        say(f"Exported “{profile.name}” to {path}. The client secret is not in the file.")
    else:
        print(export_text(profile), end="", flush=True)
    return 0


def cmd_profile_import(args: argparse.Namespace) -> int:
    profile = read_profile_file(Path(args.file).expanduser())
    if args.name:
        profile = check_with_preset(profile.replace(name=args.name.strip()))
    store = ConfigStore()
    advice = f" Add --name: `token-tray profile import {shlex.quote(args.file)} --name NEW`."
    clash = name_clash(profile.name, {p.name.casefold() for p in store.load().profiles}, advice)
    if clash is not None:
        raise clash
    say(f"Importing “{profile.name}”. {destination(profile)}")
    is_default = ask_secret_and_save(store, profile, args.secret_stdin, make_default=args.default)
    say(f"Imported profile “{profile.name}”" + (" (the default)." if is_default else "."))
    return 0
