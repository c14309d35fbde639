"""The messages under the profile form's fields: when each one shows, and what it says.

Rules (kept here so that the form only reports what the user did):

* A field's hint shows once the user has left that field (:meth:`InlineHints.left`), or for
  every field after :meth:`InlineHints.reveal_all` (Save or Test pressed, a saved profile
  loaded). A new, empty form is not a wall of red.
* While the user types in a field, that field gets no new hint; one already shown is updated,
  or cleared as soon as the value is fixed.
* A secret in a field that is saved in clear is said at once, typing or not.
* Every hint line keeps its room (:class:`~tray_app.gui.settings.widgets.MessageLabel`), so a
  hint that comes or goes never moves the fields below it.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from tray_app.gui.settings.texts import HINT_STYLE, WRONG_FIELD_HINT
from tray_app.gui.settings.widgets import MessageLabel

UNCHECKED_FIELDS = frozenset({"body_format", "client_auth", "refresh_margin", "timeout"})
"""Combo and spin boxes only offer valid values: no hint line is reserved under them."""


class InlineHints:
    """One message line per field, keyed like the problems (``helper.<key>`` for helpers)."""

    def __init__(self) -> None:
        self.labels: dict[str, MessageLabel] = {}
        self._touched: set[str] = set()
        self._editing = ""

    def add(self, key: str) -> QWidget:
        """The hint line for ``key``, two lines high (most hints need two at the usual width)."""
        label = MessageLabel(HINT_STYLE, lines=2)
        label.setVisible(key not in UNCHECKED_FIELDS)
        self.labels[key] = label
        return label

    def restart(self, *, reveal: bool) -> None:
        """Another profile is shown: forget what was touched and the room of old messages."""
        self._touched = set(self.labels) if reveal else set()
        self._editing = ""
        for label in self.labels.values():
            label.reset()

    def reveal_all(self) -> None:
        """Show the hints of every field from now on, touched or not (the one typed in too)."""
        self._touched = set(self.labels)
        self._editing = ""

    def typing(self, key: str) -> None:
        self._editing = key

    def left(self, key: str) -> None:
        """The user left ``key`` (or changed it in one step): its hint is due."""
        if self._editing == key:
            self._editing = ""
        self._touched.add(key)

    def show(self, problems: dict[str, str], always: dict[str, str] | None = None) -> None:
        """Show the hint of every touched field that has a problem, and every one of
        ``always`` (a stored value that needs fixing); clear the others."""
        for key, label in self.labels.items():
            message = problems.get(key, "") if key in self._touched else ""
            message = message or (always or {}).get(key, "")
            if key == self._editing and not label.text():
                message = ""
            if problems.get(key) == WRONG_FIELD_HINT:
                message = WRONG_FIELD_HINT
            label.show_message(message)
            label.setVisible(key not in UNCHECKED_FIELDS or bool(message))

    def text(self, key: str) -> str:
        return self.labels[key].text()

    def shown(self) -> set[str]:
        return {key for key, label in self.labels.items() if label.text()}
