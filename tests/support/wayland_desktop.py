"""A private, headless Wayland desktop for end-to-end tray tests: sway, waybar, wl-clipboard.

:func:`wayland_desktop` starts, in a fresh folder of its own:

1. a D-Bus session with an unlocked gnome-keyring (:func:`~tests.support.keyring_session.
   bus_and_keyring`);
2. ``sway`` on wlroots' headless backend (``WLR_BACKENDS=headless``, no input devices, the
   pixman renderer: no GPU), whose bar is ``waybar`` with its ``tray`` module — the
   StatusNotifierWatcher and host, as on a real sway desktop;

and yields a :class:`WaylandDesktop` once the compositor's socket exists and waybar's watcher
is on the bus.

**Who runs it.** sway refuses to run as root, and CI runs as root. Then everything of the
session — the bus, the keyring, sway, waybar, the app, ``wl-paste`` — runs as the unprivileged
user ``$TOKEN_TRAY_TEST_USER`` (default ``tokentray-test``; ``.ci/run`` creates it), through
``subprocess``'s ``user``/``group`` arguments, so each process is our direct child and gets
our signals. That user must be able to read the repository and run its virtual environment's
Python (``.ci/run`` grants it). Run as an ordinary user, the session simply runs as that user.
The test itself may stay root: the bus allows any local user (our private configuration) and
root may connect to the user's sockets.

Missing tools skip the tests, or fail them when ``TOKEN_TRAY_REQUIRE_DESKTOP_TESTS=1``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO

from tests.support.keyring_session import (
    LaunchArgs,
    bus_and_keyring,
    skip_or_fail,
    stop_process,
)
from tests.support.processes import REPO_ROOT, wait_until
from tests.support.sni import bus_has_name

WAYLAND_TOOLS = ("sway", "waybar", "wl-paste", "wl-copy", "grim", "busctl")
USER_ENV = "TOKEN_TRAY_TEST_USER"
DEFAULT_USER = "tokentray-test"
WATCHER = "org.kde.StatusNotifierWatcher"
COMMAND_TIMEOUT = 10.0
SWAY_CONFIG = """\
output HEADLESS-1 resolution 800x480 background #3b4252 solid_color
xwayland disable
default_border none
bar {
    swaybar_command waybar
}
"""
"""sway runs ``swaybar_command`` without a shell and adds its own arguments, so waybar takes
its configuration from ``$XDG_CONFIG_HOME/waybar``."""
WAYBAR = {
    "layer": "top",
    "position": "top",
    "height": 34,
    "modules-right": ["clock", "tray"],
    "clock": {"format": "{:%H:%M}"},
    "tray": {"icon-size": 22, "spacing": 8},
}
WAYBAR_STYLE = """\
* { font-family: "DejaVu Sans"; font-size: 13px; }
window#waybar { background: #2e3440; color: #eceff4; }
#tray { padding: 0 10px; }
"""
SWAY_ENV = {"WLR_BACKENDS": "headless", "WLR_LIBINPUT_NO_DEVICES": "1", "WLR_RENDERER": "pixman"}


@dataclasses.dataclass(frozen=True)
class SessionUser:
    """Who the desktop session runs as; :meth:`launch` gives the ``Popen`` arguments."""

    name: str
    uid: int
    gid: int

    @property
    def switching(self) -> bool:
        return self.uid != os.geteuid()

    def launch(self, _args: Sequence[str], env: Mapping[str, str]) -> LaunchArgs:
        if not self.switching:
            return {"env": dict(env), "cwd": REPO_ROOT}
        return {
            "env": dict(env),
            "cwd": REPO_ROOT,
            "user": self.uid,
            "group": self.gid,
            "extra_groups": [],
        }

    def own(self, path: Path) -> None:
        """Hand ``path`` (and what is inside) to this user."""
        if not self.switching:
            return
        for item in [path, *path.rglob("*")]:
            os.chown(item, self.uid, self.gid, follow_symlinks=False)


def session_user() -> SessionUser:
    """The current user, or, for root, the unprivileged test user (which must exist)."""
    if os.geteuid() != 0:
        entry = pwd.getpwuid(os.geteuid())
        return SessionUser(entry.pw_name, entry.pw_uid, entry.pw_gid)
    name = os.environ.get(USER_ENV, DEFAULT_USER)
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        skip_or_fail(
            f"sway refuses to run as root and there is no user {name!r} to run it as "
            f"(create it: useradd --system --user-group {name}; .ci/run does)"
        )
    return SessionUser(entry.pw_name, entry.pw_uid, entry.pw_gid)


def require_wayland_tools() -> None:
    missing = [tool for tool in WAYLAND_TOOLS if shutil.which(tool) is None]
    if missing:
        skip_or_fail(f"needs {', '.join(missing)} (packages sway waybar wl-clipboard grim systemd)")


def _check_access(user: SessionUser, env: Mapping[str, str]) -> None:
    """Fail clearly when the session user cannot run this checkout's Python."""
    probe = [sys.executable, "-c", "import tray_app, PySide6"]
    result = subprocess.run(
        probe, capture_output=True, text=True, timeout=60, check=False, **user.launch(probe, env)
    )
    if result.returncode != 0:
        skip_or_fail(
            f"user {user.name} cannot run {sys.executable} in {REPO_ROOT} "
            f"(grant it read access to both; .ci/run does): {result.stderr.strip()[-300:]}"
        )


