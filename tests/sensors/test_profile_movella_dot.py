"""Movella DOT profile: byte vectors built with struct.pack from the spec's field order (XD0506P Tables 14-17)."""

from __future__ import annotations

import math
import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sensors import profiles
from sensors.profiles import ImuBatch, MalformedPacketError
from sensors.profiles import movella_dot as dot

LONG = "15172002-4947-11e9-8646-d663bd873d93"
MEDIUM = "15172003-4947-11e9-8646-d663bd873d93"
SHORT = "15172004-4947-11e9-8646-d663bd873d93"
BATTERY = "15173001-4947-11e9-8646-d663bd873d93"
CONTROL = "15172001-4947-11e9-8646-d663bd873d93"
CAPACITY = {LONG: 63, MEDIUM: 40, SHORT: 20}

# Values exactly representable in float32, so the decoded doubles must match exactly.
QUAT = (0.5, -0.5, 0.25, 0.75)
EULER_DEG = (10.5, -45.25, 170.0)
ACC = (0.25, -9.75, 1.5)
FREE_ACC = (-0.125, 0.5, 2.0)
GYR_DPS = (90.0, -180.0, 12.5)
MAG_RAW = (4096, -2048, 1)
STATUS_AND_CLIPS = struct.pack("<HBB", 0x0012, 3, 4)

FIELD_BYTES = {
    "quat": struct.pack("<4f", *QUAT), "euler": struct.pack("<3f", *EULER_DEG), "acc": struct.pack("<3f", *ACC),
    "free_acc": struct.pack("<3f", *FREE_ACC), "gyr": struct.pack("<3f", *GYR_DPS),
    "mag": struct.pack("<3h", *MAG_RAW), "status": STATUS_AND_CLIPS,
}

# Spec field order and characteristic per payload mode (Tables 14-16), written out independently of the module.
MODES = {
    2: (MEDIUM, ["quat", "free_acc", "status"]),
    3: (MEDIUM, ["quat", "free_acc"]),
    4: (SHORT, ["euler"]),
    5: (SHORT, ["quat"]),
    6: (SHORT, ["free_acc"]),
    7: (MEDIUM, ["euler", "free_acc", "status"]),
    16: (MEDIUM, ["euler", "free_acc"]),
    20: (MEDIUM, ["acc", "gyr", "mag"]),
    21: (MEDIUM, ["acc", "gyr"]),
    22: (MEDIUM, ["euler", "free_acc", "gyr"]),
    23: (MEDIUM, ["euler", "free_acc", "mag"]),
    24: (MEDIUM, ["quat", "gyr"]),
    26: (LONG, ["quat", "acc", "gyr"]),
}
DATA_BYTES = {2: 36, 3: 32, 4: 16, 5: 20, 6: 16, 7: 32, 16: 28, 20: 34, 21: 28, 22: 40, 23: 34, 24: 32, 26: 44}


def packet(mode: int, tick_us: int = 123_456, padded: bool = True) -> bytes:
    characteristic, fields = MODES[mode]
    data = struct.pack("<I", tick_us) + b"".join(FIELD_BYTES[name] for name in fields)
    return data.ljust(CAPACITY[characteristic], b"\x00") if padded else data


@pytest.mark.parametrize("mode", sorted(MODES))
def test_each_supported_mode_decodes_its_fields(mode: int) -> None:
    characteristic, fields = MODES[mode]
    batch = dot.MovellaDotDecoder(payload_mode=mode).decode(characteristic, packet(mode))

    assert isinstance(batch, dot.DotImuBatch)
    assert len(batch) == 1
    assert batch.device_time_s is not None and batch.device_time_s.tolist() == [0.123456]
    expected = {
        "quat_wxyz": [list(QUAT)] if "quat" in fields else None,
        "euler_xyz_deg": [list(EULER_DEG)] if "euler" in fields else None,
        "acc_mps2": [list(ACC)] if "acc" in fields else None,
        "free_acc_mps2": [list(FREE_ACC)] if "free_acc" in fields else None,
        "gyr_radps": [[math.radians(v) for v in GYR_DPS]] if "gyr" in fields else None,
        "mag_ut": [[v / 4096 for v in MAG_RAW]] if "mag" in fields else None,
    }
    for attribute, want in expected.items():
        got = getattr(batch, attribute)
        if want is None:
            assert got is None, attribute
        else:
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=0, err_msg=attribute)


