"""A private D-Bus session with a real, unlocked gnome-keyring, for keyring tests.

:func:`gnome_keyring` (a context manager) starts, inside a temporary folder:

1. ``dbus-daemon --nofork`` with a minimal session configuration of our own (no service
   directories, so nothing is ever auto-started behind our back: a missing daemon fails fast
   instead of spawning an untracked one or hanging on a prompt);
2. ``gnome-keyring-daemon --foreground --unlock --components=secrets``, fed a password on
   stdin, which creates and unlocks a "login" collection; that collection is the default
   alias, which is where keyring's SecretService backend stores items;

then waits until the default collection answers unlocked, and yields the environment to use
(``DBUS_SESSION_BUS_ADDRESS``, ``HOME``, ``XDG_*``; ``PYTHON_KEYRING_BACKEND`` removed). Both
daemons are our children, so teardown terminates exactly those two processes.

``HOME`` is ``<root>/home`` and ``XDG_DATA_HOME`` lies inside it, so the keyring files
(``~/.local/share/keyrings/*.keyring``) are under ``HOME`` for tests that inspect them. The
runtime folder (bus and control sockets) is a short ``/tmp/tt-run-*`` folder because Unix
socket paths are limited to about 100 bytes.

Missing tools or Python modules skip the test, or fail it when
``TOKEN_TRAY_REQUIRE_DESKTOP_TESTS=1`` (CI sets it so a broken image cannot pass silently).

:func:`gnome_keyring_session` is the pytest fixture: the same session, also applied to
``os.environ`` (through ``monkeypatch``) for in-process code.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, NoReturn, TypedDict

import pytest

REQUIRE_ENV = "TOKEN_TRAY_REQUIRE_DESKTOP_TESTS"
DEFAULT_PASSWORD = "token-tray-test-login"
DEFAULT_COLLECTION = "/org/freedesktop/secrets/aliases/default"
START_TIMEOUT = 15.0


class LaunchArgs(TypedDict, total=False):
    """The ``subprocess.Popen`` arguments that say where and as whom a process runs."""

    env: dict[str, str]
    cwd: Path
    user: int
    group: int
    extra_groups: list[int]


Launch = Callable[[Sequence[str], Mapping[str, str]], LaunchArgs]
"""The ``Popen`` arguments for a daemon (e.g. run it as another user)."""
_BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <!-- allow user="*": the Wayland tests run the bus as another user and query it as root -->
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
    <allow user="*"/>
  </policy>
</busconfig>
"""


def skip_or_fail(reason: str) -> NoReturn:
    """Skip the test, or fail it when desktop tests are required (CI)."""
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{reason} ({REQUIRE_ENV}=1)")
    pytest.skip(reason)


def _require_tools() -> None:
    tools = ("dbus-daemon", "gnome-keyring-daemon", "secret-tool")
    missing = [tool for tool in tools if not shutil.which(tool)]
    if missing:
        packages = "dbus, gnome-keyring and libsecret-tools"
        skip_or_fail(f"needs {' and '.join(missing)} (packages {packages})")
    try:
        import jeepney  # noqa: F401
        import secretstorage  # noqa: F401
    except ImportError as exc:
        skip_or_fail(f"needs the Python package {exc.name}")


def _session_env(root: Path, runtime: Path) -> dict[str, str]:
    home = root / "home"
    env = dict(os.environ)
    for name in ("PYTHON_KEYRING_BACKEND", "GNOME_KEYRING_CONTROL", "DBUS_SESSION_BUS_ADDRESS"):
        env.pop(name, None)
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_RUNTIME_DIR=str(runtime),
    )
    for key in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        Path(env[key]).mkdir(parents=True, exist_ok=True)
    return env


