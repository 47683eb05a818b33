"""Movella (Xsens) DOT measurement service: payload modes, start/stop, output rate and battery (SPEC §8).

Sources (read for facts, no code copied):

* *Movella DOT BLE Service Specification*, document XD0506P rev C (July 2023): base UUID (§1.1), little-endian
  (§1.3), device-control structure (Table 7: visit-index bit b4 = output rate, u16 rate at offset 24, real-time rates
  1/4/10/12/15/20/30/60 Hz, 120 Hz recording only), control characteristic `[type=1, action, payload mode]` (Table 13),
  long/medium/short payload layouts (Tables 14-16; unused bytes are 0x00), field formats (Table 17: u32 µs timestamp,
  float32 w,x,y,z quaternion, float32 m/s² acceleration, float32 deg/s angular velocity, int16 fixed-point magnetic
  field in arbitrary units) and the battery characteristic `[level %, charging 0/1]` (Table 21).
* Official example ``xsens/xsens_dot_server`` ``bleHandler.js``: the same field offsets for rate quantities (with mag)
  and custom modes 1-3, magnetic field divided by 2¹², timestamps unwrapped across the u32 rollover.
* /work/shared/protocols.md §3 (the product's digest of the above).

A DOT sends one sample per notification, on the payload characteristic that matches the payload mode chosen at start.
It advertises as "Movella DOT" (firmware 2.x; "Xsens DOT" before), which is what ``xsens_dot_server`` matches on.
The simulator's encoder (``encode_movella_dot``) writes its own field layouts from protocols.md §3, not the decoder's,
so that the round-trip test compares two readings of the document.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from sensors.profiles._encoding import split
from sensors.profiles.base import (
    Advertisement,
    Battery,
    Command,
    Encoder,
    FloatArray,
    ImuBatch,
    MalformedPacketError,
    Notification,
    SensorProfile,
)
from sensors.samples import ImuSamples

PROFILE_NAME = "movella-dot"


def dot_uuid(short: int) -> str:
    """The 128-bit UUID of a DOT attribute from its 16-bit short form (spec §1.1)."""
    return f"1517{short:04x}-4947-11e9-8646-d663bd873d93"


MEASUREMENT_SERVICE_UUID = dot_uuid(0x2000)
CONTROL_UUID = dot_uuid(0x2001)
LONG_PAYLOAD_UUID = dot_uuid(0x2002)
MEDIUM_PAYLOAD_UUID = dot_uuid(0x2003)
SHORT_PAYLOAD_UUID = dot_uuid(0x2004)
DEVICE_CONTROL_UUID = dot_uuid(0x1002)
BATTERY_SERVICE_UUID = dot_uuid(0x3000)
BATTERY_UUID = dot_uuid(0x3001)

_PAYLOAD_CAPACITY_BYTES = {LONG_PAYLOAD_UUID: 63, MEDIUM_PAYLOAD_UUID: 40, SHORT_PAYLOAD_UUID: 20}
_CHARACTERISTIC_NAMES = {LONG_PAYLOAD_UUID: "long payload 0x2002", MEDIUM_PAYLOAD_UUID: "medium payload 0x2003",
                         SHORT_PAYLOAD_UUID: "short payload 0x2004", BATTERY_UUID: "battery 0x3001"}

REALTIME_RATES_HZ = (1, 4, 10, 12, 15, 20, 30, 60)
DEFAULT_RATE_HZ = 60
DEFAULT_PAYLOAD_MODE = 26
MAG_AU_PER_LSB = 1.0 / 2**12
"""The official server divides the int16 magnetic field by 2¹²; the result is in arbitrary units, not µT."""

_SPIKE_US = 1_000_000
"""A step of the µs clock larger than this (60 samples at the slowest rate) is a gap or a corrupt stamp."""
_TICK_MODULUS = 2**32
_SDK_ONLY_MODES = {1: "High Fidelity (with mag)", 17: "High Fidelity", 25: "Custom mode 4"}


@dataclass(frozen=True, slots=True)
class PayloadLayout:
    """Where each field of one payload mode sits in its notification (spec Tables 14-17, offsets from byte 0)."""

    mode: int
    name: str
    characteristic_uuid: str
    data_bytes: int
    """Bytes that carry data; the characteristic value is longer and zero-padded."""
    quat_offset: int | None = None
    euler_offset: int | None = None
    acc_offset: int | None = None
    free_acc_offset: int | None = None
    gyr_offset: int | None = None
    mag_offset: int | None = None


_LONG, _MEDIUM, _SHORT = LONG_PAYLOAD_UUID, MEDIUM_PAYLOAD_UUID, SHORT_PAYLOAD_UUID

LAYOUTS: dict[int, PayloadLayout] = {layout.mode: layout for layout in (
    PayloadLayout(2, "Extended (Quaternion)", _MEDIUM, 36, quat_offset=4, free_acc_offset=20),
    PayloadLayout(3, "Complete (Quaternion)", _MEDIUM, 32, quat_offset=4, free_acc_offset=20),
    PayloadLayout(4, "Orientation (Euler)", _SHORT, 16, euler_offset=4),
    PayloadLayout(5, "Orientation (Quaternion)", _SHORT, 20, quat_offset=4),
    PayloadLayout(6, "Free acceleration", _SHORT, 16, free_acc_offset=4),
    PayloadLayout(7, "Extended (Euler)", _MEDIUM, 32, euler_offset=4, free_acc_offset=16),
    PayloadLayout(16, "Complete (Euler)", _MEDIUM, 28, euler_offset=4, free_acc_offset=16),
    PayloadLayout(20, "Rate quantities (with mag)", _MEDIUM, 34, acc_offset=4, gyr_offset=16, mag_offset=28),
    PayloadLayout(21, "Rate quantities", _MEDIUM, 28, acc_offset=4, gyr_offset=16),
    PayloadLayout(22, "Custom mode 1", _MEDIUM, 40, euler_offset=4, free_acc_offset=16, gyr_offset=28),
    PayloadLayout(23, "Custom mode 2", _MEDIUM, 34, euler_offset=4, free_acc_offset=16, mag_offset=28),
    PayloadLayout(24, "Custom mode 3", _MEDIUM, 32, quat_offset=4, gyr_offset=20),
    PayloadLayout(26, "Custom mode 5", _LONG, 44, quat_offset=4, acc_offset=20, gyr_offset=32),
)}
"""Supported payload modes. Status and clipping counts (modes 2 and 7) are not decoded."""

_FLOAT_WORDS = {layout.mode: max((offset - 4) // 4 + count for offset, count in (
    (layout.quat_offset, 4), (layout.euler_offset, 3), (layout.acc_offset, 3), (layout.free_acc_offset, 3),
    (layout.gyr_offset, 3)) if offset is not None) for layout in LAYOUTS.values()}
"""float32 words from byte 4 to the end of the last float field, per mode (the int16 magnetic field is not one)."""


def layout_for(payload_mode: int) -> PayloadLayout:
    """The layout of `payload_mode`; a mode this profile cannot parse is a ValueError naming the supported ones."""
    try:
        return LAYOUTS[payload_mode]
    except KeyError:
        supported = ", ".join(f"{mode} {layout.name}" for mode, layout in sorted(LAYOUTS.items()))
        why = f" ({_SDK_ONLY_MODES[payload_mode]} can only be parsed by Movella's SDK)" \
            if payload_mode in _SDK_ONLY_MODES else ""
        raise ValueError(f"{PROFILE_NAME}: payload mode {payload_mode!r} is not supported{why}; "
                         f"supported modes: {supported}") from None


@dataclass(frozen=True, slots=True)
class DotImuBatch(ImuBatch):
    """An ImuBatch plus the DOT outputs that are not sensor-frame IMU quantities.

    ``mag_ut`` (payload modes 20 and 23) holds the DOT magnetic field divided by 2¹² as the official server does. It is
    in **arbitrary units, not µT**: only its direction (and relative size) is meaningful.
    """

    free_acc_mps2: FloatArray | None = None
    """(N, 3) acceleration in the local earth frame with gravity removed (not a sensor-frame accelerometer reading)."""
    euler_xyz_deg: FloatArray | None = None
    """(N, 3) orientation as Euler angles x, y, z in degrees, as the sensor reports them."""


@dataclass(frozen=True, slots=True)
class DotBattery:
    """The battery characteristic (0x3001) value."""

    level_pct: int
    charging: bool


class MovellaDotDecoder:
    """Decodes one connection's payload notifications for one payload mode.

    State: the last u32 µs timestamp, so the 71.6-minute rollover is unwrapped across notifications. A step of less
    than half the u32 range backwards is taken as a step back, not as a wrap (serial-number arithmetic).
    """

    def __init__(self, payload_mode: int = DEFAULT_PAYLOAD_MODE) -> None:
        self.layout = layout_for(payload_mode)
        self._last_tick_us: int | None = None
        self._time_us = 0
        self._before: tuple[int, int] | None = None
        """(tick, time) of the sample before the last: where the clock goes on if the last stamp was corrupt."""

    def decode(self, characteristic_uuid: str, payload: bytes) -> ImuBatch | None:
        """One notification → a one-sample batch; a battery notification → None; anything else malformed raises."""
        uuid = characteristic_uuid.lower()
        if uuid == BATTERY_UUID:
            parse_battery(payload)
            return None
        self._check_characteristic(uuid, payload)
        tick_us = int.from_bytes(payload[0:4], "little")
        return _decode_fields(self.layout, payload, self._advance_clock(tick_us))

    def _check_characteristic(self, uuid: str, payload: bytes) -> None:
        layout = self.layout
        if uuid != layout.characteristic_uuid:
            where = _CHARACTERISTIC_NAMES.get(uuid, f"characteristic {uuid}")
            expected = _CHARACTERISTIC_NAMES[layout.characteristic_uuid]
            raise MalformedPacketError(PROFILE_NAME, payload, f"notification on {where}, but payload mode "
                                       f"{layout.mode} ({layout.name}) streams on {expected}")
        if len(payload) < layout.data_bytes:
            raise MalformedPacketError(PROFILE_NAME, payload, f"payload mode {layout.mode} needs {layout.data_bytes} "
                                       f"data bytes, got {len(payload)}")
        capacity = _PAYLOAD_CAPACITY_BYTES[uuid]
        if len(payload) > capacity:
            raise MalformedPacketError(PROFILE_NAME, payload, f"longer than the {capacity}-byte characteristic value")

    def _advance_clock(self, tick_us: int) -> float:
        """Unwrap the u32 µs tick into seconds since this connection's first sample's tick origin.

        A stamp that leapt (more than `_SPIKE_US`) and is followed by one that goes on from the stamp
        before it was corrupt: the clock goes on from that earlier stamp. Without this, a corrupt stamp
        near half the u32 range moves every later sample by 2³² µs (71.6 minutes), and the recording
        after it is lost as out of order.
        """
        if self._last_tick_us is None:
            self._time_us = tick_us
        else:
            step_us = _serial_step(tick_us, self._last_tick_us)
            before = self._before
            if before is not None and abs(step_us) > _SPIKE_US and \
                    0 < _serial_step(tick_us, before[0]) <= _SPIKE_US and abs(self._time_us - before[1]) > _SPIKE_US:
                self._time_us = before[1] + _serial_step(tick_us, before[0])
            else:
                self._before = (self._last_tick_us, self._time_us)
                self._time_us += step_us
        self._last_tick_us = tick_us
        return self._time_us * 1e-6


def _serial_step(tick_us: int, earlier_tick_us: int) -> int:
    """Microseconds from one u32 tick to the next; a step of over half the range backwards is a wrap forwards."""
    step_us = (tick_us - earlier_tick_us) % _TICK_MODULUS
    return step_us - _TICK_MODULUS if step_us >= _TICK_MODULUS // 2 else step_us


def _decode_fields(layout: PayloadLayout, payload: bytes, device_time_s: float) -> DotImuBatch:
    # Every float field sits on the 4-byte grid after the timestamp: read them all at once (one array per
    # notification, 600 notifications a second for three sensors) and take each field as a view.
    words = np.frombuffer(payload, dtype="<f4", count=_FLOAT_WORDS[layout.mode], offset=4).astype(np.float64)

    def _floats(offset: int | None, count: int) -> FloatArray | None:
        if offset is None:
            return None
        start = (offset - 4) // 4
        return words[start:start + count].reshape(1, count)

    gyr_dps = _floats(layout.gyr_offset, 3)
    mag_au = None
    if layout.mag_offset is not None:
        raw = np.frombuffer(payload, dtype="<i2", count=3, offset=layout.mag_offset)
        mag_au = raw.astype(np.float64).reshape(1, 3) * MAG_AU_PER_LSB
    return DotImuBatch(
        acc_mps2=_floats(layout.acc_offset, 3),
        gyr_radps=None if gyr_dps is None else np.deg2rad(gyr_dps),
        mag_ut=mag_au,
        quat_wxyz=_floats(layout.quat_offset, 4),
        device_time_s=np.array([device_time_s], dtype=np.float64),
        free_acc_mps2=_floats(layout.free_acc_offset, 3),
        euler_xyz_deg=_floats(layout.euler_offset, 3),
    )


def parse_battery(payload: bytes) -> DotBattery:
    """Parse the 2-byte battery characteristic `[level %, charging 0/1]` (spec Table 21)."""
    if len(payload) != 2:
        raise MalformedPacketError(PROFILE_NAME, payload, f"battery value must be 2 bytes, got {len(payload)}")
    level_pct, charging = payload[0], payload[1]
    if level_pct > 100 or charging > 1:
        raise MalformedPacketError(PROFILE_NAME, payload, f"battery level {level_pct} % / charging {charging} "
                                   "out of range (0-100 %, 0/1)")
    return DotBattery(level_pct=level_pct, charging=bool(charging))


def start_command(payload_mode: int = DEFAULT_PAYLOAD_MODE) -> Command:
    """`01 01 <mode>` to the control characteristic: start real-time streaming in `payload_mode`."""
    return Command(CONTROL_UUID, bytes([0x01, 0x01, layout_for(payload_mode).mode]), response=True)


def stop_command(payload_mode: int = DEFAULT_PAYLOAD_MODE) -> Command:
    """`01 00 <mode>` to the control characteristic: stop streaming."""
    return Command(CONTROL_UUID, bytes([0x01, 0x00, layout_for(payload_mode).mode]), response=True)


def rate_command(rate_hz: int) -> Command:
    """The 32-byte device-control write that sets the output rate (visit-index bit b4, u16 rate at offset 24).

    Write it before starting: the rate cannot change while measuring.
    """
    if rate_hz not in REALTIME_RATES_HZ:
        rates = ", ".join(str(rate) for rate in REALTIME_RATES_HZ)
        raise ValueError(f"{PROFILE_NAME}: output rate {rate_hz!r} Hz is not a real-time rate ({rates} Hz; "
                         "120 Hz is recording-only)")
    value = bytearray(32)
    value[0] = 0x10
    value[24:26] = int(rate_hz).to_bytes(2, "little")
    return Command(DEVICE_CONTROL_UUID, bytes(value), response=True)


def profile_for_payload_mode(payload_mode: int, rate_hz: int = DEFAULT_RATE_HZ) -> SensorProfile:
    """PROFILE with start/stop commands and decoder options for another payload mode or rate."""
    return dataclasses.replace(
        PROFILE, start_commands=(rate_command(rate_hz), start_command(payload_mode)),
        stop_commands=(stop_command(payload_mode),), default_rate_hz=float(rate_hz),
        options={"payload_mode": payload_mode})


def _rate_commands(rate_hz: float) -> tuple[Command, ...]:
    if rate_hz != int(rate_hz):
        raise ValueError(f"{PROFILE_NAME}: output rate {rate_hz!r} Hz is not a whole number of Hz")
    return rate_command(int(rate_hz)), start_command(DEFAULT_PAYLOAD_MODE)


DOT_PAYLOAD_MODES = (21, 26)
"""Modes the simulator encodes: 21 Rate quantities (medium payload, 40 bytes); 26 Custom mode 5 (long, 63 bytes)."""
_ENCODE_FORMATS: dict[int, tuple[str, np.dtype[Any]]] = {
    21: (MEDIUM_PAYLOAD_UUID, np.dtype({"names": ["timestamp", "acc", "gyr"],
                                        "formats": ["<u4", ("<f4", (3,)), ("<f4", (3,))],
                                        "offsets": [0, 4, 16], "itemsize": 40})),
    26: (LONG_PAYLOAD_UUID, np.dtype({"names": ["timestamp", "quat", "acc", "gyr"],
                                      "formats": ["<u4", ("<f4", (4,)), ("<f4", (3,)), ("<f4", (3,))],
                                      "offsets": [0, 4, 20, 32], "itemsize": 63})),
}


def encode_movella_dot(samples: ImuSamples, *, payload_mode: int = 26, start_us: int | None = None,
                       quat_wxyz: FloatArray | None = None) -> list[Notification]:
    """One sample per notification in payload mode 21 (rate quantities) or 26 (custom mode 5), zero-padded.

    Timestamp: u32 µs tick ``(start_us + round((t − t₀)·1e6)) mod 2³²``; `start_us` defaults to the first sample's
    time in µs (mod 2³²), so an unwrapping decoder recovers `time_s`. Acceleration float32 m/s², angular velocity
    float32 °/s; mode 26's quaternion is `quat_wxyz` ((N, 4), w first) or identity.
    """
    if payload_mode not in _ENCODE_FORMATS:
        raise ValueError(f"movella-dot payload mode {payload_mode!r} cannot be encoded; supported: "
                         f"{', '.join(map(str, DOT_PAYLOAD_MODES))}")
    uuid, record = _ENCODE_FORMATS[payload_mode]
    time_s = samples.time_s
    first_us = round(float(time_s[0]) * 1e6) % _TICK_MODULUS if start_us is None else start_us
    if not 0 <= first_us < _TICK_MODULUS:
        raise ValueError(f"start_us must be a u32 tick (0 ≤ start_us < 2³²), got {first_us}")
    elapsed_us = np.rint((time_s - time_s[0]) * 1e6).astype(np.int64)
    payloads = np.zeros(len(samples), dtype=record)
    payloads["timestamp"] = (first_us + elapsed_us) % _TICK_MODULUS
    payloads["acc"] = samples.acc_mps2
    payloads["gyr"] = np.rad2deg(samples.gyr_radps)
    if payload_mode == 26:
        if quat_wxyz is None:
            payloads["quat"] = (1.0, 0.0, 0.0, 0.0)
        elif np.shape(quat_wxyz) != (len(samples), 4):
            raise ValueError(f"quat_wxyz must have shape ({len(samples)}, 4), got {np.shape(quat_wxyz)}")
        else:
            payloads["quat"] = quat_wxyz
    elif quat_wxyz is not None:
        raise ValueError("quat_wxyz is only carried by payload mode 26")
    return split(payloads.tobytes(), record.itemsize, time_s, 1, uuid)


def _encoded_decoder_options(samples: ImuSamples, options: Mapping[str, Any]) -> dict[str, Any]:
    """The decoder must know the payload mode the encoder used."""
    return {"payload_mode": int(options.get("payload_mode", DEFAULT_PAYLOAD_MODE))}


PROFILE = SensorProfile(
    name=PROFILE_NAME,
    service_uuid=MEASUREMENT_SERVICE_UUID,
    notify_uuids=(LONG_PAYLOAD_UUID, MEDIUM_PAYLOAD_UUID, SHORT_PAYLOAD_UUID),
    decoder_factory=MovellaDotDecoder,
    start_commands=(rate_command(DEFAULT_RATE_HZ), start_command(DEFAULT_PAYLOAD_MODE)),
    stop_commands=(stop_command(DEFAULT_PAYLOAD_MODE),),
    name_patterns=("Movella DOT", "Xsens DOT"),
    default_rate_hz=float(DEFAULT_RATE_HZ),
    battery=Battery(BATTERY_UUID, BATTERY_SERVICE_UUID, value_suffix=b"\x00"),   # [level %, charging 0/1]
    display_name="Movella DOT",
    advertisement=Advertisement("Movella DOT"),
    encoder=Encoder(encode_movella_dot, _encoded_decoder_options),
    rate_commands=_rate_commands,
    notes="Default payload mode 26 (custom mode 5: quaternion, acceleration, angular velocity) at 60 Hz; "
          "decoder(payload_mode=N) for others. Magnetic field is in arbitrary units, not µT.",
    options={"payload_mode": DEFAULT_PAYLOAD_MODE},
)
