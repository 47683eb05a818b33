"""What every BLE IMU profile offers (SPEC §8): everything the rest of hiptrack needs to know about a family.

A profile is the family's whole description: what to subscribe to, how it advertises (scan matching), how to decode
and, for the simulator, encode its bytes, which commands start, stop and set the rate, how to read its battery, and
whether it has a clock of its own. Nothing outside the family's module branches on a family name.

Decoders are pure functions of bytes plus the state the protocol itself carries (e.g. Polar's
FACTOR from the start response): a fresh decoder per connection, `decode(uuid, payload)` returns an
`ImuBatch` or None, and a malformed payload raises `MalformedPacketError` — never a partial sample.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from sensors.samples import ImuSamples

FloatArray = NDArray[np.float64]

STANDARD_GRAVITY_MPS2 = 9.80665


def sig_uuid(short: int) -> str:
    """A 16-bit Bluetooth SIG UUID in the 128-bit form bleak reports."""
    return f"0000{short:04x}-0000-1000-8000-00805f9b34fb"


BATTERY_LEVEL_UUID = sig_uuid(0x2A19)
"""The standard GATT Battery Level characteristic (one byte, percent); the one place this UUID is written."""
BATTERY_SERVICE_UUID = sig_uuid(0x180F)


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


class Clock(StrEnum):
    """Where sample times come from."""

    DEVICE = "device"
    """The protocol carries a device timestamp: samples are timed by it (aligned to the host clock once)."""
    ARRIVAL = "arrival"
    """No device timestamp (WitMotion, Thingy:52): samples are timed by smoothed host arrival times."""


@dataclass(frozen=True, slots=True)
class Advertisement:
    """What a typical unit of a family puts in its advertisement (scan matching, and what a replayed unit sends)."""

    local_name: str
    service_uuids: tuple[str, ...] = ()
    manufacturer_data: dict[int, bytes] = field(default_factory=dict)
    tx_power: int | None = None
    identifying_uuids: tuple[str, ...] = ()
    """Advertised service UUIDs that belong to this family alone (safe to match on)."""


@dataclass(frozen=True, slots=True)
class Battery:
    """A battery level readable over GATT: the standard Battery Service unless the family has its own."""

    characteristic_uuid: str = BATTERY_LEVEL_UUID
    service_uuid: str = BATTERY_SERVICE_UUID
    value_suffix: bytes = b""
    """What follows the level byte in the characteristic's value (Movella DOT: the charging flag)."""


GATT_BATTERY = Battery()


@dataclass(frozen=True, slots=True)
class Notification:
    """One BLE notification: host arrival time (s, the time of the last sample it carries), characteristic, bytes."""

    time_s: float
    characteristic_uuid: str
    payload: bytes


def _no_decoder_options(samples: ImuSamples, options: Mapping[str, Any]) -> dict[str, Any]:
    return {}


@dataclass(frozen=True, slots=True)
class Encoder:
    """The bytes the simulator speaks for a family: samples → the notifications a unit would send."""

    encode: Callable[..., list[Notification]]
    """`encode(samples, **options)`; an unknown option is a TypeError."""
    decoder_options: Callable[[ImuSamples, Mapping[str, Any]], dict[str, Any]] = _no_decoder_options
    """Options for `profile.decoder(...)` that match an encoding made with the given encode options."""


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
    battery: Battery | None = None
    """How to read the battery over GATT; None when the family has no GATT battery level."""
    notes: str = ""
    options: dict[str, Any] = field(default_factory=dict)
    display_name: str = ""
    """What people call the family ("Movella DOT"); the profile name when empty."""
    advertisement: Advertisement | None = None
    """How a typical unit advertises; None: matched by `name_patterns` alone."""
    encoder: Encoder | None = None
    """The family's bytes for the simulator; None: the simulator cannot speak it."""
    rate_commands: Callable[[float], tuple[Command, ...]] | None = None
    """Start commands that make a unit stream at `rate_hz` (raises ValueError for a rate it cannot do)."""
    live_rate_hz: float | None = None
    """The rate a live recording asks for, when the unit's own default is too slow for hip angles."""
    command_gap_s: float = 0.0
    """Pause between consecutive start commands (WitMotion: unlock, write and save about 0.1 s apart)."""
    clock: Clock = Clock.DEVICE

    def decoder(self, **options: Any) -> Decoder:
        """A fresh decoder for one connection (SPEC §8: decoder state never outlives it)."""
        return self.decoder_factory(**options)

    @property
    def battery_uuid(self) -> str | None:
        return self.battery.characteristic_uuid if self.battery else None

    @property
    def title(self) -> str:
        return self.display_name or self.name

    @property
    def usual_name(self) -> str:
        """The name a unit of this family usually advertises."""
        return self.advertisement.local_name if self.advertisement else self.name

    @property
    def command_uuids(self) -> tuple[str, ...]:
        """Every characteristic the profile writes to: start, stop and rate commands."""
        commands = [*self.start_commands, *self.stop_commands]
        if self.rate_commands is not None and self.default_rate_hz > 0:
            commands += self.rate_commands(self.default_rate_hz)
        return tuple(dict.fromkeys(c.characteristic_uuid.lower() for c in commands))

    def at_rate(self, rate_hz: float) -> SensorProfile:
        """This profile with start commands for `rate_hz`; ValueError if the family's rate cannot be set."""
        if self.rate_commands is None:
            raise ValueError(f"{self.name}: the output rate cannot be set")
        return dataclasses.replace(self, start_commands=self.rate_commands(rate_hz), default_rate_hz=float(rate_hz))

    def for_live_recording(self) -> SensorProfile:
        """The profile as a live recording uses it: at `live_rate_hz` where the family sets one."""
        return self.at_rate(self.live_rate_hz) if self.live_rate_hz else self

    def matches_uuid(self, uuid: str) -> bool:
        return uuid.lower() in (u.lower() for u in self.notify_uuids)

    def same_characteristic(self, wanted: str, offered: str) -> bool:
        """Whether a device's `offered` characteristic is the profile's `wanted` one (exact UUID unless a
        family is known to use more than one UUID base)."""
        return wanted.lower() == offered.lower()
