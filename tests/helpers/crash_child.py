"""Child process for the crash test: records a simulated sensor in real time until it is killed.

Prints the time of the newest sample the recorder has been handed, one line per block, so the
parent knows exactly what a kill may lose.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator

from sensors.simulator import simulate_session
from sensors.simulator.source import simulated_source
from sensors.source import ArraySource, SampleBlock
from tracker.domain import Side, Source
from tracker.services import build_services, record


class Announcing:
    def __init__(self, inner: ArraySource) -> None:
        self._inner = inner
        self.streams = inner.streams

    async def blocks(self) -> AsyncIterator[SampleBlock]:
        async for block in self._inner.blocks():
            yield block
            print(f"{block.samples.time_s[-1]:.4f}", flush=True)


async def main(db_url: str) -> None:
    services = build_services(db_url)
    sim = simulate_session("seated_hip_internal_rotation", "left", seed=5)
    await record(services, Announcing(simulated_source(sim, realtime=True)), "seated_hip_internal_rotation",
                 Side.LEFT, Source.SIMULATED)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
