"""Scanning: bleak's real BleakScanner front end over the replay scanner backend (advertisements as the real
families send them), profile matching, battery reads over the replay client, choosing a sensor, `hiptrack scan`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from bleak.backends.scanner import AdvertisementDataCallback, BaseBleakScanner
from bleak.exc import BleakError
from typer.testing import CliRunner

from hiptrack.cli import app
from sensors.ble.advertising import match_profile, sig_uuid
from sensors.ble.backends import BleBackends
from sensors.ble.replay_backend import REPLAY_DEVICES, ReplayBackend, ReplayDevice, replay_clock
from sensors.ble.replay_scanner import ReplayScanner
from sensors.ble.scan import FoundSensor, SensorChoiceError, resolve, scan
from sensors.profiles.thingy52 import CONFIGURATION_SERVICE_UUID
from tracker import ble_recording

REPLAY = BleBackends(ReplayScanner, ReplayBackend, replay_clock.now)
SENSORS = {  # address: (profile, rssi)
    "D4:22:CD:00:00:01": ("movella-dot", -48),
    "A0:9E:1A:00:00:02": ("polar-verity", -71),
    "C0:00:00:00:00:03": ("witmotion", -55),
    "E1:00:00:00:00:04": ("thingy52", -80),
}
runner = CliRunner()


@pytest.fixture(autouse=True)
def _sensors_in_range(replay_devices: dict[str, ReplayDevice]) -> None:
    for address, (profile, rssi) in SENSORS.items():
        replay_devices[address] = ReplayDevice(address, profile, [], rssi_dbm=rssi)


async def test_every_family_is_heard_matched_and_its_battery_read() -> None:
    found = await scan(0.25, backends=REPLAY)
    assert [(f.address, f.profile.name if f.profile else None, f.rssi_dbm) for f in found] == [
        ("D4:22:CD:00:00:01", "movella-dot", -48), ("C0:00:00:00:00:03", "witmotion", -55),
        ("A0:9E:1A:00:00:02", "polar-verity", -71), ("E1:00:00:00:00:04", "thingy52", -80)]   # strongest first
    assert {f.name for f in found} == {"Movella DOT", "Polar Sense 1A2B3C4D", "WT901BLE68", "Thingy"}
    battery = {f.profile.name: f.battery_percent for f in found if f.profile}
    assert battery == {"movella-dot": 87, "polar-verity": 87, "thingy52": 87, "witmotion": None}
    assert REPLAY_DEVICES["C0:00:00:00:00:03"].connects == 0       # no GATT battery: not even connected
    assert not any(d.connected for d in REPLAY_DEVICES.values())   # every battery connection was closed


async def test_filters_by_name_and_by_advertised_service() -> None:
    by_name = await scan(0.25, name_contains="polar", read_battery=False, backends=REPLAY)
    assert [f.address for f in by_name] == ["A0:9E:1A:00:00:02"]
    by_service = await scan(0.25, service_uuids=[CONFIGURATION_SERVICE_UUID], read_battery=False,
                            backends=REPLAY)
    assert [f.address for f in by_service] == ["E1:00:00:00:00:04"]
    assert all(d.connects == 0 for d in REPLAY_DEVICES.values())   # read_battery=False connects to nothing


async def test_a_connected_sensor_does_not_advertise_and_a_bad_battery_is_none() -> None:
    REPLAY_DEVICES["D4:22:CD:00:00:01"].connected = True
    REPLAY_DEVICES["A0:9E:1A:00:00:02"].battery_percent = None       # the read fails (not permitted)
    found = {f.address: f for f in await scan(0.25, backends=REPLAY)}
    assert "D4:22:CD:00:00:01" not in found
    assert found["A0:9E:1A:00:00:02"].battery_percent is None


@pytest.mark.parametrize(("name", "uuids", "expected"), [
    ("Xsens DOT", [], "movella-dot"),
    ("WT9011DCL-BT50", [], "witmotion"),
    (None, [CONFIGURATION_SERVICE_UUID], "thingy52"),          # renamed Thingy, still its service
    ("Polar Sense B5A22A2F", [sig_uuid(0x180D), sig_uuid(0xFEEE)], "polar-verity"),
    ("Polar H10 8C4A1B2C", [sig_uuid(0x180D), sig_uuid(0xFEEE)], None),   # same services, not a Verity Sense
    ("JBL Flip 5", [sig_uuid(0x110B)], None),
    (None, [], None),
])
def test_advertisements_are_matched_to_profiles(name: str | None, uuids: list[str], expected: str | None) -> None:
    profile = match_profile(name, uuids)
    assert (profile.name if profile else None) == expected


def _found(name: str, address: str, profile: str | None) -> FoundSensor:
    from sensors import profiles

    return FoundSensor(name, address, profiles.get(profile) if profile else None, -60)


HEARD = [_found("Movella DOT", "D4:22:CD:00:00:01", "movella-dot"),
         _found("Movella DOT", "D4:22:CD:00:00:05", "movella-dot"),
         _found("WT901BLE68", "C0:00:00:00:00:03", "witmotion"),
         _found("JBL Flip 5", "00:11:22:33:44:55", None)]


def test_a_sensor_is_chosen_by_exact_address_or_a_unique_part_of_its_name() -> None:
    assert resolve(HEARD, "d4:22:cd:00:00:05").address == "D4:22:CD:00:00:05"
    assert resolve(HEARD, "wt901").address == "C0:00:00:00:00:03"


@pytest.mark.parametrize(("query", "problem"), [
    ("Movella", "matches 2 sensors: Movella DOT (D4:22:CD:00:00:01), Movella DOT (D4:22:CD:00:00:05); give the "
                "address"),
    ("Thingy", "no sensor with name containing 'Thingy' in range (heard: Movella DOT"),
    ("AA:BB:CC:DD:EE:FF", "no sensor with address 'AA:BB:CC:DD:EE:FF'"),
    ("00:11:22:33:44:55", "(JBL Flip 5) is not a supported sensor"),
])
def test_unclear_choices_say_what_was_heard(query: str, problem: str) -> None:
    with pytest.raises(SensorChoiceError) as caught:
        resolve(HEARD, query)
    assert problem in str(caught.value)


def _scan_cli(tmp_path: Path, *args: str) -> Any:
    log = tmp_path / "empty.log"
    log.write_text("# device C0:00:00:00:00:03 profile=witmotion placement=left_thigh rate_hz=100 name=WT901BLE68\n"
                   "# device D4:22:CD:00:00:01 profile=movella-dot placement=right_thigh rate_hz=60 name=x\n"
                   "host_time_s,device,profile,characteristic,payload_hex\n")
    return runner.invoke(app, ["scan", "--timeout", "0.25", *args], env={"HIPTRACK_BLE_REPLAY": str(log)})


def test_scan_cli_prints_json_for_scripts(tmp_path: Path) -> None:
    result = _scan_cli(tmp_path, "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == [
        {"name": "WT901BLE68", "address": "C0:00:00:00:00:03", "profile": "witmotion", "rssi": -60,
         "battery_percent": None},
        {"name": "Movella DOT", "address": "D4:22:CD:00:00:01", "profile": "movella-dot", "rssi": -60,
         "battery_percent": 87}]


def test_scan_cli_table_and_name_filter(tmp_path: Path) -> None:
    result = _scan_cli(tmp_path, "--name", "dot")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["name", "address", "sensor", "signal", "battery"]
    assert lines[1].split() == ["Movella", "DOT", "D4:22:CD:00:00:01", "movella-dot", "-60", "dBm", "87", "%"]
    assert len(lines) == 2
    nothing = _scan_cli(tmp_path, "--name", "thingy")
    assert nothing.exit_code == 0 and nothing.stdout == "" and "No sensors found in 0.25 s" in nothing.stderr


def test_scan_cli_refuses_a_bad_timeout(tmp_path: Path) -> None:
    result = _scan_cli(tmp_path, "--timeout", "0")
    assert result.exit_code == 2 and "--timeout must be positive" in result.stderr


class _NoAdapter(BaseBleakScanner):
    """The radio as it is on a machine without a powered adapter."""

    def __init__(self, detection_callback: AdvertisementDataCallback | None, service_uuids: list[str] | None,
                 *args: Any, **kwargs: Any) -> None:
        super().__init__(detection_callback, service_uuids)

    async def start(self) -> None:
        raise BleakError("No Bluetooth adapters found.")

    async def stop(self) -> None:
        return None


def test_no_bluetooth_is_one_line_with_advice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ble_recording, "PLATFORM", BleBackends(scanner=_NoAdapter))
    result = runner.invoke(app, ["scan", "--timeout", "0.1"])
    assert result.exit_code == 1
    assert result.stderr.startswith("hiptrack: error: cannot scan for sensors: No Bluetooth adapters found. ")
    assert "hiptrack doctor" in result.stderr and "--simulate" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1 and len(result.stderr) < 160
