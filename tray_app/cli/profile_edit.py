"""``token-tray profile edit NAME [--name NEW] [add's options]``: change a saved profile.

Design decisions:

* Only what is given changes; everything else keeps the saved value. The result goes through
  exactly the checks of ``profile add`` (:func:`tray_app.cli.profile_args.profile_from_args`, preset
  rules included), so an edit can never save what ``add`` would refuse.
* The profile keeps its id, and the secret in the keyring is keyed by that id: a rename or any
  other change keeps the stored secret, and the keyring is not even opened (no unlock prompt).
  ``profile set-secret`` replaces the secret.
* A new ``--preset``, ``--issuer`` or provider field (``--domain`` …) works the Token URL out
  again, as ``add`` does; so does a new ``--body`` for the client authentication, unless that is
  given too.
* ``--param KEY=VALUE`` sets one parameter and keeps the others; ``--param KEY=`` removes it.
* The running tray or agent watches config.json and uses the changed profile at once.
"""

from __future__ import annotations

import argparse
import shlex
from typing import TYPE_CHECKING

from tray_app.cli.common import choose_profile, command, say
from tray_app.cli.help_texts import EDIT_EPILOG, HELPER_OPTIONS
from tray_app.cli.profile_args import add_request_options, profile_from_args
from tray_app.core.config import ConfigStore
from tray_app.core.credentials import CredentialStore
from tray_app.core.errors import usage_error
from tray_app.core.profile import Profile, parse_extra_params
from tray_app.core.repository import ProfileRepository

if TYPE_CHECKING:
    from tray_app.cli.common import Subparsers

KEPT_TEXT = ("client_id", "scope", "audience", "resource", "api_url", "ca_bundle")
KEPT_KEY = {
    "key": "key_file",
    "cert": "cert_file",
    "key_id": "key_id",
    "signing_alg": "signing_alg",
    "assertion_audience": "assertion_audience",
}


def add_profile_edit(profiles: Subparsers) -> None:
    edit = command(profiles, "edit", "change a profile (its saved secret stays)", EDIT_EPILOG)
    edit.add_argument("name", metavar="NAME", help="the profile to change")
    edit.add_argument("--name", dest="new_name", metavar="NEW", help="rename it")
    add_request_options(edit, editing=True)
    edit.set_defaults(handler=cmd_profile_edit)


def _helpers(args: argparse.Namespace) -> dict[str, str]:
    return {flag.strip("-"): getattr(args, flag.strip("-")) for flag, _ in HELPER_OPTIONS}


def _params(saved: tuple[tuple[str, str], ...], given: list[str] | None) -> list[str]:
    """The saved parameters with the given ones set (``KEY=`` removes KEY), as KEY=VALUE."""
    merged = dict(saved)
    for key, value in parse_extra_params(given or []):
        if value:
            merged[key] = value
        else:
            merged.pop(key, None)
    return [f"{key}={value}" for key, value in merged.items()]


def merged_args(args: argparse.Namespace, saved: Profile) -> argparse.Namespace:
    """``profile add``'s arguments for the saved profile with the given changes applied."""
    helpers = _helpers(args)
    relocated = args.issuer is not None or args.preset is not None or any(helpers.values())
    kept_url = None if relocated else saved.token_url
    new_auth = relocated or args.body is not None
    values = {key: getattr(args, key, None) for key in KEPT_TEXT}
    return argparse.Namespace(
        name=saved.name if args.new_name is None else args.new_name,
        token_url=args.token_url if args.token_url is not None else kept_url,
        issuer=args.issuer,
        **{key: getattr(saved, key) if value is None else value for key, value in values.items()},
        param=_params(saved.extra_params, args.param),
        body=args.body or (None if relocated else saved.body_format.value),
        client_auth=args.client_auth or (None if new_auth else saved.client_auth.value),
        preset=args.preset or saved.preset or None,
        **{key: value or "" for key, value in helpers.items()},
        **{
            opt: getattr(saved, field) if getattr(args, opt) is None else getattr(args, opt)
            for opt, field in KEPT_KEY.items()
        },
        timeout=saved.timeout if args.timeout is None else args.timeout,
        refresh_margin=saved.refresh_margin if args.refresh_margin is None else args.refresh_margin,
    )


def cmd_profile_edit(args: argparse.Namespace) -> int:
    store = ConfigStore()
    config = store.load()
    saved = choose_profile(config, args.name)
    changed = profile_from_args(merged_args(args, saved)).replace(id=saved.id)
    other = config.find(changed.name)
    if other is not None and other.id != saved.id:
        raise usage_error(
            "Name already used",
            f"A profile named “{other.name}” already exists. Choose another name with --name, "
            f"or remove the other one first with `token-tray profile remove "
            f"{shlex.quote(other.name)}`.",
        )
    repository = ProfileRepository(store, CredentialStore())
    default = repository.save_profile(changed, None, make_default=args.default).default_profile()
    marker = " (the default)" if default is not None and default.id == saved.id else ""
    say(f"Saved profile “{changed.name}”{marker}; its client secret is unchanged.")
    return 0
