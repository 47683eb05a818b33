"""Live recording load: 3 sensors × 200 Hz of real device bytes through the decoders, NotificationSource (timing,
gaps) and the recorder into SQLite, with a live orientation update (VQF) per block, as a recording from Bluetooth
sensors runs it. Against a baseline measured in the same run: the bare decoders on the same notifications.

Sensors: both thighs and the pelvis; left thigh and pelvis Movella DOTs (custom mode 5: device clock, one sample per
notification), right thigh a WitMotion (0x61 frames, one per notification, no clock: arrival smoothing). The DOT's
real-time rates stop at 60 Hz; its bytes at 200 Hz are a load test, not a device setting.

Reported:
* throughput: seconds of data handled per second of wall time, as fast as the pipeline goes;
* CPU share of one core while the notifications arrive at their real-time pace (process CPU time / wall time);
* latency from a notification's arrival to its samples reaching the live display (`on_block`, what SPEC §10's
  "< 50 ms to the angle on screen" is about) and to being committed to the database (the recorder commits every
  0.5 s: SPEC §9's "lose at most the last second").

Run: python benchmarks/bench_live.py [--seconds 60] [--realtime-seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from vqf import VQF

from sensors import Placement, profiles
from sensors.notification_log import LoggedDevice, LoggedNotification
from sensors.notification_source import NotificationSource
from sensors.pacing import Pacer
from sensors.simulator import Dose, SimOptions, simulate_session
from sensors.simulator.encode import encode_notifications
from sensors.source import SampleBlock, StreamGap
from tracker.domain import Side, Source
from tracker.recorder import RecordingStatus
from tracker.services import build_services
from tracker.storage.session_repository import NewSession

RATE_HZ = 200.0
HOST_START_S = 1_800_000_000.0
SENSORS = {Placement.LEFT_THIGH: ("movella-dot", "D4:22:CD:00:00:01"),
           Placement.RIGHT_THIGH: ("witmotion", "C0:00:00:00:00:02"),
           Placement.PELVIS: ("movella-dot", "D4:22:CD:00:00:03")}


def make_notifications(seconds: float) -> tuple[list[LoggedDevice], list[LoggedNotification]]:
    options = SimOptions(rate_hz=RATE_HZ, dose=Dose(ride_s=seconds), with_other_thigh=True, with_pelvis=True)
    sim = simulate_session("ride", "left", 3, options)
    devices, notes = [], []
    for placement, (profile, address) in SENSORS.items():
        devices.append(LoggedDevice(address, profile, placement, profile, RATE_HZ))
        notes += [LoggedNotification(HOST_START_S + n.time_s, address, profile, n.characteristic_uuid, n.payload)
                  for n in encode_notifications(profile, sim.streams[placement])]
    notes.sort(key=lambda n: n.host_time_s)
    return devices, notes


def bare_decode(devices: list[LoggedDevice], notes: list[LoggedNotification]) -> float:
    """CPU seconds the decoders alone need for every notification (the baseline)."""
    decoders = {d.address: profiles.get(d.profile).decoder() for d in devices}
    started = time.process_time()
    for note in notes:
        decoders[note.device].decode(note.characteristic, note.payload)
    return time.process_time() - started


class Probe:
    """Latency bookkeeping: when each notification arrived, when its samples were displayed and stored."""

    def __init__(self, placements: list[Placement]) -> None:
        self.sent = dict.fromkeys(placements, 0)
        self.to_display_s: list[float] = []
        self.to_storage_s: list[float] = []
        self._waiting_display: dict[Placement, deque[tuple[float, int]]] = {p: deque() for p in placements}
        self._waiting_storage: dict[Placement, deque[tuple[float, int]]] = {p: deque() for p in placements}
        self._shown = dict.fromkeys(placements, 0)
        self._orientation = {p: VQF(1 / RATE_HZ) for p in placements}

    def arrived(self, placement: Placement, samples: int) -> None:
        self.sent[placement] += samples
        entry = (time.perf_counter(), self.sent[placement])
        self._waiting_display[placement].append(entry)
        self._waiting_storage[placement].append(entry)

    def on_block(self, block: SampleBlock | StreamGap) -> None:
        if isinstance(block, StreamGap):
            return
        samples = block.samples
        self._orientation[block.placement].updateBatch(np.ascontiguousarray(samples.gyr_radps),
                                                       np.ascontiguousarray(samples.acc_mps2))
        self._shown[block.placement] += len(samples)
        _settle(self._waiting_display[block.placement], self._shown[block.placement], self.to_display_s)

    def on_progress(self, progress: RecordingStatus) -> None:
        for placement, waiting in self._waiting_storage.items():
            _settle(waiting, progress.samples_by_placement[str(placement)], self.to_storage_s)


def _settle(waiting: deque[tuple[float, int]], done_upto: int, latencies_s: list[float]) -> None:
    """Notifications whose samples are all through: their latency, now."""
    now = time.perf_counter()
    while waiting and waiting[0][1] <= done_upto:
        latencies_s.append(now - waiting.popleft()[0])


async def notification_stream(notes: list[LoggedNotification], realtime: bool, probe: Probe,
                              devices: dict[str, LoggedDevice]) -> AsyncIterator[LoggedNotification]:
    """The notifications as a radio delivers them: at their pace (stamped on arrival) or as fast as consumed."""
    pacer, start_host = Pacer(realtime, time.perf_counter), notes[0].host_time_s
    for note in notes:
        await pacer.wait_until(note.host_time_s - start_host)
        if realtime:
            note = LoggedNotification(time.time(), note.device, note.profile, note.characteristic, note.payload)
        probe.arrived(devices[note.device].placement, 1)          # every sensor here sends one sample a notification
        yield note


async def record(devices: list[LoggedDevice], notes: list[LoggedNotification], realtime: bool,
                 folder: Path) -> tuple[float, float, Probe]:
    """(wall s, CPU s, probe) of one recording through NotificationSource and the recorder into SQLite."""
    services = build_services(f"sqlite:///{folder / ('rt.db' if realtime else 'fast.db')}")
    probe = Probe([d.placement for d in devices])
    by_address = {d.address: d for d in devices}
    source = NotificationSource(devices, notification_stream(notes, realtime, probe, by_address))
    new = NewSession("ride", Side.LEFT, Source.BLE, datetime.now(UTC), "benchmark")
    wall, cpu = time.perf_counter(), time.process_time()
    await services.recorder.record(source, new, probe.on_progress, probe.on_block)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    services.close()
    return wall, cpu, probe


def percentiles(values: list[float], unit: Callable[[float], str]) -> str:
    p = np.percentile(values, [50, 95, 99, 100])
    return " / ".join(unit(v) for v in p)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="data for the throughput run")
    parser.add_argument("--realtime-seconds", type=float, default=20.0, help="length of the real-time run")
    args = parser.parse_args()
    devices, notes = make_notifications(args.seconds)
    data_s = notes[-1].host_time_s - notes[0].host_time_s
    print(f"{len(notes):,} notifications (one sample each), {data_s:.0f} s of 3 sensors × {RATE_HZ:.0f} Hz")

    decode_cpu = bare_decode(devices, notes)
    ms = lambda s: f"{s * 1e3:.1f} ms"  # noqa: E731
    with tempfile.TemporaryDirectory() as folder:
        wall, cpu, _ = asyncio.run(record(devices, notes, realtime=False, folder=Path(folder)))
        print(f"baseline, bare decode:        {decode_cpu / len(notes) * 1e6:6.1f} µs CPU per notification, "
              f"{data_s / decode_cpu:6.0f}x real time")
        print(f"full pipeline, as fast as it goes: {cpu / len(notes) * 1e6:6.1f} µs CPU per notification "
              f"({cpu / decode_cpu:.1f}x the baseline), {data_s / wall:.0f}x real time (wall)")
        rt_devices, rt_notes = make_notifications(args.realtime_seconds)
        wall, cpu, probe = asyncio.run(record(rt_devices, rt_notes, realtime=True, folder=Path(folder)))
    print(f"real-time pace, {args.realtime_seconds:.0f} s: CPU {cpu / wall:.1%} of one core "
          f"(the decoders alone would take {decode_cpu / data_s:.1%})")
    print(f"  notification → live display (on_block + VQF) p50/p95/p99/max: {percentiles(probe.to_display_s, ms)}")
    print(f"  notification → committed to SQLite        p50/p95/p99/max: {percentiles(probe.to_storage_s, ms)}")


if __name__ == "__main__":
    main()
