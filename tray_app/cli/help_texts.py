"""Help texts of the ``token-tray`` command, kept apart so the command modules
stay about behaviour.

Written for someone who was handed a client ID and secret: plain words, and an example for
every common task.
"""

from __future__ import annotations

from tray_app.core.presets import PRESETS

MAIN_EPILOG = """\
examples:
  token-tray                       start the tray
  token-tray profile add work --token-url https://auth.example.com/oauth/token \\
      --client-id my-app --secret-stdin < secret.txt
  curl -H "$(token-tray token --format header)" https://api.example.com/
  TOKEN=$(token-tray token --profile work)
  token-tray status                what the running Token Tray holds
  token-tray agent                 no desktop (SSH, WSL): keep tokens fresh without a window

exit codes:
  0 ok · 1 internal error · 2 bad arguments or configuration · 3 the token server
  refused the request (read the message: client ID/secret, scope or Token URL) ·
  4 no usable token (network, server) · 5 no secure password storage, or it is locked ·
  6 (status only) no Token Tray is running
"""
ADD_EPILOG = """\
The client secret is never an argument: type it at the hidden prompt or pipe it in.

providers (--preset NAME) and what each needs besides --client-id:
  tarkov-database   nothing else (client ID is a UUID, secret 43 characters)
  auth0             --domain acme.eu.auth0.com --audience YOUR-API-IDENTIFIER
  entra-id          --tenant TENANT-ID --scope api://APP-ID/.default
  okta              --issuer https://acme.okta.com/oauth2/default (looked up)
  keycloak          --server https://sso.example.com --realm acme (looked up)
  cognito           --domain acme.auth.eu-west-1.amazoncognito.com [--scope …]
  custom            --token-url URL (the default when --preset is not given)
Any provider with OpenID Connect: --issuer URL finds the Token URL by itself.

examples:
  token-tray profile add tarkov --preset tarkov-database --client-id 0b9c...
  token-tray profile add shop --preset auth0 --domain acme.eu.auth0.com \\
      --audience https://api.acme.example --client-id AbC123
  token-tray profile add tarkov --body json --client-id 0b9c... \\
      --token-url https://identity.tarkov-database.com/v1/oauth/token
  printf '%s\\n' "$SECRET" | token-tray profile add work --secret-stdin \\
      --token-url https://auth.example.com/oauth/token --client-id my-app --scope read
"""
EDIT_EPILOG = """\
Only what you give changes; the saved client secret stays (replace it with
`token-tray profile set-secret NAME`). A running Token Tray uses the change at once.

examples:
  token-tray profile edit work --token-url https://auth.example.com/oauth/token
  token-tray profile edit work --name "work (old)"
  token-tray profile edit work --scope "read write" --param tenant=acme --param region=
"""
SCRIPT_EPILOG = """\
While Token Tray (or `token-tray agent`) runs, the token comes from it: no request to the token
server. Otherwise a new token is fetched and nothing is kept on disk.
The token goes to stdout with a newline; messages go to stderr.

examples:
  curl -H "$(token-tray token --format header)" https://api.example.com/
  token-tray token --profile work --min-valid 300 --format json
"""
NO_PROFILE = (
    "Add one with `token-tray profile add NAME --token-url URL --client-id ID`, "
    "or open Settings from the tray icon."
)
MIN_VALID = (
    "the token must stay valid at least this long (default: what Token Tray keeps in reserve, "
    "a fifth of the token's lifetime between 30 s and 5 min; a token fetched just now is always "
    "taken). More than the token server's lifetime is refused with exit code 2"
)
NEW = (
    "a token fetched just now, not the one Token Tray holds (also after a failure it "
    "remembers); calls at the same moment share one request"
)
FORMATS = (
    "raw = the token only (default); header = 'Authorization: Bearer …'; "
    "curl = a curl command; json = the token with its expiry; env = export lines for "
    'eval "$(token-tray token --format env)" (ACCESS_TOKEN, ACCESS_TOKEN_EXPIRES_AT in '
    "seconds since the epoch)"
)
PARAM = "an extra request parameter (repeat for more)"
EDIT_PARAM = "set an extra request parameter (repeat for more); KEY= with nothing after removes it"
SECRET_STDIN = "read the secret from stdin"  # noqa: S105 - a help text
BODY = "request body: form (standard, the default) or json (e.g. Tarkov Database)"
AUTH = (
    "how the client proves who it is: basic (the ID and secret in a header, the default for "
    "form bodies), body (in the request body), private-key-jwt (a key signs for it: --key) or "
    "tls (a client certificate: --key and --cert)"
)
KEY_OPTIONS = (
    ("--key", "FILE", "the private key (PEM or PKCS#12 .p12/.pfx) for private-key-jwt or tls"),
    ("--cert", "FILE", "the client certificate, unless the key file holds it"),
    ("--key-id", "KID", "the key ID the provider shows for your key (default: derived)"),
    ("--signing-alg", "ALG", "RS256, PS256 or ES256 (default: what the key usually uses)"),
    ("--assertion-audience", "URL", "aud of the signed key assertion (default: the Token URL)"),
)
TIMEOUT = "seconds to wait for the token server (default: 15)"
MARGIN = "refresh this many seconds before expiry (default: automatic)"
PRESET_HELP = "a provider that fills in the rest: " + ", ".join(PRESETS)
HELPER_OPTIONS = (
    ("--domain", "Auth0 or Cognito domain, e.g. acme.eu.auth0.com (with --preset)"),
    ("--tenant", "Microsoft Entra ID tenant ID or domain (with --preset entra-id)"),
    ("--server", "Keycloak server address, e.g. https://sso.example.com (--preset keycloak)"),
    ("--realm", "Keycloak realm name (with --preset keycloak)"),
)
TEXT_OPTIONS = (
    ("--scope", "S", "scopes to ask for, separated by spaces"),
    ("--audience", "A", "the audience to ask for"),
    ("--resource", "R", "the resource to ask for"),
    ("--api-url", "URL", "address of the API the token is for (completes the curl command)"),
    ("--ca-bundle", "FILE", "a PEM file of extra trusted certificate authorities"),
)
EXPORT_EPILOG = """\
The file holds everything but the client secret; give the secret to your teammates
separately (not in the same message).

examples:
  token-tray profile export tarkov > tarkov.json
  token-tray profile export tarkov --output ~/Desktop/tarkov.json
"""
IMPORT_EPILOG = """\
Asks for the client secret at a hidden prompt (or reads it with --secret-stdin).

examples:
  token-tray profile import tarkov.json
  token-tray profile import tarkov.json --name "Tarkov (test)"
"""
