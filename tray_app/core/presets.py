"""Provider presets: what to ask for, how to build the Token URL, and the typical mistakes.

A preset turns the few values a provider's admin hands out ("our Auth0 tenant is acme.eu.auth0
.com") into a complete profile, and explains each field in plain words. Pure data and functions,
shared by the settings dialog and ``token-tray profile add --preset``.

Design decisions:

* **Helper fields are not stored.** A tenant, domain or realm only serves to build the Token
  URL (or the issuer URL to discover it from); the profile keeps the resulting ``token_url``
  and the preset's key (``Profile.preset``), so nothing new has to be kept in sync.
  :func:`helper_values` reads the helpers back from a saved profile's Token URL.
* **Client authentication per provider**, taken from what each provider documents for
  client-credentials apps: Tarkov Database wants a JSON body (credentials in it); Auth0's
  machine-to-machine applications default to “Client Secret (Post)”, so the secret goes in the
  form body; Microsoft Entra ID documents ``client_secret`` as a body parameter; Amazon Cognito
  documents the Basic header. Okta and Keycloak are looked up by discovery, which reads the
  server's own ``token_endpoint_auth_methods_supported``.
* **Typical mistakes are problems, not warnings**: a Tarkov client ID that is not a UUID, a
  Tarkov secret that is not 43 base64url characters, an Auth0 profile without audience, an Entra
  ID scope not ending in ``/.default``. :func:`preset_problems` returns them keyed by field,
  like :func:`~tray_app.core.profile.profile_problems`, so the dialog shows them inline as the
  user types and the command line refuses them. Choosing "Custom" lifts every preset rule.
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Callable, Mapping
from urllib.parse import urlsplit

from tray_app.core.errors import usage_error
from tray_app.core.profile import (
    FIELD_LABELS,
    BodyFormat,
    ClientAuth,
    Profile,
    profile_problems,
    url_problem,
)

CUSTOM = "custom"
TARKOV_TOKEN_URL = "https://identity.tarkov-database.com/v1/oauth/token"  # noqa: S105 - a URL
TARKOV_SECRET_LENGTH = 43
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+")
_HOST = re.compile(r"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")
_TENANT = re.compile(r"^[A-Za-z0-9.-]{1,100}$")
_REALM = re.compile(r"^[^\s/?#]{1,100}$")
_KEYCLOAK = re.compile(r"^(https?://[^?#]+?)/realms/([^/?#]+)")


@dataclasses.dataclass(frozen=True)
class HelperField:
    """One value a preset asks for instead of the Token URL (e.g. the Auth0 tenant domain)."""

    key: str
    label: str
    placeholder: str
    explanation: str


@dataclasses.dataclass(frozen=True)
class Preset:
    """What a provider needs; see the module docstring."""

    key: str
    title: str
    explanation: str
    helpers: tuple[HelperField, ...] = ()
    body_format: BodyFormat = BodyFormat.FORM
    client_auth: ClientAuth = ClientAuth.BASIC
    discovery: bool = False
    """True when the Token URL is looked up from an issuer URL (OIDC / RFC 8414)."""
    needs_audience: bool = False
    scope_hint: str = ""
    build: Callable[[Mapping[str, str]], str] | None = None
    """Helper values → the Token URL (or the issuer URL for discovery presets)."""
    read_back: Callable[[str], dict[str, str]] | None = None
    key_route: str = ""
    """How this provider registers a private key or certificate instead of a secret ("" =
    it has no such route or nothing to add); shown when a key method is chosen."""
    """A saved Token URL → helper values (best effort, for showing a saved profile)."""

    @property
    def fixed_token_url(self) -> bool:
        """True when the preset decides the Token URL (the user does not type it)."""
        return self.build is not None and not self.discovery

    def target_url(self, values: Mapping[str, str]) -> str:
        """The Token URL (or issuer URL) built from ``values``; "" while incomplete."""
        if self.build is None or helper_problems(self, values):
            return ""
        return self.build(values)


def _host_of(url: str) -> str:
    try:
        return urlsplit(url).hostname or ""
    except ValueError:
        return ""


def _path_part(url: str, index: int) -> str:
    try:
        parts = urlsplit(url).path.split("/")
    except ValueError:
        return ""
    return parts[index] if len(parts) > index else ""


def _keycloak_read_back(url: str) -> dict[str, str]:
    """``https://host[/auth]/realms/R/…`` → server (with any /auth prefix) and realm."""
    found = _KEYCLOAK.match(url)
    return {"server": found.group(1), "realm": found.group(2)} if found else {}


