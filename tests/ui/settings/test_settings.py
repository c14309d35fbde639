"""The settings dialog: first start, validation, keyboard access and saving.

Real parts throughout: ProfileRepository + ConfigStore (per-test folder) + CredentialStore over
the in-memory keyring. The list actions are in test_settings_profiles.py, the Test button in
test_settings_test_button.py, the real gnome-keyring in test_settings_keyring.py.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QAbstractButton,
    QLabel,
    QLineEdit,
    QMessageBox,
    QWidget,
)

from tests.support.settings_harness import (
    URL,
    Harness,
    entries,
    fill,
    profile,
    select,
)
from tray_app.core.profile import BodyFormat, ClientAuth
from tray_app.gui.settings.texts import PLACEHOLDER_NEW, WELCOME
from tray_app.gui.settings.view import fitted_size

Choice = QMessageBox.StandardButton


def visible_texts(dialog: QWidget) -> list[str]:
    """Every text, placeholder and tooltip of the dialog's line edits and labels."""
    texts: list[str] = []
    for edit in dialog.findChildren(QLineEdit):
        texts += [edit.text(), edit.placeholderText(), edit.toolTip()]
    for label in dialog.findChildren(QLabel):
        texts += [label.text(), label.toolTip()]
    return texts


# -- first start and validation ----------------------------------------------------------------


def test_first_start_offers_an_empty_profile_with_a_welcome(harness: Harness) -> None:
    dialog = harness.dialog()

    assert dialog.windowTitle() == "Token Tray — Settings"
    assert dialog.welcome.isVisible()
    assert dialog.welcome.text() == WELCOME
    assert entries(dialog) == ["New profile (not saved)"]
    assert dialog.form.edits["secret"].placeholderText() == PLACEHOLDER_NEW
    assert not dialog.save_button.isEnabled()
    assert not dialog.test_button.isEnabled()
    assert dialog.form.hint("token_url") == ""  # an untouched form is not a wall of red
    assert dialog.form.hint("name") == ""
    # most people were handed Tarkov Database credentials: the Token URL is filled in
    assert dialog.form.provider.combo.currentData() == "tarkov-database"
    assert dialog.needs.text() == "Still needed: Name, Client ID, Client secret."
    assert not dialog.form.advanced_visible()  # the preset's JSON body is no reason to unfold


def test_hints_appear_and_disappear_and_save_enables(harness: Harness) -> None:
    dialog = harness.dialog()

    fill(dialog, name="Acme", token_url="http://login.example.com/token")
    assert "https://" in dialog.form.hint("token_url")
    assert dialog.form.hint("name") == ""
    assert not dialog.save_button.isEnabled()

    fill(dialog, token_url=URL, client_id="acme-client")
    assert dialog.form.hint("token_url") == ""
    assert not dialog.save_button.isEnabled()  # still no secret
    assert "Client secret" in dialog.needs.text()

    fill(dialog, secret="  s3cret  ")
    assert dialog.save_button.isEnabled()
    assert dialog.test_button.isEnabled()
    assert dialog.needs.isHidden()
    assert entries(dialog) == ["Acme (not saved)"]


def test_saved_profile_shows_a_new_hint_once_the_field_is_left(harness: Harness) -> None:
    harness.add(profile())
    dialog = harness.dialog()

    edit = dialog.form.edits["token_url"]
    edit.clear()
    edit.textEdited.emit("")
    assert dialog.form.hint("token_url") == ""  # not while the user is still typing
    assert not dialog.save_button.isEnabled()
    edit.editingFinished.emit()
    assert dialog.form.hint("token_url") == "Token URL is required."


def test_names_must_be_unique(harness: Harness) -> None:
    harness.add(profile("Acme"))
    harness.add(profile("Other"))
    dialog = harness.dialog()
    select(dialog, "Other")

    fill(dialog, name="acme")
    assert "Another profile" in dialog.form.hint("name")
    assert not dialog.save_button.isEnabled()


