"""The form that edits one profile: the fields Postman users know, plus a folded "Advanced" part.

Design decisions:

* The form only turns widgets into a :class:`~tray_app.core.profile.Profile` and back, and shows
  the problems it is given; it never reads storage or calls the network. Validation rules live
  in :func:`~tray_app.core.profile.profile_problems` (shared with the command line); the form
  adds the checks only it can make (unparsable extra-parameter lines, a missing CA file).
* The secret field is write-only: empty at start, its placeholder says whether one is stored.
* **The form never moves under the pointer**: hints show in reserved room
  (:class:`~tray_app.gui.settings.hints.InlineHints`), all labels share the widest width any
  preset or Advanced can show; a secret in a clear-text field is flagged at once.
* "Dirty" compares with the form's own output right after loading (8 s shown for 7.5 s: no edit).
* The provider preset (:mod:`tray_app.gui.settings.provider_fields`) sits on top: choosing one fills
  the Token URL (then read-only: choose “Other” to type one), body format and client authentication,
  and adds the preset's rules (:func:`~tray_app.core.presets.all_problems`). Discover is
  relayed as ``discoverRequested``; the dialog runs it and calls
  :meth:`ProfileForm.apply_discovery`.
* Mnemonics are unique across the settings window: N U I C O A V Y H R X F M B P W K here;
  D E T S G L belong to the dialog's buttons.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from tray_app.core.discovery import Discovery
from tray_app.core.errors import AppError
from tray_app.core.presets import CUSTOM, PRESETS, all_problems, apply_preset
from tray_app.core.profile import BodyFormat, ClientAuth, Profile, stored_problems
from tray_app.gui.settings.hints import InlineHints
from tray_app.gui.settings.key_fields import KeyFields
from tray_app.gui.settings.provider_fields import ProviderFields
from tray_app.gui.settings.texts import (
    JSON_AUTH_NOTE,
    NOTE_STYLE,
    PLACEHOLDER_DEMO,
    PLACEHOLDER_NEW,
    PLACEHOLDER_STORED,
    PLACEHOLDER_UNKNOWN,
    TEXTS,
    misplaced_secrets,
    parse_param_lines,
    preset_suggestion,
)
from tray_app.gui.settings.widgets import (
    advanced_toggle,
    align_labels,
    ask_ca_bundle,
    body_format_combo,
    client_auth_combo,
    select_data,
    spin_box,
    styled_label,
)

LOCKED_STYLE = "QLineEdit { background: palette(window); }"
LOCKED_TIP = "Filled in from the provider you chose. To type another one, choose “Other”."
PRESS_DISCOVER = "Press Discover to look up the Token URL."
LINE_FIELDS = ("name", "token_url", "client_id", "secret", "scope", "audience", "api_url")
ADVANCED_LINE_FIELDS = ("resource", "ca_bundle")
ADVANCED_FIELDS = frozenset({"body_format", "client_auth", "extra_params", *ADVANCED_LINE_FIELDS})
ADVANCED_FIELDS |= {"refresh_margin", "timeout"}
_BASIC = ClientAuth.BASIC


class ProfileForm(QWidget):
    """Edits one profile. ``edited`` fires on every user change (never while loading)."""

    edited = Signal()
    discoverRequested = Signal(str)
    """Discover was pressed with this issuer URL (the dialog runs the lookup)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.provider = ProviderFields(self)
        self._profile_id = ""
        self._baseline: Profile | None = None
        self._stored: dict[str, str] = {}
        self._loading = False
        self._hints = InlineHints()
        self._advanced_rows: list[int] = []
        self.edits = {key: self._line(key) for key in LINE_FIELDS + ADVANCED_LINE_FIELDS}
        self._build_other_fields()
        self._form = QFormLayout(self)
        self._form.setContentsMargins(0, 0, 0, 0)
        self._form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self._layout_rows()
        align_labels(self._form, [h.label for p in PRESETS.values() for h in p.helpers])
        self._connect_edits()
        self.set_advanced_visible(False)

    # -- building ---------------------------------------------------------------------------

    def _line(self, key: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setPlaceholderText(TEXTS[key][1])
        edit.setToolTip(TEXTS[key][2])
        edit.setClearButtonEnabled(key != "secret")
        return edit

    def _build_other_fields(self) -> None:
        self.edits["secret"].setEchoMode(QLineEdit.EchoMode.Password)
        self.show_secret = QPushButton("Sho&w")
        self.show_secret.setCheckable(True)
        self.show_secret.setToolTip("Show or hide the secret you are typing.")
        self.body_format, self.client_auth = body_format_combo(), client_auth_combo()
        self.client_auth_note = styled_label(NOTE_STYLE, JSON_AUTH_NOTE)
        self.key_fields = KeyFields(self.edits["secret"])
        self._auth_before_json = 0
        self.extra_params = QPlainTextEdit()
        self.extra_params.setPlaceholderText(TEXTS["extra_params"][1])
        self.extra_params.setTabChangesFocus(True)
        self.extra_params.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 12)
        self.extra_params.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.refresh_margin = spin_box(0, 86_400, special="Automatic")
        self.timeout = spin_box(1, 300)
        self.browse = QPushButton("Browse…")
        self.browse.setToolTip("Choose the CA bundle file.")
        self.advanced_toggle = advanced_toggle()

    def _layout_rows(self) -> None:
        self.provider.add_rows(self._form, self._hints.add)
        for key in LINE_FIELDS:
            extra = self.show_secret if key == "secret" else None
            self._add_row(key, self.edits[key], extra)
        self._form.addRow(self.advanced_toggle)
        self._add_row("body_format", self.body_format)
        self._add_row("client_auth", self.client_auth)
        self._form.addRow("", self.client_auth_note)
        self._note_row = self._form.rowCount() - 1
        self._form.addRow("", self.key_fields)
        self._add_row("resource", self.edits["resource"])
        self._add_row("extra_params", self.extra_params)
        self._add_row("refresh_margin", self.refresh_margin)
        self._add_row("timeout", self.timeout)
        self._add_row("ca_bundle", self.edits["ca_bundle"], self.browse)

    def _add_row(self, key: str, field: QWidget, extra: QWidget | None = None) -> None:
        label = QLabel(TEXTS[key][0])
        label.setBuddy(field)
        label.setFixedHeight(field.sizeHint().height())  # level with the field, not its hint
        field.setToolTip(TEXTS[key][2])
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        row = QHBoxLayout()
        row.addWidget(field, 1)
        if extra is not None:
            row.addWidget(extra)
        column.addLayout(row)
        column.addWidget(self._hints.add(key))
        self._form.addRow(label, box)
        if key in ADVANCED_FIELDS:
            self._advanced_rows.append(self._form.rowCount() - 1)

    def _connect_edits(self) -> None:
        for key, edit in self.edits.items():
            edit.textEdited.connect(lambda _text, key=key: self._on_typed(key))
            edit.editingFinished.connect(lambda key=key: self._touch(key))
        self.extra_params.textChanged.connect(lambda: self._touch("extra_params"))
        for widget in (self.body_format, self.client_auth):
            widget.currentIndexChanged.connect(self._on_edit)
        for spin in (self.refresh_margin, self.timeout):
            spin.valueChanged.connect(self._on_edit)
        self.body_format.currentIndexChanged.connect(self._sync_client_auth)
        self.key_fields.watch(self.client_auth, lambda: self.provider.preset().key, self._on_edit)
        self.show_secret.toggled.connect(self._on_show_secret)
        self.advanced_toggle.toggled.connect(self.set_advanced_visible)
        self.browse.clicked.connect(self._browse_ca_bundle)
        self.provider.changed.connect(self._on_provider_changed)
        self.provider.discoverRequested.connect(self.discoverRequested)
        for key, edit in self.provider.edits.items():
            edit.editingFinished.connect(lambda key=key: self._touch(f"helper.{key}"))

    # -- loading and reading -----------------------------------------------------------------

    def load(self, profile: Profile, *, is_new: bool) -> None:
        """Show ``profile`` with an empty secret field. New profiles show hints lazily."""
        self._loading = True
        try:
            if focused := self.focusWidget():  # its editingFinished belongs to the last profile
                focused.clearFocus()
            self._profile_id = profile.id
            self._fill(profile)
            self.provider.load(profile.preset, profile.token_url)
            self._sync_provider()
        finally:
            self._loading = False
        self._baseline = self.profile()
        self._stored = stored_problems(profile)
        self._hints.restart(reveal=not is_new)
        self.show_problems({})
        self.set_advanced_visible(self.advanced_visible() or self._advanced_differs(profile))

    def _fill(self, profile: Profile) -> None:
        for key, edit in self.edits.items():
            edit.setText("" if key == "secret" else getattr(profile, key))
        self.show_secret.setChecked(False)
        self.extra_params.setPlainText("\n".join(f"{k}={v}" for k, v in profile.extra_params))
        select_data(self.body_format, profile.body_format.value)
        self.client_auth.setEnabled(True)
        select_data(self.client_auth, profile.client_auth.value)
        self.refresh_margin.setValue(min(max(profile.refresh_margin or 0, 0), 86_400))
        self.timeout.setValue(min(max(round(profile.timeout), 1), 300))
        self.key_fields.load(profile)
        self._sync_client_auth()

    def text(self, key: str) -> str:
        return self.edits[key].text().strip()

    def profile(self) -> Profile:
        """The profile the form describes now (possibly invalid: see :meth:`problems`)."""
        pairs, _problem = parse_param_lines(self.extra_params.toPlainText())
        return Profile(
            id=self._profile_id,
            name=self.text("name"),
            token_url=self.text("token_url"),
            client_id=self.text("client_id"),
            scope=" ".join(self.text("scope").split()),
            audience=self.text("audience"),
            resource=self.text("resource"),
            extra_params=pairs,
            body_format=BodyFormat(self.body_format.currentData()),
            client_auth=ClientAuth(self.client_auth.currentData()),
            refresh_margin=self.refresh_margin.value() or None,
            timeout=float(self.timeout.value()),
            ca_bundle=str(Path(bundle).expanduser()) if (bundle := self.text("ca_bundle")) else "",
            api_url=self.text("api_url"),
            preset="" if (key := self.provider.preset().key) == CUSTOM else key,
        ).replace(**self.key_fields.values())

    def typed_secret(self) -> str:
        """The secret typed into the form (spaces around a paste removed), or ""."""
        return self.text("secret")

    def is_dirty(self) -> bool:
        return self.profile() != self._baseline or bool(self.typed_secret() or self._stored)

    def problems(self) -> dict[str, str]:
        """Every problem of the current values, keyed by field name."""
        problems = all_problems(self.profile(), self.typed_secret())
        helpers = self.provider.problems()
        if self.provider.token_url_locked() and "token_url" in problems:
            del problems["token_url"]
            if not helpers:
                problems["token_url"] = PRESS_DISCOVER
        problems.update(helpers)
        problems.update(misplaced_secrets(self.text, self.typed_secret()))
        problems.update(preset_suggestion(self.profile()) if "token_url" not in problems else {})
        _pairs, params_problem = parse_param_lines(self.extra_params.toPlainText())
        if params_problem:
            problems["extra_params"] = params_problem
        bundle = self.profile().ca_bundle
        if bundle and not Path(bundle).is_file():
            problems["ca_bundle"] = (
                "There is no file at this path. Choose the PEM file or clear it."
            )
        return problems

    # -- showing state ----------------------------------------------------------------------

    def set_secret_state(self, stored: bool | None, storage: str, *, demo: bool = False) -> None:
        """Say in the empty secret field whether a secret is stored (None: not known yet)."""
        if stored:
            text = PLACEHOLDER_DEMO if demo else PLACEHOLDER_STORED
            where = f" Password storage in use: {storage}."
        else:
            text, where = (PLACEHOLDER_NEW if stored is False else PLACEHOLDER_UNKNOWN), ""
        self.edits["secret"].setPlaceholderText(self.key_fields.placeholder(text))
        self.edits["secret"].setToolTip(TEXTS["secret"][2] + where)

    def reveal_all(self) -> None:
        """Show the hints of every field from now on, touched or not."""
        self._hints.reveal_all()

    def show_problems(self, problems: dict[str, str]) -> None:
        """Show the hints that are due (see :mod:`~tray_app.gui.settings.hints`), and always
        those of stored values that need fixing."""
        self._hints.show(problems, self._stored)
        if self._hints.shown() & ADVANCED_FIELDS:
            self.set_advanced_visible(True)

    def hint(self, key: str) -> str:
        """The hint shown under ``key`` ("" when none)."""
        return self._hints.text(key)

    def set_advanced_visible(self, visible: bool) -> None:
        for row in self._advanced_rows:
            self._form.setRowVisible(row, visible)
        self.advanced_toggle.blockSignals(True)
        self.advanced_toggle.setChecked(visible)
        self.advanced_toggle.blockSignals(False)
        arrow = Qt.ArrowType.DownArrow if visible else Qt.ArrowType.RightArrow
        self.advanced_toggle.setArrowType(arrow)
        self._sync_client_auth()

    def advanced_visible(self) -> bool:
        return self.advanced_toggle.isChecked()

    # -- reactions --------------------------------------------------------------------------

    def _on_edit(self) -> None:
        if not self._loading:
            self.edited.emit()

    def _on_typed(self, key: str) -> None:
        self._hints.typing(key)
        self._on_edit()

    def _touch(self, key: str) -> None:
        if not self._loading:
            self._hints.left(key)
            self.edited.emit()

    def _on_provider_changed(self, helper: str) -> None:
        if self._loading:
            return
        base = self.profile()
        if helper:
            self._hints.typing(f"helper.{helper}")
        elif not self.provider.take_over(base.token_url):  # the old provider's URL and body
            base = base.replace(token_url="", body_format=BodyFormat.FORM, client_auth=_BASIC)
        applied = self.provider.applied(base)
        self.edits["token_url"].setText(applied.token_url)
        select_data(self.body_format, applied.body_format.value)
        if applied.body_format is BodyFormat.FORM:
            select_data(self.client_auth, applied.client_auth.value)
        self._sync_provider()
        self.edited.emit()

    def _sync_provider(self) -> None:
        """Lock the Token URL when the preset decides it; placeholders follow the preset."""
        locked = self.provider.token_url_locked()
        token_url = self.edits["token_url"]
        token_url.setReadOnly(locked)
        token_url.setClearButtonEnabled(not locked)
        token_url.setStyleSheet(LOCKED_STYLE if locked else "")
        token_url.setToolTip(LOCKED_TIP if locked else TEXTS["token_url"][2])
        preset = self.provider.preset()
        token_url.setPlaceholderText(PRESS_DISCOVER if preset.discovery else TEXTS["token_url"][1])
        self.edits["scope"].setPlaceholderText(preset.scope_hint or TEXTS["scope"][1])
        audience = "Required: the Identifier of your API" if preset.needs_audience else ""
        self.edits["audience"].setPlaceholderText(audience or TEXTS["audience"][1])
        self.provider.show_rows()

    def apply_discovery(self, result: Discovery | AppError) -> None:
        """Use a discovered Token URL and client authentication (or show why there is none)."""
        self.provider.discovered(result)
        if isinstance(result, AppError):
            return
        self.edits["token_url"].setText(result.token_endpoint)
        select_data(self.body_format, BodyFormat.FORM.value)
        select_data(self.client_auth, result.client_auth.value)
        self._touch("token_url")

    def _sync_client_auth(self) -> None:
        """JSON always sends the credentials in the body: show that, and restore on Form."""
        is_json = self.body_format.currentData() == BodyFormat.JSON.value
        blocker = QSignalBlocker(self.client_auth)
        if is_json and self.client_auth.isEnabled():
            self._auth_before_json = self.client_auth.currentIndex()
            self.client_auth.setCurrentIndex(self.client_auth.findData(ClientAuth.BODY.value))
        elif not is_json and not self.client_auth.isEnabled():
            self.client_auth.setCurrentIndex(self._auth_before_json)
        blocker.unblock()
        self.client_auth.setEnabled(not is_json)
        self._form.setRowVisible(self._note_row, is_json and self.advanced_visible())

    def _on_show_secret(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        self.edits["secret"].setEchoMode(mode)
        self.show_secret.setText("Hide" if shown else "Sho&w")

    def _browse_ca_bundle(self) -> None:
        if path := ask_ca_bundle(self):
            self.edits["ca_bundle"].setText(path)
            self._touch("ca_bundle")

    def _advanced_differs(self, profile: Profile) -> bool:
        """Something under Advanced is not what the profile's provider sets by itself."""
        blank = Profile(name="", token_url="", client_id="", id=profile.id)
        defaults = apply_preset(PRESETS.get(profile.preset, PRESETS[CUSTOM]), blank, {})
        return any(getattr(profile, key) != getattr(defaults, key) for key in ADVANCED_FIELDS)
