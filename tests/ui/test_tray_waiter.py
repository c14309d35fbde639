"""TrayWaiter: retries, gives up (once) and still notices a tray that appears late."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from tray_app.gui.tray_waiter import TrayWaiter


class Availability:
    def __init__(self) -> None:
        self.available = False
        self.checks = 0

    def __call__(self) -> bool:
        self.checks += 1
        return self.available


def test_waiter_is_ready_at_once_when_a_tray_exists(qtbot: QtBot) -> None:
    tray = Availability()
    tray.available = True
    waiter = TrayWaiter(tray)

    with qtbot.waitSignal(waiter.ready, timeout=0, raising=True):
        waiter.start()

    assert not waiter.timer.isActive()


def test_waiter_retries_then_gives_up_then_still_notices_a_late_tray(qtbot: QtBot) -> None:
    tray = Availability()
    waiter = TrayWaiter(tray, interval_ms=2_000, patience_ms=6_000, slow_ms=10_000)
    gave_up: list[bool] = []
    ready: list[bool] = []
    waiter.gaveUp.connect(lambda: gave_up.append(True))
    waiter.ready.connect(lambda: ready.append(True))

    waiter.start()
    assert waiter.timer.isActive()
    assert waiter.timer.interval() == 2_000
    waiter.timer.timeout.emit()
    assert gave_up == []
    waiter.timer.timeout.emit()

    assert gave_up == [True]
    assert waiter.timer.interval() == 10_000
    tray.available = True
    waiter.timer.timeout.emit()
    assert ready == [True]
    assert not waiter.timer.isActive()
    assert tray.checks == 4
    waiter.stop()
