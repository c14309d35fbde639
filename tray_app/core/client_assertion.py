"""The signed client assertion of ``private_key_jwt`` (RFC 7523 §2.2, OpenID Connect Core §9).

Instead of a secret, the token request carries a short-lived JWT signed with the client's
private key: ``client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer``
and ``client_assertion=<JWT>``.

Design decisions:

* **Claims.** ``iss`` = ``sub`` = the client ID; ``aud`` = the token endpoint, which RFC 7523
  names and every provider accepts (a profile may name another audience, e.g. an issuer);
  ``jti`` random per request, so a provider's replay check never refuses a fresh one; ``iat``
  and ``nbf`` now; ``exp`` five minutes ahead (Entra ID refuses assertions valid for longer than
  ten minutes, and a token request takes seconds).
* **Header.** ``alg``, ``typ`` ``JWT``, ``kid``; with a certificate also ``x5t#S256`` and
  ``x5t`` (SHA-1), which Entra ID still reads to find the certificate.
* Signing is PyJWT's (on ``cryptography``), a well-kept library: RS256, PS256 and ES256 are
  exactly what it implements, byte for byte as RFC 7518 says (ES256 as raw ``r || s``).
"""

from __future__ import annotations

import secrets
from typing import Any

from tray_app.core.client_keys import ClientKey

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
LIFETIME = 300


def assertion_claims(client_id: str, audience: str, now: float, jti: str) -> dict[str, Any]:
    issued = int(now)
    return {
        "iss": client_id,
        "sub": client_id,
        "aud": audience,
        "jti": jti,
        "iat": issued,
        "nbf": issued,
        "exp": issued + LIFETIME,
    }


def assertion_header(key: ClientKey) -> dict[str, str]:
    header = {"kid": key.key_id, "typ": "JWT"}
    header.update(key.thumbprints)
    return header


def new_assertion_id() -> str:
    """A fresh ``jti``: 192 random bits."""
    return secrets.token_urlsafe(24)


def sign_assertion(key: ClientKey, client_id: str, audience: str, *, now: float, jti: str) -> str:
    """The compact JWS a token request sends as ``client_assertion``."""
    import jwt

    claims = assertion_claims(client_id, audience, now, jti)
    return jwt.encode(claims, key.key, algorithm=key.algorithm, headers=assertion_header(key))
