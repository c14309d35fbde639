"""A private-key profile and a client-certificate profile kept fresh by the running agent.

The certified OpenID provider issues 10-second tokens; the agent must replace each before it
expires, and ``token-tray token`` must hand out the current one — and, with no agent, fetch one
directly. Every token is checked with the provider's introspection, so "a token" means one the
provider really issued to that client.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from tests.support.agent_process import Scene
from tests.support.oidc_provider import (
    Provider,
    signed_and_mtls,
)
from tests.support.pki import Pki, ec_key, key_pem, write_private
from tests.support.processes import wait_until
from tray_app.core.profile import ClientAuth, Profile

LIFETIME = 10
KEY = ec_key()


@pytest.fixture(scope="module")
def provider(pki: Pki) -> Iterator[Provider]:
    with signed_and_mtls(pki, KEY, lifetime=LIFETIME) as running:
        yield running


@pytest.fixture
def scene(tmp_path: Path, pki: Pki, provider: Provider) -> Iterator[Scene]:
    setup = Scene(tmp_path)
    key_file = write_private(tmp_path / "signed-key.pem", key_pem(KEY))
    base = Profile(
        name="Signed",
        token_url=provider.token_url,
        client_id="signed",
        client_auth=ClientAuth.PRIVATE_KEY_JWT,
        key_file=str(key_file),
        ca_bundle=str(pki.ca_file),
        scope="api:read",
    )
    setup.save(base, "")
    certificate = base.replace(
        id="certificate",
        name="Certificate",
        client_id="mtls",
        client_auth=ClientAuth.TLS,
        key_file=str(pki.client_key),
        cert_file=str(pki.client_cert),
    )
    setup.save(certificate, "")
    yield setup
    setup.close()


def token(scene: Scene, profile: str) -> str:
    result = scene.run("token", "--profile", profile)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout.strip()


def replaced(scene: Scene, profile: str, first: str) -> str | None:
    current = token(scene, profile)
    return current if current != first else None


@pytest.mark.parametrize(("profile", "client_id"), [("Signed", "signed"), ("Certificate", "mtls")])
def test_a_direct_fetch_without_a_running_agent(
    scene: Scene, provider: Provider, profile: str, client_id: str
) -> None:
    facts = provider.introspect(token(scene, profile))
    assert facts["active"] is True
    assert facts["client_id"] == client_id


def test_the_agent_keeps_both_tokens_fresh(scene: Scene, provider: Provider) -> None:
    scene.agent()
    for profile, client_id in (("Signed", "signed"), ("Certificate", "mtls")):
        first = token(scene, profile)
        assert provider.introspect(first)["client_id"] == client_id
        # the agent refreshes before expiry: a different, active token shows up on its own
        newer = wait_until(
            partial(replaced, scene, profile, first),
            timeout=LIFETIME * 2,
            what=f"the agent to refresh {profile}",
        )
        assert provider.introspect(newer)["active"] is True
    # Both stay served. On a loaded machine a refresh started 5 s before the end may finish
    # just after it, so "valid" is waited for rather than sampled once.
    wait_until(partial(both_valid, scene), timeout=LIFETIME, what="both profiles valid")


def both_valid(scene: Scene) -> bool:
    status = json.loads(scene.run("status", "--json").stdout)
    states = {p["name"]: p["state"] for p in status["profiles"]}
    return states == {"Signed": "valid", "Certificate": "valid"}
