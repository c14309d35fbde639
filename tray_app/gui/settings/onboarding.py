"""The settings window's onboarding behaviour: Discover, team profile Import/Export (buttons and
drag-and-drop of a file), "Try the demo" — and the background-task plumbing they share with
:mod:`tray_app.gui.settings.dialog`, which builds on this class.

Design decisions:

* File reading and writing, and the discovery lookup, run on a worker
  (:class:`~tray_app.runtime.workers.Task`) like every other blocking call of the dialog; their
  outcome comes back as a draft, a form update or a status line. Errors are shown, never raised.
* An imported profile opens as an unsaved draft with every hint visible and the secret field
  focused: the teammate pastes the secret, presses Test, then Save. Nothing is stored before
  that, so a wrong file costs nothing. A name already in use gets a free one ("X (2)") and the
  status line says so.
* Export writes what the form shows (it must be valid; the secret is never part of it).
* A drop is accepted only for a single local file — anywhere on the window, including the text
  fields (which would otherwise paste the file's path into themselves): an event filter on the
  fields routes such drops to the import; dropped text still lands in the field as usual.
* "Try the demo" is offered on first start only, and never inside the demo itself
  (:meth:`OnboardingDialog.set_demo_offered`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtCore import QEvent, QMimeData, QObject, QThreadPool, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QWidget

from tray_app.core.discovery import Discovery, discover
from tray_app.core.errors import AppError
from tray_app.core.profile import Profile
from tray_app.core.team import (
    destination,
    free_name,
    read_profile_file,
    suggested_file_name,
    write_profile_file,
)
from tray_app.gui.settings.texts import NOTE_STYLE, OK_STYLE
from tray_app.gui.settings.view import SettingsView
from tray_app.runtime.workers import Task

Discover = Callable[[str, str, float], Discovery]
"""issuer URL, CA bundle, timeout → what the server's metadata says (blocking)."""


def dropped_file(mime: QMimeData) -> str:
    """The path of the single local file in a drag, or ""."""
    urls = mime.urls() if mime.hasUrls() else []
    if len(urls) != 1 or not urls[0].isLocalFile():
        return ""
    return urls[0].toLocalFile()


class OnboardingDialog(SettingsView):
    """Discover, Import/Export, drop and demo for the settings window (see module docstring)."""

    demoRequested = Signal()
    """"Try the demo" was pressed."""

    def __init__(
        self,
        *,
        discover: Discover = discover,
        pool: QThreadPool | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._discover, self._pool = discover, pool
        self._tasks: dict[str, Task] = {}
        self._offer_demo = True
        self.setAcceptDrops(True)
        for field in self.findChildren(QLineEdit):
            field.installEventFilter(self)
        for text in self.findChildren(QPlainTextEdit):
            text.viewport().installEventFilter(self)  # drags reach the viewport
        self.import_button.clicked.connect(self.import_profile)
        self.export_button.clicked.connect(self.export_profile)
        self.demo_button.clicked.connect(self.demoRequested)
        self.form.discoverRequested.connect(self._run_discovery)

    def set_demo_offered(self, offered: bool) -> None:
        """Whether the first-start line offers "Try the demo" (not inside the demo)."""
        self._offer_demo = offered
        self.demo_button.setVisible(offered and self.welcome.isVisibleTo(self))

    def demo_offered(self) -> bool:
        return self._offer_demo

    def is_busy(self) -> bool:
        """True while any background call (test, save, keyring check…) is still running."""
        return any(task.is_running() for task in self._tasks.values())

    # -- hooks the settings dialog provides -------------------------------------------------

    def _refresh(self) -> None:
        raise NotImplementedError

    def _taken_names(self) -> set[str]:
        raise NotImplementedError

    def _open_imported(self, profile: Profile, note: str) -> None:
        raise NotImplementedError

    # -- import / export --------------------------------------------------------------------

    def import_profile(self) -> None:
        path = self.ask_import_path()
        if path:
            self.import_file(path)

    def import_file(self, path: str) -> None:
        """Read ``path`` on a worker and open its profile as a draft."""
        self.show_status(f"Reading {Path(path).name}…", NOTE_STYLE)
        self._start("import", partial(read_profile_file, Path(path)), self._on_read, self._failed)

    def _on_read(self, profile: Profile) -> None:
        taken = self._taken_names()
        name = free_name(profile.name, taken)
        note = (
            f"Imported “{name}”. {destination(profile)} Paste the client secret you were "
            "given, then Test and Save."
        )
        if name != profile.name:
            note += f" (Renamed: you already have a profile named “{profile.name}”.)"
        self._open_imported(profile.replace(name=name), note)

    def export_profile(self) -> None:
        problems = self.form.problems()
        if problems:
            self.form.reveal_all()
            self._refresh()
            self.show_status("Fix the marked fields before exporting this profile.")
            return
        profile = self.form.profile()
        path = self.ask_export_path(suggested_file_name(profile))
        if not path:
            return
        work = partial(write_profile_file, profile, Path(path))
        self._start("export", work, partial(self._on_exported, profile.name), self._failed)

    def _on_exported(self, name: str, path: Path) -> None:
        self.show_status(
            f"✓ Exported “{name}” to {path}. The client secret is not in the file: give it to "
            "your teammates separately (not in the same message).",
            OK_STYLE,
        )

    def _failed(self, error: AppError) -> None:
        self.show_status(error)

    # -- drag and drop ----------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if dropped_file(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        path = dropped_file(event.mimeData())
        if not path:
            event.ignore()
            return
        event.acceptProposedAction()
        self.import_file(path)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """A file dragged over a text field is an import, not text for that field."""
        # QDragEnterEvent and QDragMoveEvent are QDropEvents too.
        if not isinstance(event, QDropEvent) or not dropped_file(event.mimeData()):
            return super().eventFilter(watched, event)
        if event.type() == QEvent.Type.Drop:
            self.dropEvent(event)
        else:
            event.acceptProposedAction()
        return True

    # -- discovery --------------------------------------------------------------------------

    def _run_discovery(self, issuer: str) -> None:
        profile = self.form.profile()
        work = partial(self._discover, issuer, profile.ca_bundle, profile.timeout)
        self._start("discover", work, self.form.apply_discovery, self.form.apply_discovery)

    # -- background work --------------------------------------------------------------------

    def _start(
        self,
        purpose: str,
        work: Callable[[], object],
        done: Callable[..., None],
        failed: Callable[[AppError], None],
    ) -> None:
        task = Task(work)
        task.succeeded.connect(done)
        task.failed.connect(failed)
        task.finished.connect(self._refresh)
        self._tasks[purpose] = task
        task.start(self._pool)
