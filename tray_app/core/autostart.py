"""Start at login: an XDG autostart entry (Linux), the ``Run`` key (Windows), a LaunchAgent (macOS).

Each platform's place is one small class with the same three methods — :meth:`is_on`,
:meth:`turn_on` (with the command to run) and :meth:`turn_off` — and :func:`autostart_for`
picks the one for this computer. The settings checkbox and ``token-tray autostart`` both use
it, so they always agree about the real state: it is read from the place itself (the file or
the registry value), never remembered in config.json.

Design decisions:

* **Linux** (XDG Autostart Specification): ``$XDG_CONFIG_HOME/autostart/token-tray.desktop``,
  the shipped desktop entry (:mod:`tray_app.core.desktop_entry`) with its ``Exec`` set to this
  installation's command. "On" means that file exists and does not say ``Hidden=true`` (a
  desktop's own settings may hide an entry instead of deleting it); "off" deletes it.
* **Windows:** a value ``Token Tray`` under ``HKCU\\Software\\Microsoft\\Windows\\
  CurrentVersion\\Run``, the command line quoted the Windows way, and read back with Windows'
  own splitting rules (:mod:`tray_app.core.winargs`: a path with a space is quoted). Task
  Manager's and Settings' "Startup apps" switch does not touch that value: it writes a 12-byte
  binary value of the same name under ``…\\Explorer\\StartupApproved\\Run``, whose first
  byte is even (02, 06) when the entry may run and odd (03) when the user turned it off; no
  value at all means allowed. This is not documented by Microsoft; it is what tracing Task
  Manager shows (superuser.com question 1766797, "How entries at Run registry are overridden
  by Windows settings"). So "on" means the Run value exists *and* is not switched off there;
  turning it on removes such a "switched off" mark (the user asked for it again), and turning
  it off removes both. The registry is reached through an injected :class:`RegistryWriter`;
  ``winreg`` is imported only by the production writer, only on Windows, so the logic is
  tested here through a recording writer.
* **macOS:** ``~/Library/LaunchAgents/org.tokentray.TokenTray.plist`` written with
  ``plistlib``: ``ProgramArguments``, ``RunAtLoad``, ``ProcessType Interactive`` and
  ``LimitLoadToSessionType Aqua`` (only in the graphical session). launchd reads it at the next
  login; nothing is loaded now, because Token Tray is already running.
* **Nothing lost on failure:** a folder that cannot be written (read-only, not ours) or a
  registry refusal is a CONFIG :class:`AppError` whose message names the place; files are
  written atomically, so an existing entry is either replaced whole or left as it was.
"""

from __future__ import annotations

import importlib
import os
import plistlib
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar

from tray_app.core.desktop_entry import (
    DESKTOP_FILE,
    entry_text,
    exec_of,
    write_public_file,
    xdg_home,
)
from tray_app.core.errors import AppError, ErrorKind
from tray_app.core.winargs import split_command_line
from tray_app.identity import DISPLAY_NAME

RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
APPROVED_KEY = r"Software\Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\Run"
AGENT_LABEL = "org.tokentray.TokenTray"
_Value = TypeVar("_Value")
AUTOSTART_LINES = (
    "X-GNOME-Autostart-enabled=true",
    "X-GNOME-Autostart-Delay=3",
)
"""Added to the autostart copy of the entry: GNOME honours the first; the short delay lets the
panel (and so the system tray) appear first. Token Tray waits for a tray anyway."""


def autostart_error(place: str, exc: OSError, *, turning_on: bool) -> AppError:
    verb = "turned on" if turning_on else "turned off"
    return AppError(
        ErrorKind.CONFIG,
        "Start at login could not be changed",
        f"Start at login could not be {verb}: Token Tray could not change {place} "
        f"({exc.strerror or type(exc).__name__}). Check that this folder belongs to you and "
        "is not read-only or full, then try again. Nothing else was changed.",
    )


