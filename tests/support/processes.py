"""Running the app's command line in a subprocess and waiting for a condition: shared by the
desktop, agent and CLI test helpers (each adds its own environment and checks)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

REPO_ROOT = Path(__file__).resolve().parents[2]
POLL_SECONDS = 0.05
WAIT_TIMEOUT = 20.0
RUN_TIMEOUT = 60.0


def wait_until(
    probe: Callable[[], T | None], *, timeout: float = WAIT_TIMEOUT, what: str = "condition"
) -> T:
    """Poll ``probe`` until it returns something truthy; fail the test at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(POLL_SECONDS)


def run_app(
    argv: tuple[str, ...], env: Mapping[str, str], stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m tray_app ARGV`` (or ``python -c CODE`` when ARGV starts with ``-c``)."""
    command = argv if argv[:1] == ("-c",) else ("-m", "tray_app", *argv)
    return subprocess.run(
        [sys.executable, *command],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=dict(env),
        timeout=RUN_TIMEOUT,
        check=False,
    )
