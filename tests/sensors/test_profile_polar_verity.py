"""Polar Verity Sense PMD profile: start responses, compressed ACC/GYRO frames, timestamps, malformed input.

Frames are built here from the documented layout (protocols.md §6) with an independent bit packer; one frame is the
vendor's own test vector (polar-ble-sdk AccDataTest, "process acc compressed data type 0").
"""

from __future__ import annotations

import math
import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sensors import profiles
from sensors.profiles import ImuBatch, MalformedPacketError
from sensors.profiles import polar_verity as polar

CP = "fb005c81-02e7-f387-1cad-8acd2d8df0c8"
DATA = "fb005c82-02e7-f387-1cad-8acd2d8df0c8"
G_MPS2 = 9.80665
ACC_START_RESPONSE = bytes.fromhex("f0 02 02 00 00 05 01 40da7f39")
GYRO_START_RESPONSE = bytes.fromhex("f0 02 05 00 00 05 01") + struct.pack("<f", 0.07)
ACC_FACTOR = struct.unpack("<f", bytes.fromhex("40da7f39"))[0]
GYRO_FACTOR = struct.unpack("<f", struct.pack("<f", 0.07))[0]
MAG_START_RESPONSE = bytes.fromhex("f0 02 06 00 00 05 01") + struct.pack("<f", 1.5e-3)
MAG_FACTOR = struct.unpack("<f", struct.pack("<f", 1.5e-3))[0]


