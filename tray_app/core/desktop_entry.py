"""The application-menu entry (``token-tray.desktop``) and its icon, and the command that starts
Token Tray.

Design decisions:

* **The .desktop file is a package resource** (``tray_app/resources/token-tray.desktop``, next
  to the icons, not a top-level ``resources/`` folder as DESIGN.md first sketched): the wheel,
  an editable install and the PyInstaller bundle all carry it and find it through
  ``importlib.resources``. Its ``Exec=token-tray`` fits an install that puts ``token-tray`` on
  ``PATH``; every installer here rewrites that line to the absolute command of *this*
  installation (:func:`launch_command`), because a menu or a login session does not see the
  ``PATH`` of the terminal the user installed from.
* **What the user actually runs.** In a PyInstaller bundle (``sys.frozen``) that is the bundle's
  executable (on Windows its windowless twin ``token-tray-gui.exe`` when present); otherwise
  the ``token-tray`` console script next to the running interpreter (a virtual environment's
  ``bin``), else the one on ``PATH``, else ``python -m tray_app``. On Windows the windowless
  ``token-tray-gui`` script comes first.
* **Quoting follows the Desktop Entry Specification** ("The Exec key"): an argument with a
  reserved character is double-quoted with ``"`$\\`` escaped, then the string escape doubles
  every backslash, and ``%`` is doubled (field codes). :func:`parse_exec_line` undoes exactly
  that; the tests use it to run an installed entry's command as a session would.
* **Per user, no root:** the entry goes to ``$XDG_DATA_HOME/applications`` and the icon to the
  ``hicolor`` theme's ``scalable/apps`` folder (an SVG serves every size). Files are written
  atomically, mode 0644. A folder that cannot be written is a plain CONFIG :class:`AppError`
  naming it; nothing already installed is half-replaced.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from importlib import resources
from pathlib import Path

from tray_app.core.atomic import write_atomically
from tray_app.core.errors import AppError, ErrorKind
from tray_app.identity import APP_ID

DESKTOP_FILE = f"{APP_ID}.desktop"
ICON_FILE = f"{APP_ID}.svg"
APP_ICON_RESOURCE = ("icons", "app.svg")
RESERVED = frozenset(" \t\n\"'\\><~|&;$*?#()`")
"""Characters that force an Exec argument into double quotes (Desktop Entry Specification)."""
ESCAPED_IN_QUOTES = frozenset('"`$\\')


def read_resource(*parts: str) -> bytes:
    """A file shipped in ``tray_app/resources`` (works from a wheel, a checkout or a bundle)."""
    return resources.files("tray_app.resources").joinpath(*parts).read_bytes()


def launch_command(
    *,
    frozen: bool | None = None,
    executable: str | None = None,
    platform: str | None = None,
    which: Callable[[str], str | None] = shutil.which,
) -> list[str]:
    """The command that starts Token Tray as this installation runs it (absolute paths)."""
    executable = executable or sys.executable
    windows = (platform or sys.platform).startswith("win")
    folder = Path(executable).absolute().parent  # not resolved: a venv's python is a symlink
    if frozen if frozen is not None else bool(getattr(sys, "frozen", False)):
        windowless = folder / f"{APP_ID}-gui.exe"
        return [
            str(windowless if windows and windowless.is_file() else Path(executable).absolute())
        ]
    names = (f"{APP_ID}-gui", APP_ID) if windows else (APP_ID,)
    suffix = ".exe" if windows else ""
    for name in names:
        beside = folder / f"{name}{suffix}"
        if beside.is_file() and os.access(beside, os.X_OK):
            return [str(beside)]
    for name in names:
        found = which(name)
        if found:
            return [str(Path(found).absolute())]
    return [windowless_python(Path(executable).absolute(), windows), "-m", "tray_app"]


def windowless_python(python: Path, windows: bool) -> str:
    """``pythonw.exe`` beside ``python.exe`` on Windows: ``python.exe`` is a console program,
    so starting the tray with it at every login would open a console window that stays open
    (Python's "Using Python on Windows" documentation: pythonw.exe runs without one)."""
    windowless = python.with_name("pythonw.exe")
    if windows and python.name.lower() == "python.exe" and windowless.is_file():
        return str(windowless)
    return str(python)


def quote_exec_argument(argument: str) -> str:
    """One argument as the Exec key needs it written in the file."""
    if "\n" in argument or "\r" in argument:
        raise AppError(
            ErrorKind.CONFIG,
            "Unusual installation folder",
            "Token Tray is installed in a folder whose name contains a line break, which a "
            "menu entry cannot name. Move Token Tray to a folder with a plain name.",
        )
    argument = argument.replace("%", "%%")
    if argument and not RESERVED.intersection(argument):
        return argument
    quoted = "".join("\\" + c if c in ESCAPED_IN_QUOTES else c for c in argument)
    return '"' + quoted.replace("\\", "\\\\") + '"'


def exec_line(argv: Sequence[str]) -> str:
    """The value of an ``Exec=`` key that runs ``argv``."""
    return " ".join(quote_exec_argument(argument) for argument in argv)


def _unescape_string(value: str) -> str:
    pairs = {"s": " ", "n": "\n", "t": "\t", "r": "\r", "\\": "\\", ";": ";"}
    out, chars = [], iter(value)
    for char in chars:
        out.append(pairs.get(next(chars, ""), "") if char == "\\" else char)
    return "".join(out)


def parse_exec_line(value: str) -> list[str]:
    """The argument list an ``Exec=`` value stands for (field codes other than ``%%`` dropped)."""
    text, args, current, quoted, started = _unescape_string(value), [], [], False, False
    chars = iter(text)
    for char in chars:
        if quoted and char == "\\":
            current.append(next(chars, ""))
        elif char == '"':
            quoted, started = not quoted, True
        elif char == " " and not quoted:
            if started:
                args.append("".join(current))
            current, started = [], False
        else:
            current.append(char)
            started = True
    if started:
        args.append("".join(current))
    return [_field_codes(arg) for arg in args if arg not in FIELD_CODES]


FIELD_CODES = frozenset(f"%{c}" for c in "fFuUdDnNickvm")


def _field_codes(argument: str) -> str:
    return argument.replace("%%", "%")


def exec_of(entry: str) -> list[str] | None:
    """The command of a desktop entry's text (its ``[Desktop Entry]`` ``Exec=``), if any."""
    for line in entry.splitlines():
        key, equals, value = line.partition("=")
        if equals and key.strip() == "Exec":
            return parse_exec_line(value.strip())
    return None


def entry_text(argv: Sequence[str], extra: Iterable[str] = ()) -> str:
    """The shipped ``token-tray.desktop`` with ``Exec`` running ``argv``, plus ``extra`` lines."""
    template = read_resource(DESKTOP_FILE).decode("utf-8")
    lines = [
        f"Exec={exec_line(argv)}" if line.startswith("Exec=") else line
        for line in template.splitlines()
    ]
    return "\n".join([*lines, *extra]) + "\n"


def xdg_home(env: Mapping[str, str], variable: str, fallback: str) -> Path:
    """``$XDG_…_HOME`` when it is an absolute path (as the spec requires), else the default."""
    value = env.get(variable, "")
    if value and Path(value).is_absolute():
        return Path(value)
    return Path(env.get("HOME") or Path.home()) / fallback


def write_public_file(path: Path, data: bytes) -> None:
    """Write ``path`` atomically, creating its folders; readable by the desktop (0644)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, data)
    path.chmod(0o644)


def install_error(path: Path, exc: OSError, *, removing: bool = False) -> AppError:
    doing = "remove" if removing else "write"
    return AppError(
        ErrorKind.CONFIG,
        "Menu entry could not be changed",
        f"Token Tray could not {doing} {path} ({exc.strerror or type(exc).__name__}). Check "
        "that this folder belongs to you and is not read-only or full, then try again.",
    )


class DesktopInstaller:
    """Puts Token Tray into this user's application menu (and takes it out again)."""

    def __init__(
        self,
        data_home: Path | None = None,
        *,
        env: Mapping[str, str] | None = None,
        icon: Callable[[], bytes] = lambda: read_resource(*APP_ICON_RESOURCE),
    ) -> None:
        env = os.environ if env is None else env
        self.data_home = data_home or xdg_home(env, "XDG_DATA_HOME", ".local/share")
        self._icon = icon

    @property
    def entry_path(self) -> Path:
        return self.data_home / "applications" / DESKTOP_FILE

    @property
    def icon_path(self) -> Path:
        return self.data_home / "icons" / "hicolor" / "scalable" / "apps" / ICON_FILE

    def installed(self) -> bool:
        return self.entry_path.is_file()

    def install(self, argv: Sequence[str]) -> list[Path]:
        """Write the icon, then the entry (so the menu never shows an entry without icon)."""
        text = entry_text(argv).encode("utf-8")
        for path, data in ((self.icon_path, self._icon()), (self.entry_path, text)):
            try:
                write_public_file(path, data)
            except OSError as exc:
                raise install_error(path, exc) from None
        return [self.entry_path, self.icon_path]

    def remove(self) -> list[Path]:
        """Delete the entry, then the icon; returns what was there."""
        removed = []
        for path in (self.entry_path, self.icon_path):
            try:
                path.unlink()
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise install_error(path, exc, removing=True) from None
            removed.append(path)
        return removed
