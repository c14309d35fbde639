"""The tray icon and its menu, built from the token services' state. No I/O happens here.

Design decisions:

* **Menu contract.** For the default profile, top to bottom: a disabled status line (while a
  refresh fails it names the failure), then ``Copy &token``, ``Copy &header``, ``Copy as
  c&url``, ``&Refresh now`` (one entry: while the last attempt failed it also forgets the
  failure and its backoff, so it is the "retry now" too), ``Token &details…``
  (when the app handles it); a separator and one
  submenu per other profile (same status line and actions); a separator, ``&Settings…``,
  ``Open &log folder``, in demo mode ``Leave the de&mo``, and ``&Quit``. With no profile:
  the status line "No profile yet", a separator, ``&Settings…``, ``Open &log folder`` and
  ``&Quit``. The mnemonics are part of the contract: keyboard users and the desktop tests use
  them.
* **Rebuilt on ``aboutToShow``** from the registry, with every action parented to the menu and
  referenced from here (``aboutToHide`` is never relied on: macOS does not send it). While the
  menu is open, status changes update its status lines in place.
* **A copy never fetches while the held token is valid** and never copies a stale one: without
  a valid token the user is told why in a tray message, and a refresh is started when it could
  help (not while a fetch already runs, not for errors only the user can fix in Settings).
* **Left-click** follows ``AppSettings.left_click`` (copy the token, copy the header, or open the
  menu); with no profile it opens Settings, since there is nothing to copy.
* **Tooltip and icon** are refreshed on every registry change and by a single-shot coarse timer
  set to the next moment a "valid for N min/s" text changes
  (:func:`~tray_app.core.status.next_text_change`): a deadline, not a poll — with 30 min
  tokens it fires once a minute, and not at all while no token is held. The tooltip lists
  every profile with its state and remaining lifetime, and says when a refresh fails while the
  token is still valid.
* **Notifications** are decided by :mod:`tray_app.core.notices` (after a copy; once when a
  profile needs the user and once when it works again) and shown by
  :class:`~tray_app.gui.notifier.TrayMessenger`: a tray balloon where the platform supports
  them, else the *status line* (the first line of the menu and the last line of the tooltip).
  Every message is also emitted as ``messageShown``.
* **A copy the desktop did not take** (a Wayland desktop that offers a tray no way to set the
  clipboard) is said twice: as a warning message, and as a line at the top of the menu and the
  tooltip that stays until a copy works, since a balloon may go unseen. It names the command
  that works instead.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QCursor
from PySide6.QtWidgets import QMenu, QMessageBox, QSystemTrayIcon

from tray_app.core.config import AppSettings, LeftClick
from tray_app.core.errors import AppError
from tray_app.core.formats import OutputFormat, render, shell_quote
from tray_app.core.logsetup import default_log_dir
from tray_app.core.notices import API_URL_PLACEHOLDER, Route, copied_notice
from tray_app.core.refresh import timer_ms
from tray_app.core.status import ServiceStatus, next_text_change
from tray_app.gui.clipboard import ClipboardWriter
from tray_app.gui.icons import IconProvider, IconState, overall_state, status_icon_state
from tray_app.gui.log_folder import open_log_folder, show_log_path
from tray_app.gui.notifier import INFORMATION, WARNING, TrayMessenger
from tray_app.gui.tray_texts import (
    copy_failed_message,
    menu_text,
    missing_token_message,
    refresh_could_help,
    sentence,
    tooltip_line,
)
from tray_app.identity import DISPLAY_NAME
from tray_app.runtime.registry import ServiceRegistry
from tray_app.runtime.token_service import TokenService

NO_PROFILE = "No profile yet"

COPY_ACTIONS: tuple[tuple[str, OutputFormat], ...] = (
    ("Copy &token", OutputFormat.RAW),
    ("Copy &header", OutputFormat.HEADER),
    ("Copy as c&url", OutputFormat.CURL),
)
REFRESH_TEXT = "&Refresh now"
DETAILS_TEXT = "Token &details…"
SETTINGS_TEXT = "&Settings…"
LOG_FOLDER_TEXT = "Open &log folder"
LEAVE_DEMO_TEXT = "Leave the de&mo"
QUIT_TEXT = "&Quit"

LEFT_CLICK_FORMATS = {
    LeftClick.COPY_TOKEN: OutputFormat.RAW,
    LeftClick.COPY_HEADER: OutputFormat.HEADER,
}


class TrayController(QObject):
    """Owns the QSystemTrayIcon and its menu; reads service state, writes only the clipboard."""

    messageShown = Signal(str)

    def __init__(
        self,
        registry: ServiceRegistry,
        *,
        settings: Callable[[], AppSettings],
        clipboard: ClipboardWriter,
        clock: Callable[[], float] = time.time,
        on_open_settings: Callable[[], None],
        on_quit: Callable[[], None],
        on_open_log_folder: Callable[[], object] = open_log_folder,
        icons: IconProvider | None = None,
        route: Callable[[], Route] | None = None,
        on_token_details: Callable[[str], None] | None = None,
        on_leave_demo: Callable[[], None] | None = None,
        tray_icon: QSystemTrayIcon | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._on_token_details, self._on_leave_demo = on_token_details, on_leave_demo
        self._registry, self._settings, self._clipboard = registry, settings, clipboard
        self._clock, self._on_open_settings, self._on_quit = clock, on_open_settings, on_quit
        self._on_open_log_folder = on_open_log_folder
        self.log_path_box: QMessageBox | None = None
        self._icons = icons if icons is not None else IconProvider()
        self._actions: list[QAction] = []
        self._submenus: list[QMenu] = []
        self._status_actions: dict[str, QAction] = {}
        self._icon_state: IconState | None = None
        self._menu = QMenu()
        self._menu.aboutToShow.connect(self.rebuild_menu)
        self._tray = tray_icon if tray_icon is not None else QSystemTrayIcon(self)
        self._tray.setParent(self)  # one shown early (tray_app.gui.startup) is adopted
        self._tray.setContextMenu(self._menu)
        self._tray.activated.connect(self._on_activated)
        self._messenger = TrayMessenger(
            self._tray, registry, on_open_settings=on_open_settings, clock=clock, route=route
        )
        self._messenger.messageShown.connect(self.messageShown)
        self._messenger.statusLineChanged.connect(self._on_status_line)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.CoarseTimer)  # a tooltip needs no precision
        self._timer.timeout.connect(self.refresh)
        self._shown = False
        registry.changed.connect(self.refresh)
        self.rebuild_menu()
        self.refresh()

    # -- public -----------------------------------------------------------------------------

    @property
    def menu(self) -> QMenu:
        return self._menu

    @property
    def tray_icon(self) -> QSystemTrayIcon:
        return self._tray

    @property
    def timer(self) -> QTimer:
        """The tooltip's next-text-change timer (exposed so tests can fire it by hand)."""
        return self._timer

    @property
    def icon_state(self) -> IconState | None:
        return self._icon_state

    @property
    def messenger(self) -> TrayMessenger:
        return self._messenger

    @property
    def status_message(self) -> str | None:
        """The last message, when it went to the status line instead of a balloon."""
        return self._messenger.status_message

    def show(self) -> None:
        """Show the icon; its tooltip follows the countdowns from now on."""
        self._shown = True
        self.refresh()
        self._tray.show()
        self._messenger.replay()

    def close(self) -> None:
        """Hide the icon, stop the timer and release the menu."""
        self._shown = False
        self._timer.stop()
        self._tray.hide()
        self._registry.changed.disconnect(self.refresh)
        self._messenger.close()
        self._clear_menu()
        self._menu.deleteLater()

    def default_service(self) -> TokenService | None:
        services = self._ordered_services()
        return services[0] if services else None

    @Slot()
    def refresh(self) -> None:
        """Bring the tooltip, the icon and an open menu's status lines up to date."""
        statuses = [service.status() for service in self._registry.services()]
        self._messenger.keep_only({status.profile.id for status in statuses})
        tooltip = self.tooltip_text(statuses)
        if tooltip != self._tray.toolTip():  # some tray hosts redraw on every change
            self._tray.setToolTip(tooltip)
        state = overall_state(statuses)
        if state is not self._icon_state:
            self._icon_state = state
            self._tray.setIcon(self._icons.state_icon(state))
        self._update_status_lines(statuses)
        self._schedule_text_change(statuses)

    def _schedule_text_change(self, statuses: list[ServiceStatus]) -> None:
        """Arm the timer for the next moment a shown countdown changes its text."""
        now = self._clock()
        delays = [
            next_text_change(status.token.remaining(now))
            for status in statuses
            if status.token is not None and status.token.is_valid(now)
        ]
        due = [delay for delay in delays if delay is not None]
        if not self._shown or not due:
            self._timer.stop()
            return
        self._timer.start(timer_ms(min(due)))

    def tooltip_text(self, statuses: list[ServiceStatus]) -> str:
        now = self._clock()
        lines = [tooltip_line(status, now) for status in statuses] or [NO_PROFILE]
        lines += self._messenger.status_lines()
        return "\n".join([DISPLAY_NAME, *lines])

    def copy(self, profile_id: str, fmt: OutputFormat) -> bool:
        """Copy the held token of ``profile_id`` as ``fmt``; explain instead when there is none."""
        service = self._registry.get(profile_id)
        if service is None:
            return False
        token = service.valid_token()
        status = service.status()
        if status.error is not None:  # wanted while failing: try now, not at the planned retry
            service.try_early()
        if token is None:
            self.notify(missing_token_message(status), WARNING)
            if refresh_could_help(status):
                service.refresh_now()
            return False
        now = self._clock()
        api_url = status.profile.api_url
        try:
            text = render(token, fmt, now=now, api_url=api_url)
        except AppError as error:  # a token that cannot go into a header
            self.notify(f"{sentence(error.title)} {error.message}", WARNING)
            return False
        if fmt is OutputFormat.CURL and not api_url:
            text += shell_quote(API_URL_PLACEHOLDER)
        if not self._clipboard.copy(text):
            self._messenger.pin(copy_failed_message(fmt), WARNING)
            return False
        self._messenger.unpin()
        if self._settings().notifications:
            notice = copied_notice(
                status.profile.name, fmt, token.remaining(now), has_api_url=bool(api_url)
            )
            self.notify(notice.text)
        return True

    def notify(self, text: str, icon: QSystemTrayIcon.MessageIcon = INFORMATION) -> None:
        """Show ``text`` as a balloon, or on the status line where there are none."""
        self._messenger.show(text, icon)

    @Slot()
    def _on_status_line(self) -> None:
        if not self._menu.isVisible():  # an open menu gets the line when next shown
            self.rebuild_menu()
        self.refresh()

    # -- menu -------------------------------------------------------------------------------

    @Slot()
    def rebuild_menu(self) -> None:
        """Recreate the menu from the current services (connected to ``aboutToShow``)."""
        self._clear_menu()
        for line in self._messenger.status_lines():
            self._add_status_line(self._menu, line)
        if self._messenger.status_lines():
            self._menu.addSeparator()
        services = self._ordered_services()
        if not services:
            self._add_status_line(self._menu, NO_PROFILE)
        else:
            self._add_profile_section(self._menu, services[0])
            if len(services) > 1:
                self._menu.addSeparator()
            for service in services[1:]:
                self._add_submenu(service)
        self._menu.addSeparator()
        self._add_action(self._menu, SETTINGS_TEXT, self._on_open_settings)
        self._add_action(self._menu, LOG_FOLDER_TEXT, self._open_log_folder)
        if self._on_leave_demo is not None:  # back to the user's own profiles
            self._add_action(self._menu, LEAVE_DEMO_TEXT, self._on_leave_demo)
        self._add_action(self._menu, QUIT_TEXT, self._on_quit)

    def _open_log_folder(self) -> None:
        if self._on_open_log_folder() is False:  # no file manager: say where it is instead
            self.log_path_box = show_log_path(default_log_dir())

    def _clear_menu(self) -> None:
        self._menu.clear()
        for submenu in self._submenus:
            submenu.deleteLater()
        self._actions.clear()
        self._submenus.clear()
        self._status_actions.clear()

    def _add_submenu(self, service: TokenService) -> None:
        status = service.status()
        submenu = QMenu(menu_text(status.profile.name), self._menu)
        submenu.setIcon(self._icons.state_icon(status_icon_state(status)))
        self._submenus.append(submenu)
        self._add_profile_section(submenu, service)
        self._menu.addMenu(submenu)

    def _add_profile_section(self, menu: QMenu, service: TokenService) -> None:
        status = service.status()
        profile_id = status.profile.id
        line = self._add_status_line(menu, status.status_line(self._clock()))
        self._status_actions[profile_id] = line
        for text, fmt in COPY_ACTIONS:
            self._add_action(menu, text, self._copier(profile_id, fmt))
        refresh = self._on_service(profile_id, TokenService.refresh_by_user)
        self._add_action(menu, REFRESH_TEXT, refresh)
        if (details := self._on_token_details) is not None:
            self._add_action(menu, DETAILS_TEXT, lambda: details(profile_id))

    def _add_status_line(self, menu: QMenu, text: str) -> QAction:
        action = QAction(menu_text(text), menu)
        action.setEnabled(False)
        menu.addAction(action)
        self._actions.append(action)
        return action

    def _add_action(self, menu: QMenu, text: str, callback: Callable[[], object]) -> QAction:
        action = QAction(text, menu)
        action.triggered.connect(lambda _checked=False: callback())
        menu.addAction(action)
        self._actions.append(action)
        return action

    def _copier(self, profile_id: str, fmt: OutputFormat) -> Callable[[], object]:
        return lambda: self.copy(profile_id, fmt)

    def _on_service(
        self, profile_id: str, act: Callable[[TokenService], None]
    ) -> Callable[[], None]:
        """An action that does ``act`` to the profile's service, if it still exists."""

        def run() -> None:
            service = self._registry.get(profile_id)
            if service is not None:
                act(service)

        return run

    def _update_status_lines(self, statuses: list[ServiceStatus]) -> None:
        if not self._status_actions:
            return
        now = self._clock()
        for status in statuses:
            action = self._status_actions.get(status.profile.id)
            if action is not None:
                action.setText(menu_text(status.status_line(now)))

    def _ordered_services(self) -> list[TokenService]:
        """All services, the default profile's first (else config order)."""
        services = self._registry.services()
        default_id = self._settings().default_profile_id
        default = next((s for s in services if s.status().profile.id == default_id), None)
        if default is None:
            return services
        return [default, *(s for s in services if s is not default)]

    # -- clicks -----------------------------------------------------------------------------

    @Slot(QSystemTrayIcon.ActivationReason)
    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self.left_click()

    def left_click(self) -> None:
        """What a left-click on the icon does, per ``AppSettings.left_click``."""
        service = self.default_service()
        if service is None:
            self._on_open_settings()
            return
        choice = self._settings().left_click
        fmt = LEFT_CLICK_FORMATS.get(choice)
        if fmt is None:
            self.rebuild_menu()
            self._menu.popup(QCursor.pos())
            return
        self.copy(service.status().profile.id, fmt)
