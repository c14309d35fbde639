"""Benchmark 8: the real tray app under thousands of add / fetch / remove-or-edit / refresh /
quit cycles (tests/support/stress.py), offscreen, against a loopback server that answers slowly
or fails at random.

The workload runs in a child process, so a crash is reported (with its signal) instead of
ending ``make bench``. The child also counts Qt warnings (except the two the offscreen platform
always prints). Target: no crash, no Qt warning, nothing left running after any quit. The CI
test ``tests/ui/test_app_stress.py`` runs the same workload, shorter.

Run: ``make bench`` or ``.venv/bin/python bench/stress.py [--cycles 3000] [--seed N]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import faulthandler
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from common import REPO_ROOT, Result, header, report

from tests.support.stress import Tally

OFFSCREEN_NOISE = re.compile(
    r"propagateSizeHints|No such signal QPlatformNativeInterface::systemTrayWindowChanged"
)


def child(cycles: int, seed: int, folder: Path) -> int:
    """Run the workload here and print its tally as the last line (JSON)."""
    faulthandler.enable()
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    from tests.support.stress import run_stress
    from tests.support.tokenserver import TokenServer

    warnings: list[str] = []

    def on_message(kind: QtMsgType, _context: object, message: str) -> None:
        if kind != QtMsgType.QtDebugMsg and not OFFSCREEN_NOISE.search(message):
            warnings.append(message)

    qInstallMessageHandler(on_message)
    qapp = QApplication([])
    with TokenServer("standard") as server:
        tally = run_stress(qapp, server, folder, cycles, seed)
    tally.leftovers.extend(f"Qt warning: {message}" for message in warnings)
    print(json.dumps(dataclasses.asdict(tally)), flush=True)
    return 0


def run_child(cycles: int, seed: int) -> tuple[Tally | None, str]:
    """The child's tally, or None and why it has none (a crash, a timeout)."""
    with tempfile.TemporaryDirectory(prefix="tt-stress-") as root:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(REPO_ROOT))
        env["TOKEN_TRAY_CONFIG_DIR"] = str(Path(root) / "config")
        runtime = Path(root) / "run"
        runtime.mkdir(mode=0o700)
        env["TOKEN_TRAY_RUNTIME_DIR"] = str(runtime)
        argv = [sys.executable, __file__, "--child", "--cycles", str(cycles), "--seed", str(seed)]
        try:
            done = subprocess.run(
                argv,
                env=env,
                cwd=REPO_ROOT,
                capture_output=True,
                text=True,
                timeout=3600,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return None, "did not finish within an hour"
    if done.returncode < 0:
        sys.stderr.write(done.stderr)
        return None, f"crashed ({signal.Signals(-done.returncode).name})"
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        return None, f"failed (exit code {done.returncode})"
    return Tally(**json.loads(done.stdout.strip().splitlines()[-1])), ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cycles", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=None, help="replay a run")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(2**32)  # noqa: S311 - a replayable seed
    if args.child:
        return child(args.cycles, seed, Path(os.environ["TOKEN_TRAY_CONFIG_DIR"]))
    header(f"8. stress: {args.cycles} cycles of add, fetch, remove or edit, refresh, quit")
    found, failure = run_child(args.cycles, seed)
    if found is None:
        report(Result(f"8. stress, seed {seed}", failure, None, None, "no crash", False))
        return 0
    for problem in found.leftovers:
        print(f"  {problem}")
    print(f"  seed {seed}: {found.line()}")
    value = f"{found.cycles} cycles, {len(found.leftovers)} problems"
    met = not found.leftovers
    report(Result("8. stress, add/fetch/remove/quit", value, None, None, "0 problems", met))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
