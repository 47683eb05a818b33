"""Sample sources: BLE device profiles, replayed logs and the physics-based simulator.

Everything here produces :class:`sensors.samples.ImuSamples` in SI units (sensor frame) and knows
nothing about storage, analysis or the UI.
"""

from sensors.profiles.base import ImuBatch, MalformedPacketError
from sensors.samples import ImuSamples, Placement

__all__ = ["ImuBatch", "ImuSamples", "MalformedPacketError", "Placement"]
