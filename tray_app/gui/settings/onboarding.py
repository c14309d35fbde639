"""The settings window's onboarding helper: Discover, team profile Import/Export (buttons and
drag-and-drop of a file) and "Try the demo".

The settings dialog owns one :class:`Onboarding` and hands it what it needs (the view, the shared
:class:`~tray_app.gui.settings.tasks.Tasks`, and two callables into the dialog's profile list):
a composed part rather than a base class, so neither side declares hooks for the other to fill.

Design decisions:

* File reading and writing, and the discovery lookup, run on a worker like every other blocking
  call of the dialog; their outcome comes back as a draft, a form update or a status line.
  Errors are shown, never raised.
* An imported profile opens as an unsaved draft with every hint visible and the secret field
  focused: the teammate pastes the secret, presses Test, then Save. Nothing is stored before
  that, so a wrong file costs nothing. A name already in use gets a free one ("X (2)") and the
  status line says so.
* Export writes what the form shows (it must be valid; the secret is never part of it).
* A drop is accepted only for a single local file — anywhere on the window, including the text
  fields (which would otherwise paste the file's path into themselves): an event filter on the
  window and its fields routes such drops to the import; dropped text still lands in the field
  as usual.
* "Try the demo" is offered on first start only, and never inside the demo itself
  (:meth:`Onboarding.set_demo_offered`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtCore import QEvent, QMimeData, QObject, Signal
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit

from tray_app.core.discovery import Discovery, discover
from tray_app.core.profile import Profile
from tray_app.core.team import (
    destination,
    free_name,
    read_profile_file,
    suggested_file_name,
    write_profile_file,
)
from tray_app.gui.settings.tasks import Tasks
from tray_app.gui.settings.texts import NOTE_STYLE, OK_STYLE
from tray_app.gui.settings.view import SettingsView

Discover = Callable[[str, str, float], Discovery]
"""issuer URL, CA bundle, timeout → what the server's metadata says (blocking)."""


def dropped_file(mime: QMimeData) -> str:
    """The path of the single local file in a drag, or ""."""
    urls = mime.urls() if mime.hasUrls() else []
    if len(urls) != 1 or not urls[0].isLocalFile():
        return ""
    return urls[0].toLocalFile()


class Onboarding(QObject):
    """Discover, Import/Export, drop and demo for the settings window (see module docstring)."""

    demoRequested = Signal()
    """"Try the demo" was pressed."""
    leaveDemoRequested = Signal()
    """"Leave the demo" was pressed (in the demo's banner)."""

    def __init__(
        self,
        view: SettingsView,
        tasks: Tasks,
        *,
        taken_names: Callable[[], set[str]],
        open_imported: Callable[[Profile, str], None],
        refresh: Callable[[], None],
        discover: Discover = discover,
    ) -> None:
        super().__init__(view)
        self._view, self._tasks, self._discover = view, tasks, discover
        self._taken_names, self._open_imported = taken_names, open_imported
        self._refresh = refresh
        self._offer_demo = True
        view.setAcceptDrops(True)
        view.installEventFilter(self)
        for field in view.findChildren(QLineEdit):
            field.installEventFilter(self)
        for text in view.findChildren(QPlainTextEdit):
            text.viewport().installEventFilter(self)  # drags reach the viewport
        view.import_button.clicked.connect(self.import_profile)
        view.export_button.clicked.connect(self.export_profile)
        view.demo_button.clicked.connect(self.demoRequested)
        view.leave_demo_button.clicked.connect(self.leaveDemoRequested)
        view.form.discoverRequested.connect(self._run_discovery)

    def set_demo_offered(self, offered: bool) -> None:
        """Whether the first-start line offers "Try the demo" (not inside the demo)."""
        self._offer_demo = offered
        self._view.demo_button.setVisible(offered and self._view.welcome.isVisibleTo(self._view))

    def set_demo(self, demo: bool) -> None:
        """Inside the demo: its banner and "Leave the demo" instead of "Try the demo"."""
        self._view.set_demo(demo)
        self.set_demo_offered(not demo)

    def demo_offered(self) -> bool:
        return self._offer_demo

    # -- import / export --------------------------------------------------------------------

    def import_profile(self) -> None:
        path = self._view.ask_import_path()
        if path:
            self.import_file(path)

    def import_file(self, path: str) -> None:
        """Read ``path`` on a worker and open its profile as a draft."""
        self._view.show_status(f"Reading {Path(path).name}…", NOTE_STYLE)
        work = partial(read_profile_file, Path(path))
        self._tasks.start("import", work, self._on_read, self._view.show_status)

    def _on_read(self, profile: Profile) -> None:
        name = free_name(profile.name, self._taken_names())
        note = (
            f"Imported “{name}”. {destination(profile)} Paste the client secret you were "
            "given, then Test and Save."
        )
        if name != profile.name:
            note += f" (Renamed: you already have a profile named “{profile.name}”.)"
        self._open_imported(profile.replace(name=name), note)

    def export_profile(self) -> None:
        form = self._view.form
        if form.problems():
            form.reveal_all()
            self._refresh()
            self._view.show_status("Fix the marked fields before exporting this profile.")
            return
        profile = form.profile()
        path = self._view.ask_export_path(suggested_file_name(profile))
        if not path:
            return
        work = partial(write_profile_file, profile, Path(path))
        done = partial(self._on_exported, profile.name)
        self._tasks.start("export", work, done, self._view.show_status)

    def _on_exported(self, name: str, path: Path) -> None:
        self._view.show_status(
            f"✓ Exported “{name}” to {path}. The client secret is not in the file: give it to "
            "your teammates separately (not in the same message).",
            OK_STYLE,
        )

    # -- drag and drop ----------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """A single file dragged onto the window or a text field is an import, not text."""
        # QDragEnterEvent and QDragMoveEvent are QDropEvents too.
        if not isinstance(event, QDropEvent):
            return super().eventFilter(watched, event)
        path = dropped_file(event.mimeData())
        if not path:
            if watched is self._view:
                event.ignore()
                return True
            return super().eventFilter(watched, event)
        event.acceptProposedAction()
        if event.type() == QEvent.Type.Drop:
            self.import_file(path)
        return True

    # -- discovery --------------------------------------------------------------------------

    def _run_discovery(self, issuer: str) -> None:
        form = self._view.form
        profile = form.profile()
        work = partial(self._discover, issuer, profile.ca_bundle, profile.timeout)
        self._tasks.start("discover", work, form.apply_discovery, form.apply_discovery)
