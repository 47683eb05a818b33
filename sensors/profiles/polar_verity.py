"""Polar Verity Sense over PMD (Polar Measurement Data): control point, compressed ACC/GYRO frames (SPEC §8).

Sources (read for facts, no code copied), all from ``polarofficial/polar-ble-sdk`` (Android sources):

* ``BlePMDClient.kt``: PMD service/control-point/data UUIDs, control-point writes with response, start responses
  update the selected settings (FACTOR), previous frame timestamp kept per measurement and frame type and cleared by a
  stop, the delta-frame layout (reference sample, then ``[bit width][count][packed deltas]`` blocks, bits LSB-first,
  two's-complement deltas added cumulatively).
* ``PmdControlPointResponse.kt``: response ``F0 <op> <type> <status> <more> <parameters>`` and the status codes.
* ``PmdSetting.kt``: setting types and field sizes (0 SAMPLE_RATE u16, 1 RESOLUTION u16, 2 RANGE u16,
  3 RANGE_MILLIUNIT u32, 4 CHANNELS u8, 5 FACTOR float32 bits).
* ``PmdDataFrame.kt``, ``PmdMeasurementType.kt``: frame header (type ``& 0x3F``, u64 timestamp, frame type with bit 7 =
  compressed); ACC 2, GYRO 5, MAG 6.
* ``model/AccData.kt``, ``GyrData.kt``, ``MagData.kt``: compressed type 0 is 3 channels × 16 bit; value × FACTOR is G
  (ACC), deg/s (GYRO), Gauss (MAG).
* ``model/PmdTimeStampUtils.kt``: the frame timestamp (ns since 2000-01-01) belongs to the last sample; earlier samples
  are spaced (T − T_prev)/n after a previous frame, else 1e9/fs.
* /work/shared/protocols.md §6 (the product's digest; Verity start settings 52 Hz, 16 bit, ±8 G / ±2000 deg/s).
* Polar BLE SDK ``BleAdvertisementContent`` and its tests: "Polar Sense <device id>" with 16-bit services 0x180D and
  0xFEEE and manufacturer data under company id 0x006B. Both services are shared by every Polar heart-rate product,
  so only the name identifies a Verity Sense.

The simulator's encoder (``encode_polar_verity``) uses the FACTORs of the SDK tests and its own reading of the frame
layout, so that the round-trip test compares two readings of the document.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Mapping
from enum import IntEnum
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sensors.profiles._encoding import delta_bit_width, int16_counts, pack_lsb_first
from sensors.profiles.base import (
    GATT_BATTERY,
    STANDARD_GRAVITY_MPS2,
    Advertisement,
    Command,
    Encoder,
    FloatArray,
    ImuBatch,
    MalformedPacketError,
    Notification,
    SensorProfile,
    sig_uuid,
)
from sensors.samples import ImuSamples

PROFILE_NAME = "polar-verity"

PMD_SERVICE_UUID = "fb005c80-02e7-f387-1cad-8acd2d8df0c8"
PMD_CONTROL_POINT_UUID = "fb005c81-02e7-f387-1cad-8acd2d8df0c8"
PMD_DATA_UUID = "fb005c82-02e7-f387-1cad-8acd2d8df0c8"
POLAR_COMPANY_ID = 0x006B

DEFAULT_SAMPLE_RATE_HZ = 52.0
UT_PER_GAUSS = 100.0
MAX_DELTA_BIT_WIDTH = 32
"""The SDK unpacks deltas into 32-bit ints; wider deltas cannot be meant for a 16-bit reference."""

_HEADER_BYTES = 10
_REFERENCE_BYTES = 6
_RESPONSE_CODE = 0xF0
_MEASUREMENT_STOPPED_CODE = 0x01
_FEATURE_READ_CODE = 0x0F
_COMPRESSED_TYPE_0 = 0x80


class MeasurementType(IntEnum):
    ACC = 2
    GYRO = 5
    MAG = 6
    SDK_MODE = 9


class SettingType(IntEnum):
    SAMPLE_RATE = 0
    RESOLUTION = 1
    RANGE = 2
    RANGE_MILLIUNIT = 3
    CHANNELS = 4
    FACTOR = 5


class ControlPointOp(IntEnum):
    GET_SETTINGS = 1
    START = 2
    STOP = 3


SETTING_SIZE_BYTES = {SettingType.SAMPLE_RATE: 2, SettingType.RESOLUTION: 2, SettingType.RANGE: 2,
                      SettingType.RANGE_MILLIUNIT: 4, SettingType.CHANNELS: 1, SettingType.FACTOR: 4}

RESPONSE_STATUS = {0: "SUCCESS", 1: "INVALID_OP_CODE", 2: "INVALID_MEASUREMENT_TYPE", 3: "NOT_SUPPORTED",
                   4: "INVALID_LENGTH", 5: "INVALID_PARAMETER", 6: "ALREADY_IN_STATE", 7: "INVALID_RESOLUTION",
                   8: "INVALID_SAMPLE_RATE", 9: "INVALID_RANGE", 10: "INVALID_MTU", 11: "INVALID_NUMBER_OF_CHANNELS",
                   12: "INVALID_STATE", 13: "DEVICE_IN_CHARGER", 14: "DISK_FULL"}

_DECODABLE = (MeasurementType.ACC, MeasurementType.GYRO, MeasurementType.MAG)


def get_settings_command(measurement: MeasurementType) -> Command:
    """`01 <type>`: ask which settings the device offers for `measurement`."""
    return Command(PMD_CONTROL_POINT_UUID, bytes([ControlPointOp.GET_SETTINGS, measurement]), response=True)


def start_command(measurement: MeasurementType, settings: dict[SettingType, int]) -> Command:
    """`02 <type> {setting, count=1, value LE}…`: start online streaming with the chosen settings."""
    body = bytearray([ControlPointOp.START, measurement])
    for setting, value in settings.items():
        if setting is SettingType.FACTOR:
            raise ValueError(f"{PROFILE_NAME}: FACTOR is reported by the device, it cannot be requested")
        body += bytes([setting, 1]) + value.to_bytes(SETTING_SIZE_BYTES[setting], "little")
    return Command(PMD_CONTROL_POINT_UUID, bytes(body), response=True)


def stop_command(measurement: MeasurementType) -> Command:
    """`03 <type>`: stop streaming `measurement`."""
    return Command(PMD_CONTROL_POINT_UUID, bytes([ControlPointOp.STOP, measurement]), response=True)


VERITY_ACC_SETTINGS = {SettingType.SAMPLE_RATE: 52, SettingType.RESOLUTION: 16, SettingType.RANGE: 8,
                       SettingType.CHANNELS: 3}
VERITY_GYRO_SETTINGS = {SettingType.SAMPLE_RATE: 52, SettingType.RESOLUTION: 16, SettingType.RANGE: 2000,
                        SettingType.CHANNELS: 3}
START_ACC = start_command(MeasurementType.ACC, VERITY_ACC_SETTINGS)
START_GYRO = start_command(MeasurementType.GYRO, VERITY_GYRO_SETTINGS)
STOP_ACC = stop_command(MeasurementType.ACC)
STOP_GYRO = stop_command(MeasurementType.GYRO)


def _malformed(payload: bytes, problem: str) -> MalformedPacketError:
    return MalformedPacketError(PROFILE_NAME, payload, problem)


def _type_name(measurement: int) -> str:
    try:
        return MeasurementType(measurement).name
    except ValueError:
        return f"type {measurement}"


def parse_settings(parameters: bytes, payload: bytes) -> dict[SettingType, bytes]:
    """Settings `{type, count, count × value}…` → the first raw value of each type (`payload` is for errors)."""
    settings: dict[SettingType, bytes] = {}
    if len(parameters) <= 1:  # the SDK reads nothing from an empty or 1-byte parameter block
        return settings
    offset = 0
    while offset < len(parameters):
        if offset + 2 > len(parameters):
            raise _malformed(payload, f"setting header truncated at parameter byte {offset}")
        try:
            setting = SettingType(parameters[offset])
        except ValueError:
            raise _malformed(payload, f"unknown setting type {parameters[offset]}") from None
        size, count = SETTING_SIZE_BYTES[setting], parameters[offset + 1]
        values = parameters[offset + 2: offset + 2 + size * count]
        if len(values) < size * count or count == 0:
            raise _malformed(payload, f"setting {setting.name} needs {count} × {size} bytes")
        settings.setdefault(setting, values[:size])
        offset += 2 + size * count
    return settings


def _factor_from(raw: bytes, payload: bytes) -> float:
    (factor,) = struct.unpack("<f", raw)
    if not (math.isfinite(factor) and factor > 0.0):
        raise _malformed(payload, f"FACTOR {factor!r} is not a positive finite number")
    return float(factor)


def unpack_deltas(block: bytes, bit_width: int, count: int, channels: int = 3) -> NDArray[np.int64]:
    """(count, channels) signed deltas packed LSB-first, `bit_width` bits each, two's complement."""
    if bit_width == 0:
        return np.zeros((count, channels), dtype=np.int64)
    n_values = count * channels
    bits = np.unpackbits(np.frombuffer(block, dtype=np.uint8), bitorder="little")[: n_values * bit_width]
    weights = np.left_shift(np.int64(1), np.arange(bit_width, dtype=np.int64))
    values = bits.reshape(n_values, bit_width).astype(np.int64) @ weights
    values -= (values >> (bit_width - 1)) << bit_width  # top bit set → subtract 2^bit_width
    return values.reshape(count, channels)


