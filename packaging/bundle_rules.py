"""What goes into a bundle, and how big it came out: shared by the spec and the build script.

The same rules apply to the Token Tray bundle and to the bare PySide6 tray it is compared with
(``bench/bare_tray.py``), so the size ratio measures the app, not the options.

Design decisions:

* **Only the Qt modules Token Tray uses.** It imports QtCore, QtGui, QtWidgets, QtNetwork
  (the command-line socket, network reachability) and QtSvg (the icons); every other module
  of PySide6-Essentials is excluded by name, so a stray import can never drag one in.
* **Only the Qt plugins a tray app needs.** Kept: the xcb, Wayland and offscreen platforms
  (``--self-test`` runs offscreen), platform themes and input methods (native dialogs, typing
  in any language), the SVG icon engine and image format, network information. Dropped:
  embedded-device platforms (eglfs, linuxfb, vnc, minimal, Vulkan display), evdev input,
  raster image formats nobody loads, and Qt's TLS backends (tokens go through requests and
  truststore; Qt only opens a local socket) — and the libraries only those plugins need.
* Sizes are apparent sizes of the files (symbolic links counted once, as links), in MiB.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

QT_MODULES_USED = ("QtCore", "QtGui", "QtWidgets", "QtNetwork", "QtSvg")
QT_MODULES_EXCLUDED = (
    "QtConcurrent", "QtDBus", "QtDesigner", "QtHelp", "QtOpenGL", "QtOpenGLWidgets",
    "QtPrintSupport", "QtQml", "QtQuick", "QtQuickControls2", "QtQuickTest", "QtQuickWidgets",
    "QtSql", "QtSvgWidgets", "QtTest", "QtUiTools", "QtXml", "Qt3DAnimation", "Qt3DCore",
    "QtBluetooth", "QtCharts", "QtMultimedia", "QtPdf", "QtPositioning", "QtWebEngineCore",
    "QtWebEngineWidgets", "QtWebSockets",
)  # fmt: skip
OTHER_EXCLUDED = ("tkinter", "_tkinter", "PySide6.scripts", "pytest", "pytestqt", "mypy", "sqlite3")
"""``sqlite3`` is only wanted by filelock's read-write lock, which Token Tray does not use
(filelock loads it lazily and copes without it); it would add SQLite's library to the bundle."""
EXCLUDED_MODULES = tuple(f"PySide6.{name}" for name in QT_MODULES_EXCLUDED) + OTHER_EXCLUDED

DROPPED_PLUGINS = (
    "egldeviceintegrations/",
    "generic/",
    "tls/",
    "platforms/libqeglfs",
    "platforms/libqlinuxfb",
    "platforms/libqminimal",
    "platforms/libqvkkhrdisplay",
    "platforms/libqvnc",
    "imageformats/libqgif",
    "imageformats/libqicns",
    "imageformats/libqico",
    "imageformats/libqjpeg",
    "imageformats/libqtga",
    "imageformats/libqtiff",
    "imageformats/libqwbmp",
    "imageformats/libqwebp",
)
"""Paths below ``PySide6/Qt/plugins/`` (PyInstaller's layout) that are left out."""
DROPPED_LIBRARIES = ("libQt6EglFSDeviceIntegration", "libQt6EglFsKmsSupport")
"""Qt libraries that only the dropped plugins load."""
PLUGINS = "PySide6/Qt/plugins/"


def keep(destination: str) -> bool:
    """Whether a file PyInstaller collected (by its path inside the bundle) stays in it."""
    path = destination.replace(os.sep, "/")
    name = path.rsplit("/", 1)[-1]
    if any(name.startswith(library) for library in DROPPED_LIBRARIES):
        return False
    if PLUGINS not in path:
        return True
    plugin = path.split(PLUGINS, 1)[1]
    return not any(plugin.startswith(prefix) for prefix in DROPPED_PLUGINS)


def filter_toc(entries: Iterable[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """PyInstaller TOC entries (destination, source, kind) without the dropped files."""
    return [entry for entry in entries if keep(entry[0])]


def files_of(folder: Path) -> dict[str, int]:
    """Every file below ``folder`` (relative path → apparent size; links count as links)."""
    sizes: dict[str, int] = {}
    for root, _dirs, names in os.walk(folder):
        for name in names:
            path = Path(root, name)
            sizes[path.relative_to(folder).as_posix()] = path.lstat().st_size
    return sizes


def mib(size: int) -> str:
    return f"{size / 2**20:.1f} MiB"


def group(path: str) -> str:
    """The part of a bundle a file belongs to, for "where does the difference come from"."""
    parts = path.split("/")
    if len(parts) == 1:
        return "executable"  # named after the bundle, so compared by role, not by name
    if parts[0] == "_internal" and len(parts) > 2:
        return parts[1]
    return parts[-1].split(".so")[0].split(".cpython")[0]


def group_sizes(files: dict[str, int]) -> Counter[str]:
    sizes: Counter[str] = Counter()
    for path, size in files.items():
        sizes[group(path)] += size
    return sizes


def largest_additions(app: dict[str, int], floor: dict[str, int], count: int = 6) -> list[str]:
    """How much more each part of the app bundle weighs than in the floor, biggest first."""
    extra = group_sizes(app)
    extra.subtract(group_sizes(floor))
    growth = [(name, size) for name, size in extra.most_common(count) if size > 0]
    return [f"{name} +{mib(size)}" for name, size in growth]


def size_report(app: dict[str, int], floor: dict[str, int], target: float) -> list[str]:
    """The lines that compare the two bundles; says plainly whether the target was met."""
    app_size, floor_size = sum(app.values()), sum(floor.values())
    ratio = app_size / floor_size
    verdict = "met" if ratio <= target else "MISSED"
    lines = [
        f"Token Tray bundle:        {mib(app_size)} ({len(app)} files)",
        f"bare PySide6 tray bundle: {mib(floor_size)} ({len(floor)} files)",
        f"ratio: {ratio:.2f}x (target at most {target}x: {verdict})",
        "largest additions over the bare tray: " + ", ".join(largest_additions(app, floor)),
    ]
    if ratio > target:
        lines.append(
            "The target is missed: the additions above (what Token Tray carries beyond a bare "
            "tray) weigh more than 30% of the bare tray bundle."
        )
    return lines
