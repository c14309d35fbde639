"""``make package``: build the one-folder bundles, the platform package, and report sizes.

Builds Token Tray and the bare PySide6 tray (``bench/bare_tray.py``) with the same spec and the
same options (``packaging/token-tray.spec``, ``packaging/bundle_rules.py``), prints both sizes,
their ratio against the 1.3x target and each build's time, and writes the same report to
``dist/package-report.txt``. On Linux it then packs ``dist/token-tray-<version>-linux-<arch>.
tar.gz`` (bundle, desktop entry, icon, ``install.sh``). ``--app-only`` skips the bare tray
(no ratio) for a quicker build. PyInstaller runs as a child process of this interpreter.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bundle_rules
import platform_files

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "packaging" / "token-tray.spec"
RESOURCES = ROOT / "tray_app" / "resources"
TARGET = 1.3
APP, BARE = "token-tray", "bare-tray"


def build(which: str, dist: Path, work: Path) -> float:
    """Run PyInstaller for one bundle; the seconds it took."""
    env = dict(os.environ, TOKEN_TRAY_BUNDLE=which, TOKEN_TRAY_BUILD=str(work / "generated"))
    command = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN"]
    command += ["--distpath", str(dist), "--workpath", str(work / which), str(SPEC)]
    started = time.monotonic()
    subprocess.run(command, env=env, cwd=ROOT, check=True)
    return time.monotonic() - started


def make_icns(work: Path) -> None:  # pragma: no cover - macOS only
    """``token-tray.icns`` from ``app.svg`` (QtSvg draws the PNGs, ``iconutil`` packs them)."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import QByteArray
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtSvg import QSvgRenderer

    from tray_app.gui.icons import read_icon_bytes, render_image

    app = QGuiApplication([])
    renderer = QSvgRenderer(QByteArray(read_icon_bytes("app.svg")))
    iconset = work / "generated" / "token-tray.iconset"
    iconset.mkdir(parents=True, exist_ok=True)
    for name, pixels in platform_files.iconset_files():
        render_image(renderer, pixels).save(str(iconset / name))
    icns = iconset.with_suffix(".icns")
    subprocess.run(["iconutil", "-c", "icns", "-o", str(icns), str(iconset)], check=True)
    del app


def linux_tarball(bundle: Path, dist: Path, version: str) -> Path:
    extras = {
        "token-tray.desktop": RESOURCES / "token-tray.desktop",
        "token-tray.svg": RESOURCES / "icons" / "app.svg",
        "install.sh": ROOT / "packaging" / "linux" / "install.sh",
        "README.txt": ROOT / "packaging" / "linux" / "README.txt",
        "token-tray.1": ROOT / "packaging" / "man" / "token-tray.1",
    }
    return platform_files.make_tarball(bundle, extras, dist, version, platform.machine())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app-only", action="store_true", help="skip the bare tray (no ratio)")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    args = parser.parse_args(argv)
    from tray_app import __version__

    bundles, work = args.dist / "bundles", ROOT / "build" / "pyinstaller"
    if sys.platform == "darwin":
        make_icns(work)
    times = {APP: build(APP, bundles, work)}
    if not args.app_only:
        times[BARE] = build(BARE, bundles, work)
    lines = [f"Token Tray {__version__}, {platform.system()} {platform.machine()}, "
             f"Python {platform.python_version()}"]  # fmt: skip
    lines += [f"build time {name}: {seconds:.0f} s" for name, seconds in times.items()]
    app_files = bundle_rules.files_of(bundles / APP)
    if args.app_only:
        lines.append(f"Token Tray bundle: {bundle_rules.mib(sum(app_files.values()))}")
    else:
        lines += bundle_rules.size_report(app_files, bundle_rules.files_of(bundles / BARE), TARGET)
    if sys.platform.startswith("linux"):
        tarball = linux_tarball(bundles / APP, args.dist, __version__)
        lines.append(f"archive: {tarball} ({bundle_rules.mib(tarball.stat().st_size)})")
    report = "\n".join(lines)
    print(report)
    (args.dist / "package-report.txt").write_text(report + "\n", encoding="utf-8")
    shutil.rmtree(work / "generated", ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