def unpack_compressed_type0(content: bytes, payload: bytes) -> NDArray[np.int64]:
    """Compressed type-0 content (3 × int16 reference, then delta blocks) → (N, 3) sample counts."""
    if len(content) < _REFERENCE_BYTES:
        raise _malformed(payload, f"reference sample needs {_REFERENCE_BYTES} bytes, got {len(content)}")
    parts = [np.frombuffer(content, dtype="<i2", count=3).astype(np.int64).reshape(1, 3)]
    offset = _REFERENCE_BYTES
    while offset < len(content):
        if offset + 2 > len(content):
            raise _malformed(payload, f"delta block header truncated at content byte {offset}")
        bit_width, count = content[offset], content[offset + 1]
        n_bytes = (bit_width * count * 3 + 7) // 8
        if bit_width > MAX_DELTA_BIT_WIDTH:
            raise _malformed(payload, f"delta bit width {bit_width} exceeds {MAX_DELTA_BIT_WIDTH}")
        block = content[offset + 2: offset + 2 + n_bytes]
        if len(block) < n_bytes:
            raise _malformed(payload, f"delta block at content byte {offset} ({count} samples × 3 × {bit_width} bits) "
                             f"needs {n_bytes} bytes, {len(block)} left")
        parts.append(unpack_deltas(block, bit_width, count))
        offset += 2 + n_bytes
    return np.cumsum(np.concatenate(parts), axis=0)