class WaylandDesktop:
    """The running session: its environment, and the tools a test drives it with."""

    def __init__(self, user: SessionUser, env: dict[str, str], folder: Path) -> None:
        self.user, self.env, self.folder = user, env, folder

    @property
    def bus(self) -> str:
        return self.env["DBUS_SESSION_BUS_ADDRESS"]

    def popen(
        self,
        args: Sequence[str],
        log: IO[bytes] | None = None,
        env: Mapping[str, str] | None = None,
    ) -> subprocess.Popen[bytes]:
        """Start ``args`` in the session (``env`` changes some variables), as the session user.

        The caller stops it.
        """
        out = log if log is not None else subprocess.DEVNULL
        launch = self.user.launch(args, {**self.env, **(env or {})})
        return subprocess.Popen(
            list(args), stdin=subprocess.DEVNULL, stdout=out, stderr=out, **launch
        )

    def run(
        self, *args: str, stdin: str | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """Run ``args`` in the session as the session user and wait for it."""
        result = subprocess.run(
            list(args),
            input=stdin,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
            **self._launch(args),
        )
        if check and result.returncode != 0:
            raise AssertionError(f"{args[0]} failed ({result.returncode}): {result.stderr}")
        return result

    def _launch(self, args: Sequence[str]) -> LaunchArgs:
        return self.user.launch(args, self.env)

    def paste(self, mime: str | None = None) -> str | None:
        """``wl-paste`` (the clipboard, never the primary selection); None when it is empty."""
        args = ["wl-paste", "--no-newline", *(["--type", mime] if mime else [])]
        result = self.run(*args, check=False)
        return result.stdout if result.returncode == 0 else None

    def paste_types(self) -> list[str]:
        """``wl-paste --list-types``: the MIME types the clipboard offers."""
        result = self.run("wl-paste", "--list-types", check=False)
        return result.stdout.split() if result.returncode == 0 else []

    def copy(self, text: str, *, primary: bool = False) -> subprocess.Popen[bytes]:
        """Copy ``text`` as another program would (``wl-copy``); return once it is there."""
        args = ["wl-copy", "--foreground", *(["--primary"] if primary else []), "--", text]
        process = self.popen(args)
        reader = ["wl-paste", "--no-newline", *(["--primary"] if primary else [])]
        wait_until(lambda: self.run(*reader, check=False).stdout == text, what="wl-copy's text")
        return process

    def screenshot(self, path: Path) -> None:
        """``grim``: the whole output, bar and tray included, as ``path`` (PNG)."""
        shot = self.folder / "screenshot.png"
        self.run("grim", str(shot))
        shutil.copyfile(shot, path)


GNOME_DISPLAY = "wayland-mutter"
X11_DISPLAY_LINE = re.compile(r"Using public X11 display (:\d+)")


@contextlib.contextmanager
def gnome_compositor(desktop: WaylandDesktop, *, xwayland: bool) -> Iterator[dict[str, str]]:
    """GNOME's compositor, mutter (headless), beside sway on the same session bus.

    Yields the variables an app started in a GNOME session gets: ``WAYLAND_DISPLAY`` and, with
    ``xwayland``, mutter's XWayland ``DISPLAY`` and ``XAUTHORITY``; ``QT_QPA_PLATFORM`` empty
    (Qt's own choice, as GNOME leaves it). Its icon still goes to waybar: the StatusNotifierItem
    protocol is D-Bus only. mutter has no data-control protocol, as on a real GNOME desktop.
    """
    if shutil.which("mutter") is None or (xwayland and shutil.which("Xwayland") is None):
        skip_or_fail("needs mutter and Xwayland (packages mutter xwayland)")
    args = ["mutter", "--wayland", "--headless", "--virtual-monitor", "800x480"]
    args += ["--wayland-display", GNOME_DISPLAY, *([] if xwayland else ["--no-x11"])]
    output = desktop.folder / "mutter.log"
    with output.open("wb") as log:
        mutter = subprocess.Popen(
            args, stdout=log, stderr=log, **desktop.user.launch(args, desktop.env)
        )
    try:
        yield _gnome_env(desktop, mutter, output, xwayland)
    finally:
        stop_process(mutter)


def _gnome_env(
    desktop: WaylandDesktop, mutter: subprocess.Popen[bytes], output: Path, xwayland: bool
) -> dict[str, str]:
    runtime = Path(desktop.env["XDG_RUNTIME_DIR"])
    env = {"WAYLAND_DISPLAY": GNOME_DISPLAY, "DISPLAY": "", "QT_QPA_PLATFORM": ""}
    env.update(XDG_CURRENT_DESKTOP="GNOME", XDG_SESSION_TYPE="wayland")

    def ready() -> bool:
        if mutter.poll() is not None:
            raise AssertionError(f"mutter exited with code {mutter.returncode}: {output}")
        found = X11_DISPLAY_LINE.search(output.read_text(errors="replace"))
        return (runtime / GNOME_DISPLAY).exists() and (found is not None or not xwayland)

    wait_until(ready, what="mutter's Wayland (and X11) display")
    if xwayland:
        match = X11_DISPLAY_LINE.search(output.read_text(errors="replace"))
        assert match is not None
        (auth,) = runtime.glob(".mutter-Xwaylandauth.*")
        env.update(DISPLAY=match.group(1), XAUTHORITY=str(auth))
    return env


def _session_env(folder: Path) -> dict[str, str]:
    home, runtime = folder / "home", folder / "run"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "HOME": str(home),
        "XDG_RUNTIME_DIR": str(runtime),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_STATE_HOME": str(folder / "state"),
        "TOKEN_TRAY_CONFIG_DIR": str(folder / "config"),
        "PYTHONUNBUFFERED": "1",
        "NO_AT_BRIDGE": "1",
    }
    for key in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        Path(env[key]).mkdir(parents=True, exist_ok=True)
    runtime.mkdir(mode=0o700)
    (folder / "config").mkdir()
    return env


