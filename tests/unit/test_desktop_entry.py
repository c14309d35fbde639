"""The desktop entry: Exec quoting, the launch command, and the per-user install (real files)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.keyring_session import skip_or_fail
from tray_app.core.desktop_entry import (
    DesktopInstaller,
    entry_text,
    exec_line,
    exec_of,
    launch_command,
    parse_exec_line,
    read_resource,
)
from tray_app.core.errors import AppError, ErrorKind

AWKWARD_PATHS = [
    "/opt/token-tray/token-tray",
    "/home/Ana María/Token Tray/token-tray",
    '/home/x/we"ird$dir/`tick`\\slash/100%/token-tray',
    "/home/x/a;b&c|d(e)*?#~<>'/token-tray",
]


def validate(path: Path) -> str:
    if shutil.which("desktop-file-validate") is None:
        skip_or_fail("needs desktop-file-validate (package desktop-file-utils)")
    result = subprocess.run(
        ["desktop-file-validate", str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.mark.parametrize("program", AWKWARD_PATHS)
def test_exec_line_round_trips_any_path(program: str) -> None:
    argv = [program, "--flag", ""]
    assert parse_exec_line(exec_line(argv)) == argv


def test_exec_line_quotes_as_the_specification_shows() -> None:
    assert exec_line(["/opt/tt/token-tray"]) == "/opt/tt/token-tray"
    assert exec_line(["/a b/tt"]) == '"/a b/tt"'
    assert exec_line(["/a b/$x"]) == '"/a b/\\\\$x"'  # quoted `\$`, then the string escape
    assert exec_line(["/100%/tt"]) == "/100%%/tt"


def test_a_line_break_in_the_path_is_a_plain_error() -> None:
    with pytest.raises(AppError) as caught:
        exec_line(["/home/x/a\nb/token-tray"])
    assert caught.value.kind is ErrorKind.CONFIG
    assert caught.value.title == "Unusual installation folder"


def test_field_codes_are_not_arguments() -> None:
    assert parse_exec_line("token-tray %U") == ["token-tray"]


def test_the_shipped_entry_is_valid(tmp_path: Path) -> None:
    shipped = tmp_path / "token-tray.desktop"
    shipped.write_bytes(read_resource("token-tray.desktop"))
    validate(shipped)
    assert exec_of(shipped.read_text()) == ["token-tray"]


def test_launch_command_of_a_bundle_is_its_executable(tmp_path: Path) -> None:
    exe = tmp_path / "Token Tray" / "token-tray"
    assert launch_command(frozen=True, executable=str(exe)) == [str(exe)]


def test_a_frozen_windows_bundle_starts_its_windowless_executable(tmp_path: Path) -> None:
    console = tmp_path / "token-tray.exe"
    assert launch_command(frozen=True, executable=str(console), platform="win32") == [str(console)]
    (tmp_path / "token-tray-gui.exe").write_text("")
    assert launch_command(frozen=True, executable=str(console), platform="win32") == [
        str(tmp_path / "token-tray-gui.exe")
    ]
    assert launch_command(frozen=True, executable=str(console), platform="linux") == [str(console)]


def test_launch_command_prefers_the_script_next_to_the_interpreter(tmp_path: Path) -> None:
    bin_dir = tmp_path / "venv" / "bin"
    bin_dir.mkdir(parents=True)
    script = bin_dir / "token-tray"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    python = bin_dir / "python"
    assert launch_command(frozen=False, executable=str(python), which=lambda _n: None) == [
        str(script)
    ]
    script.unlink()
    on_path = launch_command(frozen=False, executable=str(python), which=lambda _n: "/usr/bin/x")
    assert on_path == ["/usr/bin/x"]
    fallback = launch_command(frozen=False, executable=str(python), which=lambda _n: None)
    assert fallback == [str(python), "-m", "tray_app"]


def test_launch_command_on_windows_prefers_the_windowless_script(tmp_path: Path) -> None:
    for name in ("token-tray.exe", "token-tray-gui.exe"):
        (tmp_path / name).write_text("")
        (tmp_path / name).chmod(0o755)
    argv = launch_command(frozen=False, executable=str(tmp_path / "python.exe"), platform="win32")
    assert argv == [str(tmp_path / "token-tray-gui.exe")]


def test_the_windows_fallback_starts_the_windowless_python(tmp_path: Path) -> None:
    python = tmp_path / "python.exe"
    python.write_text("")

    def fallback(platform: str) -> list[str]:
        return launch_command(
            frozen=False, executable=str(python), platform=platform, which=lambda _name: None
        )

    assert fallback("win32") == [str(python), "-m", "tray_app"]
    (tmp_path / "pythonw.exe").write_text("")
    assert fallback("win32") == [str(tmp_path / "pythonw.exe"), "-m", "tray_app"]
    assert fallback("linux") == [str(python), "-m", "tray_app"]


def test_this_checkout_launches_its_own_console_script() -> None:
    argv = launch_command()
    assert Path(argv[0]).is_absolute()
    assert argv == [str(Path(sys.executable).parent / "token-tray")]


def test_install_writes_a_valid_entry_and_the_icon(tmp_path: Path) -> None:
    program = "/home/Ana María/Token Tray/token-tray"
    installer = DesktopInstaller(env={"XDG_DATA_HOME": str(tmp_path / "data")})
    written = installer.install([program])
    entry = tmp_path / "data" / "applications" / "token-tray.desktop"
    icon = tmp_path / "data" / "icons" / "hicolor" / "scalable" / "apps" / "token-tray.svg"
    assert written == [entry, icon]
    validate(entry)
    assert exec_of(entry.read_text()) == [program]
    assert "Icon=token-tray" in entry.read_text()
    assert icon.read_bytes() == read_resource("icons", "app.svg")
    assert oct(entry.stat().st_mode & 0o777) == "0o644"
    assert installer.remove() == [entry, icon]
    assert not entry.exists()
    assert not icon.exists()
    assert installer.remove() == []


def test_a_relative_xdg_data_home_is_ignored(tmp_path: Path) -> None:
    installer = DesktopInstaller(env={"XDG_DATA_HOME": "relative", "HOME": str(tmp_path)})
    assert installer.entry_path == tmp_path / ".local/share/applications/token-tray.desktop"


def test_a_folder_that_cannot_be_written_is_a_plain_error_and_keeps_the_old_entry(
    tmp_path: Path,
) -> None:
    """The icon folder cannot be made (a file sits where it belongs; this fails for root too):
    the error names the place, and the entry installed before is left exactly as it was."""
    installer = DesktopInstaller(tmp_path)
    installer.install(["/old/token-tray"])
    shutil.rmtree(tmp_path / "icons")
    (tmp_path / "icons").write_text("not a folder")
    with pytest.raises(AppError) as caught:
        installer.install(["/new/token-tray"])
    assert caught.value.kind is ErrorKind.CONFIG
    assert caught.value.title == "Menu entry could not be changed"
    assert str(installer.icon_path) in caught.value.message
    assert exec_of(installer.entry_path.read_text()) == ["/old/token-tray"]


def test_entry_text_adds_lines_after_the_shipped_ones() -> None:
    text = entry_text(["/x/token-tray"], ["X-Extra=1"])
    assert text.splitlines()[0] == "[Desktop Entry]"
    assert text.endswith("X-Extra=1\n")
