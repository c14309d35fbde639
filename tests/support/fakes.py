"""The shared fakes: one clock for the whole app, and a network that tests switch on and off.

:class:`FakeClock` links wall and monotonic time the way a running computer does: time that
passes (``advance``, or moving ``now`` forward) moves both; ``jump`` moves the wall clock only,
as setting the clock or waking from a suspend does. Its retry jitter is fixed, so a backoff
delay is known in advance, and nothing is retried until the test moves time: the whole app runs
on it through :meth:`FakeClock.clocks`.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QNetworkInformation

from tray_app.core.clocks import Clocks

START = 1_700_000_000.0
"""A wall-clock time far from any real "now", so a real clock slipping in shows."""
MONOTONIC_START = 1_000.0
JITTER = 0.5
"""The fixed share of the backoff ceiling a retry waits: the first retry comes after 0.5 s."""

Reachability = QNetworkInformation.Reachability


class FakeClock:
    """Wall and monotonic time that move together, and a fixed retry jitter."""

    def __init__(self, start: float = START, *, jitter: float = JITTER) -> None:
        self._wall = start
        self._monotonic = MONOTONIC_START
        self.jitter = jitter

    def __call__(self) -> float:
        return self._wall

    @property
    def now(self) -> float:
        """The wall clock; setting it forward is time passing (both clocks move)."""
        return self._wall

    @now.setter
    def now(self, value: float) -> None:
        self.advance(value - self._wall)

    def monotonic(self) -> float:
        return self._monotonic

    def rng(self) -> float:
        return self.jitter

    def advance(self, seconds: float) -> None:
        """``seconds`` pass: both clocks move."""
        if seconds < 0:
            raise ValueError("time does not run backwards; jump() sets the wall clock back")
        self._wall += seconds
        self._monotonic += seconds

    def jump(self, seconds: float) -> None:
        """The wall clock alone moves: the clock was set, or the machine slept ``seconds``."""
        self._wall += seconds

    def clocks(self) -> Clocks:
        """This clock as the app takes it (:class:`tray_app.core.clocks.Clocks`)."""
        return Clocks(wall=self, monotonic=self.monotonic, rng=self.rng)


class FakeNetwork(QObject):
    """Stands in for QNetworkInformation (whose backends need a system bus)."""

    reachabilityChanged = Signal(Reachability)  # noqa: N815 - Qt's name

    def __init__(self, now: Reachability = Reachability.Disconnected) -> None:
        super().__init__()
        self.now = now

    def reachability(self) -> Reachability:
        return self.now

    def change(self, to: Reachability) -> None:
        self.now = to
        self.reachabilityChanged.emit(to)