def stop_process(process: subprocess.Popen[bytes], *, timeout: float = 10.0) -> None:
    """Terminate ``process`` (SIGTERM), kill it if it does not exit in time, close its pipes."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    for stream in (process.stdin, process.stdout, process.stderr):
        if stream is not None:
            stream.close()


def _read_line(stream: IO[bytes], timeout: float) -> str:
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        if not selector.select(timeout):
            return ""
    return stream.readline().decode().strip()


@contextlib.contextmanager
def _dbus_daemon(
    runtime: Path, env: dict[str, str], log: IO[bytes], launch: Launch
) -> Iterator[str]:
    config = runtime / "session.conf"
    config.write_text(_BUS_CONFIG.format(socket=runtime / "bus"), encoding="utf-8")
    args = ["dbus-daemon", f"--config-file={config}", "--nofork", "--print-address=1"]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=log, **launch(args, env))
    try:
        assert process.stdout is not None
        address = _read_line(process.stdout, START_TIMEOUT)
        if not address:
            pytest.fail(f"dbus-daemon did not start (exit code {process.poll()})")
        yield address
    finally:
        stop_process(process)


@contextlib.contextmanager
def _keyring_daemon(
    env: dict[str, str], password: str, log: IO[bytes], launch: Launch
) -> Iterator[None]:
    args = ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"]
    process = subprocess.Popen(
        args, stdin=subprocess.PIPE, stdout=log, stderr=log, **launch(args, env)
    )
    try:
        assert process.stdin is not None
        process.stdin.write(password.encode())
        process.stdin.close()
        _wait_until_unlocked(env["DBUS_SESSION_BUS_ADDRESS"], process)
        yield
    finally:
        stop_process(process)


def _default_collection_unlocked(address: str) -> bool:
    from jeepney.io.blocking import open_dbus_connection
    from jeepney.wrappers import DBusErrorResponse
    from secretstorage import Collection
    from secretstorage.exceptions import SecretStorageException

    try:
        with open_dbus_connection(bus=address) as connection:
            return not Collection(connection, DEFAULT_COLLECTION).is_locked()
    except (SecretStorageException, DBusErrorResponse, OSError):
        return False


def _wait_until_unlocked(address: str, process: subprocess.Popen[bytes]) -> None:
    """Poll (this waits for another process to start; no timer logic is tested here)."""
    deadline = time.monotonic() + START_TIMEOUT
    while not _default_collection_unlocked(address):
        if process.poll() is not None:
            pytest.fail(f"gnome-keyring-daemon exited with code {process.returncode}")
        if time.monotonic() > deadline:
            pytest.fail("gnome-keyring-daemon did not unlock a default collection in time")
        time.sleep(0.05)


def _as_is(_args: Sequence[str], env: Mapping[str, str]) -> LaunchArgs:
    return {"env": dict(env)}


@contextlib.contextmanager
def bus_and_keyring(
    runtime: Path,
    env: dict[str, str],
    log: IO[bytes],
    *,
    password: str = DEFAULT_PASSWORD,
    launch: Launch = _as_is,
) -> Iterator[dict[str, str]]:
    """A D-Bus session in ``runtime`` with an unlocked gnome-keyring; yield ``env`` with its bus.

    ``launch`` gives the daemons' ``Popen`` arguments (by default: ``env``, as this user).
    """
    with _dbus_daemon(runtime, env, log, launch) as address:
        env = {**env, "DBUS_SESSION_BUS_ADDRESS": address}
        with _keyring_daemon(env, password, log, launch):
            yield env


@contextlib.contextmanager
def gnome_keyring(root: Path, *, password: str = DEFAULT_PASSWORD) -> Iterator[dict[str, str]]:
    """Run a private D-Bus session with an unlocked gnome-keyring; yield its environment.

    ``root`` keeps HOME (and the keyring files); reuse the same ``root`` and ``password`` to
    restart the daemons on the same keyring. Daemon output goes to ``root/daemons.log``.
    """
    _require_tools()
    root.mkdir(parents=True, exist_ok=True)
    runtime = Path(tempfile.mkdtemp(prefix="tt-run-"))
    try:
        env = _session_env(root, runtime)
        with (
            (root / "daemons.log").open("ab") as log,
            bus_and_keyring(runtime, env, log, password=password) as session,
        ):
            yield session
    finally:
        shutil.rmtree(runtime, ignore_errors=True)


def apply_env(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``env`` the process environment for the rest of the test."""
    for key in set(os.environ) - set(env):
        monkeypatch.delenv(key)
    for key, value in env.items():
        if os.environ.get(key) != value:
            monkeypatch.setenv(key, value)


@pytest.fixture
def gnome_keyring_session(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, str]]:
    """A private session with an unlocked gnome-keyring, applied to ``os.environ``."""
    with gnome_keyring(tmp_path / "keyring-session") as env:
        apply_env(env, monkeypatch)
        yield env
