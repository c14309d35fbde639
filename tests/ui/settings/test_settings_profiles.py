"""The settings dialog's profile list: add, duplicate, remove, set default, unsaved changes.

Real parts throughout: ProfileRepository + ConfigStore (per-test folder) + CredentialStore over
the in-memory keyring.
"""

from __future__ import annotations

import json

import pytest
from PySide6.QtWidgets import QMessageBox

from tests.support.settings_harness import (
    URL,
    Harness,
    entries,
    fill,
    profile,
    select,
)

Choice = QMessageBox.StandardButton


# -- list actions ------------------------------------------------------------------------------


def test_remove_asks_with_the_name_and_deletes_config_and_secret(harness: Harness) -> None:
    harness.add(profile("Acme"))
    keep = harness.add(profile("Keep")).find("Keep")
    dialog = harness.dialog()
    select(dialog, "Acme")
    removed_id = dialog.current_profile_id()

    harness.answers.remove = False
    dialog.remove_button.click()
    assert harness.answers.asked == ["remove:Acme"]
    assert len(harness.store().load().profiles) == 2

    harness.answers.remove = True
    with harness.qtbot.waitSignal(dialog.configChanged, timeout=10_000):
        dialog.remove_button.click()
    assert [p.name for p in harness.store().load().profiles] == ["Keep"]
    assert harness.secret_of(removed_id) is None
    assert keep is not None
    assert dialog.current_profile_id() == keep.id
    assert entries(dialog) == ["★ Keep (default)"]


def test_removing_the_last_profile_offers_a_new_one(harness: Harness) -> None:
    harness.add(profile("Acme"))
    dialog = harness.dialog()
    with harness.qtbot.waitSignal(dialog.configChanged, timeout=10_000):
        dialog.remove_button.click()
    assert entries(dialog) == ["New profile (not saved)"]
    assert dialog.welcome.isVisible()


def test_remove_with_a_failing_keyring_says_so_and_refreshes_the_list(harness: Harness) -> None:
    harness.add(profile("Acme"))
    harness.add(profile("Keep"))
    dialog = harness.dialog()
    select(dialog, "Acme")
    harness.keyring.fail_deletes = True

    with harness.qtbot.waitSignal(dialog.configChanged, timeout=10_000):
        dialog.remove_button.click()  # removed from config; the secret stays behind
    assert "Profile removed, but not its secret" in dialog.status.text()
    assert entries(dialog) == ["★ Keep (default)"]


def test_duplicate_copies_the_settings_but_asks_for_the_secret(harness: Harness) -> None:
    harness.add(profile("Acme", scope="read"))
    dialog = harness.dialog()

    dialog.duplicate_button.click()
    assert entries(dialog) == ["★ Acme (default)", "Acme (copy) (not saved)"]
    assert dialog.form.text("scope") == "read"
    assert dialog.form.hint("secret") == "Paste the client secret you were given."
    assert not dialog.save_button.isEnabled()

    fill(dialog, secret="copy-secret")
    with harness.qtbot.waitSignal(dialog.configChanged, timeout=10_000):
        dialog.save_button.click()
    first, copy = harness.store().load().profiles
    assert (copy.name, copy.scope, copy.token_url) == ("Acme (copy)", "read", URL)
    assert copy.id != first.id
    assert harness.secret_of(copy.id) == "copy-secret"


def test_set_default_marks_the_profile(harness: Harness) -> None:
    harness.add(profile("Acme"))
    other = harness.add(profile("Other")).find("Other")
    dialog = harness.dialog()
    select(dialog, "Other")
    assert dialog.default_button.isEnabled()

    with harness.qtbot.waitSignal(dialog.configChanged, timeout=10_000):
        dialog.default_button.click()

    assert other is not None
    assert harness.store().load().settings.default_profile_id == other.id
    assert entries(dialog) == ["Acme", "★ Other (default)"]
    assert not dialog.default_button.isEnabled()


def test_add_then_discard_returns_to_the_saved_profiles(harness: Harness) -> None:
    harness.add(profile("Acme"))
    dialog = harness.dialog()
    dialog.add_button.click()
    assert entries(dialog)[-1] == "New profile (not saved)"
    fill(dialog, name="Draft")
    dialog.discard_button.click()
    assert entries(dialog) == ["★ Acme (default)"]


# -- unsaved changes ---------------------------------------------------------------------------


@pytest.mark.parametrize("answer", [Choice.Cancel, Choice.Discard, Choice.Save])
def test_switching_with_unsaved_changes_asks(harness: Harness, answer: Choice) -> None:
    harness.add(profile("Acme"))
    harness.add(profile("Other"))
    dialog = harness.dialog()
    fill(dialog, client_id="edited-client")
    harness.answers.unsaved = [answer]

    select(dialog, "Other")
    harness.settle(dialog)

    assert harness.answers.asked == ["unsaved:Acme"]
    acme = harness.store().load().find("Acme")
    assert acme is not None
    if answer == Choice.Cancel:
        assert dialog.form.text("name") == "Acme"
        assert dialog.form.text("client_id") == "edited-client"
        assert "Acme" in dialog.profiles.currentItem().text()
    else:
        assert dialog.form.text("name") == "Other"
        expected = "edited-client" if answer == Choice.Save else "acme-client"
        assert acme.client_id == expected


def test_close_with_unsaved_changes_can_be_cancelled(harness: Harness) -> None:
    harness.add(profile("Acme"))
    dialog = harness.dialog()
    fill(dialog, scope="admin")

    harness.answers.unsaved = [Choice.Cancel]
    dialog.close_button.click()
    assert dialog.isVisible()

    harness.answers.unsaved = [Choice.Discard]
    dialog.close_button.click()
    assert not dialog.isVisible()
    assert dialog.form.text("scope") == ""  # reopening shows the saved values


def test_a_profile_with_wrong_field_types_opens_marked_and_is_fixed_by_saving(
    harness: Harness,
) -> None:
    harness.add(profile("Typed"))
    path = harness.store().path
    data = json.loads(path.read_text())
    data["profiles"][0].update(timeout="15", scope=7, refresh_margin=10**12)
    path.write_text(json.dumps(data))

    dialog = harness.dialog()
    form = dialog.form
    assert form.text("name") == "Typed"
    assert form.hint("timeout").startswith("The saved value had the wrong type")
    assert form.hint("scope").startswith("The saved value had the wrong type")
    assert "between 1 and 86400" in form.hint("refresh_margin")
    assert dialog.save_button.isEnabled()

    dialog.save_button.click()
    harness.settle(dialog)
    [saved] = harness.store().load().profiles
    assert (saved.unreadable, saved.timeout, saved.scope) == ((), 15.0, "")
    assert saved.refresh_margin == 86_400
    assert form.hint("timeout") == ""
