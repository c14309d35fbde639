"""The settings dialog when the secret cannot be stored: too long, or a refused write."""

from __future__ import annotations

from tests.support.settings_harness import URL, Harness, fill
from tray_app.core.credentials import MAX_SECRET_UTF16_BYTES


def test_too_long_secret_is_refused_at_save_with_a_clear_message(harness: Harness) -> None:
    dialog = harness.dialog()
    pasted = "k" * (MAX_SECRET_UTF16_BYTES // 2 + 1)
    fill(dialog, name="Acme", token_url=URL, client_id="acme-client", secret=pasted)

    dialog.save_button.click()
    harness.qtbot.waitUntil(lambda: dialog.status.text().startswith("✗"), timeout=10_000)
    harness.settle(dialog)

    assert "Client secret too long" in dialog.status.text()
    assert "1280" in dialog.status.text()
    assert pasted not in dialog.status.text()
    assert not harness.store().path.exists()
    assert harness.keyring.passwords == {}
    assert dialog.form.typed_secret() == pasted  # nothing the user typed is lost


def test_refused_write_says_so_and_keeps_everything(harness: Harness) -> None:
    dialog = harness.dialog()
    fill(dialog, name="Acme", token_url=URL, client_id="acme-client", secret="s3cret")
    harness.keyring.fail_writes = True

    dialog.save_button.click()
    harness.qtbot.waitUntil(lambda: dialog.status.text().startswith("✗"), timeout=10_000)
    harness.settle(dialog)

    assert "Secret could not be saved" in dialog.status.text()
    assert not harness.store().path.exists()
    assert dialog.save_button.isEnabled()
