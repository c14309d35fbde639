"""``profile add/edit … --client-auth private-key-jwt|tls --key FILE [--cert FILE]``: keys.

Design decisions:

* **The key is tried before anything is saved**, so a wrong path, a wrong password or a
  certificate that belongs to another key is said at once, not at the first refresh.
* **Only what is secret goes to password storage**: the key file's password (asked only when
  the key has one: an unprotected key file needs no storage at all), or a key piped in with
  ``--secret-stdin`` when there is no file. The key file itself stays where the user keeps it;
  config.json holds its path.
* **What the provider sees is shown**: the algorithm, the key ID and, with a certificate, its
  SHA-256 thumbprint, which is what the provider's console lists next to a registered key.
* A key file that other users can read is used, but said, with the ``chmod`` that fixes it.
"""

from __future__ import annotations

import sys
from typing import TextIO

from tray_app.cli.common import read_secret, say
from tray_app.core.client_keys import PEM_KEY_MARK, ClientKey, file_warning
from tray_app.core.config import ConfigStore
from tray_app.core.errors import AppError, usage_error
from tray_app.core.oauth import profile_key
from tray_app.core.profile import ClientAuth, Profile

AUTH_CHOICES = {
    "basic": ClientAuth.BASIC,
    "body": ClientAuth.BODY,
    "private-key-jwt": ClientAuth.PRIVATE_KEY_JWT,
    "private_key_jwt": ClientAuth.PRIVATE_KEY_JWT,
    "tls": ClientAuth.TLS,
}
PASSWORD_TITLES = ("Key password needed", "Wrong key password")


def read_pasted_key(stdin: TextIO | None = None) -> str:
    """A PEM key piped in (``--secret-stdin``): all of standard input."""
    stream = sys.stdin if stdin is None else stdin
    if stream is None or stream.isatty():
        raise usage_error(
            "Key file needed",
            "Give the private key as a file with --key FILE (or pipe a PEM key in with "
            "--secret-stdin).",
        )
    text = stream.read().strip()
    if PEM_KEY_MARK not in text:
        raise usage_error("Not a private key", "Standard input holds no PEM private key.")
    return text + "\n"


def key_secret(profile: Profile, use_stdin: bool) -> str:
    """What goes to password storage for ``profile``: "" (nothing), a password or a PEM key."""
    if not profile.key_file:
        return read_pasted_key()
    try:
        profile_key(profile, "")
    except AppError as error:
        if error.title not in PASSWORD_TITLES:
            raise
        return read_secret(use_stdin, f"Password of the key file {profile.key_file}: ")
    return ""


def describe(profile: Profile, client_key: ClientKey) -> None:
    """Say how the profile will sign or present its key, and any warning about the file."""
    if profile.client_auth is ClientAuth.TLS:
        say(f"Client certificate: SHA-256 thumbprint {client_key.thumbprints['x5t#S256']}.")
    else:
        say(f"Signs with {client_key.algorithm}, key ID {client_key.key_id}.")
    for path in (profile.key_file, profile.cert_file):
        warning = file_warning(path) if path else None
        if warning:
            say(f"Warning: {warning}")


def save_key_profile(
    store: ConfigStore, profile: Profile, use_stdin: bool, *, default: bool
) -> bool:
    """Try the key, save the profile (and its password or pasted key); True when default."""
    from tray_app.core.credentials import CredentialStore, secret_fits
    from tray_app.core.repository import ProfileRepository

    secret = key_secret(profile, use_stdin)
    describe(profile, profile_key(profile, secret))
    credentials = CredentialStore()
    if secret and secret_fits(secret):
        credentials.check()
    config = ProfileRepository(store, credentials).save_profile(
        profile, secret or None, make_default=default
    )
    saved = config.find(profile.name)
    if saved is not None and saved.key_file != profile.key_file:
        say(
            "The key is too long for password storage on every system Token Tray runs on, so "
            f"it was saved as {saved.key_file}, readable by you only."
        )
    chosen = config.default_profile()
    return chosen is not None and chosen.id == profile.id


def new_secret(profile: Profile, use_stdin: bool) -> tuple[str, str]:
    """``profile set-secret``: what to store and what to call it (a secret, a key's password or
    a pasted key), checked against the key before anything is replaced."""
    if not profile.client_auth.uses_key:
        return read_secret(use_stdin, f"New client secret for {profile.name}: "), "client secret"
    if profile.key_file:
        password = read_secret(use_stdin, f"Password of the key file {profile.key_file}: ")
        profile_key(profile, password)
        return password, "key password"
    pasted = read_pasted_key()
    profile_key(profile, pasted)
    return pasted, "private key"
