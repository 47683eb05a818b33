"""WitMotion BLE 5.0 profile: byte vectors built from the documented layouts (protocols.md §2), SI values computed
here from the formulas, and the byte-stream framing (split, several, truncated frames, garbage)."""

from __future__ import annotations

import itertools
import math
import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sensors import profiles
from sensors.profiles import MalformedPacketError, UnknownProfileError
from sensors.profiles import witmotion as wit
from sensors.profiles.base import ImuBatch

G = 9.80665
UUID = "0000ffe4-0000-1000-8000-00805f9a34fb"


def data_frame(acc: tuple[int, int, int], gyr: tuple[int, int, int], angle: tuple[int, int, int] = (0, 0, 0)) -> bytes:
    return bytes([0x55, 0x61]) + struct.pack("<9h", *acc, *gyr, *angle)


def reply_frame(start_register: int, values: list[int]) -> bytes:
    return bytes([0x55, 0x71]) + struct.pack("<H8h", start_register, *values)


def expected_acc(raw: tuple[int, ...]) -> list[float]:
    return [v / 32768 * 16 * G for v in raw]


def expected_gyr(raw: tuple[int, ...]) -> list[float]:
    return [v / 32768 * 2000 * math.pi / 180 for v in raw]


F1 = data_frame((1, 2, 3), (4, 5, 6), (7, 8, 9))
F2 = data_frame((-32768, 32767, 0), (32767, -32768, -1), (-32768, 32767, 16384))
F3 = data_frame((100, -200, 2048), (-300, 400, -500))


def acc_rows(*frames: bytes) -> np.ndarray:
    return np.array([expected_acc(struct.unpack("<3h", f[2:8])) for f in frames])


def test_one_frame_scales_acc_gyro_and_angles_to_si() -> None:
    decoder = wit.WitMotionDecoder()
    batch = decoder.decode(UUID, F2)
    assert batch is not None and len(batch) == 1
    np.testing.assert_allclose(batch.acc_mps2, [expected_acc((-32768, 32767, 0))], rtol=0, atol=1e-9)
    np.testing.assert_allclose(batch.gyr_radps, [expected_gyr((32767, -32768, -1))], rtol=0, atol=1e-9)
    assert batch.acc_mps2[0, 0] == pytest.approx(-16 * G, abs=1e-9)
    assert batch.mag_ut is None and batch.quat_wxyz is None and batch.device_time_s is None
    np.testing.assert_allclose(decoder.last_angle_deg, [[-180.0, 32767 / 32768 * 180, 90.0]], rtol=0, atol=1e-9)


def test_several_frames_in_one_notification_decode_in_order() -> None:
    batch = wit.WitMotionDecoder().decode(UUID, F1 + F2 + F3)
    assert batch is not None and batch.acc_mps2 is not None and batch.gyr_radps is not None
    np.testing.assert_allclose(batch.acc_mps2, acc_rows(F1, F2, F3), rtol=0, atol=1e-9)
    np.testing.assert_allclose(batch.gyr_radps[2], expected_gyr((-300, 400, -500)), rtol=0, atol=1e-9)


def test_frame_split_across_two_notifications_is_emitted_once_complete() -> None:
    decoder = wit.WitMotionDecoder()
    assert decoder.decode(UUID, F3[:7]) is None
    assert decoder.pending_bytes == 7
    batch = decoder.decode(UUID, F3[7:] + F1[:1])
    assert batch is not None
    np.testing.assert_allclose(batch.acc_mps2, acc_rows(F3), rtol=0, atol=1e-9)
    assert decoder.pending_bytes == 1


def test_header_bytes_inside_the_data_do_not_break_an_aligned_stream() -> None:
    tricky = data_frame((0x6155, 0x7155, 0x0055), (0x6155, 0, 0))   # acc x is 55 61 on the wire
    batch = wit.WitMotionDecoder().decode(UUID, tricky + F1 + tricky)
    assert batch is not None
    np.testing.assert_allclose(batch.acc_mps2, acc_rows(tricky, F1, tricky), rtol=0, atol=1e-9)


def test_short_frame_is_never_emitted_and_never_spliced_with_the_next() -> None:
    decoder = wit.WitMotionDecoder()
    assert decoder.decode(UUID, F1[:12]) is None
    with pytest.raises(wit.WitMotionResyncError, match="truncated frame") as caught:
        decoder.decode(UUID, F3)
    assert caught.value.batch is not None
    np.testing.assert_allclose(caught.value.batch.acc_mps2, acc_rows(F3), rtol=0, atol=1e-9)
    assert decoder.pending_bytes == 0


