"""The simulator as a sample source: the same interface a BLE sensor offers the recorder."""

from __future__ import annotations

from sensors.simulator.session import SimulatedSession
from sensors.source import ArraySource, StreamSpec

SIMULATED_PROFILE = "simulated"


def simulated_source(session: SimulatedSession, realtime: bool = False, block_s: float = 0.05) -> ArraySource:
    """Stream a simulated session; in real time each block arrives when a real sensor would send it."""
    specs = tuple(
        StreamSpec(placement=placement, rate_hz=session.rate_hz, device_address=f"simulated:{placement}",
                   device_name=f"Simulated IMU ({placement.replace('_', ' ')})", profile=SIMULATED_PROFILE,
                   has_mag=samples.has_mag)
        for placement, samples in session.streams.items()
    )
    return ArraySource(specs, session.streams, block_s=block_s, realtime=realtime)
