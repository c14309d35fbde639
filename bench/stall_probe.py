"""The GUI event-loop stall probe of benchmark 6 — run *as* Token Tray, not inside it.

Started by bench/many_profiles.py in its private world: it runs the real ``token-tray`` start
(:func:`tray_app.gui.startup.run_tray`) with one addition made here, in the benchmark: once the
icon is shown, a 5 ms precise QTimer on the GUI thread records how late each tick comes. The
longest gap beyond 5 ms is the longest the event loop was blocked. Two figures: ``build_ms``,
from the icon until the services run (the app being imported and built behind the icon), and
``stall_ms``, from then until every profile holds a valid token — the stall "while all of them
refresh". The event loop's turn that starts the services (``TrayApplication._start_core``:
100 fetches queued, watchers, storage check) follows the build without a tick in between, so
the probe times that call itself and counts it in ``stall_ms``. It stops then (or
after ``TIMEOUT`` seconds), prints one JSON line
``{"stall_ms", "build_ms", "core_start_ms", "seconds", "profiles", "valid"}`` and quits.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication

from tray_app.gui import startup

TICK_MS = 5
TIMEOUT = 300.0


class Probe(QObject):
    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self._app = app
        self._started = self._last = time.perf_counter()
        self.worst = 0.0
        self.build = 0.0
        self.core_start = 0.0
        self.refreshing_from: float | None = None
        self.tray_app: Any = None  # the TrayApplication, once it starts its services
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._tick)
        self._timer.start(TICK_MS)

    def _tick(self) -> None:
        now = time.perf_counter()
        late = (now - self._last) * 1000 - TICK_MS
        gap_began, self._last = self._last, now
        services = self._services()
        if self.refreshing_from is not None and gap_began >= self.refreshing_from:
            self.worst = max(self.worst, late)
        else:
            self.build = max(self.build, late)
        valid = sum(1 for s in services if s.status().state.value == "valid")
        if (services and valid == len(services)) or now - self._started > TIMEOUT:
            self._timer.stop()
            line = {
                "stall_ms": round(self.worst, 1),
                "build_ms": round(self.build, 1),
                "core_start_ms": round(self.core_start, 1),
                "seconds": round(now - self._started, 2),
                "profiles": len(services),
                "valid": valid,
            }
            print(json.dumps(line), flush=True)
            self._app.quit()

    def _services(self) -> list[Any]:
        current = self.tray_app
        return current.host.registry.services() if current is not None else []


def time_core_start(probes: list[Probe]) -> None:
    """Count the call that starts the services in the refresh stall (see the docstring)."""
    from tray_app.gui.app import TrayApplication

    start_core = TrayApplication._start_core

    def timed(self: TrayApplication) -> None:
        began = time.perf_counter()
        start_core(self)
        for probe in probes:
            probe.tray_app = self
            probe.core_start = (time.perf_counter() - began) * 1000
            probe.worst = max(probe.worst, probe.core_start)
            probe.refreshing_from = time.perf_counter()  # later gaps: "while refreshing"

    TrayApplication._start_core = timed  # type: ignore[method-assign]


def main() -> int:
    show = startup.show_icon_early
    probes: list[Probe] = []

    def with_probe(app: QApplication, icons: Any) -> Any:
        icon = show(app, icons)
        probes.append(Probe(app))
        time_core_start(probes)
        return icon

    startup.show_icon_early = with_probe
    return startup.run_tray()


if __name__ == "__main__":
    raise SystemExit(main())
