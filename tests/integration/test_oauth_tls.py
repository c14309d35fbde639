"""TLS: the OS trust store via truststore, a profile's CA bundle, and plain certificate errors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import truststore

from tests.support.tokenserver import TokenServer, make_certificate
from tray_app.core.errors import AppError, ErrorKind
from tray_app.core.oauth import TokenClient, trust_context
from tray_app.core.oauth_transport import mounted_session

Pair = tuple[Path, Path]


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> tuple[Pair, Pair]:
    """A certificate for 127.0.0.1 and one for another name (each self-signed)."""
    folder = tmp_path_factory.mktemp("tls")
    return make_certificate(folder), make_certificate(folder, ("example.test",), stem="other")


@pytest.fixture
def https_server(certificates: tuple[Pair, Pair]) -> Iterator[TokenServer]:
    with TokenServer("standard", tls=certificates[0]) as server:
        yield server


def failure(client: TokenClient, server: TokenServer, ca_bundle: str = "") -> AppError:
    with pytest.raises(AppError) as caught:
        client.fetch(server.profile(ca_bundle=ca_bundle), server.client_secret)
    return caught.value


def test_sessions_use_a_truststore_context() -> None:
    with mounted_session(trust_context()) as session:
        adapter = session.get_adapter("https://example.com/")
        context = adapter.poolmanager.connection_pool_kw["ssl_context"]  # type: ignore[attr-defined]

    assert isinstance(context, truststore.SSLContext)


def test_an_unknown_certificate_is_refused_plainly_and_not_retried(
    https_server: TokenServer, client: TokenClient
) -> None:
    error = failure(client, https_server)

    assert (error.kind, error.title, error.retryable) == (
        ErrorKind.UNAVAILABLE,
        "Untrusted certificate",
        False,
    )
    assert "CA bundle" in error.message
    assert https_server.request_count == 0


def test_requests_ca_bundle_environment_is_ignored(
    monkeypatch: pytest.MonkeyPatch,
    certificates: tuple[Pair, Pair],
    https_server: TokenServer,
    client: TokenClient,
) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(certificates[0][0]))

    assert failure(client, https_server).title == "Untrusted certificate"


def test_the_profile_ca_bundle_makes_the_certificate_trusted(
    certificates: tuple[Pair, Pair], https_server: TokenServer, client: TokenClient
) -> None:
    token = client.fetch(
        https_server.profile(ca_bundle=str(certificates[0][0])), https_server.client_secret
    )

    assert token.access_token in https_server.issued_tokens


def test_a_certificate_for_another_name_is_a_mismatch(
    certificates: tuple[Pair, Pair], client: TokenClient
) -> None:
    other_cert = certificates[1]
    with TokenServer("standard", tls=other_cert) as server:
        error = failure(client, server, ca_bundle=str(other_cert[0]))

    assert (error.title, error.retryable) == ("Certificate name mismatch", False)


def test_plain_http_spoken_to_https_fails_as_a_tls_problem(client: TokenClient) -> None:
    with TokenServer("standard") as server:
        profile = server.profile(token_url=server.token_url.replace("http://", "https://"))
        with pytest.raises(AppError) as caught:
            client.fetch(profile, server.client_secret)

    assert (caught.value.title, caught.value.retryable) == ("Secure connection failed", False)


def test_a_missing_ca_bundle_is_named(https_server: TokenServer, client: TokenClient) -> None:
    error = failure(client, https_server, ca_bundle="/nonexistent/corp-ca.pem")

    assert (error.kind, error.title) == (ErrorKind.USAGE, "CA bundle not found")
    assert "/nonexistent/corp-ca.pem" in error.message


def test_a_missing_ca_bundle_is_named_with_an_injected_session(https_server: TokenServer) -> None:
    with requests.Session() as session:
        error = failure(TokenClient(session=session), https_server, ca_bundle="/nope.pem")

    assert error.title == "CA bundle not found"


def test_an_unreadable_ca_bundle_is_explained(
    tmp_path: Path, https_server: TokenServer, client: TokenClient
) -> None:
    bundle = tmp_path / "not-a-cert.pem"
    bundle.write_text("hello\n")

    error = failure(client, https_server, ca_bundle=str(bundle))

    assert (error.kind, error.title) == (ErrorKind.USAGE, "CA bundle unreadable")