def test_truncated_frame_waits_until_the_next_frame_confirms_it() -> None:
    decoder = wit.WitMotionDecoder()
    assert decoder.decode(UUID, F1[:12] + F3[:15]) is None       # cannot tell yet: emit nothing
    with pytest.raises(wit.WitMotionResyncError, match="truncated") as caught:
        decoder.decode(UUID, F3[15:])
    np.testing.assert_allclose(caught.value.batch.acc_mps2, acc_rows(F3), rtol=0, atol=1e-9)


def test_truncated_frame_in_the_middle_keeps_its_neighbours() -> None:
    with pytest.raises(wit.WitMotionResyncError) as caught:
        wit.WitMotionDecoder().decode(UUID, F1 + F2[:9] + F3)
    np.testing.assert_allclose(caught.value.batch.acc_mps2, acc_rows(F1, F3), rtol=0, atol=1e-9)


def test_leading_garbage_raises_but_carries_the_valid_frames() -> None:
    decoder = wit.WitMotionDecoder()
    with pytest.raises(MalformedPacketError, match=r"skipped 3 byte\(s\).*00 01 02") as caught:
        decoder.decode(UUID, b"\x00\x01\x02" + F1 + F2)
    assert isinstance(caught.value, wit.WitMotionResyncError)
    assert caught.value.profile == "witmotion"
    np.testing.assert_allclose(caught.value.batch.acc_mps2, acc_rows(F1, F2), rtol=0, atol=1e-9)
    batch = decoder.decode(UUID, F3)                            # back in sync
    np.testing.assert_allclose(batch.acc_mps2, acc_rows(F3), rtol=0, atol=1e-9)


def test_zero_padding_after_a_frame_is_reported() -> None:
    with pytest.raises(wit.WitMotionResyncError, match="skipped 4 byte") as caught:
        wit.WitMotionDecoder().decode(UUID, F1 + bytes(4))
    np.testing.assert_allclose(caught.value.batch.acc_mps2, acc_rows(F1), rtol=0, atol=1e-9)


def test_wrong_header_is_malformed_and_yields_no_sample() -> None:
    decoder = wit.WitMotionDecoder()
    with pytest.raises(wit.WitMotionResyncError, match="do not start a 55 61") as caught:
        decoder.decode(UUID, bytes([0x55, 0x62]) + bytes(18))
    assert caught.value.batch is None
    assert decoder.pending_bytes == 0


def test_trailing_0x55_waits_for_its_flag_byte() -> None:
    decoder = wit.WitMotionDecoder()
    batch = decoder.decode(UUID, F1 + b"\x55")
    assert batch is not None and len(batch) == 1
    assert decoder.pending_bytes == 1
    assert len(decoder.decode(UUID, F2[1:])) == 1


def test_garbage_ending_in_0x55_keeps_that_byte_as_a_possible_header() -> None:
    decoder = wit.WitMotionDecoder()
    with pytest.raises(wit.WitMotionResyncError, match="skipped 2 byte"):
        decoder.decode(UUID, b"\x01\x02\x55")
    assert decoder.pending_bytes == 1
    batch = decoder.decode(UUID, F3[1:])
    np.testing.assert_allclose(batch.acc_mps2, acc_rows(F3), rtol=0, atol=1e-9)


def test_register_reply_updates_battery_and_quaternion_and_returns_none() -> None:
    decoder = wit.WitMotionDecoder()
    assert decoder.battery_v is None and decoder.quat_wxyz is None
    assert decoder.decode(UUID, reply_frame(0x64, [396, 0, 0, 0, 0, 0, 0, 0])) is None
    assert decoder.battery_v == pytest.approx(3.96, abs=1e-12)
    assert decoder.battery_percent_approx == pytest.approx(90.0, abs=1e-9)
    quat_raw = [32767, -32768, 16384, -1]
    batch = decoder.decode(UUID, reply_frame(0x51, [*quat_raw, 0, 0, 0, 0]) + F1)
    np.testing.assert_allclose(decoder.quat_wxyz, [v / 32768 for v in quat_raw], rtol=0, atol=1e-12)
    assert batch is not None and len(batch) == 1                 # the data frame after the reply still decodes
    assert decoder.registers[0x58] == 0 and 0x59 not in decoder.registers


def test_notification_from_another_characteristic_is_malformed() -> None:
    with pytest.raises(MalformedPacketError, match="not the WitMotion data characteristic"):
        wit.WitMotionDecoder().decode("0000ffe9-0000-1000-8000-00805f9a34fb", F1)


def test_decoder_accepts_the_sig_base_too() -> None:
    batch = wit.WitMotionDecoder().decode("0000FFE4-0000-1000-8000-00805F9B34FB", F1)
    assert batch is not None and len(batch) == 1