def test_data_bytes_match_the_spec_totals() -> None:
    assert {mode: len(packet(mode, padded=False)) for mode in MODES} == DATA_BYTES
    assert {mode: layout.data_bytes for mode, layout in dot.LAYOUTS.items()} == DATA_BYTES


def test_zero_padding_is_accepted_and_ignored() -> None:
    exact = dot.MovellaDotDecoder(payload_mode=6).decode(SHORT, packet(6, padded=False))
    padded = dot.MovellaDotDecoder(payload_mode=6).decode(SHORT, packet(6, padded=True))
    assert isinstance(exact, dot.DotImuBatch) and isinstance(padded, dot.DotImuBatch)
    assert len(packet(6, padded=True)) == 20
    assert exact.free_acc_mps2 is not None and padded.free_acc_mps2 is not None
    assert exact.free_acc_mps2.tolist() == padded.free_acc_mps2.tolist() == [list(FREE_ACC)]


def test_timestamp_wrap_is_unwrapped_across_notifications() -> None:
    decoder = dot.MovellaDotDecoder(payload_mode=21)
    before = decoder.decode(MEDIUM, packet(21, tick_us=2**32 - 1_000))
    after = decoder.decode(MEDIUM, packet(21, tick_us=500))
    assert before is not None and before.device_time_s is not None
    assert after is not None and after.device_time_s is not None
    assert before.device_time_s[0] == pytest.approx((2**32 - 1_000) * 1e-6, abs=1e-9)
    assert after.device_time_s[0] - before.device_time_s[0] == pytest.approx(1_500e-6, abs=1e-9)


def test_a_small_step_back_is_not_taken_for_a_wrap() -> None:
    decoder = dot.MovellaDotDecoder(payload_mode=21)
    first = decoder.decode(MEDIUM, packet(21, tick_us=1_000_000))
    second = decoder.decode(MEDIUM, packet(21, tick_us=999_000))
    assert first is not None and first.device_time_s is not None
    assert second is not None and second.device_time_s is not None
    assert second.device_time_s[0] - first.device_time_s[0] == pytest.approx(-1e-3, abs=1e-9)


@pytest.mark.parametrize("mode", [26, 21, 5])
def test_a_short_payload_is_rejected(mode: int) -> None:
    characteristic, _ = MODES[mode]
    with pytest.raises(MalformedPacketError, match=f"needs {DATA_BYTES[mode]} data bytes"):
        dot.MovellaDotDecoder(payload_mode=mode).decode(characteristic, packet(mode, padded=False)[:-1])


def test_a_payload_longer_than_the_characteristic_is_rejected() -> None:
    with pytest.raises(MalformedPacketError, match="20-byte"):
        dot.MovellaDotDecoder(payload_mode=5).decode(SHORT, packet(5) + b"\x00")


@pytest.mark.parametrize(("mode", "wrong"), [(26, MEDIUM), (21, LONG), (21, SHORT), (5, MEDIUM), (26, CONTROL)])
def test_a_notification_on_the_wrong_characteristic_is_rejected(mode: int, wrong: str) -> None:
    with pytest.raises(MalformedPacketError, match=f"payload mode {mode}"):
        dot.MovellaDotDecoder(payload_mode=mode).decode(wrong, packet(mode))


def test_uuids_are_compared_case_insensitively() -> None:
    assert dot.MovellaDotDecoder(payload_mode=26).decode(LONG.upper(), packet(26)) is not None


@pytest.mark.parametrize("mode", [1, 17, 25, 18, 19, 0, 99])
def test_unsupported_modes_fail_at_decoder_creation_naming_the_supported_ones(mode: int) -> None:
    with pytest.raises(ValueError, match=f"payload mode {mode} is not supported") as err:
        profiles.get("movella-dot").decoder(payload_mode=mode)
    assert "26 Custom mode 5" in str(err.value) and "21 Rate quantities" in str(err.value)


def test_sdk_only_modes_say_why() -> None:
    with pytest.raises(ValueError, match="SDK"):
        dot.MovellaDotDecoder(payload_mode=25)


