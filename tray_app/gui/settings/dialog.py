"""The settings dialog: a profile list on the left, the profile form on the right.

Design decisions:

* **No I/O on the GUI thread.** Backend calls and the Test request run on workers; a running
  one names itself on its button ("Testing…", "Saving…"). The dialog uses the :class:`Config`
  it is given, then what each backend call returns; ``configChanged`` follows every change.
* **Test never saves.** With a typed secret it calls ``test_fetch(profile, secret)``. With an
  empty field on a saved profile, the worker reads the stored secret through
  ``backend.credentials`` and passes it straight to ``test_fetch``: it never reaches a widget.
* **Nothing typed is lost on failure**: a failed save shows why; the form keeps its values.
* At most one unsaved new profile (a "draft") exists, listed in italics. Leaving unsaved changes
  asks Save / Discard / Cancel (``ask_unsaved_changes``: a method, so tests can answer it).
* Discover, Import/Export, drop and the demo live in a helper the dialog owns, ``onboarding``
  (:mod:`~tray_app.gui.settings.onboarding`); both start background calls in one ``Tasks``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import Qt, QThreadPool, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget

from tray_app.core.config import Config
from tray_app.core.discovery import discover
from tray_app.core.errors import AppError
from tray_app.core.profile import Profile, new_profile_id
from tray_app.core.team import free_name
from tray_app.core.token import Token
from tray_app.gui.settings import texts as parts
from tray_app.gui.settings.app_tab import AppSettingsTab
from tray_app.gui.settings.onboarding import Discover, Onboarding
from tray_app.gui.settings.tasks import Tasks
from tray_app.gui.settings.texts import NOTE_STYLE, Choice, SettingsBackend
from tray_app.gui.settings.view import ButtonState, SettingsView

__all__ = ["SettingsBackend", "SettingsDialog"]


class SettingsDialog(SettingsView):
    """Edit profiles; see the module docstring for the rules it follows."""

    configChanged = Signal(Config)
    secretChanged = Signal(str)
    """A new client secret was saved for the profile with this id (after ``configChanged``)."""

    def __init__(
        self,
        backend: SettingsBackend,
        *,
        test_fetch: Callable[[Profile, str], Token],
        config: Config,
        pool: QThreadPool | None = None,
        discover: Discover = discover,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._tasks = Tasks(pool, self._refresh)
        self.onboarding = Onboarding(
            self,
            self._tasks,
            taken_names=self._taken_names,
            open_imported=self._open_imported,
            refresh=self._refresh,
            discover=discover,
        )
        self._backend, self._test_fetch = backend, test_fetch
        self._config = config
        self._draft: Profile | None = None
        self._current = ""
        self._known: dict[str, bool] = {}
        self._keyring_name = "your system's password storage"
        self._busy = ""
        self._test_serial = 0
        self._after_save: Callable[[], None] | None = None
        self._refreshing = False
        self.app_tab = AppSettingsTab(backend, pool=pool)
        self.tabs.addTab(self.app_tab, "Application")
        self._connect()
        self.set_config(config)
        self._check_secrets()
        (self.form.edits["name"] if self._is_draft() else self.profiles).setFocus()

    def _connect(self) -> None:
        self.profiles.currentRowChanged.connect(self._on_row_changed)
        self.add_button.clicked.connect(self.add_profile)
        self.duplicate_button.clicked.connect(self.duplicate_profile)
        self.remove_button.clicked.connect(self.remove_profile)
        self.default_button.clicked.connect(self.set_default)
        self.test_button.clicked.connect(self.test)
        self.save_button.clicked.connect(self.save)
        self.discard_button.clicked.connect(self.discard_changes)
        self.close_button.clicked.connect(self.reject)
        self.form.edited.connect(self._on_edited)
        self.app_tab.saved.connect(self._on_reloaded)
        QShortcut(QKeySequence.StandardKey.New, self, self.add_profile)
        delete = QShortcut(QKeySequence.StandardKey.Delete, self.profiles, self.remove_profile)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)

    # -- public API --------------------------------------------------------------------------

    def is_busy(self) -> bool:
        """True while any background call (test, save, keyring check…) is still running."""
        return self._tasks.any_running()

    def config(self) -> Config:
        return self._config

    def current_profile_id(self) -> str:
        return self._current

    def set_config(self, config: Config) -> None:
        """Show ``config``; keeps the shown profile (and its unsaved edits) when it still exists."""
        self._config = config
        self.app_tab.set_config(config)
        ids = [p.id for p in config.profiles]
        if self._draft is None and not ids:
            self._draft = parts.new_profile()
        self.welcome.setVisible(not ids)
        self.demo_button.setVisible(not ids and self.onboarding.demo_offered())
        keep = self._current in ids or (self._draft is not None and self._current == self._draft.id)
        if not keep:
            default = config.default_profile()
            self._show_profile(self._draft.id if self._draft else default.id if default else "")
        self._rebuild_list()
        self._refresh()

    # -- list -------------------------------------------------------------------------------

    def _entries(self) -> list[Profile]:
        return self._config.profiles + ([self._draft] if self._draft else [])

    def _rebuild_list(self) -> None:
        default = self._config.default_profile()
        self.profiles.show_entries(
            self._entries(),
            default_id=default.id if default else "",
            draft_id=self._draft.id if self._draft else "",
            current_id=self._current,
        )

    def _on_row_changed(self, row: int) -> None:
        entries = self._entries()
        if not 0 <= row < len(entries) or entries[row].id == self._current:
            return
        target = entries[row].id
        self._rebuild_list()  # the selection only moves once the current profile is settled
        self._leave_current(lambda: self._select(target))

    def _select(self, profile_id: str) -> None:
        self._show_profile(profile_id)
        self._rebuild_list()
        self._refresh()

    def _on_edited(self) -> None:
        """Any change makes the last Test result stale: it goes (and a late one is dropped)."""
        self.test_result.clear()
        self._test_serial += 1
        self._refresh()

    def _show_profile(self, profile_id: str) -> None:
        self._current = profile_id
        profile = next((p for p in self._entries() if p.id == profile_id), None)
        if profile is not None:
            self.form.load(profile, is_new=profile is self._draft)
        self.test_result.clear()
        self._test_serial += 1

    # -- leaving a profile with unsaved changes -----------------------------------------------

    def _is_draft(self) -> bool:
        return self._draft is not None and self._current == self._draft.id

    def _leave_current(self, proceed: Callable[[], None]) -> None:
        """Run ``proceed`` once the current profile's unsaved changes are saved or discarded."""
        if self.form.is_dirty():
            choice = self.ask_unsaved_changes(self.form.text("name"))
            if choice == Choice.Save:
                self._after_save = proceed
                self.save()
                return
            if choice != Choice.Discard:
                return
        self.discard_changes()
        proceed()

    def has_unsaved_changes(self) -> bool:
        """True while the shown profile has edits (or is a draft) that are not saved."""
        return self._is_draft() or self.form.is_dirty()

    def discard_changes(self) -> None:
        """Forget unsaved edits: drop the draft, or show the saved values again."""
        if self._is_draft():
            self._draft, self._current = None, ""
        else:
            self._show_profile(self._current)
        self.set_config(self._config)

    # -- actions ----------------------------------------------------------------------------

    def add_profile(self) -> None:
        if not self._busy:
            self._leave_current(lambda: self._add_draft(parts.new_profile(), is_new=True))

    def _add_draft(self, draft: Profile, *, is_new: bool) -> None:
        self._draft = draft
        self._current = draft.id
        self.form.load(draft, is_new=is_new)
        self._rebuild_list()
        self._refresh()
        self.form.edits["name"].setFocus()

    def _taken_names(self) -> set[str]:
        return {p.name.casefold() for p in self._config.profiles}

    def _open_imported(self, profile: Profile, note: str) -> None:
        def open_draft() -> None:
            self._add_draft(profile, is_new=False)
            self.form.edits["secret"].setFocus()
            self.show_status(note, parts.OK_STYLE)

        if not self._busy:
            self._leave_current(open_draft)

    def duplicate_profile(self) -> None:
        if not self._busy and not self._is_draft():
            source_id = self._current
            self._leave_current(lambda: self._duplicate(source_id))

    def _duplicate(self, source_id: str) -> None:
        source = next((p for p in self._config.profiles if p.id == source_id), None)
        if source is not None:
            taken = {p.name.casefold() for p in self._config.profiles}
            name = free_name(source.name, taken, copy=True)
            self._add_draft(source.replace(id=new_profile_id(), name=name), is_new=False)

    def remove_profile(self) -> None:
        name = self.form.text("name") or "New profile"
        if self._busy or not self.confirm_remove(name):
            return
        if self._is_draft():
            self.discard_changes()
            return
        self._run_backend("remove", partial(self._backend.remove_profile, self._current))

    def set_default(self) -> None:
        if not self._busy and not self._is_draft():
            self._run_backend("default", partial(self._backend.set_default, self._current))

    def save(self) -> None:
        if self._busy or self._problems():
            self._after_save = None
            self._reveal_problems()
            return
        profile, secret = self.form.profile(), self.form.typed_secret() or None
        first = not self._config.profiles
        save = partial(self._backend.save_profile, profile, secret, make_default=first)
        self._run_backend("save", save, secret)

    def test(self) -> None:
        if self._problems():
            self._reveal_problems()
            return
        profile, secret = self.form.profile(), self.form.typed_secret()
        if secret:
            work = partial(self._test_fetch, profile, secret)
        else:
            work = partial(parts.fetch_with_stored_secret, self._backend, self._test_fetch, profile)
        self._test_serial += 1
        serial = self._test_serial
        outcome = partial(self._on_tested, serial)
        self._tasks.start("test", work, outcome, outcome)
        self.test_result.setStyleSheet(NOTE_STYLE)
        self.test_result.setText("Asking the server for a token…")
        self._refresh()

    def _reveal_problems(self) -> None:
        self.form.reveal_all()
        self._refresh()

    def reject(self) -> None:
        if not self._busy:
            self._leave_current(self._close)

    def _close(self) -> None:
        self.test_result.clear()
        self.status.clear()
        self._test_serial += 1
        super().reject()

    # -- background work --------------------------------------------------------------------

    def _run_backend(self, op: str, work: Callable[[], Config], secret: str | None = None) -> None:
        self._busy = op
        self.show_status("Removing…" if op == "remove" else "Saving…", NOTE_STYLE)
        saved_id = self._current
        self._tasks.start(
            op,
            work,
            lambda config: self._on_changed(op, saved_id, config, bool(secret)),
            lambda error: self._on_backend_failed(op, error),
        )
        self._refresh()

    def _on_changed(self, op: str, profile_id: str, config: Config, new_secret: bool) -> None:
        self._busy = ""
        self._config = config
        if op == "save":
            if new_secret:
                self._known[profile_id] = True
            self._draft = None if self._draft and self._draft.id == profile_id else self._draft
            self._show_profile(profile_id)
        name = saved.name if (saved := config.find(profile_id)) else ""
        saved_text = f"Saved “{name}”." + (parts.DEMO_SAVED if self.demo else "")
        done = {"save": saved_text, "default": f"“{name}” is now the default profile."}
        self.show_status("✓ " + done.get(op, "Profile removed."), parts.OK_STYLE)
        self.set_config(config)
        self.configChanged.emit(config)
        if op == "save" and new_secret:
            self.secretChanged.emit(profile_id)
        then, self._after_save = self._after_save, None
        if then is not None and op == "save":
            then()

    def _on_backend_failed(self, op: str, error: AppError) -> None:
        self._busy = ""
        self._after_save = None
        self.show_status(error)
        if op == "remove":  # the profile may be gone even though its secret was not deleted
            self._tasks.start("reload", self._backend.load, self._on_reloaded, self.show_status)
        self._refresh()

    def _on_reloaded(self, config: Config) -> None:
        if config != self._config:
            self.set_config(config)
            self.configChanged.emit(config)

    def _on_tested(self, serial: int, outcome: Token | AppError) -> None:
        if serial == self._test_serial:  # else the values tested are no longer those shown
            self.show_result(
                outcome if isinstance(outcome, AppError) else parts.describe_token(outcome)
            )

    def _check_secrets(self) -> None:
        backend, ids = self._backend, [p.id for p in self._config.profiles]

        def work() -> tuple[str, dict[str, bool]]:
            return backend.credentials.backend_name(), {i: backend.has_secret(i) for i in ids}

        self._tasks.start("secrets", work, self._on_secrets_known, self.show_status)

    def _on_secrets_known(self, answer: tuple[str, dict[str, bool]]) -> None:
        self._keyring_name = answer[0]
        self._known = {**answer[1], **{k: v for k, v in self._known.items() if v}}

    # -- state ------------------------------------------------------------------------------

    def _problems(self) -> dict[str, str]:
        problems = self.form.problems()
        name = self.form.text("name").casefold()
        if any(p.name.casefold() == name and p.id != self._current for p in self._config.profiles):
            problems["name"] = "Another profile already has this name. Choose another one."
        if self._secret_stored() is False and self.form.key_fields.needs_secret():
            problems["secret"] = parts.PASTE_HINT
        return problems

    def _refresh(self) -> None:
        """Bring hints, placeholders, buttons and the list in line with the current state."""
        if self._refreshing:
            return
        self._refreshing = True
        try:
            problems = self._problems()
            self.form.show_problems(problems)
            self.form.set_secret_state(self._secret_stored(), self._keyring_name, demo=self.demo)
            self.show_needs(list(problems))  # all of them, flagged red or not yet
            self._update_buttons(not problems)
        finally:
            self._refreshing = False

    def _update_buttons(self, valid: bool) -> None:
        default = self._config.default_profile()
        state = ButtonState(
            busy=self._busy,
            valid=valid,
            dirty=self.form.is_dirty(),
            draft=self._is_draft(),
            testing=self._tasks.is_running("test"),
            has_saved=bool(self._config.profiles),
            is_default=default is not None and default.id == self._current,
        )
        self.update_buttons(state)

    def _secret_stored(self) -> bool | None:
        """Whether the keyring holds the shown profile's secret (None: not known yet)."""
        return False if self._is_draft() else self._known.get(self._current)
