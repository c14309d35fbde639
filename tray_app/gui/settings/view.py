"""The settings window's widgets and layout, without behaviour (that is :mod:`.settings`).

Left: the profile list (default bold with a star, an unsaved draft in italics) and its buttons,
including Import… and Export… for team profile files. On first start, a welcome line with
"Try the demo".
Right: the form in a scroll area, the Test button with its result line, and a "Still needed"
note. Below: the status line (outcome of the last save/remove) and Save / Discard / Close.
Only Save is a default button, so Enter in a field saves and never removes or duplicates.

Nothing moves while the user types: the scroll bar is always there (one that comes and goes
re-wraps every text), "Still needed" and the Test result share a slot of reserved height next
to the Test button (Test is disabled while something is still needed, so they never compete),
and the status line sits beside the buttons rather than above them.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from tray_app.core.errors import AppError
from tray_app.core.profile import Profile
from tray_app.gui.settings.profile_form import ProfileForm
from tray_app.gui.settings.texts import (
    DEMO_BANNER,
    DEMO_STYLE,
    HINT_STYLE,
    NOTE_STYLE,
    OK_STYLE,
    TEXTS,
    WELCOME,
    Choice,
    describe_error,
)
from tray_app.gui.settings.widgets import MessageLabel, styled_label


class ProfileList(QListWidget):
    """The profile names: the default one bold with a star, an unsaved draft in italics."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumWidth(210)
        self.setToolTip("Your profiles. The tray menu shows the default one first.")

    def show_entries(
        self, entries: list[Profile], *, default_id: str, draft_id: str, current_id: str
    ) -> None:
        """Show ``entries`` and select ``current_id`` without emitting selection signals."""
        self.blockSignals(True)
        self.clear()
        for profile in entries:
            item = QListWidgetItem(self.entry_text(profile, default_id, draft_id))
            font = QFont(self.font())
            font.setItalic(profile.id == draft_id)
            font.setBold(profile.id == default_id)
            item.setFont(font)
            self.addItem(item)
            if profile.id == current_id:
                self.setCurrentItem(item)
        self.blockSignals(False)

    @staticmethod
    def entry_text(profile: Profile, default_id: str, draft_id: str) -> str:
        if profile.id == draft_id:
            return f"{profile.name or 'New profile'} (not saved)"
        return f"★ {profile.name} (default)" if profile.id == default_id else profile.name

    def rename_current(self, text: str) -> None:
        item = self.currentItem()
        if item is not None:
            item.setText(text)


def _label(text: str = "", style: str = "") -> QLabel:
    return styled_label(style, text)


def fitted_size(widget: QWidget, wanted: QSize) -> QSize:
    """``wanted``, made smaller where the screen has less room (a small laptop screen must still
    show the Save button; the form scrolls instead). Never below the minimum size."""
    room = widget.screen().availableGeometry().size() - QSize(40, 60)  # window frame and title bar
    return wanted.boundedTo(room).expandedTo(widget.minimumSize())


@dataclass(frozen=True)
class ButtonState:
    """What the buttons depend on: ``busy`` names the running save/remove/default ("" if none)."""

    busy: str
    valid: bool
    dirty: bool
    draft: bool
    testing: bool
    has_saved: bool
    is_default: bool


