"""The "Provider" part of the profile form: the preset choice, its explanation, helper fields
(tenant, domain, issuer, realm) and the Discover button.

Design decisions:

* Widgets only, plus the preset data of :mod:`tray_app.core.presets`; no storage, no network.
  Discover is a request (``discoverRequested`` with the issuer URL); the settings dialog runs
  the lookup on a worker and hands the answer back through :meth:`ProviderFields.discovered`.
* One line edit per helper *key* (``domain`` serves Auth0 and Cognito); the label and
  explanation change with the preset, and only the rows the chosen preset needs are visible
  (:meth:`ProviderFields.visible_rows`, applied by the form with ``setRowVisible``).
* The explanation of the preset and of each helper is written out under it, not hidden in a
  tooltip: the person filling this in may not know what a "tenant" is.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from tray_app.core.discovery import Discovery
from tray_app.core.errors import AppError
from tray_app.core.presets import (
    CUSTOM,
    PRESETS,
    Preset,
    apply_preset,
    helper_problems,
    helper_values,
    shown_preset,
)
from tray_app.core.profile import Profile
from tray_app.gui.settings.texts import HINT_STYLE, NOTE_STYLE, OK_STYLE
from tray_app.gui.settings.widgets import MessageLabel, styled_label

HELPER_KEYS = ("domain", "tenant", "issuer", "server", "realm")


class ProviderFields(QObject):
    """Preset combo + helper edits + Discover; see the module docstring."""

    changed = Signal(str)
    """The preset ("") or the helper value with this key changed (by the user)."""
    discoverRequested = Signal(str)
    """Discover was pressed for this issuer URL."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.combo = QComboBox()
        for preset in PRESETS.values():
            self.combo.addItem(preset.title, preset.key)
        self.combo.setCurrentIndex(self.combo.findData(CUSTOM))
        self.combo.setToolTip("Who gave you the client ID and secret? Choose “Other” if unsure.")
        self.explanation = styled_label(NOTE_STYLE)
        self.edits = {key: QLineEdit() for key in HELPER_KEYS}
        self.labels = {key: QLabel() for key in HELPER_KEYS}
        self.notes = {key: styled_label(NOTE_STYLE) for key in HELPER_KEYS}
        self.discover_button = QPushButton("Discover")
        self.discover_button.setToolTip("Look up the Token URL from the issuer URL.")
        self.discover_status = MessageLabel(NOTE_STYLE)
        self.discover_row = QWidget()
        row = QHBoxLayout(self.discover_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.discover_button)
        row.addWidget(self.discover_status, 1)
        self._loading = False
        self._previous = self._chosen = CUSTOM
        self._rows: dict[str, int] = {}
        self._form: QFormLayout | None = None
        self.combo.currentIndexChanged.connect(self._on_preset)
        for key, edit in self.edits.items():
            edit.textEdited.connect(lambda _text, key=key: self._on_helper(key))
        self.discover_button.clicked.connect(self._on_discover)
        self._show_preset()

    def add_rows(self, form: QFormLayout, hint: Callable[[str], QWidget]) -> None:
        """Put the provider rows into ``form`` (first); ``hint(key)`` makes a helper's hint line."""
        top = QWidget()
        column = QVBoxLayout(top)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(self.combo)
        column.addWidget(self.explanation)
        label = QLabel("Provider:")
        label.setBuddy(self.combo)
        label.setFixedHeight(self.combo.sizeHint().height())
        form.addRow(label, top)
        for key in HELPER_KEYS:
            box = QWidget()
            column = QVBoxLayout(box)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(2)
            column.addWidget(self.edits[key])
            column.addWidget(self.notes[key])
            column.addWidget(hint(f"helper.{key}"))
            self.labels[key].setBuddy(self.edits[key])
            self.labels[key].setFixedHeight(self.edits[key].sizeHint().height())
            form.addRow(self.labels[key], box)
            self._rows[key] = form.rowCount() - 1
        form.addRow("", self.discover_row)
        self._rows["discover"] = form.rowCount() - 1
        self._form = form
        self.show_rows()

    def show_rows(self) -> None:
        """Show only the rows the chosen preset needs."""
        if self._form is None:
            return
        for key, visible in self.visible_rows().items():
            self._form.setRowVisible(self._rows[key], visible)

    def applied(self, profile: Profile) -> Profile:
        """``profile`` with the chosen preset applied (Token URL, body, client auth, preset)."""
        return apply_preset(self.preset(), profile, self.values())

    def take_over(self, token_url: str) -> bool:
        """After a switch of preset: True when ``token_url`` was typed by the user (under
        "Other") and fills the new preset's empty helpers; False when it was built by the
        previous preset, whose helper values are then cleared too (Tarkov's "/v1" must not
        become an Entra tenant)."""
        if self._previous != CUSTOM:
            for edit in self.edits.values():
                edit.clear()
            return False
        for key, value in helper_values(self.preset(), token_url).items():
            if not self.edits[key].text().strip():
                self.edits[key].setText(value)
        return True

    def token_url_locked(self) -> bool:
        """True when the preset (or discovery) decides the Token URL."""
        preset = self.preset()
        return preset.fixed_token_url or preset.discovery

    # -- reading ----------------------------------------------------------------------------

    def preset(self) -> Preset:
        return PRESETS.get(str(self.combo.currentData()), PRESETS[CUSTOM])

    def values(self) -> dict[str, str]:
        return {key: edit.text().strip() for key, edit in self.edits.items()}

    def problems(self) -> dict[str, str]:
        """Problems of the visible helper fields, keyed ``helper.<key>``."""
        found = helper_problems(self.preset(), self.values())
        return {f"helper.{key}": text for key, text in found.items()}

    def visible_rows(self) -> dict[str, bool]:
        """Which helper rows (and ``discover``) the chosen preset shows."""
        needed = {helper.key for helper in self.preset().helpers}
        shown = {key: key in needed for key in HELPER_KEYS}
        shown["discover"] = self.preset().discovery
        return shown

    # -- writing ----------------------------------------------------------------------------

    def load(self, preset_key: str, token_url: str) -> None:
        """Show ``preset_key`` with helpers read back from ``token_url`` (Other when the preset is
        unknown or does not build this URL: a preset's name must never hide where tokens come
        from)."""
        self._loading = True
        try:
            index = self.combo.findData(shown_preset(preset_key, token_url))
            self.combo.setCurrentIndex(index if index >= 0 else self.combo.findData(CUSTOM))
            self._previous = self._chosen = self.preset().key
            known = helper_values(self.preset(), token_url)
            for key, edit in self.edits.items():
                edit.setText(known.get(key, ""))
            self.discover_status.clear()
            self._show_preset()
            self.show_rows()
        finally:
            self._loading = False

    def discovered(self, result: Discovery | AppError) -> None:
        """Show the outcome of a lookup the dialog ran."""
        self.discover_button.setEnabled(True)
        self.discover_button.setText("Discover")
        if isinstance(result, AppError):
            self.discover_status.show_message(f"✗ {result.title} — {result.message}", HINT_STYLE)
            return
        how = "Basic header" if result.client_auth.value == "basic" else "request body"
        found = f"✓ Found the Token URL (client ID and secret: {how})."
        self.discover_status.show_message(found, OK_STYLE)

    # -- reactions --------------------------------------------------------------------------

    def _on_preset(self) -> None:
        self._previous, self._chosen = self._chosen, self.preset().key
        self._show_preset()
        self.show_rows()
        self.discover_status.clear()
        if not self._loading:
            self.changed.emit("")

    def _on_helper(self, key: str) -> None:
        if not self._loading:
            self.changed.emit(key)

    def _on_discover(self) -> None:
        issuer = self.preset().target_url(self.values())
        if not issuer:
            self.discover_status.show_message("Fill in the fields above first.", HINT_STYLE)
            return
        self.discover_button.setEnabled(False)
        self.discover_button.setText("Looking…")
        self.discover_status.show_message(f"Asking {issuer} …", NOTE_STYLE)
        self.discoverRequested.emit(issuer)

    def _show_preset(self) -> None:
        preset = self.preset()
        self.explanation.setText(preset.explanation)
        for helper in preset.helpers:
            self.labels[helper.key].setText(helper.label)
            self.edits[helper.key].setPlaceholderText(helper.placeholder)
            self.edits[helper.key].setToolTip(helper.explanation)
            self.notes[helper.key].setText(helper.explanation)
