"""Small widget factories shared by the profile form and its provider part."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QWidget,
)

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
            ("Private key (signed JWT)", ClientAuth.PRIVATE_KEY_JWT.value),
            ("Client certificate (mutual TLS)", ClientAuth.TLS.value),
        ]
    )


def advanced_toggle() -> QToolButton:
    """The button that folds the form's Advanced part."""
    toggle = QToolButton()
    toggle.setText("Ad&vanced")
    toggle.setCheckable(True)
    toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    toggle.setAutoRaise(True)
    toggle.setToolTip("Options most providers do not need.")
    return toggle


def ask_ca_bundle(parent: QWidget) -> str:
    """The CA bundle file the user picks, or "" when cancelled."""
    path, _filter = QFileDialog.getOpenFileName(
        parent, "Choose a CA bundle", "", "Certificates (*.pem *.crt *.cer);;All files (*)"
    )
    return path


def select_data(box: QComboBox, value: str) -> None:
    """Select the item of ``box`` whose data is ``value`` (the first one when none is)."""
    box.setCurrentIndex(max(0, box.findData(value)))


def spin_box(low: int, high: int, special: str = "") -> QSpinBox:
    """Seconds from ``low`` to ``high``; ``special`` is shown for the lowest value."""
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setSuffix(" s")
    spin.setSpecialValueText(special)
    return spin


def align_labels(form: QFormLayout, other_texts: list[str]) -> None:
    """Give every label of ``form`` one width: the widest of them and of ``other_texts`` (texts
    its labels may show later), so that showing rows or switching texts never shifts a field."""
    labels = [
        widget
        for row in range(form.rowCount())
        if (item := form.itemAt(row, QFormLayout.ItemRole.LabelRole)) is not None
        and (widget := item.widget()) is not None
    ]
    if not labels:
        return
    metrics = labels[0].fontMetrics()
    widest = max(
        [label.sizeHint().width() for label in labels]
        + [metrics.horizontalAdvance(text) for text in other_texts]
    )
    for label in labels:
        label.setMinimumWidth(widest)


def styled_label(style: str, text: str = "") -> FittedLabel:
    """A word-wrapping plain-text label with a style sheet (hints, notes). Plain text because
    hints quote what servers and files said: QLabel would otherwise render their HTML."""
    return FittedLabel(style, text)


class FittedLabel(QLabel):
    """A word-wrapping label that sets its own height from its width.

    Its height is not negotiated with the layout: a form whose rows answer height-for-width
    queries hands spare height to arbitrary rows (a help text then grows, or is clipped, when a
    message appears further down).
    """

    def __init__(self, style: str, text: str = "", lines: int = 0) -> None:
        super().__init__(text)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        self.setStyleSheet(style)
        policy = self.sizePolicy()
        policy.setHeightForWidth(False)
        policy.setVerticalPolicy(QSizePolicy.Policy.Fixed)
        self.setSizePolicy(policy)
        self._floor = self.fontMetrics().lineSpacing() * lines
        self.setFixedHeight(max(self._floor, self.fontMetrics().lineSpacing()))

    def setText(self, text: str) -> None:
        super().setText(text)
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def texts(self) -> set[str]:
        """The texts whose room the label keeps."""
        return {self.text()}

    def _fit(self) -> None:
        width = self.contentsRect().width()
        if width <= 0:
            return
        metrics, flags = self.fontMetrics(), Qt.TextFlag.TextWordWrap
        needed = [
            metrics.boundingRect(0, 0, width, 10_000, flags, text).height()
            for text in self.texts()
            if text
        ]
        height = max([self._floor, *needed])
        if height != self.height():
            self.setFixedHeight(height)


class MessageLabel(FittedLabel):
    """A message line that keeps its room.

    It is always at least ``lines`` lines high, and as high as the tallest message it showed
    since :meth:`reset` needs at its current width: a message that appears or goes away while
    the user types must not move the fields below it (a click meant for the next field would
    land in another one).
    """

    def __init__(self, style: str, lines: int = 1) -> None:
        self._shown: set[str] = set()
        super().__init__(style, "", lines)

    def show_message(self, text: str, style: str | None = None) -> None:
        if style is not None:
            self.setStyleSheet(style)
        if text:
            self._shown.add(text)
        self.setText(text)

    def reset(self) -> None:
        """Forget the room taken by earlier messages (another profile is shown)."""
        self._shown = {self.text()} if self.text() else set()
        self._fit()

    def texts(self) -> set[str]:
        return self._shown | {self.text()}