def _write_bar_config(folder: Path, env: Mapping[str, str]) -> Path:
    waybar = Path(env["XDG_CONFIG_HOME"]) / "waybar"
    waybar.mkdir()
    (waybar / "config").write_text(json.dumps(WAYBAR), encoding="utf-8")
    (waybar / "style.css").write_text(WAYBAR_STYLE, encoding="utf-8")
    config = folder / "sway.conf"
    config.write_text(SWAY_CONFIG, encoding="utf-8")
    return config


def _wayland_socket(runtime: Path, sway: subprocess.Popen[bytes]) -> str | None:
    if sway.poll() is not None:
        raise AssertionError(f"sway exited with code {sway.returncode} (see desktop.log)")
    sockets = [p.name for p in runtime.glob("wayland-*") if p.suffix != ".lock"]
    return sockets[0] if sockets else None


@contextlib.contextmanager
def _sway(desktop: WaylandDesktop, log: IO[bytes]) -> Iterator[None]:
    config = _write_bar_config(desktop.folder, desktop.env)
    desktop.user.own(desktop.folder)
    sway = subprocess.Popen(
        ["sway", "--config", str(config)],
        stdout=log,
        stderr=log,
        **desktop.user.launch([], {**desktop.env, **SWAY_ENV}),
    )
    try:
        runtime = Path(desktop.env["XDG_RUNTIME_DIR"])
        name = wait_until(lambda: _wayland_socket(runtime, sway), what="sway's Wayland socket")
        desktop.env.update(WAYLAND_DISPLAY=name, XDG_SESSION_TYPE="wayland")
        desktop.env.update(XDG_CURRENT_DESKTOP="sway", QT_QPA_PLATFORM="wayland")
        wait_until(lambda: bus_has_name(desktop.bus, WATCHER), what="waybar's tray (SNI watcher)")
        yield
    finally:
        stop_process(sway)


@contextlib.contextmanager
def wayland_desktop(log: IO[bytes]) -> Iterator[WaylandDesktop]:
    """Run the whole headless session (see the module notes); stop it all afterwards."""
    require_wayland_tools()
    user = session_user()
    folder = Path(tempfile.mkdtemp(prefix="tt-wl-"))
    try:
        env = _session_env(folder)
        user.own(folder)
        _check_access(user, env)
        runtime = Path(env["XDG_RUNTIME_DIR"])
        with bus_and_keyring(runtime, env, log, launch=user.launch) as session:
            desktop = WaylandDesktop(user, session, folder)
            with _sway(desktop, log):
                yield desktop
    finally:
        shutil.rmtree(folder, ignore_errors=True)
