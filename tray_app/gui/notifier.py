"""Shows the tray's messages: as balloons where the platform has them, else on a status line.

:class:`TrayMessenger` is the Qt side of :mod:`tray_app.core.notices`: it watches the registry's
status changes, asks the :class:`~tray_app.core.notices.ProfileWatch` whether they call for a
message, and shows messages (its own and the tray's: copy confirmations, "nothing to copy"
explanations). Apart from :mod:`tray_app.gui.tray` so that module stays about the menu.

Design decisions:

* **Route per message** (:func:`~tray_app.core.notices.message_route`): a balloon when
  ``QSystemTrayIcon.supportsMessages()`` and the icon is shown; otherwise the text becomes the
  *status line* (:attr:`TrayMessenger.status_message`), which the tray shows at the top of its
  menu and at the end of its tooltip, and ``statusLineChanged`` is emitted. The route is
  injectable: offscreen tests have no tray.
* A balloon about a problem that needs the user stays up longer (15 s instead of 6 s: it
  carries advice to read) and opens Settings when clicked; clicking any other balloon does
  nothing. (Qt's X11/XEmbed tray also reports a click on the *icon* while a balloon is up as
  a click on the balloon, so there clicking the icon during the warning opens Settings too.)
* **Nothing said before the icon is shown is lost**: such a message goes to the status line,
  and :meth:`TrayMessenger.replay` (called when the icon appears) shows the latest one as a
  balloon after all.
* A **pinned** message (:meth:`TrayMessenger.pin`: a copy the desktop did not take) is shown
  and also stays on the status line until it is unpinned, since a balloon may go unseen.
* Every message is also emitted as ``messageShown``, so tests observe messages without a
  notification server.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QSystemTrayIcon

from tray_app.core.notices import ProfileWatch, Route, message_route
from tray_app.core.status import ServiceStatus
from tray_app.identity import DISPLAY_NAME
from tray_app.runtime.registry import ServiceRegistry

MESSAGE_MS = 6_000
WARNING_MESSAGE_MS = 15_000
WARNING = QSystemTrayIcon.MessageIcon.Warning
INFORMATION = QSystemTrayIcon.MessageIcon.Information


class TrayMessenger(QObject):
    """Decides where each message goes and shows it; announces profile problems once."""

    messageShown = Signal(str)
    statusLineChanged = Signal()

    def __init__(
        self,
        tray: QSystemTrayIcon,
        registry: ServiceRegistry,
        *,
        on_open_settings: Callable[[], None],
        clock: Callable[[], float] = time.time,
        route: Callable[[], Route] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._tray, self._registry, self._clock = tray, registry, clock
        self._on_open_settings = on_open_settings
        self._route = route if route is not None else self._platform_route
        self._watch = ProfileWatch()
        self._status_message: str | None = None
        self._pinned: str | None = None
        self._pending: tuple[str, QSystemTrayIcon.MessageIcon, bool] | None = None
        self._settings_on_click = False
        tray.messageClicked.connect(self._on_message_clicked)
        registry.statusChanged.connect(self._on_status)

    @property
    def status_message(self) -> str | None:
        """The last message, when it went to the status line instead of a balloon."""
        return self._status_message

    def status_lines(self) -> list[str]:
        """The lines above the profiles: the pinned message, then the last unshown one."""
        lines = [self._pinned] if self._pinned is not None else []
        if self._status_message is not None and self._status_message not in lines:
            lines.append(self._status_message)
        return lines

    def pin(self, text: str, icon: QSystemTrayIcon.MessageIcon = WARNING) -> None:
        """Show ``text`` and keep it on the status line until :meth:`unpin`."""
        if text != self._pinned:
            self._pinned = text
            self.statusLineChanged.emit()
        self.show(text, icon)

    def unpin(self) -> None:
        if self._pinned is not None:
            self._pinned = None
            self.statusLineChanged.emit()

    def close(self) -> None:
        self._registry.statusChanged.disconnect(self._on_status)

    def keep_only(self, profile_ids: set[str]) -> None:
        """Forget the announced problems of profiles that no longer exist."""
        self._watch.keep_only(profile_ids)

    def show(
        self,
        text: str,
        icon: QSystemTrayIcon.MessageIcon = INFORMATION,
        *,
        opens_settings: bool = False,
    ) -> None:
        """Show ``text`` as a balloon, or on the status line where there are none; emit it."""
        if self._route() is Route.BALLOON:
            self._settings_on_click = opens_settings
            shown_ms = WARNING_MESSAGE_MS if opens_settings else MESSAGE_MS
            self._tray.showMessage(DISPLAY_NAME, text, icon, shown_ms)
        else:
            self._status_message = text
            self._pending = (text, icon, opens_settings)
            self.statusLineChanged.emit()
        self.messageShown.emit(text)

    def replay(self) -> None:
        """Show the latest status-line message as a balloon, if balloons can be shown now."""
        if self._pending is None or self._route() is not Route.BALLOON:
            return
        text, icon, opens_settings = self._pending
        self._pending = self._status_message = None
        self.statusLineChanged.emit()
        self.show(text, icon, opens_settings=opens_settings)

    def _platform_route(self) -> Route:
        return message_route(QSystemTrayIcon.supportsMessages(), self._tray.isVisible())

    @Slot(ServiceStatus)
    def _on_status(self, status: ServiceStatus) -> None:
        notice = self._watch.observe(status, self._clock())
        if notice is not None:
            icon = WARNING if notice.warning else INFORMATION
            self.show(notice.text, icon, opens_settings=notice.warning)

    @Slot()
    def _on_message_clicked(self) -> None:
        if self._settings_on_click:
            self._settings_on_click = False
            self._on_open_settings()