def sample_times_s(frame_time_ns: int, previous_frame_time_ns: int | None, n_samples: int,
                   sample_rate_hz: float) -> FloatArray:
    """Per-sample device times (s since 2000-01-01): the last sample at the frame time (PmdTimeStampUtils)."""
    if previous_frame_time_ns is None:
        spacing_ns = 1e9 / sample_rate_hz
    else:
        spacing_ns = (frame_time_ns - previous_frame_time_ns) / n_samples
    before_last_ns = np.arange(n_samples - 1, -1, -1, dtype=np.float64) * spacing_ns
    frame_time_s = frame_time_ns // 10**9 + (frame_time_ns % 10**9) * 1e-9
    return frame_time_s - before_last_ns * 1e-9


def _to_batch(measurement: MeasurementType, counts: NDArray[np.int64], factor: float, times_s: FloatArray) -> ImuBatch:
    values = counts.astype(np.float64) * factor
    if measurement is MeasurementType.ACC:
        return ImuBatch(acc_mps2=values * STANDARD_GRAVITY_MPS2, device_time_s=times_s)
    if measurement is MeasurementType.GYRO:
        return ImuBatch(gyr_radps=np.deg2rad(values), device_time_s=times_s)
    return ImuBatch(mag_ut=values * UT_PER_GAUSS, device_time_s=times_s)


