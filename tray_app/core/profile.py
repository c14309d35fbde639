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
import re
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from tray_app.core.errors import usage_error

DEFAULT_TIMEOUT = 15.0
MAX_NAME_LENGTH = 64
RESERVED_PARAMS = frozenset({"grant_type", "client_id", "client_secret"})
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
}
"""How the settings window names each field (for titles like “Invalid Token URL”)."""


class BodyFormat(enum.StrEnum):
    """How the token request body is encoded."""

    FORM = "form"
    """``application/x-www-form-urlencoded`` (RFC 6749, every standard provider)."""
    JSON = "json"
    """``application/json`` (Tarkov Database identity service); credentials go in the body."""


class ClientAuth(enum.StrEnum):
    """Where the client ID and secret travel (RFC 6749 §2.3.1)."""

    BASIC = "basic"
    """``Authorization: Basic …`` header with form-urlencoded ID and secret."""
    BODY = "body"
    """``client_id`` and ``client_secret`` as body parameters."""


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

    @property
    def effective_client_auth(self) -> ClientAuth:
        """JSON bodies always carry the credentials in the body (DESIGN.md)."""
        return ClientAuth.BODY if self.body_format is BodyFormat.JSON else self.client_auth

    def replace(self, **changes: Any) -> Profile:
        """A copy with some fields changed (the id stays unless given)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form stored in config.json (never contains a secret)."""
        data = dataclasses.asdict(self)
        data["extra_params"] = [list(pair) for pair in self.extra_params]
        data["body_format"] = self.body_format.value
        data["client_auth"] = self.client_auth.value
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Profile:
        """Build a profile from stored JSON; raises :class:`AppError` (usage) on bad shapes."""
        try:
            known = {f.name for f in dataclasses.fields(cls)}
            values = {k: v for k, v in data.items() if k in known}
            values["extra_params"] = tuple(
                (str(k), str(v)) for k, v in values.get("extra_params", ())
            )
            values["body_format"] = BodyFormat(values.get("body_format", "form"))
            values["client_auth"] = ClientAuth(values.get("client_auth", "basic"))
            _require_text(values, ("name", "token_url", "client_id", "id"))
            _require_text(values, ("preset",) if "preset" in values else ())
            return cls(**values)
        except (TypeError, ValueError) as exc:
            raise usage_error(
                "Profile cannot be read",
                f"A saved profile has a missing or invalid field ({exc}).",
            ) from None


def _require_text(values: Mapping[str, Any], names: tuple[str, ...]) -> None:
    for name in names:
        if not isinstance(values.get(name), str):
            raise TypeError(name)


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
    if not 1 <= profile.timeout <= 300:
        problems["timeout"] = "Timeout must be between 1 and 300 seconds."
    if profile.api_url.strip():
        api_problem = url_problem(profile.api_url, "API URL")
        if api_problem:
            problems["api_url"] = api_problem
    return problems


def profile_problems(profile: Profile) -> dict[str, str]:
    """Every problem with ``profile``, keyed by field name, in plain language."""
    problems = _text_problems(profile)
    token_url = url_problem(profile.token_url)
    if token_url:
        problems["token_url"] = token_url
    problems.update(_option_problems(profile))
    return problems


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