class Autostart(Protocol):
    """One platform's way to start Token Tray when the user logs in."""

    @property
    def place(self) -> str:
        """Where the setting lives, for messages (a path or a registry key)."""
        ...

    def is_on(self) -> bool: ...

    def command(self) -> list[str] | None:
        """The command that runs at login, when start at login is on."""
        ...

    def turn_on(self, argv: Sequence[str]) -> None: ...

    def turn_off(self) -> None: ...


class XdgAutostart:
    """``$XDG_CONFIG_HOME/autostart/token-tray.desktop`` (Linux and other XDG desktops)."""

    def __init__(self, config_home: Path | None = None, *, env: Mapping[str, str] | None = None):
        env = os.environ if env is None else env
        home = config_home or xdg_home(env, "XDG_CONFIG_HOME", ".config")
        self.path = home / "autostart" / DESKTOP_FILE

    @property
    def place(self) -> str:
        return str(self.path)

    def _text(self) -> str | None:
        try:
            return self.path.read_text(encoding="utf-8", errors="replace")
        except (FileNotFoundError, NotADirectoryError):  # no entry there: off
            return None
        except OSError as exc:
            raise autostart_error(self.place, exc, turning_on=False) from None

    def is_on(self) -> bool:
        text = self._text()
        if text is None:
            return False
        hidden = {line.replace(" ", "").lower() for line in text.splitlines()}
        return "hidden=true" not in hidden

    def command(self) -> list[str] | None:
        text = self._text()
        return exec_of(text) if text is not None and self.is_on() else None

    def turn_on(self, argv: Sequence[str]) -> None:
        data = entry_text(argv, AUTOSTART_LINES).encode("utf-8")
        try:
            write_public_file(self.path, data)
        except OSError as exc:
            raise autostart_error(self.place, exc, turning_on=True) from None

    def turn_off(self) -> None:
        try:
            self.path.unlink(missing_ok=True)
        except OSError as exc:
            raise autostart_error(self.place, exc, turning_on=False) from None


class RegistryWriter(Protocol):
    """Values under one registry key of the current user."""

    def get(self, name: str) -> str | None: ...

    def get_bytes(self, name: str) -> bytes | None:
        """A binary (REG_BINARY) value; None when it is not there."""
        ...

    def set(self, name: str, value: str) -> None: ...

    def delete(self, name: str) -> None:
        """Remove the value; a value that is not there is fine."""
        ...


def _winreg() -> Any:  # pragma: no cover - Windows only
    """``winreg``, typed loosely: its stubs exist only when type-checking for Windows."""
    return importlib.import_module("winreg")


class WinregWriter:
    """The real ``HKEY_CURRENT_USER\\<key>`` through ``winreg`` (imported on Windows only)."""

    def __init__(self, key: str = RUN_KEY) -> None:
        self.key = key

    def _query(self, name: str) -> object:  # pragma: no cover - Windows only
        """The value's data (str for REG_SZ, bytes for REG_BINARY); None when absent."""
        winreg = _winreg()
        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, self.key) as key:
                value, _kind = winreg.QueryValueEx(key, name)
        except FileNotFoundError:
            return None
        return value

    def get(self, name: str) -> str | None:  # pragma: no cover - Windows only
        value = self._query(name)
        return None if value is None else str(value)

    def get_bytes(self, name: str) -> bytes | None:  # pragma: no cover - Windows only
        value = self._query(name)
        return bytes(value) if isinstance(value, bytes | bytearray) else None

    def set(self, name: str, value: str) -> None:  # pragma: no cover - Windows only
        winreg = _winreg()
        with winreg.CreateKey(winreg.HKEY_CURRENT_USER, self.key) as key:
            winreg.SetValueEx(key, name, 0, winreg.REG_SZ, value)

    def delete(self, name: str) -> None:  # pragma: no cover - Windows only
        winreg = _winreg()
        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, self.key, 0, winreg.KEY_SET_VALUE) as k:
                winreg.DeleteValue(k, name)
        except FileNotFoundError:
            return