def test_extra_parameters_and_advanced_fields_are_checked(harness: Harness, tmp_path: Path) -> None:
    harness.add(profile())
    dialog = harness.dialog()

    dialog.form.extra_params.setPlainText("tenant=acme\nno equals sign")
    assert "name=value" in dialog.form.hint("extra_params")
    assert dialog.form.advanced_visible()  # a problem under Advanced unfolds it
    dialog.form.extra_params.setPlainText("tenant=acme\nclient_secret=x")
    assert "set by Token Tray" in dialog.form.hint("extra_params")
    dialog.form.extra_params.setPlainText("tenant=acme")
    fill(dialog, ca_bundle="/no/such/file.pem")
    assert "no file" in dialog.form.hint("ca_bundle").lower()
    bundle = tmp_path / "company-ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    fill(dialog, ca_bundle=str(bundle))
    assert dialog.form.hint("ca_bundle") == ""
    assert dialog.form.profile().extra_params == (("tenant", "acme"),)
    assert dialog.save_button.isEnabled()


def test_json_body_disables_client_authentication(harness: Harness) -> None:
    harness.add(profile())
    dialog = harness.dialog()
    dialog.form.set_advanced_visible(True)
    combo = dialog.form.body_format

    auth = dialog.form.client_auth
    assert auth.currentData() == ClientAuth.BASIC.value

    combo.setCurrentIndex(combo.findData(BodyFormat.JSON.value))
    assert not auth.isEnabled()
    assert auth.currentData() == ClientAuth.BODY.value  # shows where the credentials go
    assert dialog.form.profile().effective_client_auth is ClientAuth.BODY
    assert dialog.form.client_auth_note.isVisible()
    assert "always send" in dialog.form.client_auth_note.text()

    combo.setCurrentIndex(combo.findData(BodyFormat.FORM.value))
    assert auth.isEnabled()
    assert auth.currentData() == ClientAuth.BASIC.value  # the user's choice comes back
    assert not dialog.form.client_auth_note.isVisible()


def test_secret_field_can_be_shown_and_hidden(harness: Harness) -> None:
    dialog = harness.dialog()
    secret = dialog.form.edits["secret"]
    assert secret.echoMode() == secret.EchoMode.Password
    dialog.form.show_secret.click()
    assert secret.echoMode() == secret.EchoMode.Normal
    dialog.form.show_secret.click()
    assert secret.echoMode() == secret.EchoMode.Password


def _mnemonics(widgets: list[QWidget]) -> list[str]:
    letters: list[str] = []
    for widget in widgets:
        if isinstance(widget, QLabel | QAbstractButton) and "&" in widget.text():
            if isinstance(widget, QLabel):
                assert widget.buddy() is not None, widget.text()
            letters.append(widget.text().split("&")[1][0].lower())
    return letters


def test_labels_have_buddies_and_mnemonics_are_unique(harness: Harness) -> None:
    """Unique among the widgets shown together: each tab's page plus what is outside the tabs.

    (Qt ignores the mnemonics of hidden widgets, so two tabs may use the same letter.)
    """
    dialog = harness.dialog()
    dialog.form.set_advanced_visible(True)
    pages = [page for i in range(dialog.tabs.count()) if (page := dialog.tabs.widget(i))]
    everything = dialog.findChildren(QWidget)
    on_pages = {w for page in pages for w in [page, *page.findChildren(QWidget)]}
    outside = [w for w in everything if w not in on_pages]
    for page in pages:
        letters = _mnemonics(outside + page.findChildren(QWidget))
        assert len(letters) == len(set(letters)), sorted(letters)
    assert len(_mnemonics(outside + pages[0].findChildren(QWidget))) >= 20
    assert len(_mnemonics(pages[1].findChildren(QWidget))) == 5  # … and "log &in" (start at login)


def test_tab_order_follows_the_layout(harness: Harness) -> None:
    dialog = harness.dialog()
    dialog.form.set_advanced_visible(True)
    form = dialog.form
    expected = [
        dialog.profiles,
        dialog.add_button,
        dialog.remove_button,
        form.edits["name"],
        form.edits["token_url"],
        form.edits["client_id"],
        form.edits["secret"],
        form.show_secret,
        form.edits["scope"],
        form.edits["audience"],
        form.edits["api_url"],
        form.advanced_toggle,
        form.body_format,
        form.extra_params,
        form.timeout,
        dialog.test_button,
        dialog.save_button,
        dialog.close_button,
    ]
    chain: list[QWidget] = [dialog.profiles]
    widget = dialog.profiles.nextInFocusChain()
    while widget is not None and widget is not dialog.profiles and len(chain) < 500:
        chain.append(widget)
        widget = widget.nextInFocusChain()
    positions = [chain.index(widget) for widget in expected]
    assert positions == sorted(positions)


# -- saving ------------------------------------------------------------------------------------


