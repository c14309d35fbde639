"""The key part of the profile form: key file, certificate and key ID, for the key methods.

Shown only while Client authentication is "Private key (signed JWT)" or "Client certificate
(mutual TLS)". The secret field above then holds the key file's password, if it has one (or,
with no key file, a pasted PEM key): password storage keeps it as it keeps a client secret, and
config.json keeps only the paths. The provider's own words on registering a key (the preset's
``key_route``) are shown beside the fields, in plain text.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from tray_app.core.presets import PRESETS
from tray_app.core.profile import ClientAuth, Profile

KEY_FILTER = "Private keys (*.pem *.key *.p12 *.pfx);;All files (*)"
CERT_FILTER = "Certificates (*.pem *.crt *.cer *.der);;All files (*)"
FIELDS = (
    ("key_file", "&Key file:", "e.g. ~/keys/client-key.pem or client.p12", KEY_FILTER),
    (
        "cert_file",
        "Certificate:",
        "needed for mutual TLS unless the key file holds it",
        CERT_FILTER,
    ),
)
KEY_LABEL = "&Client key password:"
KEY_HINT = "the key's password, if it has one (or paste a PEM key)"


class KeyFields(QWidget):
    """Key file, certificate file (each with Choose…) and key ID."""

    changed = Signal()

    def __init__(self, secret: QLineEdit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._secret, self._secret_placeholder = secret, secret.placeholderText()
        self._method = ClientAuth.BASIC
        self._label_text = ""
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.edits: dict[str, QLineEdit] = {}
        for key, label, placeholder, file_filter in FIELDS:
            form.addRow(label, self._file_row(key, placeholder, file_filter))
        self.edits["key_id"] = QLineEdit()
        self.edits["key_id"].setPlaceholderText("as your provider shows it; empty = derived")
        form.addRow("Key ID:", self.edits["key_id"])
        self.note = QLabel()
        self.note.setTextFormat(Qt.TextFormat.PlainText)  # the preset's words, never markup
        self.note.setWordWrap(True)
        form.addRow("", self.note)
        for edit in self.edits.values():
            edit.textEdited.connect(self.changed)

    def _file_row(self, key: str, placeholder: str, file_filter: str) -> QWidget:
        edit = self.edits[key] = QLineEdit()
        edit.setPlaceholderText(placeholder)
        choose = QPushButton("Choose…")
        choose.setObjectName(f"choose_{key}")
        choose.clicked.connect(lambda: self._choose(edit, file_filter))
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(edit, 1)
        layout.addWidget(choose)
        return row

    def _choose(self, edit: QLineEdit, file_filter: str) -> None:
        path, _used = QFileDialog.getOpenFileName(self, "Choose a file", edit.text(), file_filter)
        if path:
            edit.setText(path)
            self.changed.emit()

    def load(self, profile: Profile) -> None:
        self.edits["key_file"].setText(profile.key_file)
        self.edits["cert_file"].setText(profile.cert_file)
        self.edits["key_id"].setText(profile.key_id)
        self.show_for(profile.client_auth, profile.preset)

    def watch(
        self, method: QComboBox, preset: Callable[[], str], edited: Callable[[], None]
    ) -> None:
        """Follow the form's Client authentication box and report edits to ``edited``."""
        method.currentIndexChanged.connect(
            lambda: self.show_for(ClientAuth(method.currentData()), preset())
        )
        self.changed.connect(edited)

    def show_for(self, method: ClientAuth, preset: str) -> None:
        """Visible only for the key methods; the note says how this provider registers keys."""
        self._method = method
        route = PRESETS[preset].key_route if preset in PRESETS else ""
        self.note.setText(route)
        self.note.setVisible(bool(route))
        self.setVisible(method.uses_key)
        self._secret.setPlaceholderText(self.placeholder(self._secret_placeholder))
        label = self._secret_label()
        if label is not None:
            label.setText(KEY_LABEL if method.uses_key else self._label_text)

    def placeholder(self, secret_text: str) -> str:
        """The secret field's placeholder: ``secret_text``, or what a key method puts there."""
        self._secret_placeholder = secret_text
        return KEY_HINT if self._method.uses_key else secret_text

    def _secret_label(self) -> QLabel | None:
        """The label of the secret field (its buddy), renamed while a key method is chosen."""
        found = [w for w in self._secret.window().findChildren(QLabel) if w.buddy() is self._secret]
        if found and not self._label_text:
            self._label_text = found[0].text()
        return found[0] if found else None

    def needs_secret(self) -> bool:
        """Whether a secret must still be typed: not for a key method with a key file."""
        has_file = self._method.uses_key and bool(self.edits["key_file"].text().strip())
        return not self._secret.text().strip() and not has_file

    def values(self) -> dict[str, str]:
        """The profile fields, paths as typed (stripped)."""
        return {key: edit.text().strip() for key, edit in self.edits.items()}