@pytest.mark.parametrize(("uuid", "expected"), [
    ("0000ffe4-0000-1000-8000-00805f9a34fb", True),
    ("0000ffe9-0000-1000-8000-00805f9a34fb", True),
    ("0000FFE4-0000-1000-8000-00805F9B34FB", True),
    ("0000ffe9-0000-1000-8000-00805f9b34fb", True),
    ("0000ffe5-0000-1000-8000-00805f9a34fb", False),
    ("0000ffe4-0000-1000-8000-00805f9c34fb", False),
    ("1000ffe4-0000-1000-8000-00805f9a34fb", False),
    ("ffe4", False),
])
def test_uuid_matching_on_both_bases(uuid: str, expected: bool) -> None:
    assert wit.is_witmotion_uuid(uuid) is expected


def test_profile_is_registered_with_uuids_and_no_start_commands() -> None:
    profile = profiles.get("witmotion")
    assert profile is wit.PROFILE
    assert profile.service_uuid == "0000ffe5-0000-1000-8000-00805f9a34fb"
    assert profile.notify_uuids == (UUID,)
    assert profile.start_commands == ()
    assert profile.matches_uuid("0000ffe4-0000-1000-8000-00805f9b34fb")
    assert not profile.matches_uuid("0000ffe9-0000-1000-8000-00805f9a34fb")
    assert isinstance(profile.decoder(), wit.WitMotionDecoder)
    assert profile.decoder() is not profile.decoder()


def test_unknown_profile_name_lists_the_known_ones() -> None:
    with pytest.raises(UnknownProfileError, match=r"known: .*thingy52.*witmotion"):
        profiles.get("witmotoin")


def test_rate_commands_unlock_set_save_without_response() -> None:
    commands = wit.rate_commands(100)
    assert [c.payload.hex(" ") for c in commands] == ["ff aa 69 88 b5", "ff aa 03 09 00", "ff aa 00 00 00"]
    assert all(c.characteristic_uuid == "0000ffe9-0000-1000-8000-00805f9a34fb" for c in commands)
    assert not any(c.response for c in commands)
    codes = {rate: wit.rate_commands(rate)[1].payload[3] for rate in (10, 50, 100.0, 200)}
    assert codes == {10: 0x06, 50: 0x08, 100.0: 0x09, 200: 0x0B}


def test_unknown_rate_lists_the_supported_ones() -> None:
    with pytest.raises(ValueError, match="30 Hz; supported rates: 10, 50, 100, 200 Hz"):
        wit.rate_commands(30)


def test_battery_read_command_reads_register_0x64() -> None:
    command = wit.battery_read_command()
    assert command.payload == bytes([0xFF, 0xAA, 0x27, 0x64, 0x00])
    assert command.response is False


INT16_TRIPLES = st.tuples(*[st.integers(-32768, 32767)] * 3)
FRAMES = st.builds(data_frame, INT16_TRIPLES, INT16_TRIPLES, INT16_TRIPLES)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.binary(max_size=70), max_size=6), st.sampled_from([UUID, "0000ffe4-0000-1000-8000-00805f9b34fb",
                                                                     "0000ffe9-0000-1000-8000-00805f9a34fb"]))
def test_arbitrary_bytes_decode_or_raise_malformed(chunks: list[bytes], uuid: str) -> None:
    decoder = wit.WitMotionDecoder()
    for chunk in chunks:
        try:
            batch = decoder.decode(uuid, chunk)
        except MalformedPacketError:
            batch = None
        assert batch is None or (isinstance(batch, ImuBatch) and batch.acc_mps2 is not None
                                 and batch.acc_mps2.shape == (len(batch), 3))
        assert decoder.pending_bytes < 2 * wit.FRAME_BYTES


@settings(max_examples=100, deadline=None)
@given(st.lists(FRAMES, min_size=1, max_size=8), st.lists(st.integers(0, 160), max_size=6))
def test_any_split_of_a_clean_stream_yields_every_frame_exactly(frames: list[bytes], cuts: list[int]) -> None:
    stream = b"".join(frames)
    bounds = [0, *sorted(min(c, len(stream)) for c in cuts), len(stream)]
    decoder = wit.WitMotionDecoder()
    batches = [decoder.decode(UUID, stream[a:b]) for a, b in itertools.pairwise(bounds)]
    acc = np.concatenate([b.acc_mps2 for b in batches if b is not None and b.acc_mps2 is not None])
    np.testing.assert_allclose(acc, acc_rows(*frames), rtol=0, atol=1e-9)
    assert decoder.pending_bytes == 0
