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
