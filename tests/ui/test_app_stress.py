"""The real TrayApplication under churn (:mod:`tests.support.stress`), offscreen: profiles
added, their fetches started against a loopback server that answers slowly or fails at random,
removed or edited mid-fetch, "Refresh now", and the app quit and started again — hundreds of
cycles. Nothing may crash, and nothing may be left running after a quit.

``TOKEN_TRAY_STRESS_CYCLES`` sets the number of cycles (``bench/stress.py`` runs thousands);
``TOKEN_TRAY_STRESS_SEED`` replays a run (the seed is in the failure message).
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.support.stress import run_stress
from tests.support.tokenserver import TokenServer

CYCLES = int(os.environ.get("TOKEN_TRAY_STRESS_CYCLES", "300"))
SEED = os.environ.get("TOKEN_TRAY_STRESS_SEED")

pytestmark = pytest.mark.qt_log_ignore(
    r"This plugin does not support propagateSizeHints\(\)",
    r"No such signal QPlatformNativeInterface::systemTrayWindowChanged",
)


def test_profiles_churning_under_running_fetches_leave_nothing_behind(
    qtbot: QtBot, qapp: QApplication, tmp_path: Path
) -> None:
    seed = int(SEED) if SEED else random.randrange(2**32)  # noqa: S311 - a replayable seed
    with TokenServer("standard") as server:
        tally = run_stress(qapp, server, tmp_path / "config", CYCLES, seed)
    summary = f"seed {seed}: {tally.line()}"
    assert tally.leftovers == [], summary
    assert tally.cycles == CYCLES, summary
    assert tally.sessions > 1, summary
    assert tally.mid_fetch > CYCLES // 10, summary  # removals and edits really met fetches
    assert tally.tokens > 0, summary
    assert tally.failures > 0, summary
