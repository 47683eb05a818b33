"""Adding a sensor family is adding one module to sensors/profiles (CONTRIBUTING.md): a throwaway family, written
into a temporary directory on the package's search path, shows up everywhere families are listed or matched
without any other edit: the registry, scan matching (and a replayed unit's advertisement, GATT table and battery),
the simulator's encoders, the CLI's and the dashboard's choices, and the live rate.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import numpy as np
import pytest
from helpers import ROOT

from sensors import profiles
from sensors.ble.advertising import match_profile
from sensors.ble.backends import BleBackends
from sensors.ble.replay_backend import REPLAY_DEVICES, ReplayBackend, ReplayDevice, replay_clock
from sensors.ble.replay_scanner import ReplayScanner
from sensors.ble.scan import scan
from sensors.notification_log import LoggedDevice, LoggedNotification
from sensors.notification_source import NotificationSource
from sensors.profiles.base import SensorProfile
from sensors.samples import ImuSamples, Placement
from sensors.simulator.encode import decoder_options, encode_notifications, encoder_names
from sensors.source import SampleBlock
from tracker.ble_recording import live_profile
from tracker.sensor_families import simulator_choices, simulator_profile_names

TOY_SERVICE = "6869700b-0000-4000-8000-00000000b000"
TOY_DATA = "6869700b-0000-4000-8000-00000000b001"
TOY_CONTROL = "6869700b-0000-4000-8000-00000000b002"
TOY_MODULE = f'''"""A throwaway family: one int16 acc + gyr frame per notification, rate set by one control byte."""

import numpy as np

from sensors.profiles.base import (GATT_BATTERY, Advertisement, Clock, Command, Encoder, ImuBatch,
                                   MalformedPacketError, Notification, SensorProfile)

SERVICE_UUID, DATA_UUID, CONTROL_UUID = "{TOY_SERVICE}", "{TOY_DATA}", "{TOY_CONTROL}"
ACC_MPS2_PER_LSB, GYR_RADPS_PER_LSB = 0.01, 0.001
_FRAME = np.dtype([("acc", "<i2", 3), ("gyr", "<i2", 3)])


class ToyDecoder:
    def decode(self, characteristic_uuid, payload):
        if characteristic_uuid.lower() != DATA_UUID or len(payload) != _FRAME.itemsize:
            raise MalformedPacketError("toy-imu", payload, "not a 12-byte data frame")
        frame = np.frombuffer(payload, dtype=_FRAME)
        return ImuBatch(acc_mps2=frame["acc"] * ACC_MPS2_PER_LSB, gyr_radps=frame["gyr"] * GYR_RADPS_PER_LSB)


def encode(samples):
    frames = np.zeros(len(samples), dtype=_FRAME)
    frames["acc"] = np.rint(samples.acc_mps2 / ACC_MPS2_PER_LSB)
    frames["gyr"] = np.rint(samples.gyr_radps / GYR_RADPS_PER_LSB)
    return [Notification(float(t), DATA_UUID, frames[i:i + 1].tobytes()) for i, t in enumerate(samples.time_s)]


def rate_commands(rate_hz):
    return (Command(CONTROL_UUID, bytes([int(rate_hz)])),)


PROFILE = SensorProfile(
    name="toy-imu", service_uuid=SERVICE_UUID, notify_uuids=(DATA_UUID,), decoder_factory=ToyDecoder,
    start_commands=rate_commands(50), name_patterns=("ToyIMU",), default_rate_hz=50.0, battery=GATT_BATTERY,
    display_name="Toy IMU",
    advertisement=Advertisement("ToyIMU 01", (SERVICE_UUID,), identifying_uuids=(SERVICE_UUID,)),
    encoder=Encoder(encode), rate_commands=rate_commands, live_rate_hz=100.0, clock=Clock.ARRIVAL)
'''
REPLAY = BleBackends(ReplayScanner, ReplayBackend, replay_clock.now)
ADDRESS = "02:70:79:00:00:01"


@pytest.fixture
def toy_family(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """`toy_imu.py` in a directory searched as part of sensors.profiles, as if it had been added to the package."""
    (tmp_path / "toy_imu.py").write_text(TOY_MODULE)
    monkeypatch.setattr(profiles, "__path__", [*profiles.__path__, str(tmp_path)])
    REPLAY_DEVICES.clear()
    yield
    REPLAY_DEVICES.clear()
    profiles.forget("toy-imu")
    sys.modules.pop("sensors.profiles.toy_imu", None)


def _samples(n: int = 20, rate_hz: float = 50.0) -> ImuSamples:
    time_s = np.arange(n) / rate_hz
    acc_mps2 = np.column_stack([np.sin(time_s), np.cos(time_s), np.full(n, 9.80665)])
    gyr_radps = np.column_stack([0.5 * np.cos(time_s), np.zeros(n), np.linspace(-1.0, 1.0, n)])
    return ImuSamples(time_s, acc_mps2, gyr_radps)


def test_builtin_families_are_found_without_a_list() -> None:
    assert {"witmotion", "movella-dot", "thingy52", "polar-verity", "simulated"} <= set(profiles.names())
    for profile in profiles.all_profiles():          # each family module names its profile after itself
        assert sys.modules[f"sensors.profiles.{profile.name.replace('-', '_')}"].PROFILE is profile


@pytest.mark.usefixtures("toy_family")
def test_a_new_module_is_a_known_family_with_its_encoder_choices_and_live_rate() -> None:
    assert "toy-imu" in profiles.names()
    profile = profiles.get("toy-imu")
    assert isinstance(profile, SensorProfile) and profile.title == "Toy IMU"
    assert "toy-imu" in encoder_names() and "toy-imu" in simulator_profile_names()
    assert ("toy-imu", "Simulated Toy IMU bytes") in simulator_choices()
    live, gap_s = live_profile(profile)
    assert [c.payload for c in live.start_commands] == [bytes([100])] and live.default_rate_hz == 100.0
    assert gap_s == 0.0


@pytest.mark.usefixtures("toy_family")
def test_scan_matches_the_new_family_by_its_service_and_by_its_name() -> None:
    assert match_profile("ToyIMU 7F", []) is profiles.get("toy-imu")
    assert match_profile(None, [TOY_SERVICE.upper()]) is profiles.get("toy-imu")
    assert match_profile("Toy", []) is None


@pytest.mark.usefixtures("toy_family")
async def test_a_replayed_unit_of_the_new_family_advertises_and_serves_its_battery() -> None:
    REPLAY_DEVICES[ADDRESS] = ReplayDevice(ADDRESS, "toy-imu", [], rssi_dbm=-50, battery_percent=64)
    found = await scan(0.25, backends=REPLAY)
    assert [(f.name, f.profile.name if f.profile else None, f.battery_percent) for f in found] == [
        ("ToyIMU 01", "toy-imu", 64)]


@pytest.mark.usefixtures("toy_family")
async def test_the_simulator_speaks_the_new_family_and_its_decoder_reads_it_back() -> None:
    samples = _samples()
    notes = encode_notifications("toy-imu", samples)
    assert decoder_options("toy-imu", samples) == {}
    assert len(notes) == len(samples) and {n.characteristic_uuid for n in notes} == {TOY_DATA}

    async def stream() -> AsyncIterator[LoggedNotification]:
        for note in notes:
            yield LoggedNotification(100.0 + note.time_s, "toy:1", "toy-imu", note.characteristic_uuid, note.payload)

    source = NotificationSource([LoggedDevice("toy:1", "toy-imu", Placement.LEFT_THIGH, "Toy", 50.0)], stream())
    blocks = [b async for b in source.blocks() if isinstance(b, SampleBlock)]
    acc_mps2 = np.concatenate([b.samples.acc_mps2 for b in blocks])
    gyr_radps = np.concatenate([b.samples.gyr_radps for b in blocks])
    np.testing.assert_allclose(acc_mps2, samples.acc_mps2, atol=0.005 + 1e-12)
    np.testing.assert_allclose(gyr_radps, samples.gyr_radps, atol=0.0005 + 1e-12)


def test_listing_families_for_help_texts_does_not_load_the_simulator() -> None:
    """The CLI's help lists the simulator's families at import: that must not pull in the simulator (and SciPy)."""
    code = ("import json, sys, tracker.sensor_families as f; "
            "print(json.dumps([f.simulator_profile_names(), sorted(sys.modules)]))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=ROOT)
    names, modules = json.loads(result.stdout)
    assert names[0] == "simulated" and "witmotion" in names
    assert "sensors.simulator" not in modules and "scipy.integrate" not in modules