def test_save_writes_config_and_keyring(harness: Harness) -> None:
    dialog = harness.dialog()
    fill(dialog, name="Acme", token_url=URL, client_id="acme-client", secret=" s3cret ")
    fill(dialog, scope="read  write")

    with harness.qtbot.waitSignal(dialog.configChanged, timeout=10_000) as blocker:
        dialog.save_button.click()
    harness.settle(dialog)

    stored = harness.store().load()
    assert blocker.args == [stored]
    [saved] = stored.profiles
    assert (saved.name, saved.token_url, saved.client_id, saved.scope) == (
        "Acme",
        URL,
        "acme-client",
        "read write",
    )
    assert stored.settings.default_profile_id == saved.id
    assert harness.secret_of(saved.id) == "s3cret"
    assert "s3cret" not in harness.store().path.read_text()
    assert dialog.form.edits["secret"].text() == ""
    assert (
        dialog.form.edits["secret"].placeholderText().startswith("Saved in your password storage")
    )
    assert entries(dialog) == ["★ Acme (default)"]
    assert "Saved" in dialog.status.text()
    assert not dialog.welcome.isVisible()


def test_save_without_a_new_secret_keeps_the_stored_one(harness: Harness) -> None:
    harness.add(profile(), "first-secret")
    dialog = harness.dialog()
    fill(dialog, client_id="new-client")

    with harness.qtbot.waitSignal(dialog.configChanged, timeout=10_000):
        dialog.save_button.click()

    [saved] = harness.store().load().profiles
    assert saved.client_id == "new-client"
    assert harness.secret_of(saved.id) == "first-secret"
    assert harness.keyring.writes == 1


def test_stored_secret_is_never_read_back_into_the_form(harness: Harness) -> None:
    harness.add(profile("Acme"), "top-secret")
    harness.add(profile("Other"), "other-secret")
    dialog = harness.dialog()

    for name in ("Acme", "Other", "Acme"):
        select(dialog, name)
        harness.settle(dialog)
        secret = dialog.form.edits["secret"]
        assert secret.text() == ""
        assert "leave empty to keep it" in secret.placeholderText()
        assert "secret" not in dialog.form.hint("secret")
        shown = visible_texts(dialog)
        assert not any("top-secret" in text or "other-secret" in text for text in shown)


def test_locked_keyring_on_save_shows_error_and_keeps_everything(harness: Harness) -> None:
    dialog = harness.dialog()
    fill(dialog, name="Acme", token_url=URL, client_id="acme-client", secret="s3cret")
    harness.keyring.locked = True
    changed: list[object] = []
    dialog.configChanged.connect(changed.append)

    dialog.save_button.click()
    harness.qtbot.waitUntil(lambda: dialog.status.text().startswith("✗"), timeout=10_000)
    harness.settle(dialog)

    assert "Password storage is locked" in dialog.status.text()
    assert "Traceback" not in dialog.status.text()
    assert not harness.store().path.exists()
    assert changed == []
    assert dialog.form.text("name") == "Acme"
    assert dialog.form.typed_secret() == "s3cret"
    assert dialog.save_button.isEnabled()  # unlock, then press Save again

    harness.keyring.locked = False
    with harness.qtbot.waitSignal(dialog.configChanged, timeout=10_000):
        dialog.save_button.click()
    assert [p.name for p in harness.store().load().profiles] == ["Acme"]


def test_save_button_shows_busy_state(harness: Harness) -> None:
    dialog = harness.dialog()
    fill(dialog, name="Acme", token_url=URL, client_id="acme-client", secret="s3cret")
    dialog.save_button.click()
    assert dialog.save_button.text() == "Saving…"
    assert not dialog.save_button.isEnabled()
    assert not dialog.profiles.isEnabled()
    harness.settle(dialog)
    assert dialog.save_button.text() == "&Save"


def test_the_window_fits_a_small_screen(harness: Harness) -> None:
    dialog = harness.dialog()
    room = dialog.screen().availableGeometry()  # offscreen: 800x800, narrower than 880
    assert room.width() < 880
    frame = QSize(40, 60)  # the window manager's frame and title bar
    assert dialog.width() in (dialog.minimumWidth(), *range(room.width() - frame.width() + 1))
    assert dialog.height() in (dialog.minimumHeight(), *range(room.height() - frame.height() + 1))
    assert fitted_size(dialog, QSize(500, 400)) == dialog.minimumSize()  # never below it
