"""Discovery against a real loopback issuer: OIDC first, RFC 8414 with a path issuer, refusals.

The issuer is :class:`tests.support.issuer.IssuerServer` (the real token server plus published
metadata documents); lookups go through the real DiscoveryClient and HTTP transport.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cli import closed_port_url
from tests.support.issuer import OIDC, RFC8414, IssuerServer
from tests.support.tokenserver import make_certificate
from tray_app.core.discovery import DiscoveryClient, discover, well_known_urls
from tray_app.core.errors import AppError, ErrorKind
from tray_app.core.oauth import TokenClient
from tray_app.core.profile import ClientAuth, Profile


@pytest.fixture
def issuer_server() -> Iterator[IssuerServer]:
    with IssuerServer("standard") as server:
        yield server


def paths(server: IssuerServer) -> list[str]:
    return [request.path for request in server.requests]


def test_well_known_addresses_follow_oidc_then_rfc8414() -> None:
    assert well_known_urls("https://idp.example/tenant/one/") == [
        "https://idp.example/tenant/one/.well-known/openid-configuration",
        "https://idp.example/.well-known/oauth-authorization-server/tenant/one",
    ]
    assert well_known_urls("https://idp.example") == [
        "https://idp.example/.well-known/openid-configuration",
        "https://idp.example/.well-known/oauth-authorization-server",
    ]


def test_oidc_document_gives_the_token_url(issuer_server: IssuerServer) -> None:
    issuer_server.publish("/realms/acme" + OIDC, issuer_server.metadata("/realms/acme"))
    found = discover(issuer_server.base_url + "/realms/acme")
    assert found.token_endpoint == issuer_server.token_url
    assert found.client_auth is ClientAuth.BASIC
    assert found.document_url.endswith("/realms/acme" + OIDC)
    assert paths(issuer_server) == ["/realms/acme" + OIDC]


def test_rfc8414_fallback_inserts_well_known_before_the_path(issuer_server: IssuerServer) -> None:
    metadata = issuer_server.metadata(
        "/tenant1", token_endpoint_auth_methods_supported=["client_secret_post"]
    )
    issuer_server.publish(RFC8414 + "/tenant1", metadata)
    found = discover(issuer_server.base_url + "/tenant1")
    assert found.client_auth is ClientAuth.BODY
    assert paths(issuer_server) == ["/tenant1" + OIDC, RFC8414 + "/tenant1"]


def test_a_discovered_profile_gets_a_token(issuer_server: IssuerServer) -> None:
    issuer_server.publish(OIDC, issuer_server.metadata())
    found = discover(issuer_server.base_url)
    profile = Profile(
        name="Found",
        token_url=found.token_endpoint,
        client_id=issuer_server.client_id,
        client_auth=found.client_auth,
    )
    client = TokenClient()
    try:
        token = client.fetch(profile, issuer_server.client_secret)
    finally:
        client.close()
    assert token.access_token == issuer_server.issued_tokens[-1]


def test_issuer_mismatch_is_refused(issuer_server: IssuerServer) -> None:
    issuer_server.publish(OIDC, issuer_server.metadata(issuer="https://other.example"))
    with pytest.raises(AppError) as info:
        discover(issuer_server.base_url)
    assert info.value.title == "Issuer does not match"
    assert "https://other.example" in info.value.message


def test_a_trailing_slash_names_the_same_issuer(issuer_server: IssuerServer) -> None:
    issuer_server.publish(OIDC, issuer_server.metadata(issuer=issuer_server.base_url + "/"))
    assert discover(issuer_server.base_url).token_endpoint == issuer_server.token_url


def test_plain_http_to_a_remote_issuer_is_refused_before_any_request() -> None:
    with pytest.raises(AppError) as info:
        discover("http://idp.example.com/realms/acme")
    assert (info.value.kind, info.value.title) == (ErrorKind.USAGE, "Invalid issuer URL")
    assert "https://" in info.value.message


def test_a_remote_http_token_endpoint_is_refused(issuer_server: IssuerServer) -> None:
    metadata = issuer_server.metadata(token_endpoint="http://idp.example.com/token")
    issuer_server.publish(OIDC, metadata)
    with pytest.raises(AppError) as info:
        discover(issuer_server.base_url)
    assert info.value.title == "No usable token endpoint"
    assert "https://" in info.value.message


@pytest.mark.parametrize(
    ("methods", "expected"),
    [(None, ClientAuth.BASIC), ([], ClientAuth.BASIC), (["client_secret_post"], ClientAuth.BODY)],
)
def test_client_auth_follows_the_document(
    issuer_server: IssuerServer, methods: list[str] | None, expected: ClientAuth
) -> None:
    metadata = issuer_server.metadata()
    if methods is None:
        del metadata["token_endpoint_auth_methods_supported"]
    else:
        metadata["token_endpoint_auth_methods_supported"] = methods
    issuer_server.publish(OIDC, metadata)
    assert discover(issuer_server.base_url).client_auth is expected


@pytest.mark.parametrize(
    ("methods", "expected"),
    [
        (["private_key_jwt", "tls_client_auth"], ClientAuth.PRIVATE_KEY_JWT),
        (["self_signed_tls_client_auth"], ClientAuth.TLS),
    ],
)
def test_a_server_without_client_secrets_gets_a_key_method(
    issuer_server: IssuerServer, methods: list[str], expected: ClientAuth
) -> None:
    issuer_server.publish(
        OIDC,
        issuer_server.metadata(
            token_endpoint_auth_methods_supported=methods,
            token_endpoint_auth_signing_alg_values_supported=["PS256", "ES256"],
        ),
    )
    found = discover(issuer_server.base_url)
    assert found.client_auth is expected
    assert found.signing_algs == ("PS256", "ES256")
    assert found.pick_signing_alg("RS256") == ("PS256", None)
    alg, warning = found.pick_signing_alg("RS256", wanted="RS256")
    assert alg == "RS256"
    assert warning is not None
    assert "PS256, ES256" in warning
    other = ClientAuth.PRIVATE_KEY_JWT if expected is ClientAuth.TLS else None
    if other is not None:
        assert "private_key_jwt" in str(found.key_method_problem(other))
    assert found.key_method_problem(expected) is None


def test_a_server_with_no_usable_client_authentication_is_explained(
    issuer_server: IssuerServer,
) -> None:
    methods = ["client_secret_jwt", "none"]
    issuer_server.publish(
        OIDC, issuer_server.metadata(token_endpoint_auth_methods_supported=methods)
    )
    with pytest.raises(AppError) as info:
        discover(issuer_server.base_url)
    assert info.value.title == "No usable client authentication"
    assert "client_secret_jwt" in info.value.message


def test_redirects_are_not_followed(issuer_server: IssuerServer) -> None:
    issuer_server.publish("/moved" + OIDC, issuer_server.metadata("/moved"))
    location = {"Location": issuer_server.base_url + "/moved" + OIDC}
    issuer_server.publish("/x" + OIDC, {}, status=302, headers=location)
    with pytest.raises(AppError) as info:
        discover(issuer_server.base_url + "/x")
    assert info.value.title == "Nothing found at this issuer"
    assert "/moved" + OIDC not in paths(issuer_server)


def test_an_oversized_document_is_not_read(issuer_server: IssuerServer) -> None:
    issuer_server.publish(OIDC, issuer_server.metadata(padding="x" * (1024 * 1024 + 10)))
    with pytest.raises(AppError) as info:
        discover(issuer_server.base_url)
    assert info.value.title == "Nothing found at this issuer"


def test_a_deeply_nested_document_is_not_json_to_us(issuer_server: IssuerServer) -> None:
    issuer_server.publish(OIDC, b"[" * 5000 + b"]" * 5000)
    with pytest.raises(AppError) as info:
        discover(issuer_server.base_url)
    assert info.value.title == "Nothing found at this issuer"


def test_nothing_published_is_said_plainly(issuer_server: IssuerServer) -> None:
    issuer_server.publish("/x" + OIDC, ["not", "an", "object"])
    with pytest.raises(AppError) as info:
        discover(issuer_server.base_url + "/x")
    assert info.value.title == "Nothing found at this issuer"
    assert len(issuer_server.requests) == 2


def test_tls_uses_the_same_trust_rules(tmp_path: Path) -> None:
    cert, key = make_certificate(tmp_path)
    with IssuerServer("standard", tls=(cert, key)) as server:
        server.publish(OIDC, server.metadata())
        with pytest.raises(AppError) as info:
            DiscoveryClient().discover(server.base_url)
        assert info.value.title == "Untrusted certificate"
        assert "issuer URL" not in info.value.message or "Token URL" not in info.value.message
        found = DiscoveryClient().discover(server.base_url, ca_bundle=str(cert))
        assert found.token_endpoint == server.token_url


def test_an_unreachable_issuer_names_the_issuer_url() -> None:
    with pytest.raises(AppError) as info:
        discover(closed_port_url().replace("/oauth/token", "/realms/acme"), timeout=5)
    assert info.value.kind is ErrorKind.UNAVAILABLE
    assert "Token URL" not in info.value.message
