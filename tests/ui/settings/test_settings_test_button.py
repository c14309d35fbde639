"""The settings dialog's Test button against the real loopback token server.

Test fetches with the form's current values and never saves; the result line shows the token
type and lifetime, or the error's title and message — never the token, the secret or a trace.
"""

from __future__ import annotations

import base64
import threading

from tests.support.hostile import HOSTILE, green_pixels
from tests.support.settings_harness import (
    Harness,
    fill,
    select,
)
from tests.support.tokenserver import Scripted, TokenServer
from tray_app.core.errors import AppError, ErrorKind
from tray_app.core.profile import BodyFormat, Profile
from tray_app.core.token import Token
from tray_app.gui.settings.dialog import SettingsDialog
from tray_app.gui.settings.texts import describe_token


def choose_json(dialog: SettingsDialog) -> None:
    combo = dialog.form.body_format
    combo.setCurrentIndex(combo.findData(BodyFormat.JSON.value))


def fill_for(dialog: SettingsDialog, server: TokenServer, secret: str) -> None:
    fill(
        dialog,
        name="Server",
        token_url=server.token_url,
        client_id=server.client_id,
        secret=secret,
    )


def test_seed_json_endpoint_reports_type_and_lifetime(
    harness: Harness, seed_server: TokenServer
) -> None:
    dialog = harness.dialog()
    fill_for(dialog, seed_server, seed_server.client_secret)
    choose_json(dialog)
    changed: list[object] = []
    dialog.configChanged.connect(changed.append)

    dialog.test_button.click()
    result = harness.wait_result(dialog)

    assert result == "✓ Got a Bearer token, valid for 30 min"  # the seed says "bearer", 1800 s
    [request] = seed_server.token_requests
    assert request.header("Content-Type") == "application/json"
    assert seed_server.issued_tokens[0] not in result
    # Test saves nothing
    assert changed == []
    assert not harness.store().path.exists()
    assert harness.keyring.writes == 0
    assert dialog.form.typed_secret() == seed_server.client_secret


def test_standard_form_basic_endpoint(harness: Harness, standard_server: TokenServer) -> None:
    dialog = harness.dialog()
    fill_for(dialog, standard_server, standard_server.client_secret)

    dialog.test_button.click()
    assert harness.wait_result(dialog) == "✓ Got a Bearer token, valid for 1 h"

    [request] = standard_server.token_requests
    scheme, _, encoded = (request.header("Authorization") or "").partition(" ")
    assert scheme == "Basic"
    assert base64.b64decode(encoded).decode() == "standard-client:standard-secret"
    assert "client_secret" not in request.form()


def test_wrong_secret_shows_the_plain_error(harness: Harness, standard_server: TokenServer) -> None:
    dialog = harness.dialog()
    fill_for(dialog, standard_server, "not-the-secret")

    dialog.test_button.click()
    result = harness.wait_result(dialog)

    assert result.startswith("✗ Wrong client ID or secret — ")
    assert "not-the-secret" not in result
    assert "Traceback" not in result


def test_a_typo_in_the_token_url_says_not_found_not_scope_or_body_format(
    harness: Harness, seed_server: TokenServer
) -> None:
    dialog = harness.dialog()
    fill_for(dialog, seed_server, seed_server.client_secret)
    choose_json(dialog)
    fill(dialog, token_url=seed_server.token_url.removesuffix("token") + "tokn")

    dialog.test_button.click()
    result = harness.wait_result(dialog)

    assert result.startswith("✗ Token URL not found — ")
    assert "Scope" not in result
    assert "Body format" not in result
    assert "Not Found" in result.split("The server said")[-1]  # its own words only as detail


def test_a_secret_of_the_wrong_length_is_said_in_plain_words(
    harness: Harness, seed_server: TokenServer
) -> None:
    dialog = harness.dialog()  # provider left at "Other": only the server can tell
    fill_for(dialog, seed_server, seed_server.client_secret[:-1])
    choose_json(dialog)

    dialog.test_button.click()
    result = harness.wait_result(dialog)

    assert result.startswith("✗ Client secret has the wrong length — ")
    assert "43 characters" in result
    plain, _, detail = result.partition("The server said")
    assert "deserialize" not in plain
    assert "client_secret: invalid length" in detail


def test_seed_endpoint_rejects_form_body_with_a_hint(
    harness: Harness, seed_server: TokenServer
) -> None:
    dialog = harness.dialog()
    fill_for(dialog, seed_server, seed_server.client_secret)  # Body format left at Form

    dialog.test_button.click()

    assert harness.wait_result(dialog).startswith("✗ ")
    assert "JSON" in dialog.test_result.text()