class PolarVerityDecoder:
    """Decodes one connection's PMD control-point and data notifications.

    State the protocol carries: FACTOR (and SAMPLE_RATE if reported) per measurement type from the start responses,
    the previous frame timestamp per type (for sample spacing; cleared by a stop), and response parameters still
    awaiting their `more` continuation.
    """

    def __init__(self, sample_rate_hz: float = DEFAULT_SAMPLE_RATE_HZ) -> None:
        if not (math.isfinite(sample_rate_hz) and sample_rate_hz > 0):
            raise ValueError(f"{PROFILE_NAME}: sample_rate_hz must be positive, got {sample_rate_hz!r}")
        self.default_sample_rate_hz = float(sample_rate_hz)
        self.factors: dict[MeasurementType, float] = {}
        self.sample_rates_hz: dict[MeasurementType, float] = {}
        self._previous_frame_ns: dict[MeasurementType, int] = {}
        self._pending_parameters: dict[tuple[int, int], bytes] = {}

    def decode(self, characteristic_uuid: str, payload: bytes) -> ImuBatch | None:
        """A data frame → ImuBatch; a control-point notification → None (it may update FACTOR); else it raises."""
        uuid = characteristic_uuid.lower()
        if uuid == PMD_DATA_UUID:
            return self._decode_data(payload)
        if uuid == PMD_CONTROL_POINT_UUID:
            self._on_control_point(payload)
            return None
        raise _malformed(payload, f"characteristic {uuid} is neither the PMD control point nor PMD data")

    def _on_control_point(self, payload: bytes) -> None:
        if not payload:
            raise _malformed(payload, "empty control point notification")
        if payload[0] == _RESPONSE_CODE:
            self._on_response(payload)
        elif payload[0] == _MEASUREMENT_STOPPED_CODE:  # the device stopped these types on its own
            for type_byte in payload[1:]:
                self._forget_frames(type_byte & 0x3F)
        elif payload[0] != _FEATURE_READ_CODE:
            raise _malformed(payload, f"unknown control point notification code 0x{payload[0]:02x}")

    def _on_response(self, payload: bytes) -> None:
        if len(payload) < 4:
            raise _malformed(payload, "control point response shorter than 4 bytes")
        op, type_byte, status = payload[1], payload[2], payload[3]
        if status != 0:
            raise _malformed(payload, f"control point op {op} for {_type_name(type_byte & 0x3F)} failed: status "
                             f"{status} {RESPONSE_STATUS.get(status, 'UNKNOWN')}")
        key = (op, type_byte)
        parameters = self._pending_parameters.pop(key, b"") + payload[5:]
        if len(payload) > 4 and payload[4] != 0:  # `more`: parameters continue in the next response
            self._pending_parameters[key] = parameters
            return
        if type_byte & 0x80:  # offline-recording settings do not describe this stream
            return
        if op == ControlPointOp.START:
            self._on_started(type_byte & 0x3F, parameters, payload)
        elif op == ControlPointOp.STOP:
            self._forget_frames(type_byte & 0x3F)

    def _on_started(self, type_id: int, parameters: bytes, payload: bytes) -> None:
        settings = parse_settings(parameters, payload)
        if type_id not in _DECODABLE:
            return
        measurement = MeasurementType(type_id)
        self._previous_frame_ns.pop(measurement, None)
        if SettingType.FACTOR in settings:
            self.factors[measurement] = _factor_from(settings[SettingType.FACTOR], payload)
        rate_hz = int.from_bytes(settings.get(SettingType.SAMPLE_RATE, b""), "little")
        if rate_hz > 0:
            self.sample_rates_hz[measurement] = float(rate_hz)

    def _forget_frames(self, type_id: int) -> None:
        if type_id in _DECODABLE:
            self._previous_frame_ns.pop(MeasurementType(type_id), None)

    def _decode_data(self, payload: bytes) -> ImuBatch:
        measurement, frame_time_ns = self._check_header(payload)
        factor = self.factors.get(measurement)
        if factor is None:
            raise _malformed(payload, f"{measurement.name} data but the start response with FACTOR not seen")
        previous_ns = self._previous_frame_ns.get(measurement)
        self._previous_frame_ns[measurement] = frame_time_ns  # as the SDK: even a frame that fails moves the reference
        if previous_ns is not None and frame_time_ns <= previous_ns:
            raise _malformed(payload, f"frame time {frame_time_ns} ns is not after the previous {previous_ns} ns")
        counts = unpack_compressed_type0(payload[_HEADER_BYTES:], payload)
        rate_hz = self.sample_rates_hz.get(measurement, self.default_sample_rate_hz)
        times_s = sample_times_s(frame_time_ns, previous_ns, len(counts), rate_hz)
        return _to_batch(measurement, counts, factor, times_s)

    @staticmethod
    def _check_header(payload: bytes) -> tuple[MeasurementType, int]:
        if len(payload) < _HEADER_BYTES:
            raise _malformed(payload, f"data frame shorter than its {_HEADER_BYTES}-byte header")
        type_id = payload[0] & 0x3F
        if type_id not in _DECODABLE:
            raise _malformed(payload, f"measurement {_type_name(type_id)} is not decoded (ACC 2, GYRO 5, MAG 6)")
        if payload[9] != _COMPRESSED_TYPE_0:
            raise _malformed(payload, f"frame type 0x{payload[9]:02x} not supported (Verity sends compressed type 0, "
                             "0x80)")
        return MeasurementType(type_id), int.from_bytes(payload[1:9], "little")


