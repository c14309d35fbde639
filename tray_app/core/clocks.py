"""The time and chance a running app depends on, as one value handed down from the top.

Deadlines are kept on two clocks (see :mod:`tray_app.runtime.token_service`): the wall clock
notices a suspend, the monotonic clock notices the wall clock being set. Retries wait a random
share of their backoff ceiling. Passing the three together, from the composition root
(:class:`tray_app.runtime.host.Core`) through the registry into every token service, lets a test
give the whole app one fake time in which both clocks move together and chance is fixed.
"""

from __future__ import annotations

import dataclasses
import random
import time
from collections.abc import Callable


@dataclasses.dataclass(frozen=True)
class Clocks:
    """Wall time (seconds since the epoch), monotonic time (seconds) and a source of [0, 1)."""

    wall: Callable[[], float] = time.time
    monotonic: Callable[[], float] = time.monotonic
    rng: Callable[[], float] = random.random


SYSTEM_CLOCKS = Clocks()
"""The real clocks and :func:`random.random`: the default wherever clocks are taken."""