def _okta_read_back(url: str) -> dict[str, str]:
    issuer = url.removesuffix("/v1/token")
    return {"issuer": issuer} if issuer != url else {}


DOMAIN_HELP = "Only the name, without https:// — e.g. "

PRESETS: dict[str, Preset] = {
    preset.key: preset
    for preset in (
        Preset(
            key="tarkov-database",
            title="Tarkov Database",
            explanation=(
                "The Tarkov Database API. Paste the client ID (it looks like "
                "0b2f1e4c-6a51-4f0e-9d3a-6c1f2b7e8a90) and the 43-character secret you were "
                "given; everything else is filled in."
            ),
            body_format=BodyFormat.JSON,
            client_auth=ClientAuth.BODY,
            build=lambda _values: TARKOV_TOKEN_URL,
        ),
        Preset(
            key="auth0",
            title="Auth0",
            explanation=(
                "Enter your Auth0 domain and the API identifier (Audience) from the Auth0 "
                "dashboard: Applications → APIs → your API → Identifier."
            ),
            helpers=(
                HelperField(
                    "domain",
                    "Auth0 domain:",
                    "e.g. acme.eu.auth0.com",
                    DOMAIN_HELP + "acme.eu.auth0.com (Applications → your app → Domain).",
                ),
            ),
            client_auth=ClientAuth.BODY,
            needs_audience=True,
            build=lambda values: f"https://{values['domain']}/oauth/token",
            key_route=(
                "Auth0's “Private Key JWT”: in the application's Credentials tab choose it and "
                "add your public key; Auth0 shows a Key ID to enter here."
            ),
            read_back=lambda url: {"domain": _host_of(url)},
        ),
        Preset(
            key="entra-id",
            title="Microsoft Entra ID (Azure AD)",
            explanation=(
                "Enter the Directory (tenant) ID and, as Scope, the application ID URI of the "
                "API followed by /.default — e.g. api://1234…/.default."
            ),
            helpers=(
                HelperField(
                    "tenant",
                    "Tenant:",
                    "e.g. 72f988bf-86f1-41af-91ab-2d7cd011db47 or contoso.onmicrosoft.com",
                    "The Directory (tenant) ID from the app registration's Overview page, or "
                    "your tenant's domain name.",
                ),
            ),
            client_auth=ClientAuth.BODY,
            scope_hint="api://APP-ID/.default",
            key_route=(
                "No client secrets allowed in your tenant? Upload the certificate under "
                "Certificates & secrets → Certificates in the app registration, then choose "
                "“Private key (signed JWT)” with the certificate's key file and the certificate: "
                "Entra ID finds it by its thumbprint."
            ),
            build=lambda values: (
                f"https://login.microsoftonline.com/{values['tenant']}/oauth2/v2.0/token"
            ),
            read_back=lambda url: {"tenant": _path_part(url, 1)},
        ),
        Preset(
            key="okta",
            title="Okta",
            explanation=(
                "Enter the Issuer URI of your Okta authorization server (Security → API → "
                "Authorization Servers), then press Discover. Scope: a custom scope of that "
                "server."
            ),
            helpers=(
                HelperField(
                    "issuer",
                    "Issuer URL:",
                    "e.g. https://acme.okta.com/oauth2/default",
                    "The Issuer URI shown for your authorization server in Okta.",
                ),
            ),
            discovery=True,
            build=lambda values: values["issuer"],
            read_back=_okta_read_back,
            key_route=(
                "Okta recommends a key instead of a secret: in the app's General settings set "
                "Client authentication to “Public key / Private key”, add your public key (or "
                "let Okta make the pair), and enter the Key ID Okta shows next to it."
            ),
        ),
        Preset(
            key="keycloak",
            title="Keycloak",
            explanation=(
                "Enter the address of your Keycloak server and the realm name, then press Discover."
            ),
            helpers=(
                HelperField(
                    "server",
                    "Server URL:",
                    "e.g. https://sso.example.com",
                    "The address of the Keycloak server, without /realms/….",
                ),
                HelperField(
                    "realm",
                    "Realm:",
                    "e.g. acme",
                    "The realm your client lives in (top left in the Keycloak admin console).",
                ),
            ),
            discovery=True,
            build=lambda values: f"{values['server'].rstrip('/')}/realms/{values['realm']}",
            read_back=_keycloak_read_back,
            key_route=(
                "In the client's Credentials tab, “Signed JWT” takes a key (import its "
                "certificate or JWKS under Keys), and “X509 Certificate” takes a client "
                "certificate: choose “Client certificate (mutual TLS)” here."
            ),
        ),
        Preset(
            key="cognito",
            title="Amazon Cognito",
            explanation=(
                "Enter the Cognito domain of your user pool (App integration → Domain). Add a "
                "Scope if your app client needs one, e.g. my-api/read."
            ),
            helpers=(
                HelperField(
                    "domain",
                    "Cognito domain:",
                    "e.g. acme.auth.eu-west-1.amazoncognito.com",
                    DOMAIN_HELP + "acme.auth.eu-west-1.amazoncognito.com or your custom domain.",
                ),
            ),
            build=lambda values: f"https://{values['domain']}/oauth2/token",
            read_back=lambda url: {"domain": _host_of(url)},
        ),
        Preset(
            key=CUSTOM,
            title="Other (enter the Token URL)",
            explanation="Enter the Token URL, client ID and secret you were given.",
        ),
    )
}