ENCODE_ACC_FACTOR_G = 2.44e-4
"""G per count, as in the Polar SDK tests (start response ``f0 02 02 00 00 05 01 40da7f39``)."""
ENCODE_GYRO_FACTOR_DPS = 0.07
"""°/s per count, as in the Polar SDK tests."""
ENCODE_SAMPLES_PER_FRAME = 36
ENCODE_TIME_ZERO_NS = 757_382_400 * 10**9
"""Device clock (ns since 2000-01-01T00:00:00Z) at sample time 0: 2024-01-01T00:00:00Z."""
_MAX_BLOCK_COUNT = 255


def encode_polar_verity(samples: ImuSamples, *, samples_per_frame: int = ENCODE_SAMPLES_PER_FRAME,
                        deltas_per_block: int = _MAX_BLOCK_COUNT, acc_factor: float = ENCODE_ACC_FACTOR_G,
                        gyro_factor: float = ENCODE_GYRO_FACTOR_DPS,
                        time_zero_ns: int = ENCODE_TIME_ZERO_NS) -> list[Notification]:
    """PMD: the ACC and GYRO start responses (with FACTOR), then compressed type-0 data frames (0x80).

    Each frame holds `samples_per_frame` samples (the last frame may hold fewer): the u64 timestamp
    ``time_zero_ns + round(t_last·1e9)`` (ns since 2000-01-01) of its last sample, a 3 × int16 reference sample,
    then the deltas in blocks of up to `deltas_per_block`, each block packed LSB-first at the smallest two's
    complement bit width that holds all its deltas (at least 1). Counts are value / FACTOR, using FACTOR's float32
    value as the decoder will, rounded and saturated to int16. ACC and GYRO frames alternate, ACC first; the start
    responses arrive at the first sample's time, before any data.
    """
    if samples_per_frame < 1:
        raise ValueError(f"samples_per_frame must be ≥ 1, got {samples_per_frame}")
    if not 1 <= deltas_per_block <= _MAX_BLOCK_COUNT:
        raise ValueError(f"deltas_per_block must be 1..{_MAX_BLOCK_COUNT} (a u8 count), got {deltas_per_block}")
    if not 0 <= time_zero_ns < 2**64:
        raise ValueError(f"time_zero_ns must fit a u64, got {time_zero_ns}")
    acc_factor32, gyro_factor32 = float(np.float32(acc_factor)), float(np.float32(gyro_factor))
    streams = ((MeasurementType.ACC, int16_counts(samples.acc_mps2 / STANDARD_GRAVITY_MPS2, acc_factor32)),
               (MeasurementType.GYRO, int16_counts(np.rad2deg(samples.gyr_radps), gyro_factor32)))
    first_s = float(samples.time_s[0])
    notes = [Notification(first_s, PMD_CONTROL_POINT_UUID, _start_response(MeasurementType.ACC, acc_factor)),
             Notification(first_s, PMD_CONTROL_POINT_UUID, _start_response(MeasurementType.GYRO, gyro_factor))]
    for start in range(0, len(samples), samples_per_frame):
        stop = min(len(samples), start + samples_per_frame)
        last_s = float(samples.time_s[stop - 1])
        frame_ns = time_zero_ns + round(last_s * 1e9)
        if not 0 <= frame_ns < 2**64:
            raise ValueError(f"frame timestamp {frame_ns} ns does not fit a u64")
        for measurement, counts in streams:
            payload = _encode_frame(measurement, frame_ns, counts[start:stop].astype(np.int64), deltas_per_block)
            notes.append(Notification(last_s, PMD_DATA_UUID, payload))
    return notes


