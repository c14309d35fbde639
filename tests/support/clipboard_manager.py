"""A minimal X11 clipboard manager, so tests can see what a real desktop keeps after an app quits.

On X11 the clipboard lives in the program that copied. When that program quits, its copy would
vanish — unless a *clipboard manager* (GNOME's, Xfce's, KDE's…) owns the ``CLIPBOARD_MANAGER``
selection: Qt then asks it to ``SAVE_TARGETS`` before exiting, the manager fetches the text and
keeps offering it. That is exactly how a token could outlive Token Tray on a real desktop, and
why Token Tray clears its copy on quit. Without a manager in the test desktop, "quitting clears
our copy" could not fail, so :class:`ClipboardManager` plays one (the freedesktop.org
ClipboardManager protocol, text only), on its own X connection in a background thread.
"""

from __future__ import annotations

import selectors
import threading
from typing import Any

from Xlib import X, Xatom, display
from Xlib.protocol import event

WAIT_SECONDS = 5.0


class ClipboardManager:
    """Owns CLIPBOARD_MANAGER on ``display_name``; on SAVE_TARGETS it takes over the clipboard."""

    def __init__(self, display_name: str) -> None:
        self._display = display.Display(display_name)
        self._window = self._display.screen().root.create_window(0, 0, 1, 1, 0, X.CopyFromParent)
        self._atoms = {
            name: self._display.intern_atom(name)
            for name in ("CLIPBOARD", "CLIPBOARD_MANAGER", "SAVE_TARGETS", "TARGETS", "UTF8_STRING")
        }
        self._property = self._display.intern_atom("_TOKEN_TRAY_TEST_SAVED")
        self.saved: bytes | None = None
        self.save_requests = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="clipboard-manager", daemon=True)

    def __enter__(self) -> ClipboardManager:
        self._window.set_selection_owner(self._atoms["CLIPBOARD_MANAGER"], X.CurrentTime)
        self._display.sync()
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(WAIT_SECONDS)
        self._display.close()

    def _run(self) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(self._display.fileno(), selectors.EVENT_READ)
            while not self._stop.is_set():
                if not self._display.pending_events():
                    selector.select(0.05)
                    continue
                self._handle(self._display.next_event())

    def _handle(self, received: Any) -> None:
        if received.type == X.SelectionRequest:
            if received.selection == self._atoms["CLIPBOARD_MANAGER"]:
                self._save(received)
            elif received.selection == self._atoms["CLIPBOARD"]:
                self._serve(received)
        elif received.type == X.SelectionClear and received.atom == self._atoms["CLIPBOARD"]:
            self.saved = None  # someone copied something newer

    def _save(self, request: Any) -> None:
        """Fetch the clipboard's text from its (quitting) owner, then offer it ourselves."""
        self.save_requests += 1
        saved = self._fetch_text()
        if saved is not None:
            self.saved = saved
            self._window.set_selection_owner(self._atoms["CLIPBOARD"], X.CurrentTime)
        self._reply(request, request.property if saved is not None else X.NONE)

    def _fetch_text(self) -> bytes | None:
        self._window.convert_selection(
            self._atoms["CLIPBOARD"], self._atoms["UTF8_STRING"], self._property, X.CurrentTime
        )
        self._display.flush()
        while not self._stop.is_set():
            received = self._display.next_event()
            if received.type == X.SelectionNotify:
                if received.property == X.NONE:
                    return None
                value = self._window.get_full_property(self._property, X.AnyPropertyType)
                return bytes(value.value) if value is not None else None
        return None

    def _serve(self, request: Any) -> None:
        if self.saved is None:
            self._reply(request, X.NONE)
            return
        requestor = request.requestor
        if request.target == self._atoms["TARGETS"]:
            targets = [self._atoms["TARGETS"], self._atoms["UTF8_STRING"]]
            requestor.change_property(request.property, Xatom.ATOM, 32, targets)
        elif request.target == self._atoms["UTF8_STRING"]:
            requestor.change_property(request.property, request.target, 8, self.saved)
        else:
            self._reply(request, X.NONE)
            return
        self._reply(request, request.property)

    def _reply(self, request: Any, property_atom: int) -> None:
        notify = event.SelectionNotify(
            time=request.time,
            requestor=request.requestor,
            selection=request.selection,
            target=request.target,
            property=property_atom,
        )
        request.requestor.send_event(notify)
        self._display.flush()
