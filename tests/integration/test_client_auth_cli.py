"""``profile add … --client-auth private-key-jwt|tls --key FILE``, then ``token``, for real.

The command line runs in subprocesses against the certified OpenID provider on loopback
(tests/support/oidc_provider.py). What must hold: the key is tried before anything is saved and
what the provider will see is shown; only the key's password (or a piped-in key) reaches
password storage; nothing secret lands in config.json, the log or an export.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.agent_process import Scene
from tests.support.oidc_provider import (
    Provider,
    jwt_client,
    oidc_provider,
    signed_and_mtls,
)
from tests.support.pki import Pki, ec_key, key_pem, write_private
from tray_app.core.client_keys import jwk_thumbprint

KEY = ec_key()
PASSWORD = "key password 7"


@pytest.fixture(scope="module")
def provider(pki: Pki) -> Iterator[Provider]:
    with signed_and_mtls(pki, KEY) as running:
        yield running


@pytest.fixture
def scene(tmp_path: Path) -> Iterator[Scene]:
    setup = Scene(tmp_path)
    yield setup
    setup.close()


def add(scene: Scene, provider: Provider, pki: Pki, *argv: str, stdin: str | None = None) -> str:
    result = scene.run(
        "profile", "add", *argv, "--token-url", provider.token_url,
        "--ca-bundle", str(pki.ca_file), "--scope", "api:read",
        input_text=stdin,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stderr


def token_of(scene: Scene, profile: str) -> str:
    result = scene.run("token", "--profile", profile)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_a_signed_key_profile_from_the_command_line(
    scene: Scene, provider: Provider, pki: Pki, tmp_path: Path
) -> None:
    key = write_private(tmp_path / "signed.pem", key_pem(KEY))
    said = add(scene, provider, pki, "Signed", "--client-id", "signed", "--key", str(key))
    assert f"Signs with ES256, key ID {jwk_thumbprint(KEY)}" in said
    assert "Warning" not in said
    profile = json.loads((scene.root / "config" / "config.json").read_text())["profiles"][0]
    assert profile["client_auth"] == "private_key_jwt"  # a key and no method: the signed one
    assert profile["key_file"] == str(key)
    facts = provider.introspect(token_of(scene, "Signed"))
    assert facts["client_id"] == "signed"
    assert not (scene.root / "keyring").exists() or not any((scene.root / "keyring").iterdir())


def test_a_protected_key_keeps_only_its_password_in_storage(
    scene: Scene, provider: Provider, pki: Pki, tmp_path: Path
) -> None:
    (tmp_path / "keys").mkdir()
    key = write_private(tmp_path / "keys" / "locked.pem", key_pem(KEY, PASSWORD))
    argv = ("Locked", "--client-id", "signed", "--client-auth", "private-key-jwt", "--key")
    wrong = scene.run("profile", "add", *argv, str(key), "--token-url", provider.token_url,
                      "--secret-stdin", input_text="not it\n")  # fmt: skip
    assert wrong.returncode == 2
    assert "Wrong key password" in wrong.stderr
    assert not (scene.root / "config" / "config.json").exists()  # nothing saved
    add(scene, provider, pki, *argv, str(key), "--secret-stdin", stdin=PASSWORD + "\n")
    assert provider.introspect(token_of(scene, "Locked"))["active"] is True
    stored = "".join(p.read_text() for p in (scene.root / "keyring").rglob("*") if p.is_file())
    assert PASSWORD in stored or base64.b64encode(PASSWORD.encode()).decode() in stored
    assert_nothing_secret_on_disk(scene, key)


def test_a_piped_in_key_lives_in_password_storage(
    scene: Scene, provider: Provider, pki: Pki
) -> None:
    pem = key_pem(KEY).decode()
    argv = ("Pasted", "--client-id", "signed", "--client-auth", "private-key-jwt")
    add(scene, provider, pki, *argv, "--secret-stdin", stdin=pem)
    assert provider.introspect(token_of(scene, "Pasted"))["client_id"] == "signed"
    config = (scene.root / "config" / "config.json").read_text()
    assert "PRIVATE KEY" not in config
    assert json.loads(config)["profiles"][0]["key_file"] == ""


def test_a_client_certificate_profile_from_the_command_line(
    scene: Scene, provider: Provider, pki: Pki
) -> None:
    argv = ("Cert", "--client-id", "mtls", "--client-auth", "tls", "--key", str(pki.client_key))
    said = add(scene, provider, pki, *argv, "--cert", str(pki.client_cert))
    assert "Client certificate: SHA-256 thumbprint" in said
    facts = provider.introspect(token_of(scene, "Cert"))
    assert facts["client_id"] == "mtls"
    assert "x5t#S256" in facts["cnf"]


def test_a_key_file_others_can_read_is_used_with_a_warning(
    scene: Scene, provider: Provider, pki: Pki, tmp_path: Path
) -> None:
    key = write_private(tmp_path / "open.pem", key_pem(KEY))
    key.chmod(0o644)
    said = add(scene, provider, pki, "Open", "--client-id", "signed", "--key", str(key))
    assert f"chmod 600 '{key}'" in said
    assert token_of(scene, "Open")


def test_a_certificate_of_another_key_is_refused_before_saving(
    scene: Scene, provider: Provider, pki: Pki, tmp_path: Path
) -> None:
    key = write_private(tmp_path / "signed.pem", key_pem(KEY))
    result = scene.run(
        "profile", "add", "Mixed", "--client-id", "mtls", "--client-auth", "tls",
        "--key", str(key), "--cert", str(pki.client_cert), "--token-url", provider.token_url,
    )  # fmt: skip
    assert result.returncode == 2
    assert "Certificate and key do not match" in result.stderr
    assert "Traceback" not in result.stderr


def test_discovery_and_edit_keep_the_key(
    scene: Scene, provider: Provider, pki: Pki, tmp_path: Path
) -> None:
    key = write_private(tmp_path / "signed.pem", key_pem(KEY))
    result = scene.run(
        "profile", "add", "Found", "--issuer", provider.issuer, "--client-id", "signed",
        "--key", str(key), "--ca-bundle", str(pki.ca_file),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    edited = scene.run("profile", "edit", "Found", "--name", "Renamed", "--scope", "api:read")
    assert edited.returncode == 0, edited.stderr
    profile = json.loads((scene.root / "config" / "config.json").read_text())["profiles"][0]
    assert (profile["name"], profile["client_auth"]) == ("Renamed", "private_key_jwt")
    assert profile["token_url"] == provider.token_url
    assert provider.introspect(token_of(scene, "Renamed"))["scope"] == "api:read"


def assert_nothing_secret_on_disk(scene: Scene, key: Path) -> None:
    """No key material nor the key's password in config, log or an export."""
    exported = scene.run("profile", "export", "Locked")
    assert exported.returncode == 0, exported.stderr
    body = [line for line in key.read_text().splitlines() if not line.startswith("-----")]
    places = [
        p
        for p in scene.root.rglob("*")
        if p.is_file() and "keyring" not in p.parts and p.parent != key.parent
    ]
    texts = [exported.stdout, *(p.read_text(errors="replace") for p in places)]
    for text in texts:
        assert PASSWORD not in text
        assert "PRIVATE KEY" not in text
        assert not any(line in text for line in body)
    assert "key_file" not in exported.stdout


