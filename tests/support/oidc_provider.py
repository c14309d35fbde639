"""A certified OpenID provider (npm ``oidc-provider``) on loopback, for client authentication.

:func:`oidc_provider` starts ``tests/support/oidc_provider/server.mjs`` under Node.js with the
clients a test registers (public JWKS for ``private_key_jwt``, a certificate subject or
certificate for mutual TLS), over HTTPS with a certificate from the test's own CA. Its token
endpoint accepts ``client_credentials``; :meth:`Provider.introspect` asks its introspection
endpoint (RFC 7662) about a token, as a separate client with a secret.

Node.js and the package (``npm ci`` in that folder: ``make test`` and ``.ci/run`` do it) are
needed; without them the tests skip, or fail where ``TOKEN_TRAY_REQUIRE_DESKTOP_TESTS=1``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from tests.support.keyring_session import skip_or_fail, stop_process
from tests.support.pki import CLIENT_SUBJECT, Pki, make_pki
from tests.support.processes import REPO_ROOT
from tray_app.core.client_keys import jwk_thumbprint, public_jwk

SigningKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
SERVER_DIR = REPO_ROOT / "tests" / "support" / "oidc_provider"
INTROSPECTOR = {"client_id": "introspector", "client_secret": "introspector-secret-0123456789"}
START_TIMEOUT = 30.0


@dataclasses.dataclass(frozen=True)
class Provider:
    issuer: str
    ca_file: Path

    @property
    def token_url(self) -> str:
        return f"{self.issuer}/token"

    def introspect(self, token: str) -> dict[str, Any]:
        answer = requests.post(
            f"{self.issuer}/token/introspection",
            data={"token": token},
            auth=(INTROSPECTOR["client_id"], INTROSPECTOR["client_secret"]),
            verify=str(self.ca_file),
            timeout=10,
        )
        answer.raise_for_status()
        result: dict[str, Any] = answer.json()
        return result


def jwt_client(client_id: str, key: SigningKey, alg: str) -> dict[str, Any]:
    """A client registered for ``private_key_jwt`` with the public half of ``key``, under the
    ``kid`` a JOSE library gives it (its RFC 7638 thumbprint)."""
    jwk = {**public_jwk(key), "kid": jwk_thumbprint(key), "alg": alg, "use": "sig"}
    return {
        "client_id": client_id,
        "token_endpoint_auth_method": "private_key_jwt",
        "token_endpoint_auth_signing_alg": alg,
        "jwks": {"keys": [jwk]},
        **_machine_client(),
    }


def tls_client(client_id: str, subject_dn: str) -> dict[str, Any]:
    """A client registered for ``tls_client_auth`` by its certificate's subject."""
    return {
        "client_id": client_id,
        "token_endpoint_auth_method": "tls_client_auth",
        "tls_client_auth_subject_dn": subject_dn,
        "tls_client_certificate_bound_access_tokens": True,
        **_machine_client(),
    }


def _machine_client() -> dict[str, Any]:
    return {
        "grant_types": ["client_credentials"],
        "response_types": [],
        "redirect_uris": [],
        "scope": "api:read",
    }


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """A test CA with a server certificate for 127.0.0.1 and a CA-issued client certificate."""
    return make_pki(tmp_path_factory.mktemp("pki"))


@contextlib.contextmanager
def signed_and_mtls(pki: Pki, key: SigningKey, lifetime: int = 300) -> Iterator[Provider]:
    """The provider with the two usual clients: ``signed`` (ES256 ``key``) and ``mtls``."""
    clients = [jwt_client("signed", key, "ES256"), tls_client("mtls", CLIENT_SUBJECT)]
    with oidc_provider(pki, clients, lifetime=lifetime) as running:
        yield running


def _require_node() -> str:
    node = shutil.which("node")
    if node is None:
        skip_or_fail("needs Node.js (package nodejs) for the OpenID provider")
    if not (SERVER_DIR / "node_modules" / "oidc-provider").is_dir():
        skip_or_fail(f"run `npm ci` in {SERVER_DIR.relative_to(REPO_ROOT)} (make test does)")
    return node


@contextlib.contextmanager
def oidc_provider(
    pki: Pki, clients: Sequence[dict[str, Any]], lifetime: int = 300
) -> Iterator[Provider]:
    """Run the provider with ``clients`` (plus the introspection client) until the block ends;
    its access tokens live ``lifetime`` seconds."""
    node = _require_node()
    config = pki.folder / "provider.json"
    registered = [*clients, {**INTROSPECTOR, **_machine_client()}]
    config.write_text(
        json.dumps(
            {
                "ca": str(pki.ca_file),
                "cert": str(pki.server_cert),
                "key": str(pki.server_key),
                "clients": registered,
                "lifetime": lifetime,
            }
        )
    )
    log = (pki.folder / "provider.log").open("wb")
    process = subprocess.Popen(
        [node, str(SERVER_DIR / "server.mjs"), str(config)],
        stdout=subprocess.PIPE,
        stderr=log,
        cwd=SERVER_DIR,
    )
    try:
        assert process.stdout is not None
        line = _first_line(process)
        yield Provider(issuer=json.loads(line)["issuer"], ca_file=pki.ca_file)
    finally:
        stop_process(process)
        log.close()


def _first_line(process: subprocess.Popen[bytes]) -> str:
    import selectors

    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(START_TIMEOUT):
            raise AssertionError("the OpenID provider did not start")
    line = process.stdout.readline().decode()
    if not line:
        raise AssertionError(f"the OpenID provider exited ({process.wait()})")
    return line
