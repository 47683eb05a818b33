"""The live screen's CPU per second of data, drawing included: 3 sensors × 200 Hz of DOT bytes → decoders →
recorder (SQLite) → live preview → the screen's redraws, at the rates the screen asks for, in data time.

Why beside bench_load: bench_load runs in real time, so on a loaded machine the process is starved, lags, and
draws fewer frames than it would (its CPU share then says little). Here notifications arrive as fast as they
are taken, and the screen's own redraw timers are fired by data time instead of the wall clock: every timer
at its interval, then one screen update (Textual's compositor, headless: the widgets render their lines, the
terminal bytes are not written). The figure is the work itself, whatever else the machine is doing.
Timers due at the same data time share one screen update (in real time they may not: this flatters a screen
with several timers, which makes before/after comparisons conservative).

Compare code versions in the same run: `PYTHONPATH=<other checkout> python benchmarks/bench_live_draw.py`.

Run: python benchmarks/bench_live_draw.py [--seconds 60] [--size 100x30]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from sensors.notification_log import LoggedNotification
from sensors.notification_source import NotificationSource
from sensors.samples import Placement
from sensors.simulator import Dose, SimOptions, SimulatedSession, simulate_session
from sensors.simulator.notifications import simulated_devices, simulated_notifications
from sensors.source import SampleBlock, StreamGap, StreamSpec
from tracker.domain import Side, Source
from tracker.live_session import LiveRequest
from tracker.services import build_services
from tui.record_app import RecordApp

PROFILE = "movella-dot"


class DataClock:
    """Fires the screen's redraw timers by data time, then one screen update; counts what it did."""

    def __init__(self) -> None:
        self.screen: Any = None
        self.timers: list[tuple[Any, float]] = []
        self.due: list[float] = []
        self.updates = 0
        self.ready = asyncio.Event()

    def take_over(self, screen: Any) -> None:
        """Pause the screen's wall-clock timers; keep their callbacks and intervals to fire by data time."""
        self.screen = screen
        for timer in list(screen._timers):
            timer.pause()
            if timer is not screen._update_timer:
                self.timers.append((timer._callback, float(timer._interval)))
        self.due = [interval for _, interval in self.timers]
        self.ready.set()

    async def advance(self, data_s: float) -> None:
        fired = False
        for k, (callback, interval) in enumerate(self.timers):
            if data_s >= self.due[k]:
                callback()
                self.due[k] += interval * max(1, int((data_s - self.due[k]) // interval) + 1)
                fired = True
        if fired:
            for _ in range(6):              # widgets → Update messages → the screen's dirty set
                await asyncio.sleep(0)
            self.screen._on_timer_update()
            self.updates += 1


async def run(session: SimulatedSession, folder: Path, size: tuple[int, int]) -> tuple[float, int]:
    """CPU seconds from the first notification to the last (decoded, recorded, previewed, drawn); screen updates."""
    notes = [n async for n in simulated_notifications(session, realtime=False, profile=PROFILE)]

    async def arriving() -> AsyncIterator[LoggedNotification]:
        for note in notes:
            await asyncio.sleep(0)                 # one loop turn per notification, as from the radio
            yield note

    decoded = NotificationSource(simulated_devices(session, PROFILE), arriving())
    clock = DataClock()
    cpu: dict[str, float] = {}
    first: list[float] = []

    class Driven:
        @property
        def streams(self) -> tuple[StreamSpec, ...]:
            return decoded.streams

        async def blocks(self) -> AsyncIterator[SampleBlock | StreamGap]:
            await clock.ready.wait()
            cpu["start"] = time.process_time()
            async for block in decoded.blocks():
                yield block
                if isinstance(block, SampleBlock) and block.placement == Placement.LEFT_THIGH:
                    first[:] = first or [float(block.samples.time_s[0])]
                    await clock.advance(float(block.samples.time_s[-1]) - first[0])
            cpu["end"] = time.process_time()

    services = build_services(f"sqlite:///{folder / 'draw.db'}")
    app = RecordApp(services, LiveRequest("ride", Side.LEFT, Driven, Source.SIMULATED))
    async with app.run_test(size=size) as pilot:
        screen = app.screen
        clock.take_over(screen)
        while "end" not in cpu:
            await pilot.pause(0.2)
        for timer in list(screen._timers):   # back on the wall clock, as bench_load ends
            timer.resume()
        while not (screen.session.snapshot.session_id is not None and not screen.session.snapshot.running):
            await pilot.pause(0.2)
        await pilot.pause(1.0)
        await pilot.press("q")
    services.close()
    return cpu["end"] - cpu["start"], clock.updates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="riding time (calibration comes before it)")
    parser.add_argument("--size", default="100x30")
    args = parser.parse_args()
    cols, rows = (int(v) for v in args.size.split("x"))
    options = SimOptions(rate_hz=200.0, dose=Dose(ride_s=args.seconds), with_pelvis=True, with_other_thigh=True)
    session = simulate_session("ride", "left", 5, options)
    data_s = max(float(s.time_s[-1] - s.time_s[0]) for s in session.streams.values())
    with tempfile.TemporaryDirectory() as folder:
        cpu, updates = asyncio.run(run(session, Path(folder), (cols, rows)))
    print(f"{sum(len(s) for s in session.streams.values()):,} samples, {data_s:.1f} s of data, "
          f"{updates / data_s:.1f} screen updates per data second: CPU {cpu:.2f} s = "
          f"{100 * cpu / data_s:.1f} % of one core per second of data (decode, record, preview, drawing)")


if __name__ == "__main__":
    main()