_HOSTS_OF_PRESETS = (
    ("identity.tarkov-database.com", "tarkov-database"),
    (".auth0.com", "auth0"),
    ("login.microsoftonline.com", "entra-id"),
    (".amazoncognito.com", "cognito"),
)


def preset_of_url(token_url: str) -> Preset | None:
    """The preset whose provider serves ``token_url`` (by its host), or None."""
    host = _host_of(token_url).lower()
    for suffix, key in _HOSTS_OF_PRESETS:
        if host == suffix.lstrip(".") or (suffix.startswith(".") and host.endswith(suffix)):
            return PRESETS[key]
    return None


def preset_for(key: str) -> Preset:
    """The preset called ``key`` ("" means Custom); a usage error names the known ones."""
    preset = PRESETS.get(key or CUSTOM)
    if preset is None:
        known = ", ".join(PRESETS)
        message = f"There is no preset “{key}”. Choose one of: {known}."
        raise usage_error("Unknown provider", message)
    return preset


def _helper_problem(key: str, value: str) -> str | None:
    value = value.strip()
    if not value:
        return "Required for this provider."
    if key == "domain" and not _HOST.match(value):
        return "Enter only the domain name, like acme.eu.auth0.com (no https://, no /)."
    if key == "tenant" and not _TENANT.match(value):
        return "Enter the tenant ID (a UUID) or a domain like contoso.onmicrosoft.com."
    if key == "realm" and not _REALM.match(value):
        return "Enter only the realm name, without spaces or slashes."
    if key in {"issuer", "server"}:
        what = "Issuer URL" if key == "issuer" else "Server URL"
        return url_problem(value, what)
    return None


def helper_problems(preset: Preset, values: Mapping[str, str]) -> dict[str, str]:
    """Problems of the helper values, keyed by helper key."""
    found = {h.key: _helper_problem(h.key, values.get(h.key, "")) for h in preset.helpers}
    return {key: text for key, text in found.items() if text}


def helper_values(preset: Preset, token_url: str) -> dict[str, str]:
    """The helper values that would produce ``token_url`` (empty when unknown)."""
    if preset.read_back is None or not token_url:
        return {}
    return {k: v for k, v in preset.read_back(token_url).items() if v}


def tarkov_client_id_problem(client_id: str) -> str | None:
    text = client_id.strip()
    try:
        uuid.UUID(text)
    except ValueError:
        return (
            "A Tarkov client ID looks like 0b2f1e4c-6a51-4f0e-9d3a-6c1f2b7e8a90 (36 "
            f"characters); this one has {len(text)}. Paste it again."
        )
    return None


