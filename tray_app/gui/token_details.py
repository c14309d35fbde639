"""The "Token details…" window: what the held token is, when it expires, and what it claims.

Design decisions:

* It shows facts *about* the token — type, when it was obtained, when it expires (local time and
  "in 27 min"), scope, and for a JWT its header and claims — but never the token itself: the
  tray menu's copy actions are the one way to take it, with their clipboard protections.
* JWT contents are decoded by :mod:`tray_app.core.jwt_claims` and labelled "not verified"
  everywhere they appear: Token Tray has no key to check a signature and never pretends to.
* Each claim has its own Copy button (claims are not secrets; ``copy`` is injected and the app
  passes the plain clipboard). Values are selectable text as well.
* The window is a view of one :class:`~tray_app.runtime.token_service.ServiceStatus`;
  :meth:`TokenDetailsDialog.show_status` redraws it when the app sees the status change (a
  refresh while it is open shows the new token's details). A coarse 30 s timer redraws it so
  "in 27 min" stays true while it is open. The clock is injected; tests fire the timer by hand.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from tray_app.core.jwt_claims import NOT_VERIFIED, Claim, decode_jwt, local_time, readable_claims
from tray_app.core.status import ServiceStatus, format_remaining
from tray_app.core.token import Token
from tray_app.gui.activation import bring_forward
from tray_app.gui.settings.texts import NOTE_STYLE
from tray_app.runtime.registry import ServiceRegistry

NOT_A_JWT = (
    "This token is not a JWT, so it carries nothing readable: only the server that issued it "
    "knows what it stands for."
)
SECTION_STYLE = "font-weight: bold; margin-top: 8px;"
TICK_MS = 30_000
_FACTS = frozenset({"token_type", "obtained_at", "expires_at", "lifetime", "token_scope"})


def token_facts(token: Token, now: float, tz: datetime.tzinfo | None = None) -> list[Claim]:
    """Type, obtained at, expires at, lifetime and scope, as rows."""
    kind = "Bearer" if token.token_type.lower() == "bearer" else token.token_type
    lifetime = format_remaining(token.lifetime)
    if not token.lifetime_from_server:
        lifetime += " (the server did not say; assumed)"
    rows = [
        ("token_type", "Token type", kind),
        ("obtained_at", "Obtained at", local_time(token.obtained_at, now, tz)),
        ("expires_at", "Expires at", local_time(token.expires_at, now, tz)),
        ("lifetime", "Lifetime", lifetime),
    ]
    facts = [Claim(name, label, text, text) for name, label, text in rows]
    scope = token.scope or _jwt_scope(token)
    shown = scope if token.scope else f"{scope} (from the token itself)" if scope else ""
    facts.append(Claim("token_scope", "Scope", shown or "(none given)", scope))
    return facts


def _jwt_scope(token: Token) -> str:
    """The scopes a JWT names (``scope``, or Microsoft's ``scp``) when the answer gave none."""
    decoded = decode_jwt(token.access_token)
    if decoded is None:
        return ""
    value = decoded.claims.get("scope") or decoded.claims.get("scp")
    if isinstance(value, list):
        value = " ".join(str(item) for item in value)
    return value if isinstance(value, str) else ""


class TokenDetailsDialog(QDialog):
    """Details of one profile's current token (see the module docstring)."""

    def __init__(
        self,
        status: ServiceStatus,
        *,
        copy: Callable[[str], None],
        clock: Callable[[], float] = time.time,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._copy, self._clock = copy, clock
        self._status = status
        self.copy_buttons: dict[str, QPushButton] = {}
        self._values: dict[str, QLabel] = {}
        self.setMinimumSize(560, 420)
        self.resize(640, 620)  # every claim of a typical token without scrolling
        self._body = QWidget()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self._body)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(buttons)
        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(lambda: self.show_status(self._status))
        self.timer.start()
        self.show_status(status)

    @property
    def profile_id(self) -> str:
        return self._status.profile.id

    def show_status(self, status: ServiceStatus) -> None:
        """Redraw for ``status`` (the same profile, a newer snapshot)."""
        self._status = status
        self.setWindowTitle(f"Token details — {status.profile.name}")
        self.copy_buttons = {}
        old = self._body.layout()
        if old is not None:
            QWidget().setLayout(old)  # re-parent the old layout and its widgets away
        grid = QGridLayout(self._body)
        grid.setColumnStretch(1, 1)
        grid.setAlignment(Qt.AlignmentFlag.AlignTop)
        self._fill(grid, status)

    def texts(self) -> dict[str, str]:
        """Every shown value by name (token facts, claims, ``header.<name>``)."""
        return {name: label.text() for name, label in self._values.items()}

    def _fill(self, grid: QGridLayout, status: ServiceStatus) -> None:
        self._values = {}
        now = self._clock()
        token = status.token
        self._section(grid, status.status_line(now))
        if token is None:
            self._note(grid, f"No token yet — {status.status_line(now)}.")
            return
        for fact in token_facts(token, now):
            self._row(grid, fact, copyable=fact.name == "token_scope" and bool(fact.raw))
        decoded = decode_jwt(token.access_token)
        if decoded is None:
            self._note(grid, NOT_A_JWT)
            return
        self._section(grid, "JWT claims")
        self._note(grid, NOT_VERIFIED)  # says "decoded, not verified" once
        for claim in readable_claims(decoded.claims, now):
            self._row(grid, claim)
        self._section(grid, "JWT header")
        for claim in readable_claims(decoded.header, now):
            self._row(grid, Claim(f"header.{claim.name}", claim.label, claim.text, claim.raw))

    def _section(self, grid: QGridLayout, title: str) -> None:
        label = QLabel(title)
        label.setStyleSheet(SECTION_STYLE)
        grid.addWidget(label, grid.rowCount(), 0, 1, 3)

    def _note(self, grid: QGridLayout, text: str) -> None:
        label = QLabel(text)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        label.setStyleSheet(NOTE_STYLE)
        grid.addWidget(label, grid.rowCount(), 0, 1, 3)

    def _row(self, grid: QGridLayout, claim: Claim, *, copyable: bool = True) -> None:
        row = grid.rowCount()
        plain = claim.label == claim.name or claim.name in _FACTS or "." in claim.name
        name = QLabel(claim.label if plain else f"{claim.label} ({claim.name})")
        value = QLabel(claim.text)
        for label in (name, value):  # claims and scopes are the server's text: never HTML
            label.setTextFormat(Qt.TextFormat.PlainText)
        value.setWordWrap(True)
        value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        grid.addWidget(name, row, 0)
        grid.addWidget(value, row, 1)
        self._values[claim.name] = value
        if copyable:
            button = QPushButton("Copy")
            button.setToolTip(f"Copy the value of “{claim.name}”.")
            button.clicked.connect(lambda _checked=False, raw=claim.raw: self._copy(raw))
            grid.addWidget(button, row, 2)
            self.copy_buttons[claim.name] = button


class DetailsWindows(QObject):
    """One details window per profile: opened from the tray menu, kept up to date, released."""

    def __init__(
        self,
        registry: ServiceRegistry,
        *,
        copy: Callable[[str], None],
        clock: Callable[[], float] = time.time,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._registry, self._copy, self._clock = registry, copy, clock
        self._open: dict[str, TokenDetailsDialog] = {}
        registry.statusChanged.connect(self._follow)

    def show(self, profile_id: str) -> TokenDetailsDialog | None:
        """Open (or raise) the window of ``profile_id``; ``None`` for an unknown profile."""
        service = self._registry.get(profile_id)
        if service is None:
            return None
        dialog = self._open.get(profile_id)
        if dialog is not None:  # already open, maybe behind other windows
            bring_forward(dialog)
            return dialog
        dialog = TokenDetailsDialog(service.status(), copy=self._copy, clock=self._clock)
        dialog.finished.connect(lambda _result: self._release(profile_id))
        self._open[profile_id] = dialog
        bring_forward(dialog)
        return dialog

    def close_all(self) -> None:
        for profile_id in list(self._open):
            self._release(profile_id)

    def _release(self, profile_id: str) -> None:
        dialog = self._open.pop(profile_id, None)
        if dialog is not None:
            dialog.hide()
            dialog.deleteLater()

    @Slot(ServiceStatus)
    def _follow(self, status: ServiceStatus) -> None:
        dialog = self._open.get(status.profile.id)
        if dialog is not None:
            dialog.show_status(status)
