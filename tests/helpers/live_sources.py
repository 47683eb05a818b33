"""Sample sources for live-recording tests: a simulated sensor that goes quiet at a chosen moment."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from sensors.simulator import SimOptions, simulate_session
from sensors.simulator.source import simulated_source
from sensors.source import SampleBlock, SampleSource, StreamGap, StreamSpec


class StallingSource:
    """Plays a simulated session as fast as it can up to `until_s`, then waits like a sensor gone quiet.

    Why: a recording frozen at a known moment (mid-hold, just calibrated) that only a stop ends,
    without real-time waits.
    """

    def __init__(self, exercise_id: str, side: str, seed: int, options: SimOptions, until_s: float) -> None:
        self.session = simulate_session(exercise_id, side, seed, options)
        self._inner: SampleSource = simulated_source(self.session)
        self._until_s = until_s
        self.drained = asyncio.Event()
        """Set once every sample up to until_s has been handed out."""

    @property
    def streams(self) -> tuple[StreamSpec, ...]:
        return self._inner.streams

    async def blocks(self) -> AsyncIterator[SampleBlock | StreamGap]:
        async for block in self._inner.blocks():
            if isinstance(block, SampleBlock) and block.samples.time_s[0] > self._until_s:
                break
            yield block
        self.drained.set()
        await asyncio.Event().wait()
