"""The simulator's BLE encoders, checked against the real profile decoders and against the spec's bytes.

Each encoder turns a stretch of a simulated session into notifications; the profile's own decoder turns them back
into samples, which must match the originals within the wire format's quantisation:

* integer formats round to the nearest count, so |decoded − original| ≤ LSB/2 (plus float64 round-off, ``EPS``);
* float32 formats round to nearest, so |decoded − original| ≤ 2⁻²⁴·|original| (plus ``EPS`` for the deg↔rad steps);
* timestamps: DOT µs ticks are rounded to 1 µs (≤ 0.5 µs); Polar ns stamps are exact, but seconds since 2000 as a
  float64 (≈ 7.6e8 s) only resolve ≈ 1.2e-7 s, so 1 µs is the bound.

A few tests pin bytes written out by hand from /work/shared/protocols.md, so encoder and decoder cannot agree on a
shared mistake.
"""

from __future__ import annotations

import math
import struct
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from sensors import profiles
from sensors.profiles import ImuBatch, UnknownProfileError
from sensors.profiles._encoding import delta_bit_width, pack_lsb_first
from sensors.profiles.polar_verity import ENCODE_TIME_ZERO_NS as POLAR_TIME_ZERO_NS
from sensors.samples import ImuSamples
from sensors.simulator import SimOptions, SimulatedSession, simulate_session
from sensors.simulator.encode import Notification, decoder_options, encode_notifications, encoder_names

FloatArray = NDArray[np.float64]
G0 = 9.80665
EPS = 1e-12
WIT_NOTIFY = "0000ffe4-0000-1000-8000-00805f9a34fb"
DOT_MEDIUM = "15172003-4947-11e9-8646-d663bd873d93"
DOT_LONG = "15172002-4947-11e9-8646-d663bd873d93"
THINGY_RAW = "ef680406-9b35-4933-9b10-52ffa9740042"
PMD_CP = "fb005c81-02e7-f387-1cad-8acd2d8df0c8"
PMD_DATA = "fb005c82-02e7-f387-1cad-8acd2d8df0c8"

WIT_ACC_HALF_LSB = 16 * G0 / 32768 / 2                      # 2.39e-3 m/s²
WIT_GYR_HALF_LSB = math.radians(2000 / 32768) / 2            # 5.33e-4 rad/s
THINGY_ACC_HALF_LSB = G0 / 1024 / 2                          # 4.79e-3 m/s²
THINGY_GYR_HALF_LSB = math.radians(1 / 32) / 2               # 2.73e-4 rad/s
THINGY_MAG_HALF_LSB = 1 / 16 / 2                             # 0.031 µT
ACC_FACTOR32 = float(np.float32(2.44e-4))
GYRO_FACTOR32 = float(np.float32(0.07))
POLAR_ACC_HALF_LSB = ACC_FACTOR32 * G0 / 2                   # 1.20e-3 m/s²
POLAR_GYR_HALF_LSB = math.radians(GYRO_FACTOR32) / 2         # 6.11e-4 rad/s
FLOAT32_REL = 2.0**-24
DEVICE_PROFILES = ("witmotion", "movella-dot", "thingy52", "polar-verity")


@pytest.fixture(scope="module")
def session() -> SimulatedSession:
    return simulate_session("seated_hip_internal_rotation", "left", 3, SimOptions(with_mag=True))


@pytest.fixture(scope="module")
def thigh(session: SimulatedSession) -> ImuSamples:
    """300 samples (3 s at 100 Hz) of calibration swings: gyro up to ≈ 1.6 rad/s, not a still stretch."""
    samples = session.thigh.slice(500, 800)
    assert float(np.abs(samples.gyr_radps).max()) > 1.0
    return samples


def decode(name: str, notes: list[Notification], **options: Any) -> list[ImuBatch]:
    decoder = profiles.get(name).decoder(**options)
    batches = [decoder.decode(note.characteristic_uuid, note.payload) for note in notes]
    return [batch for batch in batches if batch is not None]


def stack(batches: list[ImuBatch], field: str) -> FloatArray:
    values = [getattr(batch, field) for batch in batches if getattr(batch, field) is not None]
    return np.concatenate(values) if values else np.zeros((0, 3))


def assert_within(decoded: FloatArray, original: FloatArray, bound: float | FloatArray) -> None:
    assert decoded.shape == original.shape
    error = np.abs(decoded - original)
    assert np.all(error <= bound), f"max error {error.max():.3g} exceeds bound"