class SettingsView(QDialog):
    """The settings window's widgets and layout: list and buttons left, form and Test right."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Token Tray — Settings")
        self.setMinimumSize(780, 560)
        self.resize(fitted_size(self, QSize(880, 720)))  # room for Advanced without scrolling
        self.welcome = _label(WELCOME)
        self.profiles = ProfileList()
        self.add_button = QPushButton("A&dd")
        self.duplicate_button = QPushButton("Duplicat&e")
        self.remove_button = QPushButton("Remove")
        self.default_button = QPushButton("Set as default")
        self.import_button = QPushButton("Import…")
        self.import_button.setToolTip(
            "Add a profile from a file a colleague exported (you can also drop the file here)."
        )
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip(
            "Save this profile to a file for your team. The client secret is never included."
        )
        self.demo_button = QPushButton("Try the demo")
        self.demo_button.setToolTip(
            "See Token Tray work with a built-in test server, before you have credentials."
        )
        self.demo_banner = _label(DEMO_BANNER, DEMO_STYLE)
        self.leave_demo_button = QPushButton("Leave the demo")
        self.leave_demo_button.setToolTip("Close the demo and go back to your own profiles.")
        self.demo = False
        self.form = ProfileForm()
        self.test_button = QPushButton("&Test")
        self.test_button.setToolTip("Ask for a token with these values, without saving them.")
        self.test_result, self.needs = _label(), _label(style=NOTE_STYLE)
        self.status = MessageLabel(HINT_STYLE, lines=2)
        self.tabs = QTabWidget()  # Profiles; the dialog adds Application (settings_app_tab)
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton("&Save", QDialogButtonBox.ButtonRole.ApplyRole)
        self.discard_button = self.buttons.addButton(
            "Discard chan&ges", QDialogButtonBox.ButtonRole.ResetRole
        )
        self.close_button = self.buttons.addButton("C&lose", QDialogButtonBox.ButtonRole.RejectRole)
        self._lay_out()
        self.set_demo(False)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(button is self.save_button)
        self.save_button.setDefault(True)

    def _on_tab_changed(self, index: int) -> None:
        """Save, Discard and their status line belong to the Profiles tab only."""
        for widget in (self.save_button, self.discard_button, self.status):
            widget.setVisible(index == 0)

    def ask_import_path(self) -> str:
        """The profile file to import, or "" when cancelled (tests replace this)."""
        path, _filter = QFileDialog.getOpenFileName(
            self, "Import a profile", "", "Token Tray profiles (*.json);;All files (*)"
        )
        return path

    def ask_export_path(self, suggested: str) -> str:
        """Where to save the exported profile, or "" when cancelled (tests replace this)."""
        path, _filter = QFileDialog.getSaveFileName(
            self, "Export the profile", suggested, "Token Tray profiles (*.json)"
        )
        return path

    def ask_unsaved_changes(self, name: str) -> QMessageBox.StandardButton:
        """Save / Discard / Cancel for unsaved changes to ``name`` (tests replace this)."""
        buttons = Choice.Save | Choice.Discard | Choice.Cancel
        box = QMessageBox(QMessageBox.Icon.Question, "Unsaved changes", "", buttons, self)
        box.setText(f"Save the changes to “{name or 'the new profile'}”?")
        box.setDefaultButton(Choice.Save)
        return Choice(box.exec())

    def confirm_remove(self, name: str) -> bool:
        """True when the user confirms removing the profile ``name`` (tests replace this)."""
        box = QMessageBox(QMessageBox.Icon.Warning, "Remove profile", "", Choice.Cancel, self)
        box.setText(f"Remove the profile “{name}”?")
        box.setInformativeText("Its client secret is deleted too. This cannot be undone.")
        remove = box.addButton("Remove", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(Choice.Cancel)
        box.exec()
        return box.clickedButton() is remove

    def show_status(self, message: str | AppError, style: str = HINT_STYLE) -> None:
        """The outcome of the last save/remove/default change, or a keyring problem."""
        text = message if isinstance(message, str) else describe_error(message)
        self.status.show_message(text, style)

    def show_result(self, message: str | AppError) -> None:
        """The Test result: a ✓ line in green, or the error's title and message in red."""
        is_text = isinstance(message, str)
        self.test_result.setText(message if isinstance(message, str) else describe_error(message))
        self.test_result.setStyleSheet(OK_STYLE if is_text else HINT_STYLE)
        self.test_result.setVisible(bool(self.test_result.text()))

    def show_needs(self, fields: list[str]) -> None:
        """Name every missing or wrong field, flagged red already or not (form order)."""
        labels = [
            text.replace("&", "").rstrip(":")
            for key, (text, _, _) in TEXTS.items()
            if key in fields
        ]
        self.needs.setText("Still needed: " + ", ".join(labels) + "." if labels else "")
        self.needs.setVisible(bool(labels))

    def set_demo(self, demo: bool) -> None:
        """In the demo, say so on top, and that nothing saved is kept."""
        self.demo = demo
        self.demo_banner.setVisible(demo)
        self.leave_demo_button.setVisible(demo)

    def update_buttons(self, state: ButtonState) -> None:
        """Enable what may be pressed now; while a change is stored, only Test and Close."""
        busy, draft = bool(state.busy), state.draft
        self.save_button.setEnabled(not busy and state.valid and (state.dirty or draft))
        save = "&Save (not kept: demo)" if self.demo else "&Save"
        self.save_button.setText("Saving…" if state.busy == "save" else save)
        self.test_button.setEnabled(not state.testing and state.valid)
        self.test_button.setText("Testing…" if state.testing else "&Test")
        self.discard_button.setEnabled(not busy and (state.dirty or (draft and state.has_saved)))
        for button in (self.add_button, self.import_button, self.export_button):
            button.setEnabled(not busy)
        self.remove_button.setEnabled(not busy and not (draft and not state.has_saved))
        self.duplicate_button.setEnabled(not busy and not draft)
        self.default_button.setEnabled(not busy and not draft and not state.is_default)
        self.profiles.setEnabled(not busy)
        self.form.setEnabled(not busy)
        if draft:
            self.profiles.rename_current(f"{self.form.text('name') or 'New profile'} (not saved)")

    def _lay_out(self) -> None:
        left = QGridLayout()
        left.addWidget(self.profiles, 0, 0, 1, 2)
        left.addWidget(self.add_button, 1, 0)
        left.addWidget(self.duplicate_button, 1, 1)
        left.addWidget(self.remove_button, 2, 0)
        left.addWidget(self.default_button, 2, 1)
        left.addWidget(self.import_button, 3, 0)
        left.addWidget(self.export_button, 3, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        page = QWidget()  # spare height goes below the form, not into its rows
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.form)
        column.addStretch(1)
        scroll.setWidget(page)
        right = QVBoxLayout()
        right.addWidget(scroll, 1)
        right.addWidget(self._test_row())
        columns = QHBoxLayout()
        columns.addLayout(left)
        columns.addLayout(right, 1)
        profiles_page = QWidget()
        profiles_page.setLayout(columns)
        self.tabs.addTab(profiles_page, "Profiles")
        welcome = QHBoxLayout()
        welcome.addWidget(self.welcome, 1)
        welcome.addWidget(self.demo_button)
        welcome.addWidget(self.demo_banner, 1)
        welcome.addWidget(self.leave_demo_button)
        outer = QVBoxLayout(self)
        outer.addLayout(welcome)
        outer.addWidget(self.tabs, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.buttons)
        outer.addLayout(bottom)

    def _test_row(self) -> QWidget:
        """The Test button, top-aligned beside a message slot three lines high."""
        row = QWidget()
        row.setMinimumHeight(self.fontMetrics().lineSpacing() * 3 + 8)
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.test_button, 0, Qt.AlignmentFlag.AlignTop)
        messages = QVBoxLayout()
        messages.addWidget(self.needs)
        messages.addWidget(self.test_result)
        messages.addStretch(1)
        layout.addLayout(messages, 1)
        return row
