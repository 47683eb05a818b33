"""Nordic Thingy:52 motion service profile: byte vectors built from the documented layouts (protocols.md §4,
ble_tms.h), SI values computed here from the Q-formats."""

from __future__ import annotations

import math
import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sensors import profiles
from sensors.profiles import MalformedPacketError
from sensors.profiles import thingy52 as thingy
from sensors.profiles.base import ImuBatch

G = 9.80665
RAW_UUID = "ef680406-9b35-4933-9b10-52ffa9740042"
QUAT_UUID = "ef680404-9b35-4933-9b10-52ffa9740042"
CONFIG_UUID = "ef680401-9b35-4933-9b10-52ffa9740042"


def raw_payload(acc: tuple[int, int, int], gyr: tuple[int, int, int], mag: tuple[int, int, int]) -> bytes:
    return struct.pack("<9h", *acc, *gyr, *mag)


def test_raw_data_scales_q_formats_to_si() -> None:
    acc, gyr, mag = (-32768, 32767, 1024), (-32768, 32767, 32), (-32768, 32767, -16)
    batch = thingy.Thingy52Decoder().decode(RAW_UUID, raw_payload(acc, gyr, mag))
    assert batch is not None and len(batch) == 1
    np.testing.assert_allclose(batch.acc_mps2, [[v / 1024 * G for v in acc]], rtol=0, atol=1e-9)
    np.testing.assert_allclose(batch.gyr_radps, [[v / 32 * math.pi / 180 for v in gyr]], rtol=0, atol=1e-9)
    np.testing.assert_allclose(batch.mag_ut, [[v / 16 for v in mag]], rtol=0, atol=1e-9)
    assert batch.acc_mps2[0, 0] == pytest.approx(-32 * G, abs=1e-9)       # firmware clamp limits: -32 g
    assert batch.gyr_radps[0, 2] == pytest.approx(math.radians(1.0), abs=1e-12)
    assert batch.quat_wxyz is None and batch.device_time_s is None


def test_quaternion_is_q2_30_in_wxyz_order() -> None:
    raw = (1 << 30, -(1 << 31), (1 << 31) - 1, -(1 << 29))
    batch = thingy.Thingy52Decoder().decode(QUAT_UUID, struct.pack("<4i", *raw))
    assert batch is not None and batch.quat_wxyz is not None
    np.testing.assert_allclose(batch.quat_wxyz, [[v / 2**30 for v in raw]], rtol=0, atol=1e-9)
    assert batch.quat_wxyz[0, 0] == 1.0 and batch.quat_wxyz[0, 1] == -2.0
    assert batch.acc_mps2 is None and batch.gyr_radps is None


def test_characteristic_uuid_is_matched_case_insensitively() -> None:
    batch = thingy.Thingy52Decoder().decode(RAW_UUID.upper(), raw_payload((1024, 0, 0), (0, 0, 0), (0, 0, 0)))
    assert batch is not None and batch.acc_mps2 is not None and batch.acc_mps2[0, 0] == pytest.approx(G, abs=1e-12)


@pytest.mark.parametrize(("uuid", "size"), [(RAW_UUID, 17), (RAW_UUID, 19), (RAW_UUID, 0), (RAW_UUID, 36),
                                            (QUAT_UUID, 15), (QUAT_UUID, 18)])
def test_wrong_length_is_malformed(uuid: str, size: int) -> None:
    with pytest.raises(MalformedPacketError, match=f"must be .* bytes, got {size}") as caught:
        thingy.Thingy52Decoder().decode(uuid, bytes(size))
    assert caught.value.profile == "thingy52"


@pytest.mark.parametrize("uuid", [CONFIG_UUID, "ef680407-9b35-4933-9b10-52ffa9740042",
                                  "0000ffe4-0000-1000-8000-00805f9a34fb"])
def test_unknown_characteristic_is_malformed(uuid: str) -> None:
    with pytest.raises(MalformedPacketError, match="neither raw data"):
        thingy.Thingy52Decoder().decode(uuid, bytes(18))


def test_config_command_for_100_hz_matches_the_documented_bytes() -> None:
    command = thingy.config_command(100)
    assert command.payload == bytes.fromhex("e8 03 f4 01 f4 01 64 00 01")
    assert command.characteristic_uuid == CONFIG_UUID
    assert command.response is True


@pytest.mark.parametrize("rate_hz", [5, 200, 52.0])
def test_config_command_encodes_the_rate_as_u16(rate_hz: float) -> None:
    assert struct.unpack("<HHHHB", thingy.config_command(rate_hz).payload)[3] == int(rate_hz)


@pytest.mark.parametrize("rate_hz", [4, 201, 0, -10, 50.5, float("nan"), float("inf")])
def test_config_command_rejects_rates_outside_5_to_200(rate_hz: float) -> None:
    with pytest.raises(ValueError, match="from 5 to 200"):
        thingy.config_command(rate_hz)


def test_profile_is_registered_with_motion_service_uuids() -> None:
    profile = profiles.get("thingy52")
    assert profile is thingy.PROFILE
    assert profile.service_uuid == "ef680400-9b35-4933-9b10-52ffa9740042"
    assert profile.notify_uuids == (RAW_UUID, QUAT_UUID)
    assert profile.start_commands == (thingy.config_command(100),)
    assert profile.battery_uuid == "00002a19-0000-1000-8000-00805f9b34fb"
    assert isinstance(profile.decoder(), thingy.Thingy52Decoder)
    assert "thingy52" in profiles.names()


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([RAW_UUID, QUAT_UUID, CONFIG_UUID]), st.binary(max_size=40))
def test_arbitrary_bytes_decode_or_raise_malformed(uuid: str, payload: bytes) -> None:
    try:
        batch = thingy.Thingy52Decoder().decode(uuid, payload)
    except MalformedPacketError:
        return
    assert isinstance(batch, ImuBatch) and len(batch) == 1
