"""``token-tray autostart on|off|status`` and ``token-tray install-desktop [--remove]``.

Both run the command of *this* installation (:func:`~tray_app.core.desktop_entry.
launch_command`): the bundle's executable, or the ``token-tray`` script of the environment it
was installed in. ``autostart status`` prints one line on stdout ("on: <command>" or "off")
and exits 0 either way — it is a state, not a failure; it also says when the command that
would run at login no longer exists (Token Tray was moved or removed since). Changes print
what was done on stderr. Failures are :class:`AppError`\\ s (exit 2 for a folder that cannot be
written, per DESIGN.md).
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from tray_app.cli.common import command, say
from tray_app.core.autostart import autostart_for
from tray_app.core.desktop_entry import DesktopInstaller, launch_command
from tray_app.core.errors import usage_error

if TYPE_CHECKING:
    from tray_app.cli.common import Subparsers

AUTOSTART_EPILOG = """\
Linux: a file in ~/.config/autostart · Windows: the "Run" list of your user ·
macOS: a LaunchAgent in ~/Library/LaunchAgents. The Settings window has the same switch
("Start Token Tray when I log in").

examples:
  token-tray autostart on
  token-tray autostart status
"""
DESKTOP_EPILOG = """\
Adds Token Tray to your application menu (for your user only; no administrator needed):
~/.local/share/applications/token-tray.desktop and its icon.

examples:
  token-tray install-desktop
  token-tray install-desktop --remove
"""


def add_desktop_commands(commands: Subparsers) -> None:
    autostart = command(commands, "autostart", "start Token Tray when you log in", AUTOSTART_EPILOG)
    autostart.add_argument("action", choices=("on", "off", "status"))
    autostart.set_defaults(handler=cmd_autostart)
    desktop = command(
        commands, "install-desktop", "add Token Tray to your application menu", DESKTOP_EPILOG
    )
    desktop.add_argument("--remove", action="store_true", help="take it out of the menu again")
    desktop.set_defaults(handler=cmd_install_desktop)


def _missing_program(argv: list[str]) -> str | None:
    """The program of ``argv`` when it no longer exists (moved or removed installation)."""
    if not argv:
        return None
    program = argv[0]
    if Path(program).is_absolute():
        return None if Path(program).exists() else program
    return None if shutil.which(program) else program


def cmd_autostart(args: argparse.Namespace) -> int:
    place = autostart_for()
    if args.action == "on":
        argv = launch_command()
        place.turn_on(argv)
        say(f"Token Tray now starts when you log in ({place.place}).")
    elif args.action == "off":
        place.turn_off()
        say("Token Tray no longer starts when you log in.")
    else:
        print(autostart_status(place.is_on(), place.command()))
    return 0


def autostart_status(on: bool, argv: list[str] | None) -> str:
    if not on:
        return "off"
    shown = shlex.join(argv) if argv else "(unknown command)"
    missing = _missing_program(argv or [])
    if missing:
        return (
            f"on: {shown} — but {missing} no longer exists; run `token-tray autostart on` "
            "again from the Token Tray you use now"
        )
    return f"on: {shown}"


def cmd_install_desktop(args: argparse.Namespace) -> int:
    if sys.platform.startswith("win") or sys.platform == "darwin":
        raise usage_error(
            "Menu entry is for Linux",
            "install-desktop adds Token Tray to a Linux application menu. On macOS, drag "
            "Token Tray.app into Applications; on Windows, see packaging/README.md.",
        )
    installer = DesktopInstaller()
    if args.remove:
        removed = installer.remove()
        say("Removed Token Tray from your application menu." if removed else "It was not there.")
        return 0
    installer.install(launch_command())
    say(
        "Token Tray is now in your application menu (look for it under Utilities or "
        f"Development; it may take a moment to appear): {installer.entry_path}"
    )
    return 0