def approved(mark: bytes | None) -> bool:
    """Whether a ``StartupApproved\\Run`` value lets the entry run (see the module docstring)."""
    return not mark or mark[0] % 2 == 0


class WindowsRunKey:
    """The ``Token Tray`` value of ``HKCU\\…\\CurrentVersion\\Run`` and its Task Manager switch."""

    def __init__(
        self, writer: RegistryWriter | None = None, approvals: RegistryWriter | None = None
    ) -> None:
        self._writer = writer if writer is not None else WinregWriter()
        self._approvals = approvals if approvals is not None else WinregWriter(APPROVED_KEY)

    @property
    def place(self) -> str:
        return f"HKEY_CURRENT_USER\\{RUN_KEY} ({DISPLAY_NAME})"

    def is_on(self) -> bool:
        return bool(self._read()) and approved(self._guarded(self._approvals.get_bytes))

    def command(self) -> list[str] | None:
        value = self._read()
        return split_command_line(value) if value and self.is_on() else None

    def turn_on(self, argv: Sequence[str]) -> None:
        line = subprocess.list2cmdline(argv)
        self._change(lambda: self._writer.set(DISPLAY_NAME, line), True)
        self._change(lambda: self._approvals.delete(DISPLAY_NAME), True)  # the user wants it again

    def turn_off(self) -> None:
        self._change(lambda: self._writer.delete(DISPLAY_NAME), False)
        self._change(lambda: self._approvals.delete(DISPLAY_NAME), False)

    def _read(self) -> str | None:
        return self._guarded(self._writer.get)

    def _guarded(self, read: Callable[[str], _Value]) -> _Value:
        try:
            return read(DISPLAY_NAME)
        except OSError as exc:
            raise autostart_error(self.place, exc, turning_on=False) from None

    def _change(self, action: Callable[[], None], turning_on: bool) -> None:
        try:
            action()
        except OSError as exc:
            raise autostart_error(self.place, exc, turning_on=turning_on) from None


def launch_agent(argv: Sequence[str]) -> dict[str, object]:
    """The LaunchAgent property list that starts ``argv`` in the user's graphical session."""
    return {
        "Label": AGENT_LABEL,
        "ProgramArguments": list(argv),
        "RunAtLoad": True,
        "ProcessType": "Interactive",
        "LimitLoadToSessionType": "Aqua",
    }


class MacLaunchAgent:
    """``~/Library/LaunchAgents/org.tokentray.TokenTray.plist``."""

    def __init__(self, agents_dir: Path | None = None) -> None:
        folder = agents_dir or Path.home() / "Library" / "LaunchAgents"
        self.path = folder / f"{AGENT_LABEL}.plist"

    @property
    def place(self) -> str:
        return str(self.path)

    def is_on(self) -> bool:
        return self.path.is_file()

    def command(self) -> list[str] | None:
        try:
            data = plistlib.loads(self.path.read_bytes())
        except FileNotFoundError:
            return None
        except (OSError, plistlib.InvalidFileException, ValueError):
            return None
        arguments = data.get("ProgramArguments") if isinstance(data, dict) else None
        return [str(a) for a in arguments] if isinstance(arguments, list) else None

    def turn_on(self, argv: Sequence[str]) -> None:
        try:
            write_public_file(self.path, plistlib.dumps(launch_agent(argv)))
        except OSError as exc:
            raise autostart_error(self.place, exc, turning_on=True) from None

    def turn_off(self) -> None:
        try:
            self.path.unlink(missing_ok=True)
        except OSError as exc:
            raise autostart_error(self.place, exc, turning_on=False) from None


def autostart_for(platform: str | None = None) -> Autostart:
    """The start-at-login place of this computer (or of ``platform``)."""
    platform = platform or sys.platform
    if platform.startswith("win"):
        return WindowsRunKey()
    if platform == "darwin":
        return MacLaunchAgent()
    return XdgAutostart()
