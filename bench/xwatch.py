"""When is a process's tray icon mapped into the tray? Watched through X events, not polling.

A tray icon on X11 is a small window the application creates; the tray host (trayer here)
reparents it into its own window (XEmbed) and maps it there. :class:`IconWatch` selects
``SubstructureNotify`` on the root window, so it hears of every new top-level window, then
``StructureNotify`` on each of those, so it hears when one is reparented and mapped. The icon
counts as shown when a window carrying ``_NET_WM_PID == pid`` is viewable and its parent is
no longer the root window. The moment is taken when the event is read, so the watcher's own
latency is one X round trip, the same for the bare tray and for Token Tray.

Start the watch *before* spawning the process, so no event can be missed.
"""

from __future__ import annotations

import selectors
import time
from typing import Any

from Xlib import X, display, error


class IconWatch:
    """Listens to one X display for a tray icon being mapped into the tray."""

    def __init__(self, display_name: str) -> None:
        self._display = display.Display(display_name)
        self._root = self._display.screen().root
        self._pid_atom = self._display.intern_atom("_NET_WM_PID")
        self._root.change_attributes(event_mask=X.SubstructureNotifyMask)
        self._display.sync()

    def close(self) -> None:
        self._display.close()

    def wait_mapped(self, pid: int, timeout: float) -> float | None:
        """``time.perf_counter()`` when ``pid``'s icon was mapped into the tray; None on timeout."""
        deadline = time.monotonic() + timeout
        with selectors.DefaultSelector() as selector:
            selector.register(self._display.fileno(), selectors.EVENT_READ)
            while time.monotonic() < deadline:
                if not self._display.pending_events():
                    selector.select(max(0.0, deadline - time.monotonic()))
                while self._display.pending_events():
                    seen = time.perf_counter()
                    if self._handle(self._display.next_event(), pid):
                        return seen
        return None

    def _handle(self, event: Any, pid: int) -> bool:
        if event.type == X.CreateNotify:
            window = event.window
            try:
                window.change_attributes(event_mask=X.StructureNotifyMask)
                self._display.sync()
            except error.XError:
                return False  # gone already
            return self._is_icon(window, pid)  # it may have been mapped before we listened
        if event.type in (X.MapNotify, X.ReparentNotify):
            return self._is_icon(event.window, pid)
        return False

    def _is_icon(self, window: Any, pid: int) -> bool:
        try:
            attributes = window.get_attributes()
            if attributes.map_state != X.IsViewable:
                return False
            if window.query_tree().parent.id == self._root.id:
                return False
            owner = window.get_full_property(self._pid_atom, X.AnyPropertyType)
        except error.XError:
            return False
        return owner is not None and len(owner.value) > 0 and int(owner.value[0]) == pid
