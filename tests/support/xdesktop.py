"""A real, private X desktop for end-to-end tray tests: Xvfb, a tray host, xdotool and xclip.

:func:`xvfb` starts ``Xvfb -displayfd`` (the server picks a free display number itself, so
parallel runs never collide) and :func:`tray_host` starts ``trayer`` on it, returning only once
the tray selection ``_NET_SYSTEM_TRAY_S0`` has an owner (asked through libX11 with ctypes).
Xvfb runs with ``-noreset``: otherwise the server resets whenever its last client disconnects
(e.g. a short-lived probe before trayer is connected), which makes trayer fail at random.
:class:`Desktop` wraps the command-line tools a test drives the session with.

Every wait polls a condition against a deadline (:func:`wait_until`); nothing sleeps for a fixed
time hoping something happened. Every process started here is a child of the test and is
terminated (then killed) on exit.

Missing tools skip the tests, or fail them when ``TOKEN_TRAY_REQUIRE_DESKTOP_TESTS=1``.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import selectors
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO

from tests.support.keyring_session import skip_or_fail, stop_process
from tests.support.processes import REPO_ROOT, wait_until

AppLauncher = Callable[[], "subprocess.Popen[bytes]"]
"""Starts Token Tray on the test desktop (the ``launch_app`` fixture)."""
DESKTOP_TOOLS = ("Xvfb", "trayer", "xdotool", "xclip", "xprop", "import")
TRAY_SELECTION = "_NET_SYSTEM_TRAY_S0"
START_TIMEOUT = 20.0
COMMAND_TIMEOUT = 10.0
MENU_TYPE = "_NET_WM_WINDOW_TYPE_POPUP_MENU"


def require_tools(tools: Sequence[str] = DESKTOP_TOOLS) -> None:
    """Skip (or fail, in CI) when a desktop tool is not installed."""
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        skip_or_fail(
            f"needs {', '.join(missing)} "
            "(packages xvfb, trayer, xdotool, xclip, x11-utils, imagemagick)"
        )


def _read_display_number(stream: IO[bytes], process: subprocess.Popen[bytes]) -> str:
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        if not selector.select(START_TIMEOUT):
            raise AssertionError(f"Xvfb did not report a display (exit code {process.poll()})")
    return stream.readline().decode().strip()


@contextlib.contextmanager
def xvfb(size: str = "1280x800x24", log: IO[bytes] | None = None) -> Iterator[str]:
    """Run a private Xvfb; yield its DISPLAY value (``:N``)."""
    reader, writer = os.pipe()
    process = subprocess.Popen(
        ["Xvfb", "-displayfd", str(writer), "-screen", "0", size, "-nolisten", "tcp", "-noreset"],
        pass_fds=(writer,),
        stdout=subprocess.DEVNULL,
        stderr=log if log is not None else subprocess.DEVNULL,
    )
    os.close(writer)
    try:
        with os.fdopen(reader, "rb") as stream:
            number = _read_display_number(stream, process)
        yield f":{number}"
    finally:
        stop_process(process)


def selection_owner(display: str, selection: str) -> int:
    """The X window owning ``selection`` on ``display`` (0 when none)."""
    xlib = _xlib()
    xlib.XInternAtom.restype = ctypes.c_ulong
    xlib.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    xlib.XGetSelectionOwner.restype = ctypes.c_ulong
    xlib.XGetSelectionOwner.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
    connection = xlib.XOpenDisplay(display.encode())
    if not connection:
        return 0
    try:
        atom = xlib.XInternAtom(connection, selection.encode(), 0)
        return int(xlib.XGetSelectionOwner(connection, atom))
    finally:
        xlib.XCloseDisplay(connection)


def _xlib() -> ctypes.CDLL:
    path = ctypes.util.find_library("X11")
    if path is None:
        raise AssertionError("libX11 is not installed")
    xlib = ctypes.CDLL(path)
    xlib.XOpenDisplay.restype = ctypes.c_void_p
    xlib.XOpenDisplay.argtypes = [ctypes.c_char_p]
    xlib.XCloseDisplay.argtypes = [ctypes.c_void_p]
    return xlib


def set_root_background(display: str, rgb: int) -> None:
    """Paint the root window of ``display`` in one colour (Xvfb's default is black)."""
    xlib = _xlib()
    xlib.XDefaultRootWindow.restype = ctypes.c_ulong
    xlib.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
    xlib.XSetWindowBackground.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong]
    xlib.XClearWindow.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
    xlib.XFlush.argtypes = [ctypes.c_void_p]
    connection = xlib.XOpenDisplay(display.encode())
    if not connection:
        raise AssertionError(f"cannot open display {display}")
    try:
        root = xlib.XDefaultRootWindow(connection)
        xlib.XSetWindowBackground(connection, root, rgb)
        xlib.XClearWindow(connection, root)
        xlib.XFlush(connection)
    finally:
        xlib.XCloseDisplay(connection)


