"""Settings with a private key or a client certificate instead of a client secret.

The dialog runs against the certified OpenID provider on loopback (npm oidc-provider, over HTTPS
with a CA made in the test): Test shows what the provider saw (the key ID, the certificate's
thumbprint), Save keeps only the key file's path, and password storage stays untouched for a
key without a password.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel

from tests.support.oidc_provider import (
    Provider,
    signed_and_mtls,
)
from tests.support.pki import Pki, ec_key, key_pem, write_private
from tests.support.settings_harness import Harness, fill
from tray_app.core.client_keys import jwk_thumbprint
from tray_app.core.profile import ClientAuth
from tray_app.gui.settings.dialog import SettingsDialog
from tray_app.gui.settings.key_fields import KEY_HINT

KEY = ec_key()


@pytest.fixture(scope="module")
def provider(pki: Pki) -> Iterator[Provider]:
    with signed_and_mtls(pki, KEY) as running:
        yield running


def choose_method(dialog: SettingsDialog, method: ClientAuth) -> None:
    dialog.form.advanced_toggle.setChecked(True)
    combo = dialog.form.client_auth
    combo.setCurrentIndex(combo.findData(method.value))


def type_key(dialog: SettingsDialog, **values: str) -> None:
    for key, text in values.items():
        edit = dialog.form.key_fields.edits[key]
        edit.setText(text)
        edit.textEdited.emit(text)


def fill_key_profile(dialog: SettingsDialog, provider: Provider, pki: Pki, client_id: str) -> None:
    fill(dialog, name="Keyed", token_url=provider.token_url, client_id=client_id)
    fill(dialog, ca_bundle=str(pki.ca_file), scope="api:read")


def sign_in_and_test(
    harness: Harness, provider: Provider, pki: Pki, key: Path
) -> tuple[SettingsDialog, str]:
    """A new "signed" profile with ``key`` as its key file, tested: the dialog and the result."""
    dialog = harness.dialog()
    fill_key_profile(dialog, provider, pki, "signed")
    choose_method(dialog, ClientAuth.PRIVATE_KEY_JWT)
    type_key(dialog, key_file=str(key))
    dialog.test_button.click()
    return dialog, harness.wait_result(dialog)


def test_the_key_fields_show_for_the_key_methods_only(harness: Harness) -> None:
    dialog = harness.dialog()
    fields = dialog.form.key_fields
    assert not fields.isVisibleTo(dialog)
    choose_method(dialog, ClientAuth.PRIVATE_KEY_JWT)
    assert fields.isVisibleTo(dialog)
    assert dialog.form.edits["secret"].placeholderText() == KEY_HINT
    choose_method(dialog, ClientAuth.BASIC)
    assert not fields.isVisibleTo(dialog)
    assert dialog.form.edits["secret"].placeholderText() != KEY_HINT


def test_a_signed_key_is_tested_and_saved_without_a_secret(
    harness: Harness, provider: Provider, pki: Pki, tmp_path: Path
) -> None:
    key = write_private(tmp_path / "signed.pem", key_pem(KEY))
    dialog, result = sign_in_and_test(harness, provider, pki, key)
    assert result.startswith("✓ Got a Bearer token"), result
    assert f"signed ES256, key ID {jwk_thumbprint(KEY)}" in result

    dialog.save_button.click()
    harness.settle(dialog)
    [saved] = harness.store().load().profiles
    assert (saved.client_auth, saved.key_file) == (ClientAuth.PRIVATE_KEY_JWT, str(key))
    assert harness.keyring.writes == 0  # no password: nothing for password storage
    assert "PRIVATE KEY" not in harness.store().path.read_text()


def test_a_client_certificate_test_shows_its_thumbprint(
    harness: Harness, provider: Provider, pki: Pki
) -> None:
    dialog = harness.dialog()
    fill_key_profile(dialog, provider, pki, "mtls")
    choose_method(dialog, ClientAuth.TLS)
    type_key(dialog, key_file=str(pki.client_key), cert_file=str(pki.client_cert))

    dialog.test_button.click()
    result = harness.wait_result(dialog)

    assert result.startswith("✓ Got a Bearer token"), result
    assert "client certificate SHA-256 " in result


def test_the_secret_field_asks_for_the_key_password_under_a_key_method(harness: Harness) -> None:
    dialog = harness.dialog()
    secret = dialog.form.edits["secret"]
    label = next(w for w in dialog.findChildren(QLabel) if w.buddy() is secret)
    before = label.text()
    choose_method(dialog, ClientAuth.TLS)
    assert label.text() == "&Client key password:"
    choose_method(dialog, ClientAuth.BODY)
    assert label.text() == before


def test_test_warns_when_others_can_read_the_key_file(
    harness: Harness, provider: Provider, pki: Pki, tmp_path: Path
) -> None:
    key = write_private(tmp_path / "open.pem", key_pem(KEY))
    key.chmod(0o644)
    _dialog, result = sign_in_and_test(harness, provider, pki, key)

    assert result.startswith("✓ Got a Bearer token"), result
    assert f"chmod 600 '{key}'" in result
