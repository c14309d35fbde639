"""Client authentication without a shared secret, against a certified OpenID provider.

npm's ``oidc-provider`` runs on loopback over HTTPS (a CA made in the test; the profile's CA
bundle trusts it). ``private_key_jwt`` clients are registered with their public JWK;
a ``tls_client_auth`` client by its certificate's subject. Tokens come through the real
:class:`~tray_app.core.oauth.TokenClient`; the provider's introspection says what it issued.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.oidc_provider import (
    Provider,
    SigningKey,
    jwt_client,
    oidc_provider,
    tls_client,
)
from tests.support.pki import CLIENT_SUBJECT, Pki, ec_key, key_pem, rsa_key, write_private
from tray_app.core.client_keys import certificate_thumbprints
from tray_app.core.errors import AppError, ErrorKind
from tray_app.core.oauth import TokenClient
from tray_app.core.profile import ClientAuth, Profile

KEYS: dict[str, SigningKey] = {"rs256": rsa_key(), "ps256": rsa_key(), "es256": ec_key()}


@pytest.fixture(scope="module")
def provider(pki: Pki) -> Iterator[Provider]:
    clients = [jwt_client(name, key, name.upper()) for name, key in KEYS.items()]
    clients.append(tls_client("mtls", CLIENT_SUBJECT))
    with oidc_provider(pki, clients) as running:
        yield running


def key_file(pki: Pki, name: str, key: SigningKey, password: str = "") -> Path:
    return write_private(pki.folder / f"{name}-{password or 'plain'}.pem", key_pem(key, password))


def jwt_profile(provider: Provider, pki: Pki, name: str, key: Path, **changes: Any) -> Profile:
    values: dict[str, Any] = {
        "name": name,
        "token_url": provider.token_url,
        "client_id": name,
        "client_auth": ClientAuth.PRIVATE_KEY_JWT,
        "key_file": str(key),
        "signing_alg": name.upper(),
        "ca_bundle": str(pki.ca_file),
        "scope": "api:read",
    }
    values.update(changes)
    return Profile(**values)


@pytest.mark.parametrize("name", sorted(KEYS))
def test_a_signed_assertion_gets_a_token(provider: Provider, pki: Pki, name: str) -> None:
    profile = jwt_profile(provider, pki, name, key_file(pki, name, KEYS[name]))
    token = TokenClient().fetch(profile, "")
    facts = provider.introspect(token.access_token)
    assert facts["active"] is True
    assert facts["client_id"] == name
    assert facts["scope"] == "api:read"


def test_an_encrypted_key_opens_with_its_saved_password(provider: Provider, pki: Pki) -> None:
    path = key_file(pki, "es256", KEYS["es256"], password="correct horse")
    profile = jwt_profile(provider, pki, "es256", path)
    token = TokenClient().fetch(profile, "correct horse")
    assert provider.introspect(token.access_token)["active"] is True
    with pytest.raises(AppError) as caught:
        TokenClient().fetch(profile, "wrong")
    assert caught.value.title == "Wrong key password"


def test_a_pasted_key_from_password_storage_works(provider: Provider, pki: Pki) -> None:
    profile = jwt_profile(provider, pki, "rs256", Path()).replace(key_file="")
    token = TokenClient().fetch(profile, key_pem(KEYS["rs256"]).decode())
    assert provider.introspect(token.access_token)["client_id"] == "rs256"


def refused(provider: Provider, profile: Profile, client: TokenClient) -> AppError:
    with pytest.raises(AppError) as caught:
        client.fetch(profile, "")
    assert caught.value.kind is ErrorKind.REJECTED
    assert caught.value.oauth_error == "invalid_client"
    assert caught.value.title == "Signed key not accepted"
    return caught.value


def test_a_replayed_assertion_is_refused(provider: Provider, pki: Pki) -> None:
    profile = jwt_profile(provider, pki, "rs256", key_file(pki, "rs256", KEYS["rs256"]))
    same_jti = TokenClient(new_jti=lambda: "the-same-jti-every-time")
    same_jti.fetch(profile, "")
    refused(provider, profile, same_jti)


def test_an_expired_assertion_is_refused(provider: Provider, pki: Pki) -> None:
    profile = jwt_profile(provider, pki, "es256", key_file(pki, "es256", KEYS["es256"]))
    refused(provider, profile, TokenClient(clock=lambda: time.time() - 3600))


def test_a_wrong_key_is_refused_in_plain_words(provider: Provider, pki: Pki) -> None:
    profile = jwt_profile(provider, pki, "rs256", key_file(pki, "other", rsa_key()))
    error = refused(provider, profile, TokenClient())
    assert "registered" in error.message


def test_mutual_tls_gets_a_certificate_bound_token(provider: Provider, pki: Pki) -> None:
    profile = Profile(
        name="mtls",
        token_url=provider.token_url,
        client_id="mtls",
        client_auth=ClientAuth.TLS,
        key_file=str(pki.client_key),
        cert_file=str(pki.client_cert),
        ca_bundle=str(pki.ca_file),
        scope="api:read",
    )
    token = TokenClient().fetch(profile, "")
    facts = provider.introspect(token.access_token)
    assert facts["active"] is True
    assert facts["client_id"] == "mtls"
    from cryptography import x509

    certificate = x509.load_pem_x509_certificate(pki.client_cert.read_bytes())
    assert facts["cnf"] == {"x5t#S256": certificate_thumbprints(certificate)["x5t#S256"]}


def test_mutual_tls_without_the_registered_certificate_is_refused(
    provider: Provider, pki: Pki
) -> None:
    from tests.support.pki import cert_pem, certificate

    stranger_key = rsa_key()
    stranger = certificate("someone-else", stranger_key, client=True)
    profile = Profile(
        name="mtls",
        token_url=provider.token_url,
        client_id="mtls",
        client_auth=ClientAuth.TLS,
        key_file=str(key_file(pki, "stranger", stranger_key)),
        cert_file=str(write_private(pki.folder / "stranger.pem", cert_pem(stranger))),
        ca_bundle=str(pki.ca_file),
    )
    with pytest.raises(AppError) as caught:
        TokenClient().fetch(profile, "")
    assert caught.value.title == "Client certificate not accepted"
