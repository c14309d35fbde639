"""Making Token Tray's windows come forward, and keeping a pip-installed tray out of the Dock.

Qt has no call for either, so the few operating-system calls are made here, through
:mod:`ctypes`, behind small injectable "messenger" objects that the tests replace by fakes.

Design decisions:

* **macOS, not bundled: accessory activation policy.** ``Token Tray.app`` says ``LSUIElement``
  in its Info.plist (packaging/platform_files.py), so it has no Dock icon. Run from a virtual
  environment there is no Info.plist, and Qt's Cocoa plugin makes the process a regular app: a
  Python rocket in the Dock for as long as the tray runs. :func:`use_accessory_policy` sends
  ``[NSApp setActivationPolicy:NSApplicationActivationPolicyAccessory]`` (value 1 in AppKit's
  ``NSRunningApplication.h``, which describes it as no Dock icon, yet able to be activated and
  to show windows), once the QApplication exists. KDE's ``kiod`` agent
  does the same for its unbundled helper.
* **macOS: an agent app activates itself.** An accessory app is not made active when one of its
  windows is shown; :func:`activate_app` sends ``[NSApp activateIgnoringOtherApps:YES]``
  whenever Token Tray brings a window forward (:func:`bring_forward`: settings on "already
  running", token details, crash reports, message boxes).
* **Windows: the second process lends its right to take the foreground.** Windows lets a
  process bring a window to the foreground only in a few cases (the remarks of
  ``SetForegroundWindow``); one is that the current foreground process allowed it with
  ``AllowSetForegroundWindow``. When the user starts Token Tray again, that new process is the
  foreground one, so it allows it (:func:`allow_foreground`, ``ASFW_ANY``) before asking the
  running tray to show its window, and the tray raises *and* activates the window; otherwise
  Windows only flashes the taskbar button.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

ACCESSORY_POLICY = 1
"""``NSApplicationActivationPolicyAccessory`` (Regular 0, Accessory 1, Prohibited 2)."""
ASFW_ANY = 0xFFFFFFFF
"""``AllowSetForegroundWindow``'s "any process" (``(DWORD)-1`` in WinUser.h)."""


class Messenger(Protocol):
    """Sends one Objective-C message; ``receiver`` is a class name or an object pointer."""

    def send(self, receiver: str | int, selector: str, *args: int | bool) -> int: ...


SIGNATURES: dict[str, tuple[str, tuple[str, ...]]] = {
    "sharedApplication": ("c_void_p", ()),
    "setActivationPolicy:": ("c_bool", ("c_long",)),  # (BOOL)…:(NSInteger)
    "activateIgnoringOtherApps:": ("c_void_p", ("c_bool",)),  # (void)…:(BOOL)
}
"""Return and argument types (:mod:`ctypes` names) per selector, as AppKit declares them:
``objc_msgSend`` must be called through a prototype of the exact signature (required on Apple
silicon). Names, not types, so that importing this module does not import :mod:`ctypes`."""


class ObjCMessenger:  # pragma: no cover - macOS only
    """:class:`Messenger` through ``libobjc`` (AppKit is loaded already: Qt's Cocoa plugin)."""

    def __init__(self) -> None:
        import ctypes
        import ctypes.util

        self._ctypes = ctypes
        self._lib = ctypes.cdll.LoadLibrary(ctypes.util.find_library("objc") or "libobjc.dylib")
        for name in ("objc_getClass", "sel_registerName"):
            function = getattr(self._lib, name)
            function.restype, function.argtypes = ctypes.c_void_p, [ctypes.c_char_p]

    def send(self, receiver: str | int, selector: str, *args: int | bool) -> int:
        ctypes = self._ctypes
        target = (
            self._lib.objc_getClass(receiver.encode()) if isinstance(receiver, str) else receiver
        )
        returns, arguments = SIGNATURES[selector]
        types = [getattr(ctypes, name) for name in arguments]
        prototype = ctypes.CFUNCTYPE(
            getattr(ctypes, returns), ctypes.c_void_p, ctypes.c_void_p, *types
        )
        message = prototype(("objc_msgSend", self._lib))
        return int(message(target, self._lib.sel_registerName(selector.encode()), *args) or 0)


def _messenger(messenger: Messenger | None, platform: str | None) -> Messenger | None:
    """The messenger to use: the one given, the real one on macOS, else None."""
    if (platform or sys.platform) != "darwin":
        return None
    return messenger if messenger is not None else ObjCMessenger()


def use_accessory_policy(
    messenger: Messenger | None = None,
    *,
    platform: str | None = None,
    bundled: bool | None = None,
) -> bool:
    """Keep an unbundled macOS tray out of the Dock; True when the policy was set."""
    if bundled is None:
        bundled = bool(getattr(sys, "frozen", False))  # PyInstaller sets it
    send = _messenger(messenger, platform)
    if send is None or bundled:
        return False  # not macOS, or the .app's Info.plist already says LSUIElement
    app = send.send("NSApplication", "sharedApplication")
    return bool(app) and bool(send.send(app, "setActivationPolicy:", ACCESSORY_POLICY))


def activate_app(messenger: Messenger | None = None, *, platform: str | None = None) -> None:
    """Make Token Tray the active app (macOS), so a window shown now comes to the front."""
    send = _messenger(messenger, platform)
    if send is None:
        return
    app = send.send("NSApplication", "sharedApplication")
    if app:
        send.send(app, "activateIgnoringOtherApps:", True)


def bring_forward(
    window: QWidget, messenger: Messenger | None = None, *, platform: str | None = None
) -> None:
    """Show ``window`` in front of other apps' windows, with the keyboard focus.

    A window being shown is already on top of ours; one already open may be behind others and is
    raised first. Either way the app and the window are then activated.
    """
    if window.isVisible():
        window.raise_()
    else:
        window.show()
    activate_app(messenger, platform=platform)
    window.activateWindow()


def allow_foreground(user32: Any = None, *, platform: str | None = None) -> bool:
    """Let the running tray take the foreground (Windows); True when Windows agreed."""
    if (platform or sys.platform) != "win32":
        return False
    if user32 is None:  # pragma: no cover - Windows only
        import ctypes

        user32 = getattr(ctypes, "WinDLL")("user32", use_last_error=True)  # noqa: B009
    return bool(user32.AllowSetForegroundWindow(ASFW_ANY))
