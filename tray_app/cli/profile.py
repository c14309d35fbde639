"""``token-tray profile …``: add, list, remove profiles and replace a saved secret.

``profile edit`` (:mod:`tray_app.cli.profile_edit`) takes the same request options as ``add``.

``profile list`` stays keyring-free: fast, and never asks to unlock anything. The client secret
is never an argument (``ps``, shell history): ``--secret-stdin`` or a hidden prompt.

How ``add`` reads the profile from its options is in :mod:`tray_app.cli.profile_args`; all of
it is checked before the secret is asked for; the Tarkov secret's shape is checked right after
it is typed. ``export`` and ``import`` live in :mod:`tray_app.cli.team`.
"""

from __future__ import annotations

import argparse
import json
import shlex
from typing import TYPE_CHECKING

from tray_app.cli.common import ask_secret_and_save, choose_profile, command, say
from tray_app.cli.help_texts import ADD_EPILOG, NO_PROFILE, SECRET_STDIN
from tray_app.cli.profile_args import add_request_options, profile_from_args
from tray_app.cli.profile_edit import add_profile_edit
from tray_app.cli.profile_keys import new_secret, save_key_profile
from tray_app.core.config import Config, ConfigStore
from tray_app.core.credentials import CredentialStore
from tray_app.core.errors import AppError, usage_error
from tray_app.core.profile import Profile
from tray_app.core.repository import ProfileRepository

if TYPE_CHECKING:
    from tray_app.cli.common import Subparsers

__all__ = ["add_profile_commands", "profile_from_args"]


def _add_profile_add(profiles: Subparsers) -> None:
    add = command(
        profiles, "add", "add a profile and save its secret in your password storage", ADD_EPILOG
    )
    add.add_argument("name", metavar="NAME", help="a short name, like “work”")
    add_request_options(add, editing=False)
    add.set_defaults(handler=cmd_profile_add)


def add_profile_commands(commands: Subparsers) -> None:
    profile = command(commands, "profile", "add, edit, list, remove, export or import profiles")
    profiles = profile.add_subparsers(dest="action", metavar="ACTION", required=True)
    _add_profile_add(profiles)
    add_profile_edit(profiles)
    listing = command(profiles, "list", "show the profiles")
    shape = listing.add_mutually_exclusive_group()
    shape.add_argument("--json", action="store_true", help="print JSON for programs")
    shape.add_argument("--names", action="store_true", help="print only the names, one a line")
    listing.set_defaults(handler=cmd_profile_list)
    remove = command(profiles, "remove", "remove a profile and its saved secret")
    remove.add_argument("name", metavar="NAME")
    remove.set_defaults(handler=cmd_profile_remove)
    secret = command(profiles, "set-secret", "replace the saved client secret of a profile")
    secret.add_argument("name", metavar="NAME")
    secret.add_argument("--secret-stdin", action="store_true", help=SECRET_STDIN)
    secret.set_defaults(handler=cmd_profile_set_secret)
    from tray_app.cli.team import add_team_commands

    add_team_commands(profiles)


def cmd_profile_add(args: argparse.Namespace) -> int:
    profile = profile_from_args(args)
    store = ConfigStore()
    if store.load().find(profile.name) is not None:
        raise usage_error(
            "Name already used",
            f"A profile named “{profile.name}” already exists. Choose another name, or remove "
            f"the old one first with `token-tray profile remove {shlex.quote(profile.name)}`.",
        )
    if profile.client_auth.uses_key:
        is_default = save_key_profile(store, profile, args.secret_stdin, default=args.default)
    else:
        is_default = ask_secret_and_save(
            store, profile, args.secret_stdin, make_default=args.default
        )
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
    elif args.names:
        print("".join(f"{p.name}\n" for p in config.profiles), end="")
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
    secret, what = new_secret(profile, args.secret_stdin)
    ProfileRepository(store, credentials).save_profile(profile, secret)
    say(f"Saved the new {what} for “{profile.name}”.")
    say(tell_running_tray(profile))
    return 0


def tell_running_tray(profile: Profile) -> str:
    """Have a running tray or agent try the new secret now; what to tell the user about it."""
    from tray_app.ipc import client as ipc_client  # plain sockets: cheap, only needed here

    try:
        ipc_client.request_retry(profile.id)
    except ipc_client.TrayNotRunning:
        return "Token Tray is not running; it will use the new secret when it starts."
    except AppError as error:  # e.g. it did not answer in time: it will still read the keyring
        return (
            f"Token Tray could not be asked to try it now ({error.title}); "
            "it will use the new secret at its next refresh."
        )
    return "The running Token Tray is getting a token with it now."