def delta_block(deltas: list[tuple[int, int, int]], bit_width: int) -> bytes:
    """`[bit width][count][deltas]`, each delta `bit_width`-bit two's complement, packed LSB-first."""
    stream, position = 0, 0
    for sample in deltas:
        for delta in sample:
            assert -(1 << (bit_width - 1)) <= delta < (1 << (bit_width - 1))
            stream |= (delta & ((1 << bit_width) - 1)) << position
            position += bit_width
    return bytes([bit_width, len(deltas)]) + stream.to_bytes((position + 7) // 8, "little")


def frame(measurement: int, time_ns: int, content: bytes, frame_type: int = 0x80) -> bytes:
    return bytes([measurement]) + struct.pack("<Q", time_ns) + bytes([frame_type]) + content


REFERENCE = (1000, -2000, 4096)
BLOCK_A = [(1, -2, 3), (-4, 0, 2), (3, 3, -1)]                  # 3-bit: -4..3
BLOCK_B = [(60, -64, 17), (-33, 5, 63)]                          # 7-bit
CONTENT = struct.pack("<3h", *REFERENCE) + delta_block(BLOCK_A, 3) + delta_block(BLOCK_B, 7)


def expected_counts() -> list[list[int]]:
    samples = [list(REFERENCE)]
    for delta in BLOCK_A + BLOCK_B:
        samples.append([previous + step for previous, step in zip(samples[-1], delta, strict=True)])
    return samples


def started_decoder() -> polar.PolarVerityDecoder:
    decoder = polar.PolarVerityDecoder()
    assert decoder.decode(CP, ACC_START_RESPONSE) is None
    assert decoder.decode(CP, GYRO_START_RESPONSE) is None
    assert decoder.decode(CP, MAG_START_RESPONSE) is None
    return decoder


def test_commands_match_the_documented_bytes() -> None:
    expected = {
        polar.START_ACC: "02 02 00 01 34 00 01 01 10 00 02 01 08 00 04 01 03",
        polar.START_GYRO: "02 05 00 01 34 00 01 01 10 00 02 01 d0 07 04 01 03",
        polar.STOP_ACC: "03 02",
        polar.STOP_GYRO: "03 05",
        polar.get_settings_command(polar.MeasurementType.ACC): "01 02",
    }
    for command, hex_bytes in expected.items():
        assert command.payload == bytes.fromhex(hex_bytes)
        assert command.characteristic_uuid == CP and command.response is True


def test_the_documented_factor_bytes_are_2_44e_4() -> None:
    assert math.isclose(ACC_FACTOR, 2.44e-4, rel_tol=1e-6)
    assert struct.pack("<f", 2.44e-4) == bytes.fromhex("40da7f39")


def test_start_response_sets_the_factor_and_returns_none() -> None:
    decoder = polar.PolarVerityDecoder()
    assert decoder.decode(CP, ACC_START_RESPONSE) is None
    assert decoder.factors == {polar.MeasurementType.ACC: ACC_FACTOR}


def test_a_response_split_with_more_is_joined_before_use() -> None:
    decoder = polar.PolarVerityDecoder()
    assert decoder.decode(CP, bytes.fromhex("f0 02 02 00 01 05 01 40")) is None
    assert decoder.factors == {}
    assert decoder.decode(CP, bytes.fromhex("f0 02 02 00 00 da 7f 39")) is None
    assert decoder.factors == {polar.MeasurementType.ACC: ACC_FACTOR}


def test_an_error_status_raises_and_names_it() -> None:
    decoder = polar.PolarVerityDecoder()
    with pytest.raises(MalformedPacketError, match="status 5 INVALID_PARAMETER"):
        decoder.decode(CP, bytes.fromhex("f0 02 02 05 00"))
    with pytest.raises(MalformedPacketError, match="status 13 DEVICE_IN_CHARGER"):
        decoder.decode(CP, bytes.fromhex("f0 02 05 0d 00"))
    assert decoder.factors == {}


@pytest.mark.parametrize("response", ["f0 02 02", "f0 02 02 00 00 05 01 40da7f", "f0 02 02 00 00 07 01 00",
                                      "f0 02 02 00 00 05 01 00000000", "f0 02 02 00 00 05 01 0000c0ff", "", "77"])
def test_malformed_control_point_notifications_raise(response: str) -> None:
    with pytest.raises(MalformedPacketError):
        polar.PolarVerityDecoder().decode(CP, bytes.fromhex(response))


def test_data_before_the_factor_raises() -> None:
    with pytest.raises(MalformedPacketError, match="start response with FACTOR not seen"):
        polar.PolarVerityDecoder().decode(DATA, frame(2, 10**18, CONTENT))
    decoder = polar.PolarVerityDecoder()
    decoder.decode(CP, ACC_START_RESPONSE)
    with pytest.raises(MalformedPacketError, match="FACTOR not seen"):
        decoder.decode(DATA, frame(5, 10**18, CONTENT))  # ACC's factor is not GYRO's


def test_compressed_acc_frame_with_two_delta_blocks_and_negative_deltas() -> None:
    time_ns = 800_000_000_123_456_789
    batch = started_decoder().decode(DATA, frame(2, time_ns, CONTENT))

    assert batch is not None and batch.acc_mps2 is not None and batch.device_time_s is not None
    assert batch.gyr_radps is None and batch.mag_ut is None and batch.quat_wxyz is None
    want = np.array(expected_counts(), dtype=np.float64) * ACC_FACTOR * G_MPS2
    np.testing.assert_allclose(batch.acc_mps2, want, rtol=1e-12, atol=0)
    assert batch.acc_mps2.shape == (6, 3)
    # First frame: last sample at the frame time, earlier ones 1/52 s apart.
    want_s = [time_ns / 1e9 - (5 - i) / 52 for i in range(6)]
    np.testing.assert_allclose(batch.device_time_s, want_s, rtol=0, atol=1e-6)
    assert batch.device_time_s[-1] == pytest.approx(800_000_000.123456789, abs=1e-6)


def test_a_later_frame_spaces_its_samples_from_the_previous_frame_time() -> None:
    decoder = started_decoder()
    first_ns = 800_000_000_000_000_000
    second_ns = first_ns + 120_000_000  # 6 samples over 120 ms → 20 ms apart
    decoder.decode(DATA, frame(2, first_ns, CONTENT))
    batch = decoder.decode(DATA, frame(2, second_ns, CONTENT))
    assert batch is not None and batch.device_time_s is not None
    want_s = [800_000_000.0 + 0.020 * (i + 1) for i in range(6)]
    np.testing.assert_allclose(batch.device_time_s, want_s, rtol=0, atol=1e-6)


def test_previous_frame_times_are_kept_per_measurement_type_and_cleared_by_stop() -> None:
    decoder = started_decoder()
    base_ns = 800_000_000_000_000_000
    decoder.decode(DATA, frame(2, base_ns, CONTENT))
    gyro = decoder.decode(DATA, frame(5, base_ns + 60_000_000, CONTENT))  # first GYRO frame: 1/52 s spacing
    assert gyro is not None and gyro.device_time_s is not None
    assert np.diff(gyro.device_time_s) == pytest.approx([1 / 52] * 5, abs=1e-6)
    assert decoder.decode(CP, bytes.fromhex("f0 03 02 00 00")) is None  # ACC stopped
    acc = decoder.decode(DATA, frame(2, base_ns + 600_000_000, CONTENT))
    assert acc is not None and acc.device_time_s is not None
    assert np.diff(acc.device_time_s) == pytest.approx([1 / 52] * 5, abs=1e-6)


def test_a_device_initiated_stop_also_restarts_the_spacing() -> None:
    decoder = started_decoder()
    base_ns = 800_000_000_000_000_000
    decoder.decode(DATA, frame(2, base_ns, CONTENT))
    assert decoder.decode(CP, bytes.fromhex("01 02")) is None  # ONLINE_MEASUREMENT_STOPPED for ACC
    acc = decoder.decode(DATA, frame(2, base_ns + 600_000_000, CONTENT))
    assert acc is not None and acc.device_time_s is not None
    assert np.diff(acc.device_time_s) == pytest.approx([1 / 52] * 5, abs=1e-6)


def test_gyro_frame_is_scaled_to_rad_per_s() -> None:
    batch = started_decoder().decode(DATA, frame(5, 10**18, CONTENT))
    assert batch is not None and batch.gyr_radps is not None and batch.acc_mps2 is None
    want = np.array(expected_counts(), dtype=np.float64) * GYRO_FACTOR * math.pi / 180
    np.testing.assert_allclose(batch.gyr_radps, want, rtol=1e-12, atol=0)


def test_mag_frame_is_scaled_from_gauss_to_microtesla() -> None:
    batch = started_decoder().decode(DATA, frame(6, 10**18, CONTENT))
    assert batch is not None and batch.mag_ut is not None and batch.acc_mps2 is None and batch.gyr_radps is None
    want = np.array(expected_counts(), dtype=np.float64) * MAG_FACTOR * 100
    np.testing.assert_allclose(batch.mag_ut, want, rtol=1e-12, atol=0)


def test_vendor_acc_compressed_type0_vector() -> None:
    content = bytes.fromhex(
        "7107F06A9E8D0A38BE5CBEBA2F96B3EE4BE5ADFB42B9EBBE4CFEBA2F92BFEE4BE4B1FB12B9ECBD3C3EBB2F8FD3DE4BE3B5F7D2B8EDBD30"
        "7E7B2F8BE3CE8BE2BAF7A2B8EEBC20BE7B2F88F3CECBE1BDEF52F8EFBC18FE3B2F8403BFCBE0C2EF32B8F0BB044EBC2E8113AF0BE0C6"
        "EFF2F7F1B9FC7DBC2E7D279F4BDFCAEBC2F7F2B8ECCD7C2E7B378F4BDECEE392F7F3B8E00DFD2D774B7FCBDDD2DF6237F5B7D44DBD2D"
        "745B6FCBDCD7D73237F6B5C88D7D2D716B4F4BDCDCD3F236F7B4BCDDFD2C6F7B3F4BDBE0CFD236F8B2B02DBE2C6C8F1FCBDAE3C7A276F9")
    decoder = started_decoder()
    decoder.decode(DATA, frame(2, 100, struct.pack("<3h", 0, 0, 0)))  # the vendor test's previous frame time: 100 ns
    batch = decoder.decode(DATA, frame(2, 2_000_000_000, content))

    assert batch is not None and batch.acc_mps2 is not None and batch.device_time_s is not None
    counts = batch.acc_mps2 / (ACC_FACTOR * G_MPS2)
    np.testing.assert_allclose(counts[0], [1905, 27376, -29282], atol=1e-6)
    np.testing.assert_allclose(counts[1], [1905 + 190, 27376 - 105, -29282 - 85], atol=1e-6)
    assert len(batch) == 57
    assert np.abs(counts * ACC_FACTOR).max() <= 8.0  # the vendor test checks every sample is within ±8 G
    assert batch.device_time_s[0] == pytest.approx((100 + (2_000_000_000 - 100) / 57) * 1e-9, abs=1e-9)
    assert batch.device_time_s[-1] == pytest.approx(2.0, abs=1e-12)


@pytest.mark.parametrize(("payload", "problem"), [
    (frame(2, 10**18, CONTENT)[:9], "header"),
    (frame(2, 10**18, CONTENT[:5]), "reference sample"),
    (frame(2, 10**18, CONTENT[:-1]), "needs"),                                        # last delta block cut short
    (frame(2, 10**18, CONTENT[:6] + bytes([7])), "header truncated"),               # block header cut short
    (frame(2, 10**18, CONTENT[:6] + bytes([16, 200]) + bytes(20)), "needs 1200 bytes"),  # bit width overruns
    (frame(2, 10**18, CONTENT[:6] + bytes([40, 1]) + bytes(15)), "exceeds 32"),
    (frame(1, 10**18, CONTENT), "not decoded"),                                       # PPG
    (frame(2, 10**18, CONTENT, frame_type=0x00), "frame type 0x00"),
    (frame(2, 10**18, CONTENT, frame_type=0x81), "frame type 0x81"),
])
def test_malformed_data_frames_raise(payload: bytes, problem: str) -> None:
    with pytest.raises(MalformedPacketError, match=problem):
        started_decoder().decode(DATA, payload)


def test_a_frame_time_that_does_not_advance_raises() -> None:
    decoder = started_decoder()
    decoder.decode(DATA, frame(2, 10**18, CONTENT))
    with pytest.raises(MalformedPacketError, match="not after the previous"):
        decoder.decode(DATA, frame(2, 10**18, CONTENT))


def test_other_characteristics_raise() -> None:
    with pytest.raises(MalformedPacketError):
        started_decoder().decode("00002a19-0000-1000-8000-00805f9b34fb", bytes([80]))


def test_profile_is_registered() -> None:
    profile = profiles.get("polar-verity")
    assert profile is polar.PROFILE
    assert profile.service_uuid == "fb005c80-02e7-f387-1cad-8acd2d8df0c8"
    assert set(profile.notify_uuids) == {CP, DATA}
    assert profile.start_commands == (polar.START_ACC, polar.START_GYRO)
    assert profile.stop_commands == (polar.STOP_ACC, polar.STOP_GYRO)
    decoder = profile.decoder(**profile.options)
    decoder.decode(CP, ACC_START_RESPONSE)
    assert decoder.decode(DATA, frame(2, 10**18, CONTENT)) is not None


def _check_batch(batch: ImuBatch) -> None:
    n = len(batch)
    assert n >= 1 and batch.device_time_s is not None and batch.device_time_s.shape == (n,)
    for value in (batch.acc_mps2, batch.gyr_radps, batch.mag_ut):
        assert value is None or value.shape == (n, 3)


def _feed(decoder: polar.PolarVerityDecoder, notifications: list[tuple[str, bytes]]) -> None:
    for uuid, payload in notifications:
        try:
            batch = decoder.decode(uuid, payload)
        except MalformedPacketError:
            continue
        if batch is not None:
            _check_batch(batch)


_anything = st.lists(st.tuples(st.sampled_from([CP, DATA]), st.binary(max_size=64)), min_size=1, max_size=4)


@st.composite
def _block(draw: st.DrawFn) -> bytes:
    """A delta block whose body is about the right length (sometimes short), to reach the unpacking code."""
    bit_width, count = draw(st.integers(0, 40)), draw(st.integers(0, 12))
    n_bytes = (bit_width * count * 3 + 7) // 8
    return bytes([bit_width, count]) + draw(st.binary(min_size=max(n_bytes - 1, 0), max_size=n_bytes))


_content = st.one_of(st.binary(max_size=48),
                     st.builds(lambda ref, blocks: ref + b"".join(blocks), st.binary(min_size=6, max_size=6),
                               st.lists(_block(), max_size=3)))
_framed = st.builds(lambda kind, time_ns, content: (DATA, frame(kind, time_ns, content)),
                    st.sampled_from([2, 5, 6]), st.integers(0, 2**64 - 1), _content)
_responses = st.builds(lambda op, kind, status, more, rest: (CP, bytes([0xF0, op, kind, status, more]) + rest),
                       st.sampled_from([1, 2, 3]), st.sampled_from([2, 5, 6, 9, 0x82]), st.sampled_from([0, 0, 5]),
                       st.sampled_from([0, 0, 1]), st.binary(max_size=12))


@settings(max_examples=200, deadline=None)
@given(notifications=_anything)
def test_arbitrary_bytes_give_a_batch_none_or_malformed_packet_error(notifications: list[tuple[str, bytes]]) -> None:
    _feed(polar.PolarVerityDecoder(), notifications)


@settings(max_examples=300, deadline=None)
@given(notifications=st.lists(st.one_of(_framed, _responses, _anything.map(lambda items: items[0])), max_size=5))
def test_arbitrary_frames_after_a_valid_start_give_a_batch_none_or_malformed_packet_error(
        notifications: list[tuple[str, bytes]]) -> None:
    _feed(started_decoder(), notifications)
