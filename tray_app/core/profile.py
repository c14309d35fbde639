"""A profile: one client (token URL + client ID + options) whose token Token Tray keeps fresh.

The secret is *not* part of a profile: it lives in the keyring under :attr:`Profile.id`, a
random identifier that never changes, so renaming a profile keeps its secret.

Validation lives here so that the settings dialog (inline hints), the command line and the
config loader all apply the same rules. :func:`profile_problems` returns every problem keyed by
field name (for inline display); :func:`check_profile` raises the first as an :class:`AppError`.
"""

from __future__ import annotations

import dataclasses
import enum
import ipaddress
import math
import re
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from tray_app.core.errors import usage_error

DEFAULT_TIMEOUT = 15.0
MAX_TIMEOUT = 300
UNREADABLE_PROBLEM = (
    "The saved value had the wrong type, so the default is shown instead. Check it and save."
)
MAX_NAME_LENGTH = 64
RESERVED_PARAMS = frozenset(
    {"grant_type", "client_id", "client_secret", "client_assertion", "client_assertion_type"}
)
SIGNING_ALGORITHMS = ("RS256", "PS256", "ES256")
KEY_FIELDS = ("key_file", "cert_file", "key_id", "signing_alg", "assertion_audience")
# RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), separated by single spaces.
_SCOPE_TOKEN = re.compile(r"^[\x21\x23-\x5b\x5d-\x7e]+$")
# Control characters, and the invisible ones that reorder or hide text (bidi overrides like
# U+202E, zero-width marks): a name or URL holding them can display as something it is not.
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
FIELD_LABELS = {
    "name": "name",
    "token_url": "Token URL",
    "client_id": "Client ID",
    "scope": "scope",
    "audience": "audience",
    "resource": "resource",
    "extra_params": "extra parameters",
    "refresh_margin": "refresh margin",
    "timeout": "timeout",
    "api_url": "API URL",
    "client_auth": "client authentication",
    "key_file": "key file",
    "cert_file": "certificate file",
    "signing_alg": "signing algorithm",
}
"""How the settings window names each field (for titles like “Invalid Token URL”)."""


class BodyFormat(enum.StrEnum):
    """How the token request body is encoded."""

    FORM = "form"
    """``application/x-www-form-urlencoded`` (RFC 6749, every standard provider)."""
    JSON = "json"
    """``application/json`` (Tarkov Database identity service); credentials go in the body."""


class ClientAuth(enum.StrEnum):
    """How the client proves who it is (RFC 6749 §2.3, RFC 7523, RFC 8705)."""

    BASIC = "basic"
    """``Authorization: Basic …`` header with form-urlencoded ID and secret."""
    BODY = "body"
    """``client_id`` and ``client_secret`` as body parameters."""
    PRIVATE_KEY_JWT = "private_key_jwt"
    """A JWT signed with the client's private key (``client_assertion``); no shared secret."""
    TLS = "tls"
    """The client's certificate on the TLS connection (mutual TLS); ``client_id`` in the body."""

    @property
    def uses_key(self) -> bool:
        """True for the methods that authenticate with a private key instead of a secret."""
        return self in (ClientAuth.PRIVATE_KEY_JWT, ClientAuth.TLS)


def new_profile_id() -> str:
    """A fresh, stable identifier for a new profile (also its keyring user name)."""
    return uuid.uuid4().hex


