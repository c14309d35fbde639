"""How ``profile add`` and ``profile edit`` read a profile from their options.

``profile add`` finds the Token URL in one of three ways: ``--token-url`` as given; a
``--preset`` that builds it from ``--domain`` / ``--tenant`` (core/presets.py); or discovery
from ``--issuer`` (or a discovery preset's ``--issuer`` / ``--server`` + ``--realm``). Explicit
``--body`` and ``--client-auth`` win over what the preset or discovery chose. Everything is
checked — preset rules included — before anything is saved. ``edit`` fills in what was not given
from the saved profile and goes through the same checks.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from tray_app.cli.common import say
from tray_app.cli.help_texts import (
    AUTH,
    BODY,
    EDIT_PARAM,
    HELPER_OPTIONS,
    KEY_OPTIONS,
    MARGIN,
    PARAM,
    PRESET_HELP,
    SECRET_STDIN,
    TEXT_OPTIONS,
    TIMEOUT,
)
from tray_app.cli.profile_keys import AUTH_CHOICES
from tray_app.core.discovery import Discovery, discover
from tray_app.core.errors import usage_error
from tray_app.core.presets import (
    CUSTOM,
    PRESETS,
    Preset,
    check_with_preset,
    helper_problems,
    preset_for,
)
from tray_app.core.profile import BodyFormat, ClientAuth, Profile, parse_extra_params

if TYPE_CHECKING:
    from tray_app.cli.common import Parser


def add_request_options(parser: Parser, *, editing: bool) -> None:
    """The options ``profile add`` and ``profile edit`` share.

    For ``edit`` every default is None, so what was not given keeps the profile's value.
    """
    unset = None if editing else ""
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--token-url", metavar="URL", help="the Token URL you were given")
    where.add_argument(
        "--issuer", metavar="URL", help="look the Token URL up from this issuer (discovery)"
    )
    parser.add_argument(
        "--client-id", metavar="ID", required=not editing, help="the client ID you got"
    )
    if not editing:
        parser.add_argument("--secret-stdin", action="store_true", help=SECRET_STDIN)
    for flag, metavar, help_text in TEXT_OPTIONS:
        parser.add_argument(flag, metavar=metavar, default=unset, help=help_text)
    param = EDIT_PARAM if editing else PARAM
    parser.add_argument("--param", metavar="KEY=VALUE", action="append", help=param)
    parser.add_argument("--body", choices=["form", "json"], help=BODY)
    parser.add_argument("--client-auth", choices=list(AUTH_CHOICES), metavar="HOW", help=AUTH)
    for flag, metavar, help_text in KEY_OPTIONS:
        parser.add_argument(flag, metavar=metavar, default=unset, help=help_text)
    parser.add_argument("--preset", choices=list(PRESETS), metavar="NAME", help=PRESET_HELP)
    for flag, help_text in HELPER_OPTIONS:
        parser.add_argument(flag, metavar=flag.strip("-").upper(), default=unset, help=help_text)
    parser.add_argument("--default", action="store_true", help="make it the default profile")
    timeout = None if editing else 15.0
    parser.add_argument("--timeout", metavar="SECONDS", type=float, default=timeout, help=TIMEOUT)
    parser.add_argument("--refresh-margin", metavar="SECONDS", type=int, help=MARGIN)


def _helper_values(args: argparse.Namespace) -> dict[str, str]:
    return {flag.strip("-"): getattr(args, flag.strip("-")) for flag, _ in HELPER_OPTIONS}


def _issuer(args: argparse.Namespace, preset: Preset) -> str | None:
    """The issuer URL to discover from, if this profile is set up by discovery.

    A Token URL given as such wins over a discovery preset's lookup.
    """
    if args.issuer is not None:
        return str(args.issuer).strip()
    if not preset.discovery or args.token_url is not None:
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


def _file(path: str, title: str = "CA bundle not found") -> str:
    if not path:
        return ""
    found = Path(path).expanduser().resolve()
    if not found.is_file():
        raise usage_error(title, f"There is no file at {found}.")
    return str(found)


def _ca_bundle(path: str) -> str:
    return _file(path)


def _client_auth(args: argparse.Namespace, body: BodyFormat, chosen: ClientAuth) -> ClientAuth:
    if args.client_auth:
        return AUTH_CHOICES[args.client_auth]
    if args.key and not chosen.uses_key:
        return ClientAuth.PRIVATE_KEY_JWT  # a key and no method: the signed-key one
    return ClientAuth.BODY if body is BodyFormat.JSON else chosen


def _key_fields(args: argparse.Namespace) -> dict[str, str]:
    return {
        "key_file": _file(args.key or "", "Key file not found"),
        "cert_file": _file(args.cert or "", "Certificate file not found"),
        "key_id": (args.key_id or "").strip(),
        "signing_alg": (args.signing_alg or "").strip().upper(),
        "assertion_audience": (args.assertion_audience or "").strip(),
    }


def _check_discovered(found: Discovery, profile: Profile) -> None:
    """Warn (never refuse) when the server's metadata says it may not take this key."""
    if not profile.client_auth.uses_key:
        return
    problem = found.key_method_problem(profile.client_auth)
    if problem is None and profile.client_auth is ClientAuth.PRIVATE_KEY_JWT:
        _alg, problem = found.pick_signing_alg(profile.signing_alg or "RS256", profile.signing_alg)
        problem = problem if profile.signing_alg else None
    if problem:
        say(f"Warning: {problem}")


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
    profile = Profile(
        name=args.name.strip(),
        token_url=token_url,
        client_id=args.client_id.strip(),
        scope=args.scope.strip(),
        audience=args.audience,
        resource=args.resource,
        extra_params=parse_extra_params(args.param or []),
        body_format=body,
        client_auth=_client_auth(args, body, chosen),
        refresh_margin=args.refresh_margin,
        timeout=args.timeout,
        ca_bundle=_ca_bundle(args.ca_bundle),
        api_url=args.api_url.strip(),
        preset="" if preset.key == CUSTOM else preset.key,
    ).replace(**_key_fields(args))
    if found is not None:
        _check_discovered(found, profile)
    return check_with_preset(profile)
