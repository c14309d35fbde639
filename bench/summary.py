"""Prints the table at the end of ``make bench`` from the result lines the benchmarks wrote.

Usage: ``python bench/summary.py RESULTS.jsonl`` — one JSON object per line, as written by
:func:`common.report`. A benchmark that crashed wrote nothing; it is listed as "did not run".
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from common import machine

EXPECTED = ("1.", "2.", "3.", "4.", "5.", "6a.", "6b.", "7.", "8.")


def main(argv: list[str]) -> int:
    path = Path(argv[1])
    rows = []
    if path.exists():
        rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    print()
    print(f"Summary — {machine()}")
    print(f"{'benchmark':<40} {'value':<34} {'floor':<12} {'ratio':<7} {'target':<10} verdict")
    for row in rows:
        ratio = f"{row['ratio']:.2f}x" if row["ratio"] is not None else "-"
        verdict = "MET" if row["met"] else "MISSED"
        print(
            f"{row['name']:<40} {row['value']:<34} {row['floor'] or '-':<12} {ratio:<7} "
            f"{row['target']:<10} {verdict}"
        )
    done = {row["name"].split()[0] for row in rows}
    for number in EXPECTED:
        if number not in done:
            print(f"{number:<40} did not run (see its output above)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