def test_profiles_with_a_secret_never_load_the_signing_libraries(scene: Scene) -> None:
    from tests.support.tokenserver import TokenServer

    with TokenServer("standard") as server:
        scene.save(server.profile(name="Plain"), server.client_secret)
        code = (
            "import sys; from tray_app.cli.main import main; code = main(['token']); "
            "print([m for m in ('jwt', 'cryptography.x509') if m in sys.modules], "
            "file=sys.stderr); sys.exit(code)"
        )
        result = scene.run("-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().splitlines()[-1] == "[]"


def test_a_pasted_key_too_long_for_password_storage_becomes_a_private_file(
    scene: Scene, provider: Provider, pki: Pki
) -> None:
    from tests.support.pki import rsa_key

    rsa = rsa_key()
    with oidc_provider(pki, [jwt_client("long", rsa, "RS256")]) as long_provider:
        argv = ("Long", "--client-id", "long", "--client-auth", "private-key-jwt")
        said = add(scene, long_provider, pki, *argv, "--secret-stdin", stdin=key_pem(rsa).decode())
        kept = scene.root / "config" / "keys"
        [key_file] = kept.iterdir()
        assert f"saved as {key_file}" in said
        assert (kept.stat().st_mode & 0o777, key_file.stat().st_mode & 0o777) == (0o700, 0o600)
        profile = json.loads((scene.root / "config" / "config.json").read_text())["profiles"][0]
        assert profile["key_file"] == str(key_file)
        assert not (scene.root / "keyring").exists() or not any((scene.root / "keyring").iterdir())
        assert long_provider.introspect(token_of(scene, "Long"))["client_id"] == "long"
    removed = scene.run("profile", "remove", "Long")
    assert removed.returncode == 0, removed.stderr
    assert not key_file.exists()
