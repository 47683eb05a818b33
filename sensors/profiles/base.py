"""What every BLE IMU profile offers (SPEC §8): UUIDs, start/stop commands and a pure decoder.

Decoders are pure functions of bytes plus the state the protocol itself carries (e.g. Polar's
FACTOR from the start response): a fresh decoder per connection, `decode(uuid, payload)` returns an
`ImuBatch` or None, and a malformed payload raises `MalformedPacketError` — never a partial sample.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

STANDARD_GRAVITY_MPS2 = 9.80665


class MalformedPacketError(ValueError):
    """A notification that is not a valid frame of the profile; says which profile and why."""

    def __init__(self, profile: str, payload: bytes, problem: str) -> None:
        self.profile = profile
        self.payload = bytes(payload)
        self.problem = problem
        shown = self.payload[:24].hex(" ") + (" …" if len(self.payload) > 24 else "")
        super().__init__(f"{profile}: {problem} (payload {len(self.payload)} bytes: {shown})")


class UnknownProfileError(KeyError):
    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(f"unknown sensor profile {name!r}; known: {', '.join(sorted(known))}")


@dataclass(frozen=True, slots=True)
class ImuBatch:
    """Samples decoded from one notification, SI units, sensor frame (SPEC §8)."""

    acc_mps2: FloatArray | None = None          # (N, 3)
    gyr_radps: FloatArray | None = None         # (N, 3)
    mag_ut: FloatArray | None = None            # (N, 3)
    quat_wxyz: FloatArray | None = None         # (N, 4)
    device_time_s: FloatArray | None = None     # (N,)

    def __len__(self) -> int:
        for value in (self.acc_mps2, self.gyr_radps, self.mag_ut, self.quat_wxyz, self.device_time_s):
            if value is not None:
                return int(value.shape[0])
        return 0


class Decoder(Protocol):
    def decode(self, characteristic_uuid: str, payload: bytes) -> ImuBatch | None: ...


@dataclass(frozen=True, slots=True)
class Command:
    """One GATT write: to which characteristic, what bytes, with or without response."""

    characteristic_uuid: str
    payload: bytes
    response: bool = True


@dataclass(frozen=True, slots=True)
class SensorProfile:
    """A device family: what to look for, subscribe to and write, and how to decode it."""

    name: str
    service_uuid: str
    notify_uuids: tuple[str, ...]
    decoder_factory: Callable[..., Decoder]
    start_commands: tuple[Command, ...] = ()
    stop_commands: tuple[Command, ...] = ()
    name_patterns: tuple[str, ...] = ()
    """Substrings of the advertised name that identify the family when scanning."""
    default_rate_hz: float = 0.0
    battery_uuid: str | None = None
    notes: str = ""
    options: dict[str, Any] = field(default_factory=dict)

    def decoder(self, **options: Any) -> Decoder:
        """A fresh decoder for one connection (SPEC §8: decoder state never outlives it)."""
        return self.decoder_factory(**options)

    def matches_uuid(self, uuid: str) -> bool:
        return uuid.lower() in (u.lower() for u in self.notify_uuids)

    def same_characteristic(self, wanted: str, offered: str) -> bool:
        """Whether a device's `offered` characteristic is the profile's `wanted` one (exact UUID unless a
        family is known to use more than one UUID base)."""
        return wanted.lower() == offered.lower()