def tarkov_secret_problem(secret: str) -> str | None:
    """A plain hint when a Tarkov secret cannot be right (never quotes the secret)."""
    text = secret.strip()
    if not text:
        return None
    if not _BASE64URL.fullmatch(text):
        return "A Tarkov Database secret has only letters, digits, - and _. Paste it again."
    if len(text) != TARKOV_SECRET_LENGTH:
        return (
            f"A Tarkov Database secret has {TARKOV_SECRET_LENGTH} characters; this one has "
            f"{len(text)}. Check that the whole secret was copied."
        )
    return None


def owns_url(preset: Preset, token_url: str) -> bool:
    """False when ``preset`` decides the Token URL and ``token_url`` is not one it builds.

    A profile (or an imported file) could otherwise wear a provider's name while its secret
    goes to another server: the settings window greys out a preset's Token URL, so the name is
    all the user sees.
    """
    if not preset.fixed_token_url:
        return True
    url = token_url.strip()
    return bool(url) and preset.target_url(helper_values(preset, url)) == url


def shown_preset(preset_key: str, token_url: str) -> str:
    """The preset a profile may be shown as: its own, or Custom when the URL is not the preset's."""
    preset = PRESETS.get(preset_key)
    return preset_key if preset is not None and owns_url(preset, token_url) else CUSTOM


def _foreign_url(preset: Preset, token_url: str) -> str:
    host = _host_of(token_url) or "another server"
    expected = _host_of(preset.target_url({})) if not preset.helpers else ""
    where = f" ({expected})" if expected else ""
    return (
        f"This Token URL sends the secret to {host}, not to {preset.title}{where}. Choose "
        "“Other” as provider if you really want this server."
    )


def preset_problems(profile: Profile, secret: str = "") -> dict[str, str]:
    """The typical mistakes for ``profile.preset`` (empty for Custom or an unknown preset)."""
    preset = PRESETS.get(profile.preset)
    if preset is None or preset.key == CUSTOM:
        return {}
    problems: dict[str, str] = {}
    if preset.key == "tarkov-database":
        id_problem = tarkov_client_id_problem(profile.client_id)
        secret_problem = tarkov_secret_problem(secret)
        problems.update({"client_id": id_problem} if id_problem else {})
        problems.update({"secret": secret_problem} if secret_problem else {})
    if preset.needs_audience and not profile.audience.strip():
        problems["audience"] = "Auth0 needs the Audience: the Identifier of your API in Auth0."
    if preset.key == "entra-id" and not profile.scope.strip().endswith("/.default"):
        problems["scope"] = (
            "Microsoft Entra ID needs the scope as the API's application ID URI followed by "
            "/.default, e.g. api://1234…/.default."
        )
    if not owns_url(preset, profile.token_url):
        problems["token_url"] = _foreign_url(preset, profile.token_url)
    return problems


def all_problems(profile: Profile, secret: str = "") -> dict[str, str]:
    """:func:`profile_problems` plus the preset's rules (the general rule wins per field)."""
    return {**preset_problems(profile, secret), **profile_problems(profile)}


def check_with_preset(profile: Profile, secret: str = "") -> Profile:
    """Return ``profile``, or raise its first problem (preset rules included) as usage error."""
    problems = all_problems(profile, secret)
    if problems:
        field, message = next(iter(problems.items()))
        label = "client secret" if field == "secret" else FIELD_LABELS.get(field, field)
        raise usage_error(f"Invalid {label}", message)
    return profile


def apply_preset(preset: Preset, profile: Profile, values: Mapping[str, str]) -> Profile:
    """``profile`` with the preset's request settings and, when it decides it, the Token URL."""
    changes: dict[str, object] = {
        "preset": "" if preset.key == CUSTOM else preset.key,
        "body_format": preset.body_format,
        "client_auth": preset.client_auth,
    }
    if profile.client_auth.uses_key and preset.body_format is BodyFormat.FORM:
        changes["client_auth"] = profile.client_auth  # a key is chosen on purpose: keep it
    if preset.fixed_token_url:
        changes["token_url"] = preset.target_url(values)
    if preset.key == CUSTOM:
        changes.pop("body_format")
        changes.pop("client_auth")
    return profile.replace(**changes)
