"""The live path without the screen: 3 sensors × 200 Hz of DOT bytes → decoders → recorder (SQLite) → live preview.

What bench_load measures minus the drawing, as fast as it goes, so the figure is the work itself: CPU seconds per
second of data, which a shared, overloaded machine does not distort the way it distorts a real-time run (there the
process is starved and lags). The screen's reads are emulated: the preview's state is read 30 times per second of
data, as the live screen's angle redraw reads it.

Compare code versions in the same run: `PYTHONPATH=<other checkout> python benchmarks/bench_live_preview.py`.

Run: python benchmarks/bench_live_preview.py [--seconds 15]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

from sensors.notification_log import LoggedNotification
from sensors.notification_source import NotificationSource
from sensors.samples import Placement
from sensors.simulator import Dose, SimOptions, SimulatedSession, simulate_session
from sensors.simulator.notifications import simulated_devices, simulated_notifications
from sensors.source import SampleBlock, SampleSource, StreamGap, StreamSpec
from tracker.domain import Side, Source
from tracker.live_session import LiveRequest, LiveSession
from tracker.services import build_services

PROFILE = "movella-dot"
REDRAWS_PER_DATA_S = 30


async def run(session: SimulatedSession, folder: Path) -> float:
    """CPU seconds from the first notification until the last is decoded, recorded and previewed."""
    notes = [n async for n in simulated_notifications(session, realtime=False, profile=PROFILE)]

    async def arriving() -> AsyncIterator[LoggedNotification]:
        for note in notes:
            await asyncio.sleep(0)                 # one loop turn per notification, as from the radio
            yield note

    decoded = NotificationSource(simulated_devices(session, PROFILE), arriving())
    cpu: dict[str, float] = {}

    class Read:
        """The decoded source, with the live screen's reads of the preview between blocks."""

        @property
        def streams(self) -> tuple[StreamSpec, ...]:
            return decoded.streams

        async def blocks(self) -> AsyncIterator[SampleBlock | StreamGap]:
            next_read: float | None = None
            cpu["start"] = time.process_time()
            async for block in decoded.blocks():
                yield block
                if isinstance(block, SampleBlock) and block.placement == Placement.LEFT_THIGH:
                    t = float(block.samples.time_s[-1])
                    if next_read is None or t >= next_read:
                        _ = live.snapshot.state
                        next_read = t + 1.0 / REDRAWS_PER_DATA_S
            cpu["end"] = time.process_time()

    def source() -> SampleSource:
        return Read()

    services = build_services(f"sqlite:///{folder / 'preview.db'}")
    live = LiveSession(services, LiveRequest("ride", Side.LEFT, source, Source.SIMULATED))
    await live.run()
    services.close()
    return cpu["end"] - cpu["start"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="riding time (calibration comes before it)")
    args = parser.parse_args()
    options = SimOptions(rate_hz=200.0, dose=Dose(ride_s=args.seconds), with_pelvis=True, with_other_thigh=True)
    session = simulate_session("ride", "left", 5, options)
    data_s = max(float(s.time_s[-1] - s.time_s[0]) for s in session.streams.values())
    with tempfile.TemporaryDirectory() as folder:
        cpu = asyncio.run(run(session, Path(folder)))
    print(f"{sum(len(s) for s in session.streams.values()):,} samples, {data_s:.1f} s of data: CPU {cpu:.2f} s = "
          f"{100 * cpu / data_s:.1f} % of one core per second of data (decode, record, preview; no drawing)")


if __name__ == "__main__":
    main()