def test_saved_profile_is_tested_with_the_stored_secret(
    harness: Harness, standard_server: TokenServer
) -> None:
    harness.add(standard_server.profile(name="Saved"), standard_server.client_secret)
    dialog = harness.dialog()
    assert dialog.form.typed_secret() == ""
    assert dialog.test_button.isEnabled()

    dialog.test_button.click()

    assert harness.wait_result(dialog) == "✓ Got a Bearer token, valid for 1 h"
    assert dialog.form.edits["secret"].text() == ""
    assert harness.keyring.writes == 1  # only the setup's save


def test_saved_profile_without_a_secret_says_what_to_do(harness: Harness) -> None:
    def no_fetch(_profile: Profile, _secret: str) -> Token:
        raise AssertionError("must not be called without a secret")

    profile = Profile(name="Bare", token_url="https://login.example.com/t", client_id="c")
    harness.add(profile, "s")
    harness.keyring.passwords.clear()  # the secret vanished from the keyring meanwhile
    dialog = harness.dialog(fetch=no_fetch)
    # The keyring check found no secret: the form asks for one and Test waits for it.
    assert dialog.form.hint("secret") == "Paste the client secret you were given."
    assert not dialog.test_button.isEnabled()

    dialog.test()  # e.g. through its shortcut: still no request without a secret
    harness.settle(dialog)
    assert dialog.form.hint("secret") == "Paste the client secret you were given."
    assert not dialog.test_result.text().startswith("✓")


def test_locked_keyring_during_test_is_reported(
    harness: Harness, standard_server: TokenServer
) -> None:
    harness.add(standard_server.profile(name="Saved"), standard_server.client_secret)
    dialog = harness.dialog()
    harness.keyring.locked = True

    dialog.test_button.click()

    assert harness.wait_result(dialog).startswith("✗ Password storage is locked — ")
    assert standard_server.request_count == 0


def test_button_is_busy_while_testing_and_the_window_stays_usable(harness: Harness) -> None:
    gate = threading.Event()

    def slow_fetch(_profile: Profile, _secret: str) -> Token:
        gate.wait(10)
        raise AppError(ErrorKind.UNAVAILABLE, "Server not reachable", "Check the address.")

    dialog = harness.dialog(fetch=slow_fetch)
    fill(dialog, name="Slow", token_url="https://slow.example.com/t", client_id="c", secret="s")

    dialog.test_button.click()
    assert dialog.test_button.text() == "Testing…"
    assert not dialog.test_button.isEnabled()
    assert dialog.form.isEnabled()
    assert dialog.save_button.isEnabled()
    gate.set()

    assert harness.wait_result(dialog) == "✗ Server not reachable — Check the address."
    assert dialog.test_button.text() == "&Test"
    assert dialog.test_button.isEnabled()


def test_result_of_another_profile_is_not_shown(harness: Harness) -> None:
    gate = threading.Event()

    def slow_fetch(_profile: Profile, _secret: str) -> Token:
        gate.wait(10)
        return Token("abc", "Bearer", 60.0, 0.0)

    harness.add(Profile(name="One", token_url="https://one.example.com/t", client_id="c"))
    harness.add(Profile(name="Two", token_url="https://two.example.com/t", client_id="c"))
    dialog = harness.dialog(fetch=slow_fetch)
    dialog.test_button.click()
    select(dialog, "Two")
    gate.set()
    harness.settle(dialog)

    assert dialog.form.text("name") == "Two"
    assert dialog.test_result.text() == ""


def test_token_descriptions() -> None:
    assert describe_token(Token("t", "bearer", 1800.0, 0.0)) == (
        "✓ Got a Bearer token, valid for 30 min"
    )
    assert describe_token(Token("t", "DPoP", 45.0, 0.0)) == "✓ Got a DPoP token, valid for 45 s"
    assumed = describe_token(Token("t", "Bearer", 3600.0, 0.0, lifetime_from_server=False))
    assert assumed.endswith("(the server did not say; assumed)")


def test_html_from_the_server_is_shown_as_text(
    harness: Harness, standard_server: TokenServer
) -> None:
    standard_server.script(
        Scripted.json(401, {"error": "invalid_client", "error_description": HOSTILE})
    )
    dialog = harness.dialog()
    fill_for(dialog, standard_server, standard_server.client_secret)
    dialog.test_button.click()
    result = harness.wait_result(dialog)
    assert "<span" in result
    assert green_pixels(dialog.test_result) == 0