@dataclasses.dataclass(frozen=True)
class Profile:
    """Everything needed to ask for a token, except the secret."""

    name: str
    token_url: str
    client_id: str
    id: str = dataclasses.field(default_factory=new_profile_id)
    scope: str = ""
    audience: str = ""
    resource: str = ""
    extra_params: tuple[tuple[str, str], ...] = ()
    body_format: BodyFormat = BodyFormat.FORM
    client_auth: ClientAuth = ClientAuth.BASIC
    refresh_margin: int | None = None
    """Seconds before expiry to refresh; ``None`` means the automatic margin (refresh.py)."""
    timeout: float = DEFAULT_TIMEOUT
    ca_bundle: str = ""
    """Path to a PEM file of extra trusted CAs; empty means the operating system's store."""
    api_url: str = ""
    """Optional address of the API the token is for; used to complete the copied curl command."""
    preset: str = ""
    """The provider preset it was set up with (core/presets.py); "" means Custom."""
    key_file: str = ""
    """Private key file (PEM or PKCS#12) for the key methods; "" = a key pasted in Settings,
    kept in password storage. Never the key itself: config.json holds only this path."""
    cert_file: str = ""
    """The client certificate (PEM or DER), unless the key file carries it."""
    key_id: str = ""
    """The ``kid`` the provider registered for the key; "" = derived (core/client_keys.py)."""
    signing_alg: str = ""
    """RS256, PS256 or ES256 for ``private_key_jwt``; "" = the key's usual one."""
    assertion_audience: str = ""
    """``aud`` of the signed assertion; "" = the Token URL."""
    unreadable: tuple[str, ...] = dataclasses.field(default=(), compare=False)
    """Fields whose stored value had the wrong type and were reset to the default (never
    saved: the next save writes the value shown in Settings)."""

    @property
    def effective_client_auth(self) -> ClientAuth:
        """JSON bodies always carry the credentials in the body (DESIGN.md)."""
        if self.body_format is BodyFormat.JSON and not self.client_auth.uses_key:
            return ClientAuth.BODY
        return self.client_auth

    def replace(self, **changes: Any) -> Profile:
        """A copy with some fields changed (the id stays unless given)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form stored in config.json (never contains a secret)."""
        data = dataclasses.asdict(self)
        del data["unreadable"]
        data["extra_params"] = [list(pair) for pair in self.extra_params]
        data["body_format"] = self.body_format.value
        data["client_auth"] = self.client_auth.value
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Profile:
        """Build a profile from stored JSON.

        The fields that say *which* client it is (id, name, Token URL, client ID) must be text,
        else the profile cannot be read at all (usage :class:`AppError`). Any other field of the
        wrong type is reset to its default and named in :attr:`unreadable`, so the profile still
        opens in Settings, marked, and can be fixed there; ranges are :func:`profile_problems`'
        business.
        """
        known = {f.name for f in dataclasses.fields(cls)} - {"unreadable"}
        values = {k: v for k, v in data.items() if k in known}
        missing = [n for n in _IDENTITY if not isinstance(values.get(n), str)]
        if missing:
            raise usage_error(
                "Profile cannot be read",
                f"A saved profile has a missing or invalid field ({missing[0]}).",
            )
        unreadable: list[str] = []
        for name, read in _READERS.items():
            if name not in values:
                continue
            try:
                values[name] = read(values[name])
            except (TypeError, ValueError):
                del values[name]
                unreadable.append(name)
        return cls(**values, unreadable=tuple(unreadable))


_IDENTITY = ("name", "token_url", "client_id", "id")


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("text expected")
    return value


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError("number expected")
    try:
        number = float(value)
    except OverflowError:
        raise ValueError("number too large") from None
    if not math.isfinite(number):
        raise ValueError("finite number expected")
    return number


def _margin(value: object) -> int | None:
    if value is None:
        return None
    number = _number(value)
    if not number.is_integer():
        raise ValueError("whole seconds expected")
    return int(number)


def _pairs(value: object) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, list | tuple):
        raise TypeError("list expected")
    pairs = []
    for pair in value:
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise TypeError("pairs expected")
        pairs.append((_text(pair[0]), _text(pair[1])))
    return tuple(pairs)


_READERS: dict[str, Any] = {
    "scope": _text,
    "audience": _text,
    "resource": _text,
    "ca_bundle": _text,
    "api_url": _text,
    "preset": _text,
    **dict.fromkeys(KEY_FIELDS, _text),
    "extra_params": _pairs,
    "body_format": lambda v: BodyFormat(_text(v)),
    "client_auth": lambda v: ClientAuth(_text(v)),
    "refresh_margin": _margin,
    "timeout": _number,
}
"""How each optional field is read from JSON; a reader raises TypeError/ValueError on junk."""


def is_loopback_host(host: str) -> bool:
    """True for ``localhost``, 127.0.0.0/8 and ``::1``: the only hosts plain http may reach."""
    if host.lower() in {"localhost", "localhost."}:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _parse_url(url: str) -> tuple[str, str, bool, str] | None:
    """(scheme, host, has user info, fragment), or ``None`` when it does not parse."""
    try:
        parts = urlsplit(url.strip())
        _ = parts.port  # raises ValueError for a bad port
    except ValueError:
        return None
    userinfo = parts.username is not None or parts.password is not None
    return parts.scheme, parts.hostname or "", userinfo, parts.fragment


def url_problem(url: str, what: str = "Token URL") -> str | None:
    """Why ``url`` may not be used for a token request, or ``None`` when it is fine."""
    if not url.strip():
        return f"{what} is required."
    if _CONTROL.search(url) or " " in url.strip():
        return f"{what} must not contain spaces or control characters."
    parsed = _parse_url(url)
    if parsed is None:
        return f"{what} is not a valid web address."
    scheme, host, userinfo, fragment = parsed
    checks = (
        (
            scheme not in {"https", "http"} or not host,
            "must start with https:// and name a server, like https://example.com/token.",
        ),
        (userinfo, "must not contain a user name or password."),
        (
            scheme == "http" and not is_loopback_host(host),
            "must start with https://. Ask whoever gave you the address for its https:// "
            "version (plain http:// only works for localhost).",
        ),
        (bool(fragment), "must not contain a '#' part."),
    )
    return next((f"{what} {text}" for failed, text in checks if failed), None)


