"""Load: 3 sensors × 200 Hz in real time for 10 minutes, recorded with the live screen drawing (SPEC §10).

The simulator speaks Movella DOT bytes for the left thigh, the right thigh and the pelvis; each
notification goes through the decoders, the recorder (SQLite) and the live analysis, and the live
screen redraws from the snapshot as it does for a person (headless, Textual's own test driver).

Reports: samples sent vs stored per stream (must be equal: nothing dropped), the process's memory
(RSS) after the first minute and at the end, CPU share of one core, and notification-to-screen
latency: how old the newest sample on screen is when the screen draws it.

CPU is reported two ways: per second of wall clock, and per second of data streamed. They agree when the
process keeps up with the sensors; on a shared, overloaded machine the scheduler can starve the process, the
run then takes longer than its data (reported as the lag) and only the per-data-second figure (and not the
latency) still says what the work costs. Compare code versions back to back in the same run
(`PYTHONPATH=<other checkout> python benchmarks/bench_load.py` runs this file against another version).

Run: python benchmarks/bench_load.py [--minutes 10] [--rate 200] [--size 100x30]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np

from sensors.notification_log import LoggedNotification
from sensors.notification_source import NotificationSource
from sensors.samples import Placement
from sensors.simulator import Dose, SimOptions, simulate_session
from sensors.simulator.notifications import simulated_devices, simulated_notifications
from sensors.source import SampleBlock, StreamGap, StreamSpec
from tracker.domain import Side, Source
from tracker.live_session import LiveRequest
from tracker.services import build_services
from tui.record_app import RecordApp
from tui.screens.live_recording import LiveRecordingScreen

PROFILE = "movella-dot"


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    return float("nan")


class Counted:
    def __init__(self, notes: AsyncIterator[LoggedNotification]) -> None:
        self._notes = notes
        self.count = 0

    async def __aiter__(self) -> AsyncIterator[LoggedNotification]:
        async for note in self._notes:
            self.count += 1
            yield note


class FirstThighSample:
    """The host time of the thigh's first sample: the live state counts data time from it.

    Samples are stamped with their notification's host arrival time (a DOT's clock is aligned to it),
    so `now - (first + state.time_s)` is how long ago the newest sample on screen arrived.
    """

    def __init__(self, source: NotificationSource) -> None:
        self._source = source
        self.first_s: float | None = None

    @property
    def streams(self) -> tuple[StreamSpec, ...]:
        return self._source.streams

    async def blocks(self) -> AsyncIterator[SampleBlock | StreamGap]:
        async for block in self._source.blocks():
            if self.first_s is None and isinstance(block, SampleBlock) and block.placement == Placement.LEFT_THIGH:
                self.first_s = float(block.samples.time_s[0])
            yield block


async def run(minutes: float, rate_hz: float, size: tuple[int, int], db: Path) -> None:
    options = SimOptions(rate_hz=rate_hz, dose=Dose(ride_s=minutes * 60.0), with_pelvis=True, with_other_thigh=True)
    built = time.perf_counter()
    session = simulate_session("ride", "left", 5, options)
    sent = {str(p): len(s) for p, s in session.streams.items()}
    print(f"simulated {sum(sent.values()):,} samples ({len(sent)} streams × {rate_hz:g} Hz, "
          f"{session.thigh.time_s[-1] / 60:.1f} min) in {time.perf_counter() - built:.1f} s")
    counted = Counted(simulated_notifications(session, realtime=True, profile=PROFILE))
    decoded = NotificationSource(simulated_devices(session, PROFILE), counted.__aiter__())
    source = FirstThighSample(decoded)
    services = build_services(f"sqlite:///{db}")
    app = RecordApp(services, LiveRequest("ride", Side.LEFT, lambda: source, Source.SIMULATED))

    shown: list[tuple[float, float]] = []
    """(when a redraw happened, data time of the newest sample it shows), both from the thigh's first sample."""
    memory: list[tuple[float, float]] = []
    original = LiveRecordingScreen.refresh_angle

    def measured(screen: LiveRecordingScreen, **options: bool) -> None:
        original(screen, **options)
        snapshot = screen.session.snapshot
        if source.first_s is not None and snapshot.state.time_s > 0 and snapshot.running:
            shown.append((time.time() - source.first_s, snapshot.state.time_s))

    LiveRecordingScreen.refresh_angle = measured  # type: ignore[method-assign]
    cpu0, wall0 = time.process_time(), time.monotonic()
    async with app.run_test(size=size) as pilot:
        screen = app.screen
        assert isinstance(screen, LiveRecordingScreen)
        next_sample = wall0 + 60.0
        while not (screen.session.snapshot.session_id is not None and not screen.session.snapshot.running):
            await pilot.pause(0.5)
            if time.monotonic() >= next_sample:
                memory.append((time.monotonic() - wall0, rss_mb()))
                next_sample += 60.0
        cpu, wall = time.process_time() - cpu0, time.monotonic() - wall0
        await pilot.pause(1.0)
        session_id = screen.session.snapshot.session_id
        await pilot.press("q")
    LiveRecordingScreen.refresh_angle = original  # type: ignore[method-assign]

    summary = services.store.sessions.get(session_id)
    stored = {str(s.placement): s.samples for s in summary.streams}
    print(f"notifications sent {counted.count:,}; malformed {sum(decoded.stats.malformed_by_device.values())}")
    for placement, count in sent.items():
        print(f"  {placement:12} sent {count:8,}  stored {stored.get(placement, 0):8,}  "
              f"{'ok' if stored.get(placement) == count else 'DROPPED'}")
    data_s = max(float(s.time_s[-1] - s.time_s[0]) for s in session.streams.values())
    print(f"wall {wall:.0f} s for {data_s:.0f} s of data (lag {wall - data_s:+.1f} s), CPU {cpu:.1f} s: "
          f"{100 * cpu / wall:.1f} % of one core per wall second, {100 * cpu / data_s:.1f} % per data second "
          "(recorder, decoders, live analysis and screen)")
    if memory:
        first, last = memory[0][1], memory[-1][1]
        per_min = (last - first) / max((memory[-1][0] - memory[0][0]) / 60.0, 1e-9) if len(memory) > 1 else 0.0
        print(f"RSS after 1 min {first:.0f} MB, at the end {last:.0f} MB ({per_min:+.1f} MB/min after the first)")
    drawn_at, newest = (np.array(v) for v in zip(*shown, strict=True))
    newest = np.maximum.accumulate(newest)
    arrivals = np.arange(newest[len(newest) // 20], newest[-1], 1.0 / rate_hz)   # skip the start-up
    first_showing = np.searchsorted(newest, arrivals - 1e-9)            # the first redraw that shows each sample
    latency_ms = (drawn_at[first_showing] - arrivals) * 1000.0
    print(f"notification → screen (each thigh sample: arrival until a redraw shows it), ms: median "
          f"{statistics.median(latency_ms):.0f}, p95 {np.percentile(latency_ms, 95):.0f}, "
          f"p99 {np.percentile(latency_ms, 99):.0f}, max {latency_ms.max():.0f}; "
          f"{len(drawn_at) / (drawn_at[-1] - drawn_at[0]):.1f} redraws/s")
    services.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--size", default="100x30")
    args = parser.parse_args()
    cols, rows = (int(v) for v in args.size.split("x"))
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(run(args.minutes, args.rate, (cols, rows), Path(folder) / "load.db"))


if __name__ == "__main__":
    main()
