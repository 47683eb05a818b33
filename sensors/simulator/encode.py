"""Encode simulated IMU samples as the BLE notifications a real device of each profile would send.

Why: a simulated session, and a replayed log of one, should reach the tracker the way a live sensor does — bytes
notified on a characteristic and turned into samples by the profile's real decoder (``sensors/profiles``) — so that
replays exercise the decoders' framing, scaling, clipping and timestamp handling instead of a side door that hands
over floats. The simulator therefore speaks each device's own byte format (layouts: /work/shared/protocols.md
§2 WitMotion, §3 Movella DOT, §4 Thingy:52, §6 Polar Verity Sense PMD).

Scales and field layouts are written here from that document, not imported from the decoders, so that
``tests/test_encode.py`` (encode → real decoder → compare with the original samples) checks two independent
readings of the spec against each other. Only characteristic UUIDs and profile names come from the profile modules.

Every notification carries whole samples; ``Notification.time_s`` is its host arrival time, taken as the time of
the last sample it carries (Polar's control-point start responses, which carry none, arrive at the first sample's
time, before any data). Integer formats round to the nearest count and saturate at the int16 limits, as a sensor
clips at full scale. Encoding is vectorised with numpy structured arrays; only notifications (and Polar delta blocks)
are looped over.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sensors.profiles import UnknownProfileError
from sensors.profiles import movella_dot as _dot
from sensors.profiles import polar_verity as _polar
from sensors.profiles import simulated as _sim
from sensors.profiles import thingy52 as _thingy
from sensors.profiles import witmotion as _wit
from sensors.samples import FloatArray, ImuSamples

STANDARD_GRAVITY_MPS2 = 9.80665
"""protocols.md §0: acc_mps2 = acc_g * 9.80665."""

_INT16_MIN, _INT16_MAX = -32768, 32767

# --- WitMotion 0x55 0x61 (protocols.md §2) --------------------------------------------------------------------------
WITMOTION_FRAME_BYTES = 20
WITMOTION_ACC_G_PER_LSB = 16.0 / 32768.0
WITMOTION_GYR_DPS_PER_LSB = 2000.0 / 32768.0
_WITMOTION_FRAME = np.dtype([("header", "u1"), ("flag", "u1"), ("acc", "<i2", (3,)), ("gyr", "<i2", (3,)),
                             ("angle", "<i2", (3,))])

# --- Movella DOT (protocols.md §3; spec XD0506P Tables 14-17) -------------------------------------------------------
DOT_TICK_MODULUS = 2**32
DOT_PAYLOAD_MODES = (21, 26)
"""21 Rate quantities (medium payload, 40 bytes); 26 Custom mode 5 (long payload, 63 bytes)."""
_DOT_FORMATS: dict[int, tuple[str, np.dtype[Any]]] = {
    21: (_dot.MEDIUM_PAYLOAD_UUID, np.dtype({"names": ["timestamp", "acc", "gyr"],
                                             "formats": ["<u4", ("<f4", (3,)), ("<f4", (3,))],
                                             "offsets": [0, 4, 16], "itemsize": 40})),
    26: (_dot.LONG_PAYLOAD_UUID, np.dtype({"names": ["timestamp", "quat", "acc", "gyr"],
                                           "formats": ["<u4", ("<f4", (4,)), ("<f4", (3,)), ("<f4", (3,))],
                                           "offsets": [0, 4, 20, 32], "itemsize": 63})),
}

# --- Thingy:52 raw data 0406 (protocols.md §4) ----------------------------------------------------------------------
THINGY_ACC_G_PER_LSB = 1.0 / 1024.0        # Q6.10 g
THINGY_GYR_DPS_PER_LSB = 1.0 / 32.0        # Q11.5 °/s
THINGY_MAG_UT_PER_LSB = 1.0 / 16.0         # Q12.4 µT
_THINGY_RAW = np.dtype([("acc", "<i2", (3,)), ("gyr", "<i2", (3,)), ("mag", "<i2", (3,))])

# --- Polar Verity Sense PMD (protocols.md §6) -----------------------------------------------------------------------
POLAR_ACC_FACTOR_G = 2.44e-4
"""G per count, as in the Polar SDK tests (start response ``f0 02 02 00 00 05 01 40da7f39``)."""
POLAR_GYRO_FACTOR_DPS = 0.07
"""°/s per count, as in the Polar SDK tests."""
POLAR_SAMPLES_PER_FRAME = 36
POLAR_TIME_ZERO_NS = int((datetime(2024, 1, 1, tzinfo=UTC) - datetime(2000, 1, 1, tzinfo=UTC)).total_seconds()) * 10**9
"""Device clock (ns since 2000-01-01T00:00:00Z) at sample time 0: 2024-01-01T00:00:00Z."""
_PMD_RESPONSE, _PMD_OP_START, _PMD_SETTING_FACTOR = 0xF0, 0x02, 0x05
_PMD_COMPRESSED_TYPE_0 = 0x80
_PMD_MAX_BLOCK_COUNT = 255


@dataclass(frozen=True, slots=True)
class Notification:
    """One BLE notification: host arrival time (s, the time of the last sample it carries), characteristic, bytes."""

    time_s: float
    characteristic_uuid: str
    payload: bytes


def encode_notifications(profile_name: str, samples: ImuSamples, **options: Any) -> list[Notification]:
    """`samples` as the notifications a `profile_name` device would send, in arrival order.

    Options by profile: "witmotion" ``frames_per_notification``; "movella-dot" ``payload_mode`` (21 or 26),
    ``start_us``, ``quat_wxyz``; "thingy52" none; "polar-verity" ``samples_per_frame``, ``deltas_per_block``,
    ``acc_factor``, ``gyro_factor``, ``time_zero_ns``. See the per-profile ``encode_*`` functions.
    An unknown option is a TypeError, an unknown profile an `UnknownProfileError`.
    """
    try:
        encoder = ENCODERS[profile_name]
    except KeyError:
        raise UnknownProfileError(profile_name, list(ENCODERS)) from None
    _check_finite(samples)
    if len(samples) == 0:
        return []
    return encoder(samples, **options)


def decoder_options(profile_name: str, samples: ImuSamples, **options: Any) -> dict[str, Any]:
    """Options for ``profiles.get(profile_name).decoder(...)`` that match an encoding made with `options`.

    The DOT decoder must know the payload mode; the Polar decoder the requested sample rate (the start response
    carries only FACTOR, and the first frame's sample spacing is 1/rate).
    """
    if profile_name == _dot.PROFILE_NAME:
        return {"payload_mode": int(options.get("payload_mode", _dot.DEFAULT_PAYLOAD_MODE))}
    if profile_name == _polar.PROFILE_NAME and samples.rate_hz > 0:
        return {"sample_rate_hz": samples.rate_hz}
    return {}


def _check_finite(samples: ImuSamples) -> None:
    for name in ("time_s", "acc_mps2", "gyr_radps", "mag_ut"):
        value = getattr(samples, name)
        if value is not None and not np.all(np.isfinite(value)):
            raise ValueError(f"cannot encode non-finite {name}")


def _int16_counts(values: FloatArray, per_lsb: float) -> NDArray[np.int16]:
    """Round to the nearest count and saturate at the int16 limits."""
    return np.clip(np.rint(values / per_lsb), _INT16_MIN, _INT16_MAX).astype(np.int16)


def _split(data: bytes, record_bytes: int, time_s: FloatArray, per_notification: int,
           characteristic_uuid: str) -> list[Notification]:
    """Cut `data` (one record per sample) into notifications of `per_notification` records (the last may be short)."""
    n = int(time_s.shape[0])
    notes = []
    for start in range(0, n, per_notification):
        stop = min(n, start + per_notification)
        notes.append(Notification(float(time_s[stop - 1]), characteristic_uuid,
                                  data[start * record_bytes: stop * record_bytes]))
    return notes


def encode_witmotion(samples: ImuSamples, *, frames_per_notification: int = 1) -> list[Notification]:
    """20-byte ``55 61`` frames (acc g·32768/16, gyro °/s·32768/2000, angles 0), `frames_per_notification` each.

    The device has no timestamp; the notify characteristic is the vendor-base ``0000ffe4`` UUID.
    """
    if frames_per_notification < 1:
        raise ValueError(f"frames_per_notification must be ≥ 1, got {frames_per_notification}")
    frames = np.zeros(len(samples), dtype=_WITMOTION_FRAME)
    frames["header"], frames["flag"] = 0x55, 0x61
    frames["acc"] = _int16_counts(samples.acc_mps2 / STANDARD_GRAVITY_MPS2, WITMOTION_ACC_G_PER_LSB)
    frames["gyr"] = _int16_counts(np.rad2deg(samples.gyr_radps), WITMOTION_GYR_DPS_PER_LSB)
    return _split(frames.tobytes(), WITMOTION_FRAME_BYTES, samples.time_s, frames_per_notification, _wit.NOTIFY_UUID)


def encode_movella_dot(samples: ImuSamples, *, payload_mode: int = 26, start_us: int | None = None,
                       quat_wxyz: FloatArray | None = None) -> list[Notification]:
    """One sample per notification in payload mode 21 (rate quantities) or 26 (custom mode 5), zero-padded.

    Timestamp: u32 µs tick ``(start_us + round((t − t₀)·1e6)) mod 2³²``; `start_us` defaults to the first sample's
    time in µs (mod 2³²), so an unwrapping decoder recovers `time_s`. Acceleration float32 m/s², angular velocity
    float32 °/s; mode 26's quaternion is `quat_wxyz` ((N, 4), w first) or identity.
    """
    if payload_mode not in _DOT_FORMATS:
        raise ValueError(f"movella-dot payload mode {payload_mode!r} cannot be encoded; supported: "
                         f"{', '.join(map(str, DOT_PAYLOAD_MODES))}")
    uuid, record = _DOT_FORMATS[payload_mode]
    time_s = samples.time_s
    first_us = round(float(time_s[0]) * 1e6) % DOT_TICK_MODULUS if start_us is None else start_us
    if not 0 <= first_us < DOT_TICK_MODULUS:
        raise ValueError(f"start_us must be a u32 tick (0 ≤ start_us < 2³²), got {first_us}")
    elapsed_us = np.rint((time_s - time_s[0]) * 1e6).astype(np.int64)
    payloads = np.zeros(len(samples), dtype=record)
    payloads["timestamp"] = (first_us + elapsed_us) % DOT_TICK_MODULUS
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
    return _split(payloads.tobytes(), record.itemsize, time_s, 1, uuid)


def encode_thingy52(samples: ImuSamples) -> list[Notification]:
    """One 18-byte raw-data notification per sample: acc Q6.10 g, gyro Q11.5 °/s, compass Q12.4 µT (zeros if none)."""
    raw = np.zeros(len(samples), dtype=_THINGY_RAW)
    raw["acc"] = _int16_counts(samples.acc_mps2 / STANDARD_GRAVITY_MPS2, THINGY_ACC_G_PER_LSB)
    raw["gyr"] = _int16_counts(np.rad2deg(samples.gyr_radps), THINGY_GYR_DPS_PER_LSB)
    if samples.mag_ut is not None:
        raw["mag"] = _int16_counts(samples.mag_ut, THINGY_MAG_UT_PER_LSB)
    return _split(raw.tobytes(), _THINGY_RAW.itemsize, samples.time_s, 1, _thingy.RAW_UUID)


def encode_polar_verity(samples: ImuSamples, *, samples_per_frame: int = POLAR_SAMPLES_PER_FRAME,
                        deltas_per_block: int = _PMD_MAX_BLOCK_COUNT, acc_factor: float = POLAR_ACC_FACTOR_G,
                        gyro_factor: float = POLAR_GYRO_FACTOR_DPS,
                        time_zero_ns: int = POLAR_TIME_ZERO_NS) -> list[Notification]:
    """PMD: the ACC and GYRO start responses (with FACTOR), then compressed type-0 data frames (0x80).

    Each frame holds `samples_per_frame` samples (the last frame may hold fewer): the u64 timestamp
    ``time_zero_ns + round(t_last·1e9)`` (ns since 2000-01-01) of its last sample, a 3 × int16 reference sample,
    then the deltas in blocks of up to `deltas_per_block`, each block packed LSB-first at the smallest two's
    complement bit width that holds all its deltas (at least 1). Counts are value / FACTOR, using FACTOR's float32
    value as the decoder will, rounded and saturated to int16. ACC and GYRO frames alternate, ACC first.
    """
    if samples_per_frame < 1:
        raise ValueError(f"samples_per_frame must be ≥ 1, got {samples_per_frame}")
    if not 1 <= deltas_per_block <= _PMD_MAX_BLOCK_COUNT:
        raise ValueError(f"deltas_per_block must be 1..{_PMD_MAX_BLOCK_COUNT} (a u8 count), got {deltas_per_block}")
    if not 0 <= time_zero_ns < 2**64:
        raise ValueError(f"time_zero_ns must fit a u64, got {time_zero_ns}")
    acc_type, gyro_type = int(_polar.MeasurementType.ACC), int(_polar.MeasurementType.GYRO)
    acc_factor32, gyro_factor32 = float(np.float32(acc_factor)), float(np.float32(gyro_factor))
    streams = ((acc_type, _int16_counts(samples.acc_mps2 / STANDARD_GRAVITY_MPS2, acc_factor32)),
               (gyro_type, _int16_counts(np.rad2deg(samples.gyr_radps), gyro_factor32)))
    first_s = float(samples.time_s[0])
    notes = [Notification(first_s, _polar.PMD_CONTROL_POINT_UUID, _pmd_start_response(acc_type, acc_factor)),
             Notification(first_s, _polar.PMD_CONTROL_POINT_UUID, _pmd_start_response(gyro_type, gyro_factor))]
    for start in range(0, len(samples), samples_per_frame):
        stop = min(len(samples), start + samples_per_frame)
        last_s = float(samples.time_s[stop - 1])
        frame_ns = time_zero_ns + round(last_s * 1e9)
        if not 0 <= frame_ns < 2**64:
            raise ValueError(f"frame timestamp {frame_ns} ns does not fit a u64")
        for type_id, counts in streams:
            payload = _pmd_frame(type_id, frame_ns, counts[start:stop].astype(np.int64), deltas_per_block)
            notes.append(Notification(last_s, _polar.PMD_DATA_UUID, payload))
    return notes


def _pmd_start_response(type_id: int, factor: float) -> bytes:
    """``F0 02 <type> 00 00`` (start succeeded, no more) then the setting FACTOR (type 5, count 1, float32)."""
    return bytes([_PMD_RESPONSE, _PMD_OP_START, type_id, 0x00, 0x00, _PMD_SETTING_FACTOR, 0x01]) + \
        struct.pack("<f", factor)


def _pmd_frame(type_id: int, time_ns: int, counts: NDArray[np.int64], deltas_per_block: int) -> bytes:
    frame = bytearray([type_id]) + time_ns.to_bytes(8, "little") + bytes([_PMD_COMPRESSED_TYPE_0])
    frame += counts[0].astype("<i2").tobytes()
    deltas = np.diff(counts, axis=0)
    for start in range(0, deltas.shape[0], deltas_per_block):
        block = deltas[start:start + deltas_per_block]
        width = delta_bit_width(block)
        frame += bytes([width, block.shape[0]]) + pack_lsb_first(block, width)
    return bytes(frame)


def delta_bit_width(deltas: NDArray[np.int64]) -> int:
    """The smallest two's complement width (≥ 1 bit) that holds every value of `deltas`."""
    magnitude = int(max(deltas.max(initial=0), (-deltas - 1).max(initial=0)))
    return magnitude.bit_length() + 1


def pack_lsb_first(values: NDArray[np.int64], bit_width: int) -> bytes:
    """`values` (row-major) as `bit_width`-bit two's complement fields, bit k of the stream in byte k//8, bit k%8."""
    fields = values.reshape(-1) & ((1 << bit_width) - 1)
    bits = (fields[:, None] >> np.arange(bit_width, dtype=np.int64)) & 1
    return np.packbits(bits.astype(np.uint8).reshape(-1), bitorder="little").tobytes()


def encode_simulated(samples: ImuSamples, *, samples_per_notification: int = 5) -> list[Notification]:
    """The simulator's own format (float64 time, float32 acc and gyro), a few samples a notification."""
    notes = []
    for start in range(0, len(samples), samples_per_notification):
        block = samples.slice(start, start + samples_per_notification)
        notes.append(Notification(float(block.time_s[-1]), _sim.DATA_UUID,
                                  _sim.encode(block.time_s, block.acc_mps2, block.gyr_radps)))
    return notes


ENCODERS: dict[str, Callable[..., list[Notification]]] = {
    _sim.PROFILE.name: encode_simulated,
    _wit.PROFILE_NAME: encode_witmotion,
    _dot.PROFILE_NAME: encode_movella_dot,
    _thingy.PROFILE_NAME: encode_thingy52,
    _polar.PROFILE_NAME: encode_polar_verity,
}
"""Encoder per profile name (the names `sensors.profiles.get` knows)."""

__all__ = ["DOT_PAYLOAD_MODES", "ENCODERS", "POLAR_ACC_FACTOR_G", "POLAR_GYRO_FACTOR_DPS", "POLAR_SAMPLES_PER_FRAME",
           "POLAR_TIME_ZERO_NS", "Notification", "decoder_options", "delta_bit_width", "encode_movella_dot",
           "encode_notifications", "encode_polar_verity", "encode_simulated", "encode_thingy52", "encode_witmotion",
           "pack_lsb_first"]
