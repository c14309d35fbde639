"""Small widget factories shared by the profile form and its provider part."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QSpinBox

from tray_app.core.profile import BodyFormat, ClientAuth


def combo(items: list[tuple[str, str]]) -> QComboBox:
    """A combo box of (shown text, data) items."""
    box = QComboBox()
    for text, value in items:
        box.addItem(text, value)
    return box


def body_format_combo() -> QComboBox:
    return combo(
        [
            ("Form — standard OAuth (most providers)", BodyFormat.FORM.value),
            ("JSON — e.g. Tarkov Database", BodyFormat.JSON.value),
        ]
    )


def client_auth_combo() -> QComboBox:
    return combo(
        [
            ("Basic header (standard)", ClientAuth.BASIC.value),
            ("In the request body", ClientAuth.BODY.value),
        ]
    )


def spin_box(low: int, high: int, special: str = "") -> QSpinBox:
    """Seconds from ``low`` to ``high``; ``special`` is shown for the lowest value."""
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setSuffix(" s")
    spin.setSpecialValueText(special)
    return spin


def styled_label(style: str, text: str = "") -> QLabel:
    """A word-wrapping plain-text label with a style sheet (hints, notes). Plain text because
    hints quote what servers and files said: QLabel would otherwise render their HTML."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setStyleSheet(style)
    return label
