"""A notification service on the test's session bus that records what it is asked to show.

Desktop notifications are ``org.freedesktop.Notifications.Notify`` calls; on a real desktop the
shell (or mako, dunst …) shows them. The headless session has none, so :class:`Notifications`
takes the name and answers like one, keeping each (summary, body) for the test to read. It runs
in a thread of the test process with its own connection (jeepney), and stops on exit.
"""

from __future__ import annotations

import threading
from types import TracebackType

from jeepney import HeaderFields, MessageType, new_method_return
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection
from jeepney.low_level import Message

NAME = "org.freedesktop.Notifications"
POLL_SECONDS = 0.2
SERVER_INFO = ("token-tray-tests", "Token Tray", "1", "1.2")


class Notifications:
    """Owns ``org.freedesktop.Notifications`` on ``bus`` and records every ``Notify``."""

    def __init__(self, bus: str) -> None:
        self._connection = open_dbus_connection(bus=bus)
        self._connection.send_and_get_reply(message_bus.RequestName(NAME))
        self._lock = threading.Lock()
        self._shown: list[tuple[str, str]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="notifications", daemon=True)
        self._thread.start()

    @property
    def shown(self) -> list[tuple[str, str]]:
        """(summary, body) of each notification so far."""
        with self._lock:
            return list(self._shown)

    def __enter__(self) -> Notifications:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._connection.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                message = self._connection.receive(timeout=POLL_SECONDS)
            except TimeoutError:
                continue
            if message.header.message_type is MessageType.method_call:
                self._answer(message)

    def _answer(self, call: Message) -> None:
        member = call.header.fields.get(HeaderFields.member)
        if member == "Notify":
            _app, _replaces, _icon, summary, body, *_rest = call.body
            with self._lock:
                self._shown.append((summary, body))
                number = len(self._shown)
            self._connection.send(new_method_return(call, "u", (number,)))
        elif member == "GetCapabilities":
            self._connection.send(new_method_return(call, "as", (["body"],)))
        elif member == "GetServerInformation":
            self._connection.send(new_method_return(call, "ssss", SERVER_INFO))
        else:  # CloseNotification and anything else: done
            self._connection.send(new_method_return(call))
