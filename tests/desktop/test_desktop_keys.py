"""A private-key profile and a client-certificate profile in the real tray, end to end.

Both are added with ``token-tray profile add … --key`` (no client secret anywhere), the tray
starts on Xvfb with trayer, a left click copies the default profile's token, and
``token-tray token`` asks the running tray for the other one. Every token is checked with the
certified OpenID provider's introspection (tests/support/oidc_provider.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.desktop.steps import copy_with
from tests.support.oidc_provider import Provider, signed_and_mtls
from tests.support.pki import Pki, ec_key, key_pem, write_private
from tests.support.processes import REPO_ROOT, wait_until
from tests.support.xdesktop import AppLauncher, Desktop

pytestmark = pytest.mark.desktop

KEY = ec_key()


@pytest.fixture(scope="module")
def provider(pki: Pki) -> Iterator[Provider]:
    with signed_and_mtls(pki, KEY) as running:
        yield running


def token_tray(desktop: Desktop, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tray_app", *argv],
        env=dict(desktop.env),
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def add(desktop: Desktop, provider: Provider, pki: Pki, *argv: str) -> None:
    common = ("--token-url", provider.token_url, "--ca-bundle", str(pki.ca_file))
    result = token_tray(desktop, "profile", "add", *argv, *common, "--scope", "api:read")
    assert result.returncode == 0, result.stderr


def test_key_profiles_copy_from_the_tray_and_answer_the_command_line(
    desktop: Desktop, launch_app: AppLauncher, provider: Provider, pki: Pki, tmp_path: Path
) -> None:
    key = write_private(tmp_path / "signed-key.pem", key_pem(KEY))
    add(desktop, provider, pki, "Signed", "--client-id", "signed", "--key", str(key), "--default")
    cert = ("--key", str(pki.client_key), "--cert", str(pki.client_cert))
    add(desktop, provider, pki, "Certificate", "--client-id", "mtls", "--client-auth", "tls", *cert)
    app = launch_app()
    icon = wait_until(lambda: desktop.tray_icon_of(app.pid), what="the tray icon")

    token = copy_with(desktop, lambda: desktop.click(icon, 1), lambda text: len(text) > 20)
    assert provider.introspect(token)["client_id"] == "signed"

    answer = token_tray(desktop, "token", "--profile", "Certificate", "--format", "json")
    assert answer.returncode == 0, answer.stderr
    facts = provider.introspect(json.loads(answer.stdout)["access_token"])
    assert facts["client_id"] == "mtls"
    assert "x5t#S256" in facts["cnf"]
    assert app.poll() is None
