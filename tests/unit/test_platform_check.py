"""``python -m tray_app.diagnostics.platform_check``: library and display checks with an injected
finder."""

from __future__ import annotations

import io
import subprocess
import sys

from tray_app.diagnostics import platform_check
from tray_app.diagnostics.platform_check import (
    LIBRARIES,
    NO_DESKTOP,
    main,
    missing_libraries,
    problems,
)

X11 = {"DISPLAY": ":0"}


def finder_without(*absent: str) -> platform_check.Finder:
    def find(name: str) -> str | None:
        return None if name in absent else f"lib{name}.so.1"

    return find


def test_all_present_is_silent_success() -> None:
    out = io.StringIO()

    assert main(X11, "linux", finder_without(), out) == 0
    assert out.getvalue() == ""


def test_missing_library_prints_exact_packages_and_fails() -> None:
    out = io.StringIO()

    code = main(X11, "linux", finder_without("xcb-cursor", "xkbcommon-x11"), out)

    text = out.getvalue()
    assert code == 1
    assert "sudo apt-get install libxcb-cursor0 libxkbcommon-x11-0\n" in text
    assert "sudo dnf install xcb-util-cursor libxkbcommon-x11\n" in text
    assert "libxcb-cursor" in text


def test_shared_packages_are_named_once() -> None:
    (advice,) = problems(X11, "linux", finder_without("xcb-shape", "xcb-randr", "xcb-xkb"))

    assert "sudo dnf install libxcb\n" in advice
    assert "sudo apt-get install libxcb-shape0 libxcb-randr0 libxcb-xkb1\n" in advice


def test_no_display_says_a_desktop_session_is_needed() -> None:
    found = problems({}, "linux", finder_without())

    assert found == [NO_DESKTOP]
    assert "desktop session" in NO_DESKTOP


def test_wayland_only_session_does_not_need_xcb() -> None:
    wayland = {"WAYLAND_DISPLAY": "wayland-0"}

    assert problems(wayland, "linux", finder_without("xcb-cursor")) == []
    assert problems(wayland, "linux", finder_without("EGL")) != []


def test_x11_needs_xcb() -> None:
    names = {lib.name for lib in missing_libraries(finder_without("xcb-icccm"), x11=True)}

    assert names == {"xcb-icccm"}


def test_other_platforms_are_not_checked() -> None:
    assert problems({}, "darwin", finder_without(*(lib.name for lib in LIBRARIES))) == []
    assert problems({}, "win32", finder_without()) == []


def test_every_library_has_both_package_names() -> None:
    for lib in LIBRARIES:
        assert lib.debian
        assert lib.fedora


def test_runs_as_a_module_and_explains_a_missing_display() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tray_app.diagnostics.platform_check"],
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )

    assert result.returncode == 1
    assert result.stdout == ""
    assert "needs a desktop session" in result.stderr
    assert "Traceback" not in result.stderr