def _text_problems(profile: Profile) -> dict[str, str]:
    problems: dict[str, str] = {}
    name = profile.name.strip()
    if not name:
        problems["name"] = "Give the profile a name, like “Tarkov API”."
    elif len(name) > MAX_NAME_LENGTH or _CONTROL.search(name):
        problems["name"] = f"Use a name of at most {MAX_NAME_LENGTH} ordinary characters."
    if not profile.client_id.strip():
        problems["client_id"] = "Client ID is required: paste the one you were given."
    elif _CONTROL.search(profile.client_id):
        problems["client_id"] = "Client ID must not contain line breaks or control characters."
    for field in ("audience", "resource"):
        if _CONTROL.search(getattr(profile, field)):
            problems[field] = "Must not contain line breaks or control characters."
    return problems


def _option_problems(profile: Profile) -> dict[str, str]:
    problems: dict[str, str] = {}
    scope = profile.scope.strip()
    if scope and not all(_SCOPE_TOKEN.match(part) for part in scope.split()):
        problems["scope"] = "Scopes are words separated by spaces, without quotes or backslashes."
    for key, _value in profile.extra_params:
        if not key.strip() or _CONTROL.search(key):
            problems["extra_params"] = "Every extra parameter needs a name."
        elif key in RESERVED_PARAMS:
            problems["extra_params"] = f"“{key}” is set by Token Tray itself; remove it."
    if profile.refresh_margin is not None and not 0 < profile.refresh_margin <= 86_400:
        problems["refresh_margin"] = "Refresh margin must be between 1 and 86400 seconds."
    if not 1 <= profile.timeout <= MAX_TIMEOUT:
        problems["timeout"] = f"Timeout must be between 1 and {MAX_TIMEOUT} seconds."
    if profile.api_url.strip():
        api_problem = url_problem(profile.api_url, "API URL")
        if api_problem:
            problems["api_url"] = api_problem
    return problems


def _key_problems(profile: Profile) -> dict[str, str]:
    problems: dict[str, str] = {}
    method = profile.client_auth
    if not method.uses_key:
        return problems
    if profile.body_format is BodyFormat.JSON:
        problems["client_auth"] = (
            "A private key or client certificate works with form requests only: choose "
            "Form as the request body."
        )
    if profile.signing_alg and profile.signing_alg not in SIGNING_ALGORITHMS:
        problems["signing_alg"] = "Signing algorithm must be RS256, PS256 or ES256."
    for field in ("key_file", "cert_file", "key_id", "assertion_audience"):
        if _CONTROL.search(getattr(profile, field)):
            problems[field] = "Must not contain line breaks or control characters."
    return problems


def profile_problems(profile: Profile) -> dict[str, str]:
    """Every problem with ``profile``, keyed by field name, in plain language."""
    problems = dict.fromkeys(profile.unreadable, UNREADABLE_PROBLEM)
    problems |= _text_problems(profile)
    token_url = url_problem(profile.token_url)
    if token_url:
        problems["token_url"] = token_url
    problems.update(_option_problems(profile))
    problems.update(_key_problems(profile))
    return problems


def stored_problems(profile: Profile) -> dict[str, str]:
    """What is wrong with the saved values of ``profile`` that a form cannot show as they are
    (a value of the wrong type was reset; a number out of range is clamped by its spin box)."""
    shown = {*profile.unreadable, "timeout", "refresh_margin"}
    return {key: text for key, text in profile_problems(profile).items() if key in shown}


def request_problem(profile: Profile) -> tuple[str, str] | None:
    """The first problem that makes a token request with ``profile`` impossible or unsafe to
    send as stored (a field that could not be read, a timeout of zero or beyond the maximum),
    else ``None``. Below one second is allowed here: tests and scripts use short timeouts."""
    problems = profile_problems(profile)
    if profile.unreadable:
        field = profile.unreadable[0]
        return FIELD_LABELS.get(field, field.replace("_", " ")), problems[field]
    if not 0 < profile.timeout <= MAX_TIMEOUT:
        return FIELD_LABELS["timeout"], problems["timeout"]
    return None


def check_profile(profile: Profile) -> Profile:
    """Return ``profile`` unchanged, or raise the first problem as a usage :class:`AppError`."""
    problems = profile_problems(profile)
    if problems:
        field, message = next(iter(problems.items()))
        raise usage_error(f"Invalid {FIELD_LABELS.get(field, field)}", message)
    return profile


def parse_extra_params(pairs: list[str]) -> tuple[tuple[str, str], ...]:
    """Turn ``KEY=VALUE`` strings (command line, dialog) into parameter pairs."""
    result: list[tuple[str, str]] = []
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise usage_error(
                "Invalid extra parameter", f"“{pair}” should look like KEY=VALUE, e.g. tenant=acme."
            )
        result.append((key.strip(), value))
    return tuple(result)
