"""How much does ``token-tray token`` cost a script, compared with Python doing nothing?

Starts a loopback token server (tests/support/tokenserver.py) and ``token-tray agent`` in a
private config/keyring/runtime folder, then runs, alternately so that machine load hits both
alike, ``token-tray token`` (the console script a user runs, from this venv) and
``python -c pass`` (the same interpreter). It prints the median wall times, their ratio and
the target (at most 3 times), the machine, and how many requests reached the token server during
the runs (0: every call was answered by the agent). ``python -m tray_app token`` is measured
too, for information. Benchmarks print; they never assert.

Bytecode caches are written first (``compileall``) and ``PYTHONDONTWRITEBYTECODE`` is dropped
for the children, as for a normal installation.

Run: ``make bench`` or ``.venv/bin/python bench/token_cli.py [--runs 21]``.
"""

from __future__ import annotations

import argparse
import compileall
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from common import machine, ratio_result, report  # noqa: E402

from tests.support.agent_process import Scene  # noqa: E402 - needs the path above
from tests.support.tokenserver import TokenServer  # noqa: E402

TARGET = 3.0


def timed(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def measure(commands: dict[str, list[str]], env: dict[str, str], runs: int) -> dict[str, float]:
    """Median seconds per command, running them in turn ``runs`` times (after one warm-up)."""
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for argv in commands.values():
        timed(argv, env)
    for _ in range(runs):
        for name, argv in commands.items():
            samples[name].append(timed(argv, env))
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21, help="runs of each command (default 21)")
    runs = max(5, parser.parse_args().runs)
    compileall.compile_dir(REPO_ROOT / "tray_app", quiet=1)
    script = Path(sys.executable).with_name("token-tray")
    root = Path(tempfile.mkdtemp(prefix="tt-bench-"))
    scene = Scene(root)
    try:
        with TokenServer("standard") as server:
            scene.save(server.profile(name="Bench"), server.client_secret)
            scene.agent()
            env = scene.env()
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            before = server.request_count
            medians = measure(
                {
                    "token-tray token": [str(script), "token"],
                    "python3 -c pass": [sys.executable, "-c", "pass"],
                    "python -m tray_app token": [sys.executable, "-m", "tray_app", "token"],
                },
                env,
                runs,
            )
            extra_requests = server.request_count - before
    finally:
        scene.close()
        shutil.rmtree(root, ignore_errors=True)
    print("== 3. token-tray token with the tray running, against python3 -c pass")
    print(f"machine: {machine()}")
    print(f"runs: {runs} of each, alternating; medians:")
    for name, seconds in medians.items():
        print(f"  {name:<26} {seconds * 1000:7.1f} ms")
    print(f"requests to the token server during the runs: {extra_requests}")
    app, floor = medians["token-tray token"], medians["python3 -c pass"]
    report(ratio_result("3. token-tray token", app, floor, "ms", TARGET, scale=1000))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
