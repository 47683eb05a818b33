"""The simulator as a device: its samples as `simulated`-profile notifications, live or fast."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

from sensors.notification_log import LoggedDevice, LoggedNotification
from sensors.profiles import simulated
from sensors.simulator.session import SimulatedSession

SAMPLES_PER_NOTIFICATION = 5


def simulated_devices(session: SimulatedSession) -> list[LoggedDevice]:
    return [LoggedDevice(f"sim:{placement}", "simulated", placement, f"Simulated IMU ({placement})", session.rate_hz)
            for placement in session.streams]


async def simulated_notifications(session: SimulatedSession, realtime: bool = True,
                                  host_start_s: float | None = None) -> AsyncIterator[LoggedNotification]:
    """Notifications of every simulated stream in time order; in real time each arrives when a
    sensor would have sent it (its last sample's time)."""
    host_start = time.time() if host_start_s is None else host_start_s
    wall_start = time.monotonic()
    first = min(float(s.time_s[0]) for s in session.streams.values())
    batches = []
    for placement, samples in session.streams.items():
        for start in range(0, len(samples), SAMPLES_PER_NOTIFICATION):
            block = samples.slice(start, start + SAMPLES_PER_NOTIFICATION)
            batches.append((float(block.time_s[-1]), f"sim:{placement}",
                            simulated.encode(block.time_s, block.acc_mps2, block.gyr_radps)))
    batches.sort(key=lambda b: b[0])
    for sent_s, device, payload in batches:
        if realtime:
            await asyncio.sleep(max(0.0, (sent_s - first) - (time.monotonic() - wall_start)))
        else:
            await asyncio.sleep(0)
        yield LoggedNotification(host_start + sent_s - first, device, "simulated", simulated.DATA_UUID, payload)
