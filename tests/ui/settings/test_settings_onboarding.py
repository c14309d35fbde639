"""The settings window's onboarding: provider presets with live checks, Discover against a real
loopback issuer, Import/Export of team files (buttons and drag-and-drop), "Try the demo"."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QWidget

from tests.support.issuer import OIDC, IssuerServer
from tests.support.settings_harness import SAMPLE_SECRET, Harness, entries, fill, profile, select
from tests.support.tokenserver import SEED_CLIENT_ID, SEED_CLIENT_SECRET
from tray_app.core.presets import TARKOV_TOKEN_URL
from tray_app.core.profile import BodyFormat, ClientAuth
from tray_app.core.team import export_text
from tray_app.gui.settings.dialog import SettingsDialog
from tray_app.gui.settings.texts import unbroken_hosts


def choose(dialog: SettingsDialog, key: str) -> None:
    combo = dialog.form.provider.combo
    combo.setCurrentIndex(combo.findData(key))


def fill_helper(dialog: SettingsDialog, **values: str) -> None:
    for key, text in values.items():
        edit = dialog.form.provider.edits[key]
        edit.setText(text)
        edit.textEdited.emit(text)
        edit.editingFinished.emit()


def type_live(dialog: SettingsDialog, key: str, text: str) -> None:
    """Type without leaving the field (no editingFinished)."""
    edit = dialog.form.edits[key]
    edit.setText(text)
    edit.textEdited.emit(text)


def helper_row_visible(dialog: SettingsDialog, key: str) -> bool:
    return (
        dialog.form.provider.visible_rows()[key] and not dialog.form.provider.edits[key].isHidden()
    )


@pytest.fixture
def issuer_server() -> Iterator[IssuerServer]:
    with IssuerServer("standard") as server:
        yield server


def test_tarkov_preset_fills_the_request_and_checks_on_leaving_a_field(harness: Harness) -> None:
    dialog = harness.dialog()
    choose(dialog, "tarkov-database")
    form = dialog.form
    assert form.edits["token_url"].text() == TARKOV_TOKEN_URL
    assert form.edits["token_url"].isReadOnly()
    assert form.body_format.currentData() == BodyFormat.JSON.value
    assert not any(helper_row_visible(dialog, key) for key in ("domain", "tenant", "issuer"))
    assert "0b2f1e4c" in form.provider.explanation.text()

    type_live(dialog, "client_id", "my-app")
    assert form.hint("client_id") == ""  # not while typing: the form must not move
    form.edits["client_id"].editingFinished.emit()
    assert "0b2f1e4c-6a51" in form.hint("client_id")
    type_live(dialog, "client_id", SEED_CLIENT_ID)
    assert form.hint("client_id") == ""  # fixed: it goes at once
    type_live(dialog, "secret", SEED_CLIENT_SECRET[:-1])
    form.edits["secret"].editingFinished.emit()
    assert "this one has 42" in form.hint("secret")
    assert SEED_CLIENT_SECRET[:-1] not in form.hint("secret")
    fill(dialog, name="Tarkov API")
    assert not dialog.save_button.isEnabled()
    type_live(dialog, "secret", SEED_CLIENT_SECRET)
    assert form.hint("secret") == ""
    assert dialog.save_button.isEnabled()

    dialog.save_button.click()
    harness.settle(dialog)
    [saved] = harness.store().load().profiles
    assert (saved.preset, saved.token_url, saved.body_format) == (
        "tarkov-database",
        TARKOV_TOKEN_URL,
        BodyFormat.JSON,
    )
    assert harness.secret_of(saved.id) == SEED_CLIENT_SECRET


def test_auth0_builds_the_url_from_the_domain_and_needs_an_audience(harness: Harness) -> None:
    dialog = harness.dialog()
    choose(dialog, "auth0")
    form = dialog.form
    assert helper_row_visible(dialog, "domain")
    assert not helper_row_visible(dialog, "tenant")
    assert form.provider.labels["domain"].text() == "Auth0 domain:"
    fill_helper(dialog, domain="https://acme.auth0.com")
    assert "only the domain name" in form.hint("helper.domain")
    fill_helper(dialog, domain="acme.eu.auth0.com")
    assert form.edits["token_url"].text() == "https://acme.eu.auth0.com/oauth/token"
    assert form.client_auth.currentData() == ClientAuth.BODY.value
    fill(dialog, name="Shop", client_id="AbC123", secret="s")
    assert not dialog.save_button.isEnabled()
    assert "Audience" in dialog.needs.text()
    dialog.save()  # what Enter does: reveals every hint
    assert "Audience" in form.hint("audience")
    fill(dialog, audience="https://api.acme.example")
    assert dialog.save_button.isEnabled()


def test_choosing_other_unlocks_the_token_url_and_drops_the_old_providers_values(
    harness: Harness,
) -> None:
    dialog = harness.dialog()
    choose(dialog, "cognito")
    fill_helper(dialog, domain="acme.auth.eu-west-1.amazoncognito.com")
    choose(dialog, "custom")
    edit = dialog.form.edits["token_url"]
    assert not edit.isReadOnly()
    assert edit.text() == ""  # it was Cognito's: type the one you were given
    assert dialog.form.provider.edits["domain"].text() == ""
    assert dialog.form.profile().preset == ""


def test_switching_provider_carries_nothing_over_and_clears_the_test_result(
    harness: Harness,
) -> None:
    dialog = harness.dialog()
    choose(dialog, "tarkov-database")
    dialog.show_result("✓ Got a Bearer token, valid for 30 min")

    choose(dialog, "entra-id")
    assert dialog.form.provider.edits["tenant"].text() == ""  # not "v1" from Tarkov's URL
    assert dialog.test_result.text() == ""  # the result belonged to other values
    choose(dialog, "custom")
    assert dialog.form.edits["token_url"].text() == ""
    assert dialog.form.body_format.currentData() == BodyFormat.FORM.value  # Tarkov's JSON went


def test_a_url_typed_under_other_still_fills_the_chosen_presets_fields(harness: Harness) -> None:
    dialog = harness.dialog()
    fill(
        dialog,
        token_url="https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token",
    )
    choose(dialog, "entra-id")
    assert dialog.form.provider.edits["tenant"].text() == "contoso.onmicrosoft.com"


def test_any_edit_clears_the_last_test_result(harness: Harness) -> None:
    harness.add(profile())
    dialog = harness.dialog()
    dialog.show_result("✓ Got a Bearer token, valid for 30 min")
    fill(dialog, scope="read")
    assert dialog.test_result.text() == ""


def test_a_saved_preset_profile_shows_its_provider_and_helpers(harness: Harness) -> None:
    harness.add(
        profile(
            "Entra",
            token_url="https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token",
            scope="api://x/.default",
            preset="entra-id",
        )
    )
    dialog = harness.dialog()
    provider = dialog.form.provider
    assert provider.preset().key == "entra-id"
    assert provider.edits["tenant"].text() == "contoso.onmicrosoft.com"
    assert not dialog.form.is_dirty()
    assert not dialog.save_button.isEnabled()


def test_a_profile_whose_url_is_not_its_presets_is_shown_as_other(harness: Harness) -> None:
    lying = "https://identity.tarkov-database.com.evil.example/v1/oauth/token"
    harness.add(
        profile("Tarkov", token_url=lying, client_id=SEED_CLIENT_ID, preset="tarkov-database")
    )
    dialog = harness.dialog()
    form = dialog.form
    assert form.provider.preset().key == "custom"
    assert form.edits["token_url"].text() == lying
    assert not form.edits["token_url"].isReadOnly()


def test_import_names_the_token_host_before_saving(harness: Harness, tmp_path: Path) -> None:
    path = write_team_file(tmp_path)
    dialog = harness.dialog()
    dialog.onboarding.import_file(str(path))
    harness.qtbot.waitUntil(lambda: "Imported" in dialog.status.text())
    host = urlsplit(dialog.form.text("token_url")).hostname
    assert f"Its tokens come from {host}: the client secret" in dialog.status.text()
    assert harness.store().path.exists() is False


def test_discover_fills_the_token_url_and_the_profile_works(
    harness: Harness, issuer_server: IssuerServer
) -> None:
    methods = ["client_secret_post"]
    issuer_server.publish(
        "/realms/acme" + OIDC,
        issuer_server.metadata("/realms/acme", token_endpoint_auth_methods_supported=methods),
    )
    dialog = harness.dialog()
    choose(dialog, "keycloak")
    assert helper_row_visible(dialog, "server")
    assert helper_row_visible(dialog, "realm")
    assert not dialog.form.provider.discover_row.isHidden()
    fill(dialog, name="KC", client_id=issuer_server.client_id, secret=issuer_server.client_secret)
    fill_helper(dialog, server=issuer_server.base_url, realm="acme")
    assert not dialog.save_button.isEnabled()  # the Token URL is not known yet

    dialog.form.provider.discover_button.click()
    harness.qtbot.waitUntil(lambda: dialog.form.provider.discover_status.text()[:1] in "✓✗")
    harness.settle(dialog)

    assert dialog.form.provider.discover_status.text().startswith("✓ Found the Token URL")
    assert dialog.form.edits["token_url"].text() == issuer_server.token_url
    assert dialog.form.client_auth.currentData() == ClientAuth.BODY.value
    dialog.test_button.click()
    assert harness.wait_result(dialog).startswith("✓ Got a Bearer token")
    assert issuer_server.token_requests[-1].form()["client_id"] == [issuer_server.client_id]


def test_discover_failure_is_shown_and_nothing_changes(
    harness: Harness, issuer_server: IssuerServer
) -> None:
    issuer_server.publish(OIDC, issuer_server.metadata(issuer="https://elsewhere.example"))
    dialog = harness.dialog()
    choose(dialog, "okta")
    fill_helper(dialog, issuer=issuer_server.base_url)
    dialog.form.provider.discover_button.click()
    harness.qtbot.waitUntil(lambda: dialog.form.provider.discover_status.text()[:1] in "✓✗")
    assert "Issuer does not match" in dialog.form.provider.discover_status.text()
    assert dialog.form.edits["token_url"].text() == ""
    assert dialog.form.provider.discover_button.isEnabled()


def write_team_file(folder: Path, name: str = "Team API") -> Path:
    shared = profile(name, client_id="team-client", scope="read")
    path = folder / "team.json"
    path.write_text(export_text(shared))
    return path


def test_import_opens_a_draft_that_needs_only_the_secret(harness: Harness, tmp_path: Path) -> None:
    path = write_team_file(tmp_path)
    dialog = harness.dialog()
    harness.monkeypatch.setattr(dialog, "ask_import_path", lambda: str(path))
    dialog.import_button.click()
    harness.qtbot.waitUntil(lambda: "Imported" in dialog.status.text())
    assert "Paste the client secret" in dialog.status.text()
    assert entries(dialog)[-1] == "Team API (not saved)"
    assert dialog.form.text("client_id") == "team-client"
    assert dialog.form.hint("secret") != ""
    assert harness.store().path.exists() is False

    fill(dialog, secret=SAMPLE_SECRET)
    dialog.save_button.click()
    harness.settle(dialog)
    [saved] = harness.store().load().profiles
    assert (saved.name, saved.scope) == ("Team API", "read")
    assert harness.secret_of(saved.id) == SAMPLE_SECRET


def test_import_renames_on_a_clash(harness: Harness, tmp_path: Path) -> None:
    harness.add(profile("Team API"))
    path = write_team_file(tmp_path)
    dialog = harness.dialog()
    dialog.onboarding.import_file(str(path))
    harness.qtbot.waitUntil(lambda: "Imported" in dialog.status.text())
    assert dialog.form.text("name") == "Team API (2)"
    assert "Renamed" in dialog.status.text()


def test_a_refused_file_changes_nothing(harness: Harness, tmp_path: Path) -> None:
    path = tmp_path / "new.json"
    data = json.loads(export_text(profile("Future")))
    data["version"] = 9
    path.write_text(json.dumps(data))
    dialog = harness.dialog()
    before = entries(dialog)
    dialog.onboarding.import_file(str(path))
    harness.qtbot.waitUntil(lambda: dialog.status.text().startswith("✗"))
    assert "version 9" in dialog.status.text()
    assert entries(dialog) == before


def test_export_writes_the_file_without_the_secret(harness: Harness, tmp_path: Path) -> None:
    harness.add(profile("Acme"), secret=SAMPLE_SECRET)
    dialog = harness.dialog()
    select(dialog, "Acme")
    target = tmp_path / "acme.json"
    asked: list[str] = []

    def ask(suggested: str) -> str:
        asked.append(suggested)
        return str(target)

    harness.monkeypatch.setattr(dialog, "ask_export_path", ask)
    dialog.export_button.click()
    harness.qtbot.waitUntil(lambda: dialog.status.text().startswith("✓ Exported"))
    assert asked == ["Acme.json"]
    text = target.read_text()
    assert SAMPLE_SECRET not in text
    assert json.loads(text)["profile"]["name"] == "Acme"


def drop(target: QWidget, mime: QMimeData) -> tuple[bool, bool]:
    """Drag ``mime`` onto ``target`` and drop it; (enter accepted, drop accepted)."""
    point = QPoint(20, 20)
    enter = QDragEnterEvent(
        point,
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(target, enter)
    dropped = QDropEvent(
        point.toPointF(),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(target, dropped)
    return enter.isAccepted(), dropped.isAccepted()


def test_dropping_a_file_imports_it(harness: Harness, tmp_path: Path) -> None:
    path = write_team_file(tmp_path, "Dropped")
    dialog = harness.dialog()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    assert drop(dialog, mime) == (True, True)
    harness.qtbot.waitUntil(lambda: "Imported" in dialog.status.text())
    assert entries(dialog)[-1] == "Dropped (not saved)"


@pytest.mark.parametrize("field", ["name", "extra_params"])
def test_a_file_dropped_on_a_text_field_is_imported_not_pasted(
    harness: Harness, tmp_path: Path, field: str
) -> None:
    path = write_team_file(tmp_path, "Onto a field")
    dialog = harness.dialog()
    form = dialog.form
    target = form.extra_params.viewport() if field == "extra_params" else form.edits[field]
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    mime.setText(str(path))  # file managers often offer the path as text too
    assert drop(target, mime) == (True, True)
    harness.qtbot.waitUntil(lambda: "Imported" in dialog.status.text())
    assert form.text("name") == "Onto a field"
    assert str(path) not in form.extra_params.toPlainText()


def test_dropping_text_or_two_files_is_ignored(harness: Harness, tmp_path: Path) -> None:
    dialog = harness.dialog()
    text = QMimeData()
    text.setText("hello")
    assert drop(dialog, text) == (False, False)
    two = QMimeData()
    two.setUrls(
        [QUrl.fromLocalFile(str(tmp_path / "a.json")), QUrl.fromLocalFile(str(tmp_path / "b.json"))]
    )
    assert drop(dialog, two) == (False, False)
    assert dialog.status.text() == ""


def test_first_start_offers_the_demo(harness: Harness) -> None:
    dialog = harness.dialog()
    assert dialog.demo_button.isVisible()
    with harness.qtbot.waitSignal(dialog.onboarding.demoRequested, timeout=1000):
        dialog.demo_button.click()


def test_the_demo_offer_goes_once_there_is_a_profile(harness: Harness) -> None:
    harness.add(profile("Acme"))
    assert not harness.dialog().demo_button.isVisible()


def test_the_demo_is_not_offered_inside_the_demo(harness: Harness) -> None:
    dialog = harness.dialog()
    dialog.onboarding.set_demo_offered(False)
    assert not dialog.demo_button.isVisible()
    dialog.set_config(harness.repository.load())
    assert not dialog.demo_button.isVisible()


def test_a_token_url_of_a_known_provider_under_other_suggests_its_preset(
    harness: Harness,
) -> None:
    dialog = harness.dialog()
    fill(dialog, name="Tarkov", token_url=TARKOV_TOKEN_URL, client_id=SEED_CLIENT_ID)
    assert dialog.form.provider.combo.currentData() == "custom"

    assert "choose “Tarkov Database” under Provider" in dialog.form.hint("token_url")
    assert not dialog.save_button.isEnabled()  # a form body would fail there
    choose(dialog, "custom")
    combo = dialog.form.body_format
    combo.setCurrentIndex(combo.findData(BodyFormat.JSON.value))  # sent as it expects: fine
    assert dialog.form.hint("token_url") == ""


def test_a_fresh_add_shows_no_error_before_anything_was_typed(harness: Harness) -> None:
    harness.add(profile())
    dialog = harness.dialog()
    dialog.activateWindow()
    for key in ("name", "client_id"):  # the user was in a field of the saved profile
        dialog.form.edits[key].setFocus()
        QApplication.processEvents()
        dialog.add_button.click()
        QApplication.processEvents()
        assert dialog.form.edits["name"].hasFocus()
        shown = {k: dialog.form.hint(k) for k in ("name", "token_url", "client_id", "secret")}
        assert shown == dict.fromkeys(shown, ""), shown
        dialog.discard_changes()


def test_still_needed_lists_the_fields_flagged_red_too(harness: Harness) -> None:
    dialog = harness.dialog()
    fill(dialog, name="", client_id="x")  # left empty, and left wrong: both flagged now
    assert dialog.form.hint("name")
    assert dialog.form.hint("client_id")
    assert dialog.needs.text() == "Still needed: Name, Client ID, Client secret."


def test_host_names_in_messages_do_not_break_at_their_hyphens() -> None:
    text = unbroken_hosts("Cannot find “identity.tarkov-database.com”. Try a re-check.")
    assert "identity.tarkov\u2011database.com" in text
    assert "re-check" in text  # ordinary words keep their hyphen
