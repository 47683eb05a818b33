"""Replay pacing shared by every source that plays recorded or simulated data back (log, simulator, BLE replay).

Why one helper: real time must mean the same thing everywhere: an item is released when the wall clock has
advanced as far as its recorded time since the first item, never earlier, and lateness is caught up rather than
accumulated. As fast as possible still yields to the event loop once per item, so that the recorder's writer and
the UI run between items.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class Pacer:
    """Waits until an item's recorded offset (s since the first item) has passed on the wall clock, or not at all."""

    def __init__(self, realtime: bool, clock_s: Callable[[], float] = time.monotonic) -> None:
        self.realtime = realtime
        self._clock_s = clock_s
        self._wall_start_s = clock_s()

    def restart(self) -> None:
        """Count from now: the next item at offset 0 is due at once."""
        self._wall_start_s = self._clock_s()

    def delay_s(self, offset_s: float) -> float:
        """How long from now until an item at `offset_s` is due (0 when it is due already, or when not real time)."""
        if not self.realtime:
            return 0.0
        return max(0.0, offset_s - (self._clock_s() - self._wall_start_s))

    async def wait_until(self, offset_s: float) -> None:
        """Sleep until the item at `offset_s` is due; as fast as possible, only let other tasks run."""
        await asyncio.sleep(self.delay_s(offset_s))
