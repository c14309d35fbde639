"""What the packaging generates for platforms not built here, and which files a bundle keeps."""

from __future__ import annotations

import ast
import plistlib
import subprocess
import tarfile
from pathlib import Path

import pytest

from tests.support.bundle import require_pyinstaller
from tests.support.packaging_modules import FOLDER, load
from tray_app import __version__

platform_files = load("platform_files")
bundle_rules = load("bundle_rules")


def test_version_numbers() -> None:
    assert platform_files.version_numbers("0.1.0") == (0, 1, 0, 0)
    assert platform_files.version_numbers("1.2.3rc1") == (1, 2, 3, 0)
    assert platform_files.version_numbers("2.0.1.7+local") == (2, 0, 1, 7)
    with pytest.raises(ValueError, match="not a version"):
        platform_files.version_numbers("dev")


def test_info_plist_is_an_agent_app_with_the_version_and_icon_set() -> None:
    plist = plistlib.loads(platform_files.info_plist_bytes(__version__))
    assert plist["LSUIElement"] is True
    assert plist["CFBundleShortVersionString"] == __version__
    assert plist["CFBundleVersion"] == __version__
    assert plist["CFBundleIconFile"] == "token-tray.icns"
    assert plist["CFBundleExecutable"] == "token-tray"
    assert plist["CFBundleIdentifier"] == "org.tokentray.TokenTray"


def test_windows_version_resource_carries_the_version() -> None:
    text = platform_files.windows_version_info("1.4.2")
    tree = ast.parse(text, mode="eval")  # PyInstaller evaluates this text as an expression
    assert isinstance(tree.body, ast.Call)
    assert "filevers=(1, 4, 2, 0)" in text
    assert "prodvers=(1, 4, 2, 0)" in text
    assert "StringStruct('FileVersion', '1.4.2')" in text
    assert "StringStruct('ProductName', 'Token Tray')" in text
    assert "StringStruct('OriginalFilename', 'token-tray.exe')" in text


def test_the_iconset_has_every_size_iconutil_needs() -> None:
    files = dict(platform_files.iconset_files())
    assert files["icon_16x16.png"] == 16
    assert files["icon_16x16@2x.png"] == 32
    assert files["icon_512x512@2x.png"] == 1024
    assert len(files) == 10


