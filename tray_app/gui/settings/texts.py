"""Stateless parts of the settings dialog: backend protocol, texts, small helpers, questions.

Kept apart so that :mod:`tray_app.gui.settings.profile_form` (the form),
:mod:`tray_app.gui.settings.view` (widgets and layout) and :mod:`tray_app.gui.settings.dialog`
(behaviour) share one set of texts. The result texts never contain a token or a secret: a token is
described by its type and how long it stays valid, an error by its title and plain message.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import pairwise
from typing import Protocol

from PySide6.QtWidgets import QMessageBox

from tray_app.core.config import AppSettings, Config
from tray_app.core.errors import AppError, ErrorKind
from tray_app.core.presets import PRESETS, apply_preset, preset_of_url
from tray_app.core.profile import Profile
from tray_app.core.source import needs_no_secret
from tray_app.core.status import format_remaining
from tray_app.core.token import Token

HINT_STYLE = "color: #b3261e;"
NOTE_STYLE = "color: palette(placeholder-text);"
PLACEHOLDER_STORED = "Saved in your password storage — leave empty to keep it"
PLACEHOLDER_DEMO = "Kept in memory for this demo only — leave empty to keep it"
PLACEHOLDER_NEW = "Paste the client secret you were given"
PLACEHOLDER_UNKNOWN = "Leave empty to keep the saved secret"
JSON_AUTH_NOTE = "JSON requests always send the client ID and secret in the request body."

TEXTS: dict[str, tuple[str, str, str]] = {
    # key: (label with mnemonic, placeholder, tooltip)
    "name": ("&Name:", "e.g. Tarkov API", "A name you choose; the tray menu shows it."),
    "token_url": (
        "Token &URL:",
        "https://example.com/oauth/token",
        "The address that hands out tokens. Providers call it “Token URL”, “Access Token URL” "
        "or “token endpoint”.",
    ),
    "client_id": (
        "Client &ID:",
        "Paste the client ID you were given",
        "The client ID (also called application ID or API key) you were given.",
    ),
    "secret": (
        "&Client secret:",
        PLACEHOLDER_NEW,
        "The client secret you were given. It is kept in your system's password storage, "
        "never in a file, and is never shown again after saving.",
    ),
    "scope": (
        "Sc&ope:",
        "Optional, e.g. read write",
        "Optional. The permissions to ask for, separated by spaces. Leave empty unless you "
        "were told to set one.",
    ),
    "audience": (
        "&Audience:",
        "Optional, e.g. https://api.example.com",
        "Optional. The API the token is meant for, if your provider asks for one.",
    ),
    "body_format": (
        "Bod&y format:",
        "",
        "How the request is written. Almost every provider expects Form; choose JSON only if "
        "your provider says so.",
    ),
    "client_auth": (
        "Client aut&hentication:",
        "",
        "How the client ID and secret are sent. The Basic header is the standard; some "
        "providers want them in the request body instead.",
    ),
    "resource": (
        "&Resource:",
        "Optional",
        "Optional. The resource the token is for, if your provider asks for one.",
    ),
    "extra_params": (
        "E&xtra parameters:",
        "Optional, one per line, e.g. tenant=acme",
        "More values to send with the request, as name=value lines.",
    ),
    "refresh_margin": (
        "Re&fresh margin:",
        "",
        "How long before expiry a new token is fetched. Automatic: a fifth of the token's "
        "lifetime, between 30 s and 5 min.",
    ),
    "timeout": ("Ti&meout:", "", "How long to wait for the server before giving up."),
    "ca_bundle": (
        "CA &bundle:",
        "Optional: this computer's certificates are used",
        "A PEM file of extra trusted certificate authorities, for servers with a company "
        "certificate. Leave empty to use this computer's trusted certificates.",
    ),
    "api_url": (
        "A&PI URL:",
        "Optional, e.g. https://api.example.com/v1/items",
        "The API you call with the token; completes the “Copy as curl” command.",
    ),
}


WRONG_FIELD_HINT = (
    "This looks like the client secret. Remove it from here and paste it into “Client "
    "secret”: this field is saved in a plain file and sent as it is."
)
_SECRET_WORD = re.compile(r"[A-Za-z0-9_\-~.+/=]{20,}")
_UUID = re.compile(r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")


def looks_like_secret(text: str) -> bool:
    """True for a word shaped like a generated secret: long, letters and digits, and changing
    between lower case, upper case, digits and symbols at almost every other character (names
    and CamelCase words change far less often; URLs and scopes contain ``:`` or spaces). A UUID
    is an ID (audiences and resources often are one), not a secret."""
    for word in text.split():
        if not _SECRET_WORD.fullmatch(word) or _UUID.fullmatch(word):
            continue
        if not (any(c.isdigit() for c in word) and any(c.isalpha() for c in word)):
            continue
        kinds = [_kind(c) for c in word]
        changes = sum(a != b for a, b in pairwise(kinds))
        if changes / len(word) >= 0.35:
            return True
    return False


SECRET_FREE_FIELDS = ("name", "client_id", "scope", "audience", "resource", "api_url")
"""Fields saved in config.json or sent in clear: a secret must never land there."""


def misplaced_secrets(text_of: Callable[[str], str], secret: str) -> dict[str, str]:
    """The fields of :data:`SECRET_FREE_FIELDS` (``text_of(key)`` reads one) that hold the
    ``secret`` typed in its own field, or a value shaped like a secret (the client ID may look
    random, so only the first test applies to it)."""
    found = {}
    for key in SECRET_FREE_FIELDS:
        text = text_of(key)
        typed_here = len(secret) >= 8 and secret in text
        if typed_here or (key != "client_id" and looks_like_secret(text)):
            found[key] = WRONG_FIELD_HINT
    return found


def _kind(char: str) -> int:
    return 0 if char.islower() else 1 if char.isupper() else 2 if char.isdigit() else 3


def parse_param_lines(text: str) -> tuple[tuple[tuple[str, str], ...], str | None]:
    """``name=value`` lines → pairs, plus a hint when a non-empty line has no ``=``."""
    pairs: list[tuple[str, str]] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        key, sep, value = line.partition("=")
        if not sep:
            return tuple(pairs), f"Write each parameter as name=value (“{line.strip()[:30]}”)."
        pairs.append((key.strip(), value.strip()))
    return tuple(pairs), None


WELCOME = (
    "Welcome! Choose who gave you your client ID and secret (Provider), fill in what is "
    "asked, then press Test. No credentials yet? Try the demo."
)
PASTE_HINT = "Paste the client secret you were given."
TARKOV_PRESET = "tarkov-database"
DEMO_BANNER = (
    "<b>Demo mode</b> — tokens come from a built-in test server. Nothing you save here is "
    "kept: leave the demo to set up your own profiles."
)
DEMO_STYLE = "background: #fff4ce; color: #5c4400; padding: 6px; border-radius: 4px;"
DEMO_SAVED = " (Demo: it is gone when you leave the demo or quit.)"
OK_STYLE = "color: #1e7e34;"
Choice = QMessageBox.StandardButton


class SecretStore(Protocol):
    """The part of :class:`~tray_app.core.credentials.CredentialStore` the dialog uses."""

    def get_secret(self, profile_id: str) -> str | None: ...
    def backend_name(self) -> str: ...


class SettingsBackend(Protocol):
    """What the dialog needs from :class:`~tray_app.core.repository.ProfileRepository`.

    Every method blocks (config file, keyring): the dialog calls them on a worker thread.
    """

    @property
    def credentials(self) -> SecretStore: ...
    def load(self) -> Config: ...
    def save_profile(
        self, profile: Profile, secret: str | None, *, make_default: bool = False
    ) -> Config: ...
    def remove_profile(self, profile_id: str) -> Config: ...
    def set_default(self, profile_id: str) -> Config: ...
    def save_settings(self, settings: AppSettings) -> Config: ...
    def has_secret(self, profile_id: str) -> bool: ...


def describe_token(token: Token) -> str:
    """The Test result for a token: its type and lifetime, never its value."""
    kind = "Bearer" if token.token_type.lower() == "bearer" else token.token_type
    line = f"✓ Got a {kind} token, valid for {format_remaining(token.lifetime)}"
    if not token.lifetime_from_server:
        line += " (the server did not say; assumed)"
    return f"{line} — {token.client_proof}" if token.client_proof else line


_HOST_NAME = re.compile(r"\b[A-Za-z0-9][A-Za-z0-9-]*(\.[A-Za-z0-9-]+)+\b")


def unbroken_hosts(text: str) -> str:
    """``text`` with the hyphens of host names made non-breaking: a wrapped label must not
    split “identity.tarkov-database.com” into “identity.tarkov-” and “database.com”."""
    return _HOST_NAME.sub(lambda found: found.group().replace("-", "\u2011"), text)


def describe_error(error: AppError) -> str:
    return unbroken_hosts(f"✗ {error.title} — {error.message}")


def preset_suggestion(profile: Profile) -> dict[str, str]:
    """Under "Other", a Token URL of a provider Token Tray knows, sent in a way that provider
    does not take (Tarkov's address with a form body fails): a problem naming the preset."""
    preset = None if profile.preset else preset_of_url(profile.token_url)
    if preset is None:
        return {}
    way = (profile.body_format, profile.effective_client_auth)
    if way == (preset.body_format, preset.client_auth):
        return {}
    return {
        "token_url": f"This is the {preset.title} address: choose “{preset.title}” under "
        "Provider, so the request is sent the way it expects."
    }


def new_profile() -> Profile:
    """A new, empty profile, on the Tarkov Database preset: most people who open Token Tray
    were handed Tarkov Database credentials (the others choose their provider first)."""
    tarkov = PRESETS[TARKOV_PRESET]
    return apply_preset(tarkov, Profile(name="", token_url="", client_id=""), {})


def fetch_with_stored_secret(
    backend: SettingsBackend, fetch: Callable[[Profile, str], Token], profile: Profile
) -> Token:
    """Worker side of Test for a saved secret; the secret never leaves this function."""
    secret = backend.credentials.get_secret(profile.id)
    if not secret and not needs_no_secret(profile):
        raise AppError(ErrorKind.USAGE, "No client secret saved", PASTE_HINT)
    return fetch(profile, secret or "")
