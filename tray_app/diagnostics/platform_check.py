"""``python -m tray_app.diagnostics.platform_check``: can Qt start here? Say what to install if not.

``make run`` calls this before starting the tray, so a fresh Linux machine gets one plain
sentence and the exact ``apt-get``/``dnf`` command instead of Qt's "could not load the Qt
platform plugin xcb" stack dump.

Design decisions:

* Pure standard library (``ctypes.util.find_library``), no Qt import: it must work precisely when
  Qt cannot load.
* The X11 (xcb) libraries are only required when an X11 display may be used: a Wayland-only
  session (``WAYLAND_DISPLAY`` without ``DISPLAY``) does not need them.
* No display at all means no desktop session (an SSH login, a container): that is said plainly;
  a headless mode is a later issue.
* Silent, exit 0, when everything is in place; messages to stderr and exit 1 otherwise.
  The library finder, the environment and the platform are injected for tests.
"""

from __future__ import annotations

import ctypes.util
import dataclasses
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import TextIO

Finder = Callable[[str], str | None]


@dataclasses.dataclass(frozen=True)
class NativeLibrary:
    """A shared library Qt needs, with the packages that provide it."""

    name: str
    """As given to ``find_library`` (``xcb-cursor`` for ``libxcb-cursor.so.0``)."""
    debian: str
    fedora: str
    x11_only: bool = True


LIBRARIES: tuple[NativeLibrary, ...] = (
    NativeLibrary("xcb-cursor", "libxcb-cursor0", "xcb-util-cursor"),
    NativeLibrary("xcb-icccm", "libxcb-icccm4", "xcb-util-wm"),
    NativeLibrary("xcb-keysyms", "libxcb-keysyms1", "xcb-util-keysyms"),
    NativeLibrary("xcb-shape", "libxcb-shape0", "libxcb"),
    NativeLibrary("xcb-image", "libxcb-image0", "xcb-util-image"),
    NativeLibrary("xcb-render-util", "libxcb-render-util0", "xcb-util-renderutil"),
    NativeLibrary("xcb-randr", "libxcb-randr0", "libxcb"),
    NativeLibrary("xcb-xkb", "libxcb-xkb1", "libxcb"),
    NativeLibrary("X11-xcb", "libx11-xcb1", "libX11-xcb"),
    NativeLibrary("xkbcommon-x11", "libxkbcommon-x11-0", "libxkbcommon-x11"),
    NativeLibrary("xkbcommon", "libxkbcommon0", "libxkbcommon", x11_only=False),
    NativeLibrary("EGL", "libegl1", "libglvnd-egl", x11_only=False),
    NativeLibrary("GL", "libgl1", "libglvnd-glx", x11_only=False),
    NativeLibrary("fontconfig", "libfontconfig1", "fontconfig", x11_only=False),
    NativeLibrary("dbus-1", "libdbus-1-3", "dbus-libs", x11_only=False),
    NativeLibrary("glib-2.0", "libglib2.0-0", "glib2", x11_only=False),
)

NO_DESKTOP = (
    "Token Tray needs a desktop session: no display was found (neither DISPLAY nor "
    "WAYLAND_DISPLAY is set). Start it from your desktop, not from an SSH login or a plain "
    "console. (A mode without a desktop will come in a later version.)"
)


def needs_x11(env: Mapping[str, str]) -> bool:
    """False only in a Wayland-only session, where Qt does not load the xcb plugin."""
    return bool(env.get("DISPLAY")) or not env.get("WAYLAND_DISPLAY")


def missing_libraries(
    find: Finder = ctypes.util.find_library, *, x11: bool = True
) -> list[NativeLibrary]:
    """The libraries of :data:`LIBRARIES` that ``find`` cannot locate."""
    wanted = [lib for lib in LIBRARIES if x11 or not lib.x11_only]
    return [lib for lib in wanted if not find(lib.name)]


def _unique(names: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(names))


def install_advice(missing: Sequence[NativeLibrary]) -> str:
    """The plain explanation plus the exact install commands for Debian/Ubuntu and Fedora."""
    names = ", ".join(f"lib{lib.name}" for lib in missing)
    debian = " ".join(_unique([lib.debian for lib in missing]))
    fedora = " ".join(_unique([lib.fedora for lib in missing]))
    return (
        f"Token Tray cannot start its window system yet: these system libraries are missing: "
        f"{names}.\n"
        f"On Debian or Ubuntu, install them with:\n"
        f"    sudo apt-get install {debian}\n"
        f"On Fedora:\n"
        f"    sudo dnf install {fedora}\n"
        f"Then run the same command again."
    )


def problems(
    env: Mapping[str, str], platform: str, find: Finder = ctypes.util.find_library
) -> list[str]:
    """Everything that keeps the tray from starting here, as messages for the user."""
    if not platform.startswith("linux"):
        return []
    found: list[str] = []
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        found.append(NO_DESKTOP)
    missing = missing_libraries(find, x11=needs_x11(env))
    if missing:
        found.append(install_advice(missing))
    return found


def main(
    env: Mapping[str, str] | None = None,
    platform: str | None = None,
    find: Finder = ctypes.util.find_library,
    stream: TextIO | None = None,
) -> int:
    """Print the problems to ``stream`` (stderr); 0 when there are none, else 1."""
    found = problems(
        os.environ if env is None else env, sys.platform if platform is None else platform, find
    )
    out = sys.stderr if stream is None else stream
    for message in found:
        print(message, file=out)
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
