"""The operating-system calls that keep Token Tray out of the Dock, made against a fake."""

from __future__ import annotations

import ctypes

import pytest

from tray_app.gui import activation

APP = 0x6000


class FakeAppKit:
    """Records Objective-C messages; ``NSApplication sharedApplication`` answers ``APP``."""

    def __init__(self) -> None:
        self.sent: list[tuple[str | int, str, tuple[int | bool, ...]]] = []

    def send(self, receiver: str | int, selector: str, *args: int | bool) -> int:
        self.sent.append((receiver, selector, args))
        return APP if selector == "sharedApplication" else 1


def test_an_unbundled_mac_tray_becomes_an_accessory_app() -> None:
    appkit = FakeAppKit()
    assert activation.use_accessory_policy(appkit, platform="darwin", bundled=False)
    assert appkit.sent == [
        ("NSApplication", "sharedApplication", ()),
        (APP, "setActivationPolicy:", (activation.ACCESSORY_POLICY,)),
    ]
    assert activation.ACCESSORY_POLICY == 1  # NSApplicationActivationPolicyAccessory


@pytest.mark.parametrize(("platform", "bundled"), [("darwin", True), ("linux", False)])
def test_the_policy_is_left_alone_in_the_app_and_off_macos(platform: str, bundled: bool) -> None:
    appkit = FakeAppKit()
    assert not activation.use_accessory_policy(appkit, platform=platform, bundled=bundled)
    assert appkit.sent == []


def test_every_message_sent_has_a_declared_signature() -> None:
    # objc_msgSend is called through a prototype of the exact AppKit signature.
    appkit = FakeAppKit()
    activation.use_accessory_policy(appkit, platform="darwin", bundled=False)
    assert {selector for _, selector, _ in appkit.sent} <= set(activation.SIGNATURES)
    for returns, arguments in activation.SIGNATURES.values():
        ctypes.CFUNCTYPE(getattr(ctypes, returns), *(getattr(ctypes, a) for a in arguments))


def test_a_mac_agent_app_activates_itself() -> None:
    appkit = FakeAppKit()
    activation.activate_app(appkit, platform="darwin")
    assert appkit.sent[-1] == (APP, "activateIgnoringOtherApps:", (True,))
    quiet = FakeAppKit()
    activation.activate_app(quiet, platform="win32")
    assert quiet.sent == []


class FakeWindow:
    def __init__(self, visible: bool) -> None:
        self.visible = visible
        self.calls: list[str] = []

    def isVisible(self) -> bool:
        return self.visible

    def show(self) -> None:
        self.calls.append("show")

    def raise_(self) -> None:
        self.calls.append("raise")

    def activateWindow(self) -> None:
        self.calls.append("activate")


@pytest.mark.parametrize(("visible", "first"), [(False, "show"), (True, "raise")])
def test_a_window_brought_forward_is_always_activated(visible: bool, first: str) -> None:
    window, appkit = FakeWindow(visible), FakeAppKit()
    activation.bring_forward(window, appkit, platform="darwin")  # type: ignore[arg-type]
    assert window.calls == [first, "activate"]
    assert (APP, "activateIgnoringOtherApps:", (True,)) in appkit.sent


class FakeUser32:
    def __init__(self) -> None:
        self.allowed: list[int] = []

    def AllowSetForegroundWindow(self, process: int) -> int:
        self.allowed.append(process)
        return 1


def test_the_second_start_lets_the_running_tray_take_the_foreground() -> None:
    user32 = FakeUser32()
    assert activation.allow_foreground(user32, platform="win32")
    assert user32.allowed == [0xFFFFFFFF]  # ASFW_ANY, (DWORD)-1
    other = FakeUser32()
    assert not activation.allow_foreground(other, platform="linux")
    assert other.allowed == []
