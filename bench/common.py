"""Plumbing shared by the benchmarks: a private world to run in, runs, medians, result lines.

* :func:`world` — a private desktop session for one benchmark: its own folders (HOME, XDG_*,
  config, runtime, log), a D-Bus session with a real, unlocked gnome-keyring, an Xvfb display
  and trayer as the tray host. Nothing touches the user's settings, keyring or desktop. The
  environment it yields is what every launched process gets.
* :func:`alternate` — runs each measurement in turn (A, B, A, B, …) after one warm-up each, so
  machine load hits the figure and its floor alike; :func:`median` of at least 5 runs.
* :func:`report` — the one result line every benchmark prints::

      name: value vs floor = ratio (target …) MET|MISSED

  and, when ``TOKEN_TRAY_BENCH_RESULTS`` names a file, one JSON line appended to it, from which
  ``bench/summary.py`` prints the table at the end of ``make bench``.
* :func:`machine` describes the machine; each benchmark prints it first.

Benchmarks print; they never assert timings.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tests.support.keyring_session import gnome_keyring, stop_process  # noqa: E402
from tests.support.processes import wait_until  # noqa: E402
from tests.support.xdesktop import tray_host, xvfb  # noqa: E402
from tray_app.ipc.protocol import SOCKET_NAME  # noqa: E402

RESULTS_ENV = "TOKEN_TRAY_BENCH_RESULTS"
MIN_RUNS = 5
BARE_TRAY = REPO_ROOT / "bench" / "bare_tray.py"


def machine() -> str:
    """CPU model, logical CPUs, OS and Python version."""
    model = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return (
        f"{model}, {os.cpu_count()} logical CPUs, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def header(title: str) -> None:
    print(f"== {title}", flush=True)
    print(f"machine: {machine()}", flush=True)


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def alternate(measures: dict[str, Callable[[], float]], runs: int) -> dict[str, list[float]]:
    """Each measurement once as a warm-up, then all of them in turn ``runs`` times."""
    runs = max(MIN_RUNS, runs)
    samples: dict[str, list[float]] = {name: [] for name in measures}
    for measure in measures.values():
        measure()
    for _ in range(runs):
        for name, measure in measures.items():
            samples[name].append(measure())
    return samples


@dataclasses.dataclass(frozen=True)
class Result:
    """One benchmark figure. ``floor``/``ratio`` are None for an absolute target."""

    name: str
    value: str
    floor: str | None
    ratio: float | None
    target: str
    met: bool

    def line(self) -> str:
        verdict = "MET" if self.met else "MISSED"
        if self.ratio is None or self.floor is None:
            return f"{self.name}: {self.value} (target {self.target}) {verdict}"
        return (
            f"{self.name}: {self.value} vs floor {self.floor} = {self.ratio:.2f}x "
            f"(target {self.target}) {verdict}"
        )


def report(result: Result) -> None:
    """Print the result line; append it to the results file when one is named."""
    print(result.line(), flush=True)
    path = os.environ.get(RESULTS_ENV)
    if path:
        with Path(path).open("a", encoding="utf-8") as stream:
            stream.write(json.dumps(dataclasses.asdict(result)) + "\n")


def ratio_result(
    name: str, value: float, floor: float, unit: str, limit: float, *, scale: float = 1.0
) -> Result:
    """A figure compared with its floor; met when value/floor <= ``limit``."""
    ratio = value / floor
    return Result(
        name,
        f"{value * scale:.1f} {unit}",
        f"{floor * scale:.1f} {unit}",
        ratio,
        f"<= {limit:g}x",
        ratio <= limit,
    )


@contextlib.contextmanager
def world(prefix: str) -> Iterator[dict[str, str]]:
    """A private session (folders, gnome-keyring, Xvfb, trayer); yields its environment."""
    root = Path(tempfile.mkdtemp(prefix=f"tt-bench-{prefix}-"))
    runtime = Path(tempfile.mkdtemp(prefix="tt-br-"))  # short: Unix socket paths are limited
    try:
        with (
            (root / "x.log").open("ab") as log,
            gnome_keyring(root / "keyring") as session,
            xvfb(log=log) as display,
        ):
            env = app_env(session, root, runtime, display)
            with tray_host(env, log=log):
                yield env
    finally:
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(runtime, ignore_errors=True)


def app_env(session: dict[str, str], root: Path, runtime: Path, display: str) -> dict[str, str]:
    """``session`` plus the display and Token Tray's private folders; bytecode caches on."""
    env = {k: v for k, v in session.items() if not k.startswith("TOKEN_TRAY")}
    for name in ("WAYLAND_DISPLAY", "PYTHONDONTWRITEBYTECODE", "QT_QPA_PLATFORM"):
        env.pop(name, None)
    env.update(
        DISPLAY=display,
        QT_QPA_PLATFORM="xcb",
        TOKEN_TRAY_CONFIG_DIR=str(root / "config"),
        TOKEN_TRAY_RUNTIME_DIR=str(runtime / "tt"),
        XDG_STATE_HOME=str(root / "state"),
        PYTHONPATH=str(REPO_ROOT),
    )
    return env