@contextlib.contextmanager
def tray_host(env: Mapping[str, str], log: IO[bytes] | None = None) -> Iterator[int]:
    """Run ``trayer`` at the top right; yield once it owns the tray selection."""
    process = subprocess.Popen(
        ["trayer", "--edge", "top", "--align", "right", "--height", "26", "--expand", "true"],
        env=dict(env),
        stdout=subprocess.DEVNULL,
        stderr=log if log is not None else subprocess.DEVNULL,
    )
    try:

        def owner() -> int:
            if process.poll() is not None:
                raise AssertionError(f"trayer exited with code {process.returncode}")
            return selection_owner(env["DISPLAY"], TRAY_SELECTION)

        yield wait_until(owner, what=f"trayer to own {TRAY_SELECTION}")
    finally:
        stop_process(process)


class Desktop:
    """Drives one X display through xdotool, xprop, xclip and ImageMagick."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = dict(env)
        self.display = self.env["DISPLAY"]
        self._owners: list[subprocess.Popen[bytes]] = []

    def close(self) -> None:
        """Stop the xclip processes that hold selections set by :meth:`set_selection`."""
        for process in self._owners:
            stop_process(process)
        self._owners.clear()

    def run(self, *args: str, check: bool = True) -> str:
        result = subprocess.run(
            args, env=self.env, capture_output=True, text=True, timeout=COMMAND_TIMEOUT, check=False
        )
        if check and result.returncode != 0:
            raise AssertionError(f"{args[0]} failed ({result.returncode}): {result.stderr}")
        return result.stdout

    def windows_of(self, pid: int) -> list[str]:
        """Visible windows whose _NET_WM_PID is ``pid``."""
        found = self.run("xdotool", "search", "--onlyvisible", "--pid", str(pid), check=False)
        return found.split()

    def geometry(self, window: str) -> tuple[int, int, int, int]:
        """x, y, width, height of ``window`` on the screen."""
        values: dict[str, int] = {}
        for line in self.run("xdotool", "getwindowgeometry", "--shell", window).splitlines():
            key, _, value = line.partition("=")
            if key in {"X", "Y", "WIDTH", "HEIGHT"}:
                values[key] = int(value)
        return values["X"], values["Y"], values["WIDTH"], values["HEIGHT"]

    def window_type(self, window: str) -> str:
        return self.run("xprop", "-id", window, "_NET_WM_WINDOW_TYPE", check=False)

    def tray_icon_of(self, pid: int) -> str | None:
        """The small, embedded tray icon window of process ``pid``, if it is there yet."""
        for window in self.windows_of(pid):
            _x, _y, width, height = self.geometry(window)
            if width <= 64 and height <= 64 and MENU_TYPE not in self.window_type(window):
                return window
        return None

    def popup_menu_of(self, pid: int) -> str | None:
        """The open popup menu window of process ``pid``, if one is shown."""
        return next((w for w in self.windows_of(pid) if MENU_TYPE in self.window_type(w)), None)

    def click(self, window: str, button: int, x: int = 6, y: int = 6) -> None:
        """Click ``button`` at (``x``, ``y``) inside ``window``."""
        self.run("xdotool", "mousemove", "--window", window, str(x), str(y), "click", str(button))

    def key(self, name: str) -> None:
        self.run("xdotool", "key", name)

    def clipboard(self, target: str | None = None) -> str | None:
        """The CLIPBOARD selection as text (or the answer for ``target``); None when empty."""
        return self.selection("clipboard", target)

    def set_selection(self, text: str, selection: str = "clipboard") -> None:
        """Copy ``text`` as another program would (``xclip -i``); return once it is there."""
        process = subprocess.Popen(
            ["xclip", "-quiet", "-i", "-selection", selection],
            env=self.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._owners.append(process)
        assert process.stdin is not None
        process.stdin.write(text.encode())
        process.stdin.close()
        wait_until(lambda: self.selection(selection) == text, what=f"xclip to own {selection}")

    def selection(self, selection: str, target: str | None = None) -> str | None:
        """The text of ``selection`` (or its answer for ``target``); None when empty."""
        args = ["xclip", "-o", "-selection", selection]
        if target is not None:
            args += ["-t", target]
        result = subprocess.run(
            args, env=self.env, capture_output=True, text=True, timeout=COMMAND_TIMEOUT, check=False
        )
        return result.stdout if result.returncode == 0 else None

    def screenshot(self, path: Path) -> None:
        self.run("import", "-window", "root", str(path))


def add_profile_via_cli(
    env: Mapping[str, str],
    name: str,
    *,
    token_url: str,
    client_id: str,
    secret: str,
    extra: Sequence[str] = (),
) -> None:
    """``token-tray profile add NAME … --secret-stdin`` as a user types it (secret on stdin)."""
    args = ["profile", "add", name, "--token-url", token_url, "--client-id", client_id]
    result = subprocess.run(
        [sys.executable, "-m", "tray_app", *args, "--secret-stdin", *extra],
        input=secret + "\n",
        env=dict(env),
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(f"profile add {name} failed ({result.returncode}): {result.stderr}")


def launch_tray(env: Mapping[str, str], log: IO[bytes] | None = None) -> subprocess.Popen[bytes]:
    """Start ``python -m tray_app`` (the tray) in ``env``; the caller stops it."""
    return subprocess.Popen(
        [sys.executable, "-m", "tray_app"],
        env=dict(env),
        cwd=REPO_ROOT,
        stdin=subprocess.DEVNULL,
        stdout=log if log is not None else subprocess.DEVNULL,
        stderr=log if log is not None else subprocess.DEVNULL,
    )


def desktop_env(
    base: Mapping[str, str], display: str, config_dir: Path, state_dir: Path | None = None
) -> dict[str, str]:
    """``base`` (e.g. the keyring session) set up for the app on ``display``, X11 only.

    ``state_dir`` becomes ``XDG_STATE_HOME``, so the app's log file lands there
    (:func:`app_log`) instead of in the developer's home folder.
    """
    env = dict(base)
    env.pop("WAYLAND_DISPLAY", None)
    env.update(
        DISPLAY=display,
        QT_QPA_PLATFORM="xcb",
        TOKEN_TRAY_CONFIG_DIR=str(config_dir),
        PYTHONUNBUFFERED="1",
    )
    if state_dir is not None:
        env["XDG_STATE_HOME"] = str(state_dir)
    return env


def app_log(env: Mapping[str, str]) -> str:
    """The app's log file so far (under ``XDG_STATE_HOME``); empty before the first line."""
    path = Path(env["XDG_STATE_HOME"]) / "token-tray" / "log" / "token-tray.log"
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return ""
