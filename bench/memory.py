"""Benchmark 2: resident memory once the first token is held, against the bare PySide6 tray.

In a private world (bench/common.py) with one profile, it starts ``token-tray`` and waits until
the tray holds a valid token (asked over its command-line socket), and, alternately, starts
``bench/bare_tray.py`` and waits until its icon is mapped (bench/xwatch.py). Then it reads
``Rss`` and ``Pss`` from ``/proc/<pid>/smaps_rollup``. RSS is the figure compared (PSS, which
splits shared libraries between processes, is printed for information). Target: at most 1.25
times the floor.

Run: ``make bench`` or ``.venv/bin/python bench/memory.py [--runs 5]``.
"""

from __future__ import annotations

import argparse
import functools

from common import (
    all_valid,
    alternate,
    bare_tray_command,
    header,
    median,
    memory_kib,
    ratio_result,
    report,
    save_profiles,
    spawn,
    stop,
    token_tray_command,
    wait_for,
    world,
)
from xwatch import IconWatch

from tests.support.tokenserver import TokenServer

TARGET = 1.25
START_TIMEOUT = 60.0


def app_memory(env: dict[str, str], pss: list[float]) -> float:
    """RSS (KiB) of token-tray once its one profile holds a valid token."""
    process = spawn(token_tray_command(), env)
    try:
        wait_for(lambda: all_valid(env, 1), START_TIMEOUT, "token-tray to hold a token")
        values = memory_kib(process.pid)
    finally:
        stop(process)
    pss.append(values["Pss"])
    return values["Rss"]


def bare_memory(env: dict[str, str], pss: list[float]) -> float:
    """RSS (KiB) of the bare tray once its icon is mapped."""
    watch = IconWatch(env["DISPLAY"])
    process = spawn(bare_tray_command(), env)
    try:
        if watch.wait_mapped(process.pid, START_TIMEOUT) is None:
            raise RuntimeError("the bare tray showed no icon")
        values = memory_kib(process.pid)
    finally:
        stop(process)
        watch.close()
    pss.append(values["Pss"])
    return values["Rss"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5, help="runs of each (default 5, min 5)")
    runs = parser.parse_args().runs
    header("2. resident memory after the first token")
    app_pss: list[float] = []
    bare_pss: list[float] = []
    with TokenServer("standard", keep_alive=True) as server, world("memory") as env:
        save_profiles(env, server.token_url, server.client_id, server.client_secret, 1)
        samples = alternate(
            {
                "token-tray": functools.partial(app_memory, env, app_pss),
                "bare tray": functools.partial(bare_memory, env, bare_pss),
            },
            runs,
        )
    app, floor = median(samples["token-tray"]), median(samples["bare tray"])
    print(
        f"PSS (information): token-tray {median(app_pss) / 1024:.1f} MiB, "
        f"bare tray {median(bare_pss) / 1024:.1f} MiB"
    )
    report(ratio_result("2. memory (RSS)", app, floor, "MiB", TARGET, scale=1 / 1024))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
