"""Benchmark 1: launch → tray icon mapped, Token Tray against the bare PySide6 tray.

In a private world (bench/common.py: own folders, a real gnome-keyring over D-Bus, Xvfb and
trayer), with one profile configured and its secret in the keyring so Token Tray really
starts (config, keyring, token request against a loopback server), it spawns, alternately,
``token-tray`` (the installed console script) and ``python bench/bare_tray.py``, and times
each from spawn to the moment its icon window is mapped into trayer (bench/xwatch.py, X
events). Each process is stopped after its icon shows. Target: at most 1.2 times the floor.

Run: ``make bench`` or ``.venv/bin/python bench/launch.py [--runs 11]``.
"""

from __future__ import annotations

import argparse
import time

from common import (
    alternate,
    bare_tray_command,
    header,
    median,
    ratio_result,
    report,
    save_profiles,
    spawn,
    stop,
    token_tray_command,
    world,
)
from xwatch import IconWatch

from tests.support.tokenserver import TokenServer

TARGET = 1.2
ICON_TIMEOUT = 30.0


def time_to_icon(argv: list[str], env: dict[str, str]) -> float:
    """Seconds from spawning ``argv`` to its tray icon being mapped (the process is stopped)."""
    watch = IconWatch(env["DISPLAY"])
    try:
        started = time.perf_counter()
        process = spawn(argv, env)
        try:
            shown = watch.wait_mapped(process.pid, ICON_TIMEOUT)
        finally:
            stop(process)
    finally:
        watch.close()
    if shown is None:
        raise RuntimeError(f"{argv[-1]} showed no tray icon within {ICON_TIMEOUT:.0f} s")
    return shown - started


def compare_launch(env: dict[str, str], runs: int) -> tuple[float, float]:
    """Median seconds to icon of (token-tray, bare tray), measured alternately."""
    samples = alternate(
        {
            "token-tray": lambda: time_to_icon(token_tray_command(), env),
            "bare tray": lambda: time_to_icon(bare_tray_command(), env),
        },
        runs,
    )
    return median(samples["token-tray"]), median(samples["bare tray"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=11, help="runs of each (default 11, min 5)")
    runs = parser.parse_args().runs
    header("1. launch -> tray icon mapped")
    with TokenServer("standard", keep_alive=True) as server, world("launch") as env:
        save_profiles(env, server.token_url, server.client_id, server.client_secret, 1)
        app, floor = compare_launch(env, runs)
    report(ratio_result("1. launch -> icon", app, floor, "ms", TARGET, scale=1000))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
