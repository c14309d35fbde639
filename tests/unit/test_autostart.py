"""Start at login: the XDG autostart file for real (temporary XDG_CONFIG_HOME), the Windows Run
value through a recording registry writer, the macOS LaunchAgent's content."""

from __future__ import annotations

import plistlib
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.keyring_session import skip_or_fail
from tray_app.core.autostart import (
    AGENT_LABEL,
    MacLaunchAgent,
    WindowsRunKey,
    XdgAutostart,
    autostart_for,
)
from tray_app.core.desktop_entry import exec_of
from tray_app.core.errors import AppError, ErrorKind
from tray_app.identity import DISPLAY_NAME

PROGRAM = "/home/Ana María/Token Tray/token-tray"


def test_xdg_on_writes_a_valid_entry_under_xdg_config_home(tmp_path: Path) -> None:
    place = XdgAutostart(env={"XDG_CONFIG_HOME": str(tmp_path)})
    assert not place.is_on()
    assert place.command() is None
    place.turn_on([PROGRAM])
    path = tmp_path / "autostart" / "token-tray.desktop"
    assert place.place == str(path)
    assert place.is_on()
    text = path.read_text()
    assert exec_of(text) == [PROGRAM]
    assert place.command() == [PROGRAM]
    assert "X-GNOME-Autostart-enabled=true" in text
    if shutil.which("desktop-file-validate") is None:
        skip_or_fail("needs desktop-file-validate (package desktop-file-utils)")
    result = subprocess.run(["desktop-file-validate", str(path)], capture_output=True, check=False)
    assert result.returncode == 0, result.stdout
    place.turn_off()
    assert not path.exists()
    assert not place.is_on()
    place.turn_off()  # already off: fine


def test_xdg_entry_hidden_by_the_desktop_counts_as_off(tmp_path: Path) -> None:
    place = XdgAutostart(tmp_path)
    place.turn_on([PROGRAM])
    place.path.write_text(place.path.read_text() + "Hidden=true\n")
    assert not place.is_on()
    assert place.command() is None


def test_xdg_failure_is_a_plain_error_and_nothing_is_written(tmp_path: Path) -> None:
    (tmp_path / "autostart").write_text("a file where the folder belongs")
    place = XdgAutostart(tmp_path)
    with pytest.raises(AppError) as caught:
        place.turn_on([PROGRAM])
    assert caught.value.kind is ErrorKind.CONFIG
    assert caught.value.exit_code == 2
    assert caught.value.title == "Start at login could not be changed"
    assert "could not be turned on" in caught.value.message
    assert str(place.path) in caught.value.message
    assert (tmp_path / "autostart").read_text() == "a file where the folder belongs"


class RecordingRegistry:
    """Values of one registry key, in memory; can be told to refuse writes."""

    def __init__(self) -> None:
        self.values: dict[str, str | bytes] = {}
        self.refuse = False

    def get(self, name: str) -> str | None:
        value = self.values.get(name)
        return value if isinstance(value, str) else None

    def get_bytes(self, name: str) -> bytes | None:
        value = self.values.get(name)
        return value if isinstance(value, bytes) else None

    def set(self, name: str, value: str) -> None:
        if self.refuse:
            raise PermissionError(13, "Access is denied")
        self.values[name] = value

    def delete(self, name: str) -> None:
        self.values.pop(name, None)


def test_windows_run_value_holds_the_quoted_command_line() -> None:
    registry = RecordingRegistry()
    place = WindowsRunKey(registry, RecordingRegistry())
    assert not place.is_on()
    place.turn_on([r"C:\Users\Ana María\AppData\Local\Token Tray\token-tray.exe"])
    assert registry.values == {
        DISPLAY_NAME: r'"C:\Users\Ana María\AppData\Local\Token Tray\token-tray.exe"'
    }
    assert place.is_on()
    assert "HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Run" in place.place
    place.turn_off()
    assert registry.values == {}
    assert not place.is_on()


def test_windows_refusal_is_a_plain_error() -> None:
    registry = RecordingRegistry()
    registry.refuse = True
    with pytest.raises(AppError) as caught:
        WindowsRunKey(registry, RecordingRegistry()).turn_on([r"C:\tt\token-tray.exe"])
    assert caught.value.title == "Start at login could not be changed"
    assert "Access is denied" in caught.value.message
    assert registry.values == {}


INSTALLED = r"C:\Users\Ana María\AppData\Local\Programs\Token Tray\token-tray-gui.exe"


def test_windows_command_is_read_back_as_windows_splits_it() -> None:
    place = WindowsRunKey(RecordingRegistry(), RecordingRegistry())
    place.turn_on([INSTALLED])
    assert place.command() == [INSTALLED]  # not the quoted string, which names no file
    place.turn_on([INSTALLED, "--minimized"])
    assert place.command() == [INSTALLED, "--minimized"]


@pytest.mark.parametrize(
    ("mark", "on"),
    [
        (None, True),  # never switched in Task Manager
        (bytes.fromhex("020000000000000000000000"), True),
        (bytes.fromhex("060000000000000000000000"), True),
        (bytes.fromhex("03000000d40d438dc83bd901"), False),  # switched off (with a FILETIME)
        (bytes.fromhex("010000000000000000000000"), False),
    ],
)
def test_windows_honours_the_task_manager_switch(mark: bytes | None, on: bool) -> None:
    run, approvals = RecordingRegistry(), RecordingRegistry()
    run.values[DISPLAY_NAME] = f'"{INSTALLED}"'
    if mark is not None:
        approvals.values[DISPLAY_NAME] = mark
    place = WindowsRunKey(run, approvals)
    assert place.is_on() is on
    assert place.command() == ([INSTALLED] if on else None)


def test_turning_on_again_clears_a_task_manager_switch_off() -> None:
    run, approvals = RecordingRegistry(), RecordingRegistry()
    approvals.values[DISPLAY_NAME] = bytes.fromhex("03000000d40d438dc83bd901")
    place = WindowsRunKey(run, approvals)
    place.turn_on([INSTALLED])
    assert place.is_on()
    assert approvals.values == {}
    approvals.values[DISPLAY_NAME] = bytes.fromhex("03000000d40d438dc83bd901")
    place.turn_off()
    assert run.values == {}
    assert approvals.values == {}


def test_mac_launch_agent_content(tmp_path: Path) -> None:
    place = MacLaunchAgent(tmp_path)
    argv = ["/Applications/Token Tray.app/Contents/MacOS/token-tray"]
    place.turn_on(argv)
    path = tmp_path / f"{AGENT_LABEL}.plist"
    assert place.is_on()
    assert plistlib.loads(path.read_bytes()) == {
        "Label": AGENT_LABEL,
        "ProgramArguments": argv,
        "RunAtLoad": True,
        "ProcessType": "Interactive",
        "LimitLoadToSessionType": "Aqua",
    }
    assert place.command() == argv
    place.turn_off()
    assert not path.exists()
    assert not place.is_on()
    assert place.command() is None


def test_each_platform_gets_its_own_place() -> None:
    assert isinstance(autostart_for("linux"), XdgAutostart)
    assert isinstance(autostart_for("win32"), WindowsRunKey)
    assert isinstance(autostart_for("darwin"), MacLaunchAgent)