def from_counts(acc_counts: NDArray[np.int64], gyr_counts: NDArray[np.int64], rate_hz: float = 52.0) -> ImuSamples:
    """Samples whose values are exact multiples of the Polar factors (so the counts survive encoding exactly)."""
    n = acc_counts.shape[0]
    acc = (acc_counts * ACC_FACTOR32 * G0).astype(np.float64)
    return ImuSamples(np.arange(n) / rate_hz, acc, np.deg2rad(gyr_counts * GYRO_FACTOR32).astype(np.float64))


# --- WitMotion --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("per_notification", [1, 7])
def test_witmotion_round_trip_within_half_an_lsb(thigh: ImuSamples, per_notification: int) -> None:
    notes = encode_notifications("witmotion", thigh, frames_per_notification=per_notification)
    batches = decode("witmotion", notes)

    assert len(notes) == math.ceil(len(thigh) / per_notification)
    assert {note.characteristic_uuid for note in notes} == {WIT_NOTIFY}
    assert [len(note.payload) for note in notes[:-1]] == [20 * per_notification] * (len(notes) - 1)
    last_sample_index = np.minimum(np.arange(len(notes)) * per_notification + per_notification, len(thigh)) - 1
    assert [note.time_s for note in notes] == thigh.time_s[last_sample_index].tolist()
    assert [len(batch) for batch in batches] == [len(note.payload) // 20 for note in notes]
    assert_within(stack(batches, "acc_mps2"), thigh.acc_mps2, WIT_ACC_HALF_LSB + EPS)
    assert_within(stack(batches, "gyr_radps"), thigh.gyr_radps, WIT_GYR_HALF_LSB + EPS)


def test_witmotion_frame_bytes_follow_the_spec() -> None:
    samples = ImuSamples(np.array([0.5]), np.array([[G0, -G0 / 2, 15 * G0]]),
                         np.deg2rad(np.array([[1000.0, -2000.0, 1999.0]])))
    (note,) = encode_notifications("witmotion", samples)

    # 1 g = 2048 counts, -0.5 g = -1024, 15 g = 30720; 1000 °/s = 16384, -2000 °/s = -32768,
    # 1999 °/s = 32751.6 → 32752; angles left at 0.
    assert note.payload == bytes.fromhex("55 61 0008 00fc 0078 0040 0080 f07f 0000 0000 0000")
    assert note.time_s == 0.5


def test_witmotion_saturates_at_full_scale() -> None:
    samples = ImuSamples(np.array([0.0, 0.1]), np.array([[20 * G0, -20 * G0, 0.0], [0.0, 0.0, 0.0]]),
                         np.deg2rad(np.array([[3000.0, -3000.0, 0.0], [0.0, 0.0, 0.0]])))
    (batch,) = decode("witmotion", encode_notifications("witmotion", samples, frames_per_notification=2))

    assert batch.acc_mps2 is not None and batch.gyr_radps is not None
    np.testing.assert_allclose(batch.acc_mps2[0, :2], [32767 * 16 * G0 / 32768, -16 * G0], rtol=1e-12)
    np.testing.assert_allclose(np.rad2deg(batch.gyr_radps[0, :2]), [32767 * 2000 / 32768, -2000.0], rtol=1e-12)


# --- Movella DOT ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("mode", "uuid", "size"), [(21, DOT_MEDIUM, 40), (26, DOT_LONG, 63)])
def test_movella_dot_round_trip_within_float32(session: SimulatedSession, thigh: ImuSamples, mode: int, uuid: str,
                                                size: int) -> None:
    quat = session.truth.thigh.q_sensor_to_earth_wxyz[500:800] if mode == 26 else None
    options: dict[str, Any] = {"payload_mode": mode, "quat_wxyz": quat}
    notes = encode_notifications("movella-dot", thigh, **options)
    batches = decode("movella-dot", notes, **decoder_options("movella-dot", thigh, **options))

    data_bytes = {21: 28, 26: 44}[mode]
    assert len(notes) == len(batches) == len(thigh)
    assert all(note.characteristic_uuid == uuid and len(note.payload) == size for note in notes)
    assert all(note.payload[data_bytes:] == bytes(size - data_bytes) for note in notes)
    assert [note.time_s for note in notes] == thigh.time_s.tolist()
    assert_within(stack(batches, "acc_mps2"), thigh.acc_mps2, FLOAT32_REL * np.abs(thigh.acc_mps2) + EPS)
    assert_within(stack(batches, "gyr_radps"), thigh.gyr_radps, FLOAT32_REL * np.abs(thigh.gyr_radps) + EPS)
    assert_within(stack(batches, "device_time_s"), thigh.time_s, 0.5e-6 + EPS)
    if quat is not None:
        assert_within(stack(batches, "quat_wxyz"), quat, FLOAT32_REL * np.abs(quat) + EPS)


def test_movella_dot_mode_26_defaults_to_the_identity_quaternion(thigh: ImuSamples) -> None:
    batches = decode("movella-dot", encode_notifications("movella-dot", thigh.slice(0, 3)), payload_mode=26)

    assert stack(batches, "quat_wxyz").tolist() == [[1.0, 0.0, 0.0, 0.0]] * 3


def test_movella_dot_timestamps_wrap_at_2_32_and_unwrap(thigh: ImuSamples) -> None:
    start_us = 2**32 - 1_234_567                         # the u32 µs tick rolls over 1.23 s in
    notes = encode_notifications("movella-dot", thigh, payload_mode=21, start_us=start_us)
    ticks = np.array([struct.unpack_from("<I", note.payload)[0] for note in notes], dtype=np.int64)
    times = stack(decode("movella-dot", notes, payload_mode=21), "device_time_s")

    assert ticks[0] == start_us
    assert np.count_nonzero(np.diff(ticks) < 0) == 1     # exactly one wrap on the wire
    assert_within(times - start_us * 1e-6, thigh.time_s - thigh.time_s[0], 0.5e-6 + 1e-9)


def test_movella_dot_rejects_modes_it_cannot_encode(thigh: ImuSamples) -> None:
    with pytest.raises(ValueError, match="payload mode 5"):
        encode_notifications("movella-dot", thigh, payload_mode=5)


# --- Thingy:52 --------------------------------------------------------------------------------------------------------

def test_thingy52_round_trip_within_half_an_lsb(thigh: ImuSamples) -> None:
    assert thigh.mag_ut is not None
    notes = encode_notifications("thingy52", thigh)
    batches = decode("thingy52", notes)

    assert len(notes) == len(batches) == len(thigh)
    assert all(note.characteristic_uuid == THINGY_RAW and len(note.payload) == 18 for note in notes)
    assert [note.time_s for note in notes] == thigh.time_s.tolist()
    assert_within(stack(batches, "acc_mps2"), thigh.acc_mps2, THINGY_ACC_HALF_LSB + EPS)
    assert_within(stack(batches, "gyr_radps"), thigh.gyr_radps, THINGY_GYR_HALF_LSB + EPS)
    assert_within(stack(batches, "mag_ut"), thigh.mag_ut, THINGY_MAG_HALF_LSB + EPS)


def test_thingy52_bytes_follow_the_spec_and_zero_the_compass_without_mag() -> None:
    samples = ImuSamples(np.array([0.0]), np.array([[G0, -2 * G0, 0.5 * G0]]), np.deg2rad(np.array([[1.0, -10.0,
                                                                                                    0.0]])))
    (note,) = encode_notifications("thingy52", samples)

    # Q6.10 g: 1024, -2048, 512; Q11.5 °/s: 32, -320, 0; no magnetometer: compass zeros.
    assert note.payload == struct.pack("<9h", 1024, -2048, 512, 32, -320, 0, 0, 0, 0)


# --- Polar Verity Sense -----------------------------------------------------------------------------------------------

def test_polar_round_trip_values_and_timestamps(thigh: ImuSamples) -> None:
    notes = encode_notifications("polar-verity", thigh, samples_per_frame=36)
    batches = decode("polar-verity", notes, **decoder_options("polar-verity", thigh))
    acc_batches = [batch for batch in batches if batch.acc_mps2 is not None]
    gyr_batches = [batch for batch in batches if batch.gyr_radps is not None]

    assert notes[0] == Notification(float(thigh.time_s[0]), PMD_CP, bytes.fromhex("f0 02 02 00 00 05 01 40da7f39"))
    assert notes[1] == Notification(float(thigh.time_s[0]), PMD_CP,
                                    bytes.fromhex("f0 02 05 00 00 05 01") + struct.pack("<f", 0.07))
    frames = math.ceil(len(thigh) / 36)
    assert [note.payload[0] for note in notes[2:]] == [2, 5] * frames
    assert all(note.characteristic_uuid == PMD_DATA and note.payload[9] == 0x80 for note in notes[2:])
    assert [len(batch) for batch in acc_batches] == [36] * (frames - 1) + [len(thigh) - 36 * (frames - 1)]
    assert_within(stack(acc_batches, "acc_mps2"), thigh.acc_mps2, POLAR_ACC_HALF_LSB + EPS)
    assert_within(stack(gyr_batches, "gyr_radps"), thigh.gyr_radps, POLAR_GYR_HALF_LSB + EPS)
    for kind in (acc_batches, gyr_batches):
        assert_within(stack(kind, "device_time_s") - POLAR_TIME_ZERO_NS * 1e-9, thigh.time_s, 1e-6)


def test_polar_frame_timestamp_is_the_last_sample_in_ns_since_2000(thigh: ImuSamples) -> None:
    notes = encode_notifications("polar-verity", thigh, samples_per_frame=50, time_zero_ns=10**18)
    data = notes[2:]
    stamps = [struct.unpack_from("<Q", note.payload, 1)[0] for note in data]

    last_times = thigh.time_s[np.minimum(np.arange(1, len(data) // 2 + 1) * 50, len(thigh)) - 1]
    assert stamps == np.repeat(10**18 + np.rint(last_times * 1e9).astype(np.int64), 2).tolist()
    assert [note.time_s for note in data] == np.repeat(last_times, 2).tolist()


def test_polar_delta_blocks_use_the_smallest_width_that_fits() -> None:
    acc = np.array([[100, -5, 0], [101, -8, 0], [99, -5, 3], [99, -4, -1]])   # deltas -4..3: 3 bits
    gyr = np.zeros((4, 3), dtype=np.int64)                                    # deltas all 0: 1 bit
    notes = encode_notifications("polar-verity", from_counts(acc, gyr), samples_per_frame=4)
    acc_frame, gyr_frame = notes[2].payload, notes[3].payload

    assert acc_frame[10:16] == struct.pack("<3h", 100, -5, 0)
    assert acc_frame[16:18] == bytes([3, 3])
    assert len(acc_frame) == 18 + math.ceil(3 * 3 * 3 / 8)
    assert gyr_frame[16:] == bytes([1, 3, 0, 0])


def test_lsb_first_packing_matches_a_hand_packed_stream() -> None:
    # 3-bit fields 1, -2, 3, -4 → 001, 110, 011, 100 (LSB first): stream bits 100 011 110 001 → bytes 0xf1, 0x08.
    assert pack_lsb_first(np.array([1, -2, 3, -4], dtype=np.int64), 3) == bytes([0b11110001, 0b00001000])
    assert [delta_bit_width(np.array(d, dtype=np.int64)) for d in ([0], [-1], [1], [-2], [2], [-32768, 32767])] == \
        [1, 1, 2, 2, 3, 16]


@settings(max_examples=40, deadline=None)
@given(counts=st.lists(st.tuples(*[st.integers(-32768, 32767)] * 6), min_size=1, max_size=80),
       per_frame=st.integers(1, 40), per_block=st.integers(1, 255))
def test_polar_counts_survive_any_jumps_frames_and_blocks(counts: list[tuple[int, ...]], per_frame: int,
                                                          per_block: int) -> None:
    raw = np.array(counts, dtype=np.int64)
    samples = from_counts(raw[:, :3], raw[:, 3:])
    notes = encode_notifications("polar-verity", samples, samples_per_frame=per_frame, deltas_per_block=per_block)
    batches = decode("polar-verity", notes, sample_rate_hz=52.0)

    acc = stack(batches, "acc_mps2") / (ACC_FACTOR32 * G0)
    gyr = np.rad2deg(stack(batches, "gyr_radps")) / GYRO_FACTOR32
    assert np.rint(acc).astype(np.int64).tolist() == raw[:, :3].tolist()
    assert np.rint(gyr).astype(np.int64).tolist() == raw[:, 3:].tolist()
    assert len(notes) == 2 + 2 * math.ceil(len(counts) / per_frame)


def test_polar_saturates_at_int16() -> None:
    samples = ImuSamples(np.array([0.0, 0.02]), np.array([[9 * G0, -9 * G0, 0.0], [0.0, 0.0, 0.0]]),
                         np.zeros((2, 3)))
    batches = decode("polar-verity", encode_notifications("polar-verity", samples))
    acc = stack(batches, "acc_mps2")

    np.testing.assert_allclose(acc[0, :2] / (ACC_FACTOR32 * G0), [32767, -32768], rtol=1e-9)


# --- Dispatch ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", DEVICE_PROFILES)
def test_every_device_profile_has_an_encoder_and_empty_samples_encode_to_nothing(name: str) -> None:
    assert name in profiles.names() and name in encoder_names()
    assert encode_notifications(name, ImuSamples.empty()) == []


def test_unknown_profiles_options_and_non_finite_values_are_refused(thigh: ImuSamples) -> None:
    with pytest.raises(UnknownProfileError):
        encode_notifications("metawear", thigh)
    with pytest.raises(TypeError):
        encode_notifications("thingy52", thigh, frames_per_notification=2)
    with pytest.raises(ValueError, match="frames_per_notification"):
        encode_notifications("witmotion", thigh, frames_per_notification=0)
    bad = ImuSamples(thigh.time_s, np.where(np.arange(len(thigh))[:, None] == 7, np.nan, thigh.acc_mps2),
                     thigh.gyr_radps)
    with pytest.raises(ValueError, match="non-finite acc_mps2"):
        encode_notifications("witmotion", bad)