def test_start_and_stop_commands() -> None:
    start, stop = dot.start_command(26), dot.stop_command(26)
    assert (start.characteristic_uuid, start.payload, start.response) == (CONTROL, bytes.fromhex("01011a"), True)
    assert (stop.characteristic_uuid, stop.payload, stop.response) == (CONTROL, bytes.fromhex("01001a"), True)
    assert dot.start_command(21).payload == bytes.fromhex("010115")
    with pytest.raises(ValueError):
        dot.start_command(17)


def test_rate_command_matches_the_documented_30_hz_vector() -> None:
    command = dot.rate_command(30)
    assert command.characteristic_uuid == "15171002-4947-11e9-8646-d663bd873d93"
    assert command.payload == bytes([0x10]) + bytes(23) + bytes([0x1E, 0x00]) + bytes(6)
    assert command.response is True


@pytest.mark.parametrize("rate_hz", [1, 4, 10, 12, 15, 20, 30, 60])
def test_every_real_time_rate_is_accepted(rate_hz: int) -> None:
    assert int.from_bytes(dot.rate_command(rate_hz).payload[24:26], "little") == rate_hz


@pytest.mark.parametrize("rate_hz", [120, 0, 50, 25])
def test_other_rates_are_rejected(rate_hz: int) -> None:
    with pytest.raises(ValueError, match="real-time rate"):
        dot.rate_command(rate_hz)


def test_battery_is_parsed_and_battery_notifications_carry_no_samples() -> None:
    assert dot.parse_battery(bytes([87, 1])) == dot.DotBattery(level_pct=87, charging=True)
    assert dot.parse_battery(bytes([5, 0])) == dot.DotBattery(level_pct=5, charging=False)
    assert dot.MovellaDotDecoder().decode(BATTERY, bytes([87, 0])) is None
    for bad in (bytes([87]), bytes([101, 0]), bytes([50, 2]), bytes([50, 0, 0])):
        with pytest.raises(MalformedPacketError):
            dot.parse_battery(bad)


def test_profile_is_registered_with_its_uuids_and_commands() -> None:
    profile = profiles.get("movella-dot")
    assert profile is dot.PROFILE
    assert profile.service_uuid == "15172000-4947-11e9-8646-d663bd873d93"
    assert set(profile.notify_uuids) == {LONG, MEDIUM, SHORT}
    assert profile.battery_uuid == BATTERY
    assert [c.payload for c in profile.start_commands] == [dot.rate_command(60).payload, bytes.fromhex("01011a")]
    assert [c.payload for c in profile.stop_commands] == [bytes.fromhex("01001a")]
    assert isinstance(profile.decoder(**profile.options), dot.MovellaDotDecoder)


def test_profile_for_another_mode_starts_and_decodes_that_mode() -> None:
    profile = dot.profile_for_payload_mode(21, rate_hz=30)
    assert [c.payload for c in profile.start_commands] == [dot.rate_command(30).payload, bytes.fromhex("010115")]
    batch = profile.decoder(**profile.options).decode(MEDIUM, packet(21))
    assert batch is not None and batch.gyr_radps is not None


def _check_batch(batch: ImuBatch) -> None:
    n = len(batch)
    assert batch.device_time_s is not None and batch.device_time_s.shape == (n,)
    for value, width in ((batch.acc_mps2, 3), (batch.gyr_radps, 3), (batch.mag_ut, 3), (batch.quat_wxyz, 4)):
        assert value is None or value.shape == (n, width)


@settings(max_examples=300, deadline=None)
@given(mode=st.sampled_from(sorted(MODES)),
       notifications=st.lists(st.tuples(st.sampled_from([LONG, MEDIUM, SHORT, BATTERY, CONTROL]),
                                        st.binary(max_size=70)), min_size=1, max_size=4))
def test_arbitrary_bytes_give_a_batch_none_or_malformed_packet_error(mode: int,
                                                                     notifications: list[tuple[str, bytes]]) -> None:
    decoder = dot.MovellaDotDecoder(payload_mode=mode)
    for uuid, payload in notifications:
        try:
            batch = decoder.decode(uuid, payload)
        except MalformedPacketError:
            continue
        if batch is not None:
            _check_batch(batch)