def save_profiles(env: dict[str, str], token_url: str, client_id: str, secret: str, n: int) -> None:
    """Store ``n`` profiles for one endpoint, secrets in the world's keyring (one process)."""
    code = (
        "import sys\n"
        "from tray_app.core.config import ConfigStore\n"
        "from tray_app.core.credentials import CredentialStore\n"
        "from tray_app.core.profile import Profile\n"
        "from tray_app.core.repository import ProfileRepository\n"
        "url, cid, n = sys.argv[1], sys.argv[2], int(sys.argv[3])\n"
        "secret = sys.stdin.read()\n"
        "repo = ProfileRepository(ConfigStore(), CredentialStore())\n"
        "for i in range(n):\n"
        "    repo.save_profile(Profile(name=f'Bench {i:03d}', token_url=url, client_id=cid),"
        " secret)\n"
    )
    subprocess.run(
        [sys.executable, "-c", code, token_url, client_id, str(n)],
        input=secret,
        text=True,
        env=env,
        cwd=REPO_ROOT,
        check=True,
        timeout=300,
    )


def token_tray_command() -> list[str]:
    """The installed ``token-tray`` console script of this environment."""
    return [str(Path(sys.executable).with_name("token-tray"))]


def bare_tray_command() -> list[str]:
    return [sys.executable, str(BARE_TRAY)]


def spawn(argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        argv,
        env=env,
        cwd=REPO_ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop(process: subprocess.Popen[bytes]) -> None:
    stop_process(process)


def cpu_seconds(pid: int) -> float:
    """utime + stime of ``pid`` so far (/proc/<pid>/stat), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def memory_kib(pid: int) -> dict[str, int]:
    """Rss and Pss of ``pid`` in KiB (/proc/<pid>/smaps_rollup)."""
    values: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("Rss", "Pss"):
            values[key] = int(rest.split()[0])
    return values


def wait_for(probe: Callable[[], bool], timeout: float, what: str) -> None:
    """Wait for another process (tests/support/processes.wait_until; nothing under test sleeps)."""
    wait_until(probe, timeout=timeout, what=what)


def socket_path(env: dict[str, str]) -> str:
    return str(Path(env["TOKEN_TRAY_RUNTIME_DIR"]) / SOCKET_NAME)


def states(env: dict[str, str]) -> list[str] | None:
    """The running tray's profile states over its socket; None while it does not answer."""
    from tray_app.core.errors import AppError
    from tray_app.ipc import client as ipc_client

    try:
        profiles = ipc_client.request_status(name=socket_path(env))
    except (ipc_client.TrayNotRunning, AppError):
        return None
    return [str(profile["state"]) for profile in profiles]


def all_valid(env: dict[str, str], count: int) -> bool:
    found = states(env)
    return found is not None and len(found) == count and all(s == "valid" for s in found)
