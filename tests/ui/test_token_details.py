"""The "Token details…" window: facts about the held token and its JWT claims (not verified),
copyable per claim; opened from the tray menu of a real TrayApplication."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from tests.support.tokenserver_rules import make_jwt
from tray_app.core.jwt_claims import NOT_VERIFIED
from tray_app.core.profile import Profile
from tray_app.core.status import ServiceStatus, TokenState
from tray_app.core.token import Token
from tray_app.gui.token_details import NOT_A_JWT, TokenDetailsDialog

NOW = 1_800_000_000.0
PROFILE = Profile(name="Acme", token_url="https://a.example/token", client_id="c")


def status_with(access_token: str, scope: str | None = "read") -> ServiceStatus:
    token = Token(access_token, "bearer", lifetime=1800.0, obtained_at=NOW - 180, scope=scope)
    return ServiceStatus(PROFILE, TokenState.VALID, token)


def dialog_for(qtbot: QtBot, status: ServiceStatus, copied: list[str]) -> TokenDetailsDialog:
    dialog = TokenDetailsDialog(status, copy=copied.append, clock=lambda: NOW)
    qtbot.addWidget(dialog)
    return dialog


def all_text(dialog: TokenDetailsDialog) -> str:
    return "\n".join(
        label.text() for label in dialog.findChildren(QLabel) if label.isVisibleTo(dialog)
    )


def test_facts_and_claims_of_a_jwt(qtbot: QtBot) -> None:
    claims = {"iss": "https://idp", "sub": "svc", "aud": ["api"], "scp": "read", "exp": NOW + 1620}
    copied: list[str] = []
    dialog = dialog_for(qtbot, status_with(make_jwt(claims)), copied)
    texts = dialog.texts()
    assert dialog.windowTitle() == "Token details — Acme"
    assert texts["token_type"] == "Bearer"
    assert texts["expires_at"].endswith("(in 27 min)")
    assert texts["obtained_at"].endswith("(3 min ago)")
    assert texts["lifetime"] == "30 min"
    assert texts["token_scope"] == "read"
    assert (texts["iss"], texts["sub"], texts["aud"], texts["scp"]) == (
        "https://idp",
        "svc",
        "api",
        "read",
    )
    assert texts["exp"].endswith("(in 27 min)")
    assert texts["header.alg"] == "HS256"
    assert NOT_VERIFIED in all_text(dialog)
    assert make_jwt(claims)[:20] not in all_text(dialog)  # facts about the token, never it

    dialog.copy_buttons["aud"].click()
    dialog.copy_buttons["exp"].click()
    dialog.copy_buttons["iss"].click()
    assert copied == ['["api"]', str(int(NOW + 1620)) + ".0", "https://idp"]


def test_an_opaque_token_says_it_has_no_claims(qtbot: QtBot) -> None:
    dialog = dialog_for(qtbot, status_with("opaque-value", scope=None), [])
    assert NOT_A_JWT in all_text(dialog)
    assert dialog.texts()["token_scope"] == "(none given)"
    assert "iss" not in dialog.texts()


def test_the_scope_comes_from_the_jwt_when_the_answer_gave_none(qtbot: QtBot) -> None:
    copied: list[str] = []
    claims = {"sub": "svc", "scope": "item:read", "exp": NOW + 1620}
    dialog = dialog_for(qtbot, status_with(make_jwt(claims), scope=None), copied)

    assert dialog.texts()["token_scope"] == "item:read (from the token itself)"
    dialog.copy_buttons["token_scope"].click()
    assert copied == ["item:read"]


def test_not_verified_is_said_once(qtbot: QtBot) -> None:
    dialog = dialog_for(qtbot, status_with(make_jwt({"sub": "svc"})), [])
    assert all_text(dialog).lower().count("not verified") == 1


def test_no_token_yet(qtbot: QtBot) -> None:
    dialog = dialog_for(qtbot, ServiceStatus(PROFILE, TokenState.FETCHING), [])
    assert "No token yet — Acme — getting a token…" in all_text(dialog)


def test_the_window_follows_a_new_token(qtbot: QtBot) -> None:
    dialog = dialog_for(qtbot, status_with(make_jwt({"sub": "old"})), [])
    dialog.show_status(status_with(make_jwt({"sub": "new"})))
    assert dialog.texts()["sub"] == "new"


def test_relative_times_stay_true_while_open(qtbot: QtBot) -> None:
    now = [NOW]
    status = status_with(make_jwt({"exp": NOW + 1620}))
    dialog = TokenDetailsDialog(status, copy=lambda _text: None, clock=lambda: now[0])
    qtbot.addWidget(dialog)
    assert dialog.timer.isActive()
    now[0] = NOW + 600
    dialog.timer.timeout.emit()
    assert dialog.texts()["expires_at"].endswith("(in 17 min)")
    assert dialog.texts()["exp"].endswith("(in 17 min)")


def test_claims_and_scope_with_html_are_shown_as_text(qtbot: QtBot) -> None:
    from tests.support.hostile import HOSTILE, green_pixels

    claims = {"iss": HOSTILE, "sub": HOSTILE, "aud": HOSTILE, "exp": NOW + 1620}
    dialog = dialog_for(qtbot, status_with(make_jwt(claims), scope=HOSTILE), [])
    dialog.show()
    texts = dialog.texts()
    assert texts["token_scope"] == texts["iss"] == texts["sub"] == texts["aud"] == HOSTILE
    assert green_pixels(dialog) == 0
