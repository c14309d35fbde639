"""The settings form never moves under the pointer: a message that comes or goes, Advanced, a
preset or the Test slot leave every field where the user last saw it; and a secret pasted into
a field that is saved in clear is flagged at once."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from tests.support.settings_harness import Harness
from tests.support.tokenserver import SEED_CLIENT_ID, SEED_CLIENT_SECRET
from tray_app.gui.settings.dialog import SettingsDialog

WRONG_FIELD_HINT = (
    "This looks like the client secret. Remove it from here and paste it into “Client "
    "secret”: this field is saved in a plain file and sent as it is."
)


def choose(dialog: SettingsDialog, key: str) -> None:
    combo = dialog.form.provider.combo
    combo.setCurrentIndex(combo.findData(key))


def settle() -> None:
    for _ in range(3):  # layout requests, then the resizes they cause
        QApplication.processEvents()


def fields(dialog: SettingsDialog) -> dict[str, QWidget]:
    """Every input a pointer may aim at, plus the Test button."""
    form = dialog.form
    found: dict[str, QWidget] = {key: edit for key, edit in form.edits.items()}
    found |= {
        "body_format": form.body_format,
        "client_auth": form.client_auth,
        "extra_params": form.extra_params,
        "timeout": form.timeout,
        "test": dialog.test_button,
        "save": dialog.save_button,
    }
    return found


def geometry(dialog: SettingsDialog) -> dict[str, QRect]:
    """Where each visible field sits in the form (scrolling aside); the buttons in the window."""
    settle()
    places = {}
    for key, widget in fields(dialog).items():
        if widget.isVisible():
            inside = dialog.form if dialog.form.isAncestorOf(widget) else dialog
            places[key] = QRect(widget.mapTo(inside, QPoint(0, 0)), widget.size())
    return places


def type_slowly(dialog: SettingsDialog, key: str, text: str, before: dict[str, QRect]) -> None:
    """Click into ``key``, type ``text`` one key at a time; nothing may move at any point."""
    edit = dialog.form.edits[key]
    edit.setFocus()
    settle()
    edit.selectAll()
    for char in text:
        QTest.keyClicks(edit, char)
        moved = {k: v for k, v in geometry(dialog).items() if before.get(k) != v}
        assert not moved, f"typing {char!r} into {key} moved {sorted(moved)}"


def test_typing_character_by_character_moves_no_field(harness: Harness) -> None:
    dialog = harness.dialog()
    dialog.resize(880, 720)  # the size it opens at on a desktop screen
    dialog.activateWindow()
    choose(dialog, "tarkov-database")
    dialog.form.set_advanced_visible(True)
    before = geometry(dialog)
    assert {"name", "client_id", "secret", "scope", "api_url", "test"} <= before.keys()

    type_slowly(dialog, "name", "Tarkov API", before)
    type_slowly(dialog, "client_id", "0b2f1e4c-6a51", before)  # not a UUID yet
    type_slowly(dialog, "secret", "x", before)  # leaving client_id shows its hint
    assert "0b2f1e4c" in dialog.form.hint("client_id")
    type_slowly(dialog, "client_id", SEED_CLIENT_ID, before)  # the hint goes on the last key
    assert dialog.form.hint("client_id") == ""
    type_slowly(dialog, "secret", SEED_CLIENT_SECRET, before)  # "Still needed" goes away
    assert dialog.test_button.isEnabled()
    type_slowly(dialog, "scope", "item:read", before)
    assert geometry(dialog) == before


def test_labels_and_fields_keep_their_place_when_advanced_opens_or_the_preset_changes(
    harness: Harness,
) -> None:
    dialog = harness.dialog()
    name = dialog.form.edits["name"]
    settle()
    place = QRect(name.mapTo(dialog, QPoint(0, 0)), name.size())

    dialog.form.advanced_toggle.click()  # the longest label, and a scroll bar
    settle()
    assert dialog.form.advanced_visible()
    assert QRect(name.mapTo(dialog, QPoint(0, 0)), name.size()).left() == place.left()
    assert name.width() == place.width()
    for preset in ("entra-id", "auth0", "keycloak", "tarkov-database"):
        choose(dialog, preset)
        settle()
        assert name.mapTo(dialog, QPoint(0, 0)).x() == place.left(), preset
        assert name.width() == place.width(), preset


def test_a_message_under_a_field_neither_clips_nor_stretches_the_provider_help(
    harness: Harness,
) -> None:
    dialog = harness.dialog()
    dialog.resize(880, 720)
    choose(dialog, "tarkov-database")
    dialog.form.set_advanced_visible(True)
    settle()
    help_text = dialog.form.provider.explanation
    lines = help_text.fontMetrics().lineSpacing()
    height = help_text.height()
    assert 2 * lines <= height <= 4 * lines  # the whole explanation, and no more

    dialog.form.reveal_all()
    dialog.form.edits["client_id"].setText("x")
    dialog.form.edits["client_id"].textEdited.emit("x")
    dialog.form.edits["client_id"].editingFinished.emit()
    settle()
    assert dialog.form.hint("client_id")
    assert help_text.height() == height


def test_the_secret_typed_then_pasted_into_scope_is_flagged_at_once(harness: Harness) -> None:
    dialog = harness.dialog()
    secret = "p4ss-word-of-my-app"
    dialog.form.edits["secret"].setText(secret)
    dialog.form.edits["secret"].textEdited.emit(secret)
    scope = dialog.form.edits["scope"]
    scope.setFocus()
    QTest.keyClicks(scope, f"read {secret}")

    assert dialog.form.hint("scope") == WRONG_FIELD_HINT  # without leaving the field
    assert not dialog.save_button.isEnabled()
    scope.clear()
    QTest.keyClicks(scope, "read")
    assert dialog.form.hint("scope") == ""


def test_a_value_shaped_like_a_secret_is_flagged_in_a_clear_text_field(harness: Harness) -> None:
    dialog = harness.dialog()
    choose(dialog, "tarkov-database")
    scope = dialog.form.edits["scope"]
    scope.setFocus()
    scope.insert(SEED_CLIENT_SECRET)  # a paste, before anything was typed as the secret
    scope.textEdited.emit(scope.text())

    assert dialog.form.hint("scope") == WRONG_FIELD_HINT
    for harmless in ("item:read", "https://graph.microsoft.com/.default", SEED_CLIENT_ID):
        scope.setText(harmless)
        scope.textEdited.emit(harmless)
        assert dialog.form.hint("scope") != WRONG_FIELD_HINT, harmless


def test_the_client_id_may_look_random_but_not_equal_the_secret(harness: Harness) -> None:
    dialog = harness.dialog()
    client_id = dialog.form.edits["client_id"]
    client_id.setFocus()
    QTest.keyClicks(client_id, "Xk3m9Qp2Lr7Tz4Wn8Vb5Yc1")
    assert dialog.form.hint("client_id") == ""
    dialog.form.edits["secret"].setText("Xk3m9Qp2Lr7Tz4Wn8Vb5Yc1")
    dialog.form.edits["secret"].textEdited.emit("Xk3m9Qp2Lr7Tz4Wn8Vb5Yc1")
    assert dialog.form.hint("client_id") == WRONG_FIELD_HINT


def test_the_api_url_is_asked_for_without_opening_advanced(harness: Harness) -> None:
    dialog = harness.dialog()
    settle()
    assert not dialog.form.advanced_visible()
    api_url = dialog.form.edits["api_url"]
    assert api_url.isVisible()
    assert api_url.placeholderText().startswith("Optional, e.g. https://")