def _start_response(measurement: MeasurementType, factor: float) -> bytes:
    """``F0 02 <type> 00 00`` (start succeeded, no more) then the setting FACTOR (type 5, count 1, float32)."""
    return bytes([0xF0, 0x02, measurement, 0x00, 0x00, 0x05, 0x01]) + struct.pack("<f", factor)


def _encode_frame(measurement: MeasurementType, time_ns: int, counts: NDArray[np.int64],
                  deltas_per_block: int) -> bytes:
    frame = bytearray([measurement]) + time_ns.to_bytes(8, "little") + bytes([0x80])
    frame += counts[0].astype("<i2").tobytes()
    deltas = np.diff(counts, axis=0)
    for start in range(0, deltas.shape[0], deltas_per_block):
        block = deltas[start:start + deltas_per_block]
        width = delta_bit_width(block)
        frame += bytes([width, block.shape[0]]) + pack_lsb_first(block, width)
    return bytes(frame)


def _encoded_decoder_options(samples: ImuSamples, options: Mapping[str, Any]) -> dict[str, Any]:
    """The start response carries only FACTOR: the first frame's sample spacing is 1 / the requested rate."""
    return {"sample_rate_hz": samples.rate_hz} if samples.rate_hz > 0 else {}


PROFILE = SensorProfile(
    name=PROFILE_NAME,
    service_uuid=PMD_SERVICE_UUID,
    notify_uuids=(PMD_CONTROL_POINT_UUID, PMD_DATA_UUID),
    decoder_factory=PolarVerityDecoder,
    start_commands=(START_ACC, START_GYRO),
    stop_commands=(STOP_ACC, STOP_GYRO),
    name_patterns=("Polar Sense",),
    default_rate_hz=DEFAULT_SAMPLE_RATE_HZ,
    battery=GATT_BATTERY,
    display_name="Polar Verity Sense",
    advertisement=Advertisement("Polar Sense 1A2B3C4D", (sig_uuid(0x180D), sig_uuid(0xFEEE)),
                                # the "GPB only" manufacturer data of the SDK's advertisement tests
                                {POLAR_COMPANY_ID: bytes.fromhex("720897c9c30000000000")}),
    encoder=Encoder(encode_polar_verity, _encoded_decoder_options),
    notes="ACC ±8 G and GYRO ±2000 deg/s at 52 Hz (the only settings outside SDK mode). Subscribe to the control "
          "point and data before writing start: the start responses carry FACTOR, which the decoder needs.",
    options={"sample_rate_hz": DEFAULT_SAMPLE_RATE_HZ},
)
