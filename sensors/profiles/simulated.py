"""The simulated sensor as a device family: little-endian float32 frames of one sample each.

Why a byte format at all: `hiptrack record --simulate` then goes through the same path as a real
sensor (notification bytes → decoder → samples → recorder), and its raw notification log replays
exactly like a real device's.
"""

from __future__ import annotations

import numpy as np

from sensors.profiles.base import Advertisement, Encoder, ImuBatch, MalformedPacketError, Notification, SensorProfile
from sensors.samples import ImuSamples

SERVICE_UUID = "6869700a-0000-4000-8000-00000000a000"
DATA_UUID = "6869700a-0000-4000-8000-00000000a001"
"""Made-up 128-bit UUIDs (no real device uses them)."""

_FRAME = np.dtype([("time_s", "<f8"), ("acc", "<f4", 3), ("gyr", "<f4", 3)])


def encode(time_s: np.ndarray, acc_mps2: np.ndarray, gyr_radps: np.ndarray) -> bytes:
    """Samples → one notification payload (several frames)."""
    frames = np.zeros(len(time_s), dtype=_FRAME)
    frames["time_s"], frames["acc"], frames["gyr"] = time_s, acc_mps2, gyr_radps
    return frames.tobytes()


def encode_simulated(samples: ImuSamples, *, samples_per_notification: int = 5) -> list[Notification]:
    """The simulator's own format (float64 time, float32 acc and gyro), a few samples a notification."""
    notes = []
    for start in range(0, len(samples), samples_per_notification):
        block = samples.slice(start, start + samples_per_notification)
        notes.append(Notification(float(block.time_s[-1]), DATA_UUID, encode(block.time_s, block.acc_mps2,
                                                                             block.gyr_radps)))
    return notes


class SimulatedDecoder:
    def decode(self, characteristic_uuid: str, payload: bytes) -> ImuBatch | None:
        if characteristic_uuid.lower() != DATA_UUID:
            raise MalformedPacketError("simulated", payload, f"unexpected characteristic {characteristic_uuid}")
        if not payload or len(payload) % _FRAME.itemsize:
            raise MalformedPacketError("simulated", payload, f"length is not a multiple of {_FRAME.itemsize}")
        frames = np.frombuffer(payload, dtype=_FRAME)
        if not (np.isfinite(frames["time_s"]).all() and np.isfinite(frames["acc"]).all()
                and np.isfinite(frames["gyr"]).all()):
            raise MalformedPacketError("simulated", payload, "non-finite value")
        return ImuBatch(acc_mps2=frames["acc"].astype(float), gyr_radps=frames["gyr"].astype(float),
                        device_time_s=frames["time_s"].astype(float))


PROFILE = SensorProfile(
    name="simulated", service_uuid=SERVICE_UUID, notify_uuids=(DATA_UUID,), decoder_factory=SimulatedDecoder,
    name_patterns=("hiptrack-sim",), default_rate_hz=100.0, display_name="Simulated sensor",
    advertisement=Advertisement("hiptrack-sim"), encoder=Encoder(encode_simulated),
    notes="Physics-based simulator (sensors.simulator); float32 acc m/s², gyr rad/s with a float64 time.")
