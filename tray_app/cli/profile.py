"""``token-tray profile …``: add, list, remove profiles and replace a saved secret.

``profile list`` stays keyring-free: fast, and never asks to unlock anything. The client secret
is never an argument (``ps``, shell history): ``--secret-stdin`` or a hidden prompt.

``profile add`` finds the Token URL in one of three ways: ``--token-url`` as given; a
``--preset`` that builds it from ``--domain`` / ``--tenant`` (core/presets.py); or discovery
from ``--issuer`` (or a discovery preset's ``--issuer`` / ``--server`` + ``--realm``). Explicit
``--body`` and ``--client-auth`` win over what the preset or discovery chose. Everything is
checked — preset rules included — before the secret is asked for; the Tarkov secret's shape is
checked right after it is typed. ``export`` and ``import`` live in :mod:`tray_app.cli.team`.
"""

from __future__ import annotations

import argparse
import json
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from tray_app.cli.common import ask_secret_and_save, choose_profile, command, read_secret, say
from tray_app.cli.help_texts import (
    ADD_EPILOG,
    AUTH,
    BODY,
    HELPER_OPTIONS,
    MARGIN,
    NO_PROFILE,
    PARAM,
    PRESET_HELP,
    TEXT_OPTIONS,
    TIMEOUT,
)
from tray_app.core.config import Config, ConfigStore
from tray_app.core.credentials import CredentialStore
from tray_app.core.discovery import Discovery, discover
from tray_app.core.errors import AppError, usage_error
from tray_app.core.presets import (
    CUSTOM,
    PRESETS,
    Preset,
    check_with_preset,
    helper_problems,
    preset_for,
)
from tray_app.core.profile import BodyFormat, ClientAuth, Profile, parse_extra_params
from tray_app.core.repository import ProfileRepository

if TYPE_CHECKING:
    from tray_app.cli.common import Subparsers


def _add_profile_add(profiles: Subparsers) -> None:
    add = command(
        profiles, "add", "add a profile and save its secret in your password storage", ADD_EPILOG
    )
    add.add_argument("name", metavar="NAME", help="a short name, like “work”")
    where = add.add_mutually_exclusive_group()
    where.add_argument("--token-url", metavar="URL", help="the Token URL you were given")
    where.add_argument(
        "--issuer", metavar="URL", help="look the Token URL up from this issuer (discovery)"
    )
    add.add_argument("--client-id", metavar="ID", required=True, help="the client ID you got")
    add.add_argument("--secret-stdin", action="store_true", help="read the secret from stdin")
    for flag, metavar, help_text in TEXT_OPTIONS:
        add.add_argument(flag, metavar=metavar, default="", help=help_text)
    add.add_argument("--param", metavar="KEY=VALUE", action="append", default=[], help=PARAM)
    add.add_argument("--body", choices=["form", "json"], help=BODY)
    add.add_argument("--client-auth", choices=["basic", "body"], help=AUTH)
    add.add_argument("--preset", choices=list(PRESETS), metavar="NAME", help=PRESET_HELP)
    for flag, help_text in HELPER_OPTIONS:
        add.add_argument(flag, metavar=flag.strip("-").upper(), default="", help=help_text)
    add.add_argument("--default", action="store_true", help="make it the default profile")
    add.add_argument("--timeout", metavar="SECONDS", type=float, default=15.0, help=TIMEOUT)
    add.add_argument("--refresh-margin", metavar="SECONDS", type=int, help=MARGIN)
    add.set_defaults(handler=cmd_profile_add)


def add_profile_commands(commands: Subparsers) -> None:
    profile = command(commands, "profile", "add, list, remove, export or import profiles")
    profiles = profile.add_subparsers(dest="action", metavar="ACTION", required=True)
    _add_profile_add(profiles)
    listing = command(profiles, "list", "show the profiles")
    listing.add_argument("--json", action="store_true", help="print JSON for programs")
    listing.set_defaults(handler=cmd_profile_list)
    remove = command(profiles, "remove", "remove a profile and its saved secret")
    remove.add_argument("name", metavar="NAME")
    remove.set_defaults(handler=cmd_profile_remove)
    secret = command(profiles, "set-secret", "replace the saved client secret of a profile")
    secret.add_argument("name", metavar="NAME")
    secret.add_argument("--secret-stdin", action="store_true", help="read the secret from stdin")
    secret.set_defaults(handler=cmd_profile_set_secret)
    from tray_app.cli.team import add_team_commands

    add_team_commands(profiles)


def _helper_values(args: argparse.Namespace) -> dict[str, str]:
    return {flag.strip("-"): getattr(args, flag.strip("-")) for flag, _ in HELPER_OPTIONS}


def _issuer(args: argparse.Namespace, preset: Preset) -> str | None:
    """The issuer URL to discover from, if this profile is set up by discovery."""
    if args.issuer is not None:
        return str(args.issuer).strip()
    if not preset.discovery:
        return None
    values = _helper_values(args)
    problems = helper_problems(preset, values)
    if problems:
        flags = " and ".join(f"--{helper.key}" for helper in preset.helpers)
        first = next(iter(problems.values()))
        raise usage_error(f"{preset.title} needs more", f"Give {flags}. {first}")
    return preset.target_url(values)


def _token_url(args: argparse.Namespace, preset: Preset) -> str:
    if args.token_url is not None:
        return str(args.token_url).strip()
    if preset.fixed_token_url:
        values = _helper_values(args)
        problems = helper_problems(preset, values)
        if problems:
            key, text = next(iter(problems.items()))
            raise usage_error(f"Invalid --{key}", f"{preset.title}: {text}")
        return preset.target_url(values)
    raise usage_error(
        "Token URL missing",
        "Give the Token URL with --token-url, an issuer with --issuer, or a provider with "
        "--preset (see `token-tray profile add --help`).",
    )


def _ca_bundle(path: str) -> str:
    if not path:
        return ""
    bundle = Path(path).expanduser().resolve()
    if not bundle.is_file():
        raise usage_error("CA bundle not found", f"There is no file at {bundle}.")
    return str(bundle)


def profile_from_args(
    args: argparse.Namespace, lookup: Callable[[str, str, float], Discovery] = discover
) -> Profile:
    """A validated profile from ``profile add`` arguments (no secret); may run discovery."""
    preset = preset_for(args.preset or CUSTOM)
    issuer = _issuer(args, preset)
    found = lookup(issuer, _ca_bundle(args.ca_bundle), args.timeout) if issuer else None
    token_url = found.token_endpoint if found else _token_url(args, preset)
    body = BodyFormat(args.body or preset.body_format)
    chosen = found.client_auth if found else preset.client_auth
    auth = args.client_auth or (ClientAuth.BODY if body is BodyFormat.JSON else chosen)
    profile = Profile(
        name=args.name.strip(),
        token_url=token_url,
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
        preset="" if preset.key == CUSTOM else preset.key,
    )
    return check_with_preset(profile)


def cmd_profile_add(args: argparse.Namespace) -> int:
    profile = profile_from_args(args)
    store = ConfigStore()
    if store.load().find(profile.name) is not None:
        raise usage_error(
            "Name already used",
            f"A profile named “{profile.name}” already exists. Choose another name, or remove "
            f"the old one first with `token-tray profile remove {shlex.quote(profile.name)}`.",
        )
    is_default = ask_secret_and_save(store, profile, args.secret_stdin, make_default=args.default)
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