def test_the_tarball_layout(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    (bundle / "_internal").mkdir(parents=True)
    (bundle / "token-tray").write_text("exe")
    script = FOLDER / "linux" / "install.sh"
    extras = {"install.sh": script, "token-tray.desktop": FOLDER / "linux" / "README.txt"}
    path = platform_files.make_tarball(bundle, extras, tmp_path, "1.0.0", "x86_64")
    assert path.name == "token-tray-1.0.0-linux-x86_64.tar.gz"
    with tarfile.open(path) as archive:
        names = set(archive.getnames())
        mode = archive.getmember("token-tray-1.0.0-linux-x86_64/install.sh").mode
    top = "token-tray-1.0.0-linux-x86_64"
    expected = {"token-tray/token-tray", "install.sh", "token-tray.desktop"}
    assert {f"{top}/{name}" for name in expected} <= names
    assert mode & 0o111


def test_install_script_is_valid_shell() -> None:
    script = FOLDER / "linux" / "install.sh"
    assert subprocess.run(["sh", "-n", str(script)], check=False).returncode == 0


@pytest.mark.parametrize(
    ("path", "kept"),
    [
        ("_internal/PySide6/Qt/plugins/platforms/libqxcb.so", True),
        ("_internal/PySide6/Qt/plugins/platforms/libqoffscreen.so", True),
        ("_internal/PySide6/Qt/plugins/platforms/libqwayland.so", True),
        ("_internal/PySide6/Qt/plugins/iconengines/libqsvgicon.so", True),
        ("_internal/PySide6/Qt/plugins/imageformats/libqsvg.so", True),
        ("_internal/PySide6/Qt/plugins/platforms/libqeglfs.so", False),
        ("_internal/PySide6/Qt/plugins/platforms/libqvnc.so", False),
        ("_internal/PySide6/Qt/plugins/imageformats/libqjpeg.so", False),
        ("_internal/PySide6/Qt/plugins/tls/libqopensslbackend.so", False),
        ("_internal/PySide6/Qt/lib/libQt6EglFSDeviceIntegration.so.6", False),
        ("_internal/PySide6/Qt/lib/libQt6Widgets.so.6", True),
        ("_internal/libcrypto.so.3", True),
    ],
)
def test_which_files_a_bundle_keeps(path: str, kept: bool) -> None:
    assert bundle_rules.keep(path.removeprefix("_internal/")) is kept


def test_no_used_qt_module_is_excluded() -> None:
    used = {f"PySide6.{name}" for name in bundle_rules.QT_MODULES_USED}
    assert not used & set(bundle_rules.EXCLUDED_MODULES)


def test_every_qt_module_the_app_imports_is_listed_as_used() -> None:
    root = FOLDER.parent / "tray_app"
    imported = set()
    for source in root.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("PySide6."):
                imported.add(str(node.module).split(".")[1])
    assert imported == set(bundle_rules.QT_MODULES_USED)


def test_size_report_says_plainly_when_the_target_is_missed() -> None:
    floor = {"bare-tray": 100, "_internal/PySide6/a.so": 900}
    app = {"token-tray": 100, "_internal/PySide6/a.so": 900, "_internal/cryptography/b.so": 500}
    lines = bundle_rules.size_report(app, floor, 1.3)
    assert "ratio: 1.50x (target at most 1.3x: MISSED)" in lines
    assert any("cryptography +0.0 MiB" in line for line in lines)
    assert lines[-1].startswith("The target is missed")
    met = bundle_rules.size_report(floor, floor, 1.3)
    assert "ratio: 1.00x (target at most 1.3x: met)" in met
    assert not any("missed" in line for line in met)


def _built_info_plist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """``Contents/Info.plist`` as PyInstaller's ``BUNDLE`` writes it from the spec's settings.

    ``BUNDLE`` is a no-op off macOS, so its platform flag is switched on; everything it does
    before code signing is plain file work. The executable is built with ``console=True``, which
    is also BUNDLE's default when it is given a plain table of files.
    """
    require_pyinstaller()
    from PyInstaller.building import osx
    from PyInstaller.config import CONF

    for key, folder in (("distpath", "dist"), ("workpath", "work"), ("specpath", "spec")):
        (tmp_path / folder).mkdir()
        monkeypatch.setitem(CONF, key, str(tmp_path / folder))
    monkeypatch.setitem(CONF, "spec", str(tmp_path / "spec" / "token-tray.spec"))
    monkeypatch.setattr(osx, "is_darwin", True)
    monkeypatch.setattr(osx.logger, "disabled", True)  # codesign is missing here: it says so
    executable = tmp_path / "token-tray"
    executable.write_bytes(b"stand-in for the bootloader")
    icon = tmp_path / platform_files.ICNS
    icon.write_bytes(b"icns")
    settings = platform_files.bundle_settings(__version__, str(icon))
    osx.BUNDLE([("token-tray", str(executable), "EXECUTABLE")], **settings)
    built = tmp_path / "dist" / platform_files.APP_BUNDLE / "Contents" / "Info.plist"
    return dict(plistlib.loads(built.read_bytes()))


def test_the_built_app_may_show_windows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plist = _built_info_plist(tmp_path, monkeypatch)
    # PyInstaller writes LSBackgroundOnly=True for a console executable; ours must win.
    assert plist["LSBackgroundOnly"] is False
    assert plist["LSUIElement"] is True
    assert plist["CFBundleIdentifier"] == "org.tokentray.TokenTray"
    assert plist["CFBundleShortVersionString"] == __version__
    assert plist["CFBundleIconFile"] == "token-tray.icns"
