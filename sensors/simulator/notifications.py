"""The simulator as a device: its samples as notifications in any profile's bytes, live or fast.

With profile="witmotion" (or movella-dot, thingy52, polar-verity) a simulated session produces
exactly what such a sensor would send, so the real decoders and the whole recording path run.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

from sensors.notification_log import LoggedDevice, LoggedNotification
from sensors.pacing import Pacer
from sensors.simulator.encode import encode_notifications
from sensors.simulator.session import SimulatedSession


def simulated_devices(session: SimulatedSession, profile: str = "simulated") -> list[LoggedDevice]:
    return [LoggedDevice(f"sim:{placement}", profile, placement, f"Simulated IMU ({placement})", session.rate_hz)
            for placement in session.streams]


async def simulated_notifications(session: SimulatedSession, realtime: bool = True, profile: str = "simulated",
                                  host_start_s: float | None = None) -> AsyncIterator[LoggedNotification]:
    """Notifications of every simulated stream in time order; in real time each arrives when a
    sensor would have sent it (its last sample's time)."""
    host_start = time.time() if host_start_s is None else host_start_s
    pacer = Pacer(realtime)
    first = min(float(s.time_s[0]) for s in session.streams.values())
    notes = sorted(((n.time_s, f"sim:{placement}", n.characteristic_uuid, n.payload)
                    for placement, samples in session.streams.items()
                    for n in encode_notifications(profile, samples)), key=lambda n: n[0])
    for sent_s, device, characteristic, payload in notes:
        await pacer.wait_until(sent_s - first)
        yield LoggedNotification(host_start + sent_s - first, device, profile, characteristic, payload)
