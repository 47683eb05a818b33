"""`hiptrack record --sensor NAME` end to end over the replay backends (`--ble-replay LOG`): scan, resolve, connect
through bleak and bleak-retry-connector, stream, lose the link once, reconnect, stop with Ctrl-C, store, analyse."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from hiptrack.cli import app
from sensors import Placement, profiles
from sensors.ble.backends import BleBackends
from sensors.ble.replay_backend import REPLAY_DEVICES, ReplayBackend, ReplayDevice, replay_ble_device, replay_clock
from sensors.ble.scan import FoundSensor
from sensors.notification_log import LoggedDevice, LogWriter
from sensors.simulator import Dose, SimOptions, simulate_session
from sensors.simulator.encode import encode_notifications
from tracker.ble_recording import BluetoothError, LiveSensors
from tracker.services import build_services

pytestmark = pytest.mark.usefixtures("replay_devices")   # a clean registry of sensors in range

runner = CliRunner()
HOST_START_S = 1_800_000_000.0
DOT = "D4:22:CD:00:11:22"
WIT = "C0:00:00:00:00:03"


def _log(path: Path, sensors: dict[str, tuple[str, str, Placement, float]], seed: int = 31) -> dict[str, int]:
    """A raw log of a simulated session as the given sensors (address: profile, name, placement, rate) sent it."""
    counts = {}
    devices = [LoggedDevice(address, profile, placement, name, rate) for address, (profile, name, placement, rate)
               in sensors.items()]
    writer = LogWriter(path, devices)
    notes = []
    for device in devices:
        options = SimOptions(rate_hz=device.rate_hz, dose=Dose(sets=1, reps=3), with_other_thigh=True)
        sim = simulate_session("seated_hip_internal_rotation", "left", seed, options)
        samples = sim.streams[device.placement]
        counts[device.address] = len(samples)
        notes += [(HOST_START_S + n.time_s, device.address, device.profile, n.characteristic_uuid, n.payload)
                  for n in encode_notifications(device.profile, samples)]
    for note in sorted(notes, key=lambda n: n[0]):
        writer.write(*note)
    writer.close()
    return counts


def _record(tmp_path: Path, log: Path, *args: str, ctrl_c_after: list[str] | None = None) -> tuple[int, str, str]:
    """Run the command; with `ctrl_c_after`, press Ctrl-C (a real SIGINT) once those sensors sent their whole log."""
    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        pytest.skip("SIGINT is handled by the test runner here; asyncio cannot turn it into a graceful stop")
    done = threading.Event()

    def press() -> None:
        while not done.wait(0.05):
            devices = [REPLAY_DEVICES.get(a) for a in ctrl_c_after or []]
            if all(d is not None and d.finished for d in devices):
                if not done.wait(0.3):                  # the command may have ended on its own meanwhile
                    os.kill(os.getpid(), signal.SIGINT)
                return

    presser = threading.Thread(target=press, daemon=True)
    if ctrl_c_after:
        presser.start()
    try:
        result = runner.invoke(app, ["record", "--exercise", "seated_hip_internal_rotation", "--side", "left",
                                     "--ble-replay", str(log), "--fast", "--scan-timeout", "0.3",
                                     "--db", f"sqlite:///{tmp_path / 'r.db'}", *args])
    finally:
        done.set()
        if ctrl_c_after:
            presser.join()
    return result.exit_code, result.stdout, result.stderr


def test_record_from_a_named_sensor_with_a_dropped_link_then_ctrl_c(tmp_path: Path) -> None:
    log = tmp_path / "dot.log"
    n_samples = _log(log, {DOT: ("movella-dot", "Movella DOT", Placement.LEFT_THIGH, 60.0)})[DOT]
    live_log = tmp_path / "live.log"
    code, out, err = _record(tmp_path, log, "--sensor", "movella", "--ble-replay-drop", "20:1", "--log", str(live_log),
                             ctrl_c_after=[DOT])
    assert code == 0, err
    assert "left thigh: Movella DOT (D4:22:CD:00:11:22)" in out
    assert "Stopping; keeping and analysing" in out and "3 reps in 1 set" in out
    assert "left thigh sensor: link lost 1 time(s)" in err

    device = REPLAY_DEVICES[DOT]
    start, stop = bytes.fromhex("01011a"), bytes.fromhex("01001a")
    control = [payload for uuid, payload in device.writes if uuid.startswith("15172001")]
    assert control == [start, start, stop]              # started, started again after the drop, stopped at Ctrl-C

    services = build_services(f"sqlite:///{tmp_path / 'r.db'}")
    (summary,) = services.store.sessions.summaries()
    assert (summary.source.value, summary.status.value) == ("ble", "complete")
    stream = summary.streams[0]
    stored = services.store.sessions.samples(stream.id)
    assert n_samples - 63 <= len(stored) <= n_samples - 57      # the second the sensor was away (60 Hz), nothing else
    assert np.all(np.diff(stored.time_s) > 0)                   # nothing duplicated or reordered
    (gap,) = services.store.sessions.gaps(stream.id)
    assert gap.reason == "link lost, reconnected"
    assert gap.end_s - gap.start_s == pytest.approx(1.0 + 1 / 60, abs=0.02)
    assert gap.start_s - stored.time_s[0] == pytest.approx(20.0, abs=0.1)
    assert services.store.results.load(summary.id) is not None
    services.close()

    # The raw log of the live session replays to the same samples; the gap is then found from the DOT's clock.
    replayed = runner.invoke(app, ["record", "--exercise", "seated_hip_internal_rotation", "--side", "left",
                                   "--replay", str(live_log), "--fast", "--db", f"sqlite:///{tmp_path / 'r.db'}"])
    assert replayed.exit_code == 0, replayed.stderr
    services = build_services(f"sqlite:///{tmp_path / 'r.db'}")
    _, again = services.store.sessions.summaries()
    np.testing.assert_array_equal(services.store.sessions.samples(again.streams[0].id).time_s, stored.time_s)
    (same_gap,) = services.store.sessions.gaps(again.streams[0].id)
    assert (same_gap.start_s, same_gap.end_s, same_gap.reason) == (gap.start_s, gap.end_s, "samples missing")
    services.close()


def test_two_thighs_by_address_one_host_stamped(tmp_path: Path) -> None:
    """WitMotion (no device clock: times from smoothed arrival) on the left, a DOT on the right, chosen by address;
    the WitMotion is switched to 100 Hz with unlock / rate / save."""
    log = tmp_path / "two.log"
    counts = _log(log, {WIT: ("witmotion", "WT901BLE68", Placement.LEFT_THIGH, 100.0),
                        DOT: ("movella-dot", "Movella DOT", Placement.RIGHT_THIGH, 60.0)})
    code, _, err = _record(tmp_path, log, "--sensor", WIT.lower(), "--other-thigh", DOT, ctrl_c_after=[WIT, DOT])
    assert code == 0, err
    assert [payload.hex() for _, payload in REPLAY_DEVICES[WIT].writes] == ["ffaa6988b5", "ffaa030900", "ffaa000000"]
    services = build_services(f"sqlite:///{tmp_path / 'r.db'}")
    (summary,) = services.store.sessions.summaries()
    streams = {s.placement: s for s in summary.streams}
    assert streams[Placement.LEFT_THIGH].samples == counts[WIT]
    assert streams[Placement.RIGHT_THIGH].samples == counts[DOT]
    left = services.store.sessions.samples(streams[Placement.LEFT_THIGH].id)
    right = services.store.sessions.samples(streams[Placement.RIGHT_THIGH].id)
    assert abs(left.time_s[0] - right.time_s[0]) < 0.05          # one time base
    assert np.diff(left.time_s).max() < 0.02 and np.all(np.diff(left.time_s) > 0)
    assert services.store.sessions.gaps(streams[Placement.LEFT_THIGH].id) == []
    services.close()


@pytest.mark.parametrize(("args", "code", "problem"), [
    (["--sensor", "thingy"], 2, "left thigh sensor: no sensor with name containing 'thingy' in range (heard: "
                                "Movella DOT (D4:22:CD:00:11:22))"),
    (["--sensor", "movella", "--pelvis", "D4:22:CD:00:11:22"], 2, "D4:22:CD:00:11:22 was chosen for more than one"),
    (["--sensor", "movella", "--simulate"], 2, "choose one of --sensor ADDR_OR_NAME"),
    (["--simulate", "--pelvis", "x"], 2, "--pelvis and --other-thigh go with --sensor"),
    (["--sensor", "movella", "--ble-replay-drop", "soon"], 2, "expected AT_S:DOWN_S"),
])
def test_bad_sensor_choices_exit_2_and_store_nothing(tmp_path: Path, args: list[str], code: int,
                                                     problem: str) -> None:
    log = tmp_path / "dot.log"
    _log(log, {DOT: ("movella-dot", "Movella DOT", Placement.LEFT_THIGH, 60.0)})
    result_code, _, err = _record(tmp_path, log, *args)
    assert result_code == code and problem in err, err
    if (tmp_path / "r.db").exists():
        services = build_services(f"sqlite:///{tmp_path / 'r.db'}")
        assert services.store.sessions.summaries() == []
        services.close()


async def test_a_sensor_that_cannot_be_connected_stops_the_ones_already_started(tmp_path: Path) -> None:
    """Two sensors found, the second gone before it could be connected: one clear error, the first one stopped."""
    REPLAY_DEVICES[DOT] = ReplayDevice(DOT, "movella-dot", [], stays_after_log=True)
    found = {Placement.LEFT_THIGH: FoundSensor("Movella DOT", DOT, profiles.get("movella-dot"), -50, None,
                                               replay_ble_device(DOT, "Movella DOT")),
             Placement.PELVIS: FoundSensor("WT901BLE68", WIT, profiles.get("witmotion"), -70, None,
                                           replay_ble_device(WIT, "WT901BLE68"))}
    backends = BleBackends(client=ReplayBackend, clock=replay_clock.now)
    with pytest.raises(BluetoothError, match=r"connect to the pelvis sensor WT901BLE68 \(C0:00:00:00:00:03\)"):
        await LiveSensors.connect(found, backends)
    device = REPLAY_DEVICES[DOT]
    assert [payload.hex() for uuid, payload in device.writes if uuid.startswith("15172001")] == ["01011a", "01001a"]
    assert not device.connected


async def test_connected_sensors_report_their_battery_for_the_live_status() -> None:
    """Read once over the open link; a WitMotion (no GATT battery level) shows none rather than a guess."""
    REPLAY_DEVICES[DOT] = ReplayDevice(DOT, "movella-dot", [], stays_after_log=True, battery_percent=64)
    REPLAY_DEVICES[WIT] = ReplayDevice(WIT, "witmotion", [], stays_after_log=True)
    found = {Placement.LEFT_THIGH: FoundSensor("Movella DOT", DOT, profiles.get("movella-dot"), -50, None,
                                               replay_ble_device(DOT, "Movella DOT")),
             Placement.RIGHT_THIGH: FoundSensor("WT901BLE68", WIT, profiles.get("witmotion"), -60, None,
                                                replay_ble_device(WIT, "WT901BLE68"))}
    sensors = await LiveSensors.connect(found, BleBackends(client=ReplayBackend, clock=replay_clock.now))
    try:
        assert sensors.source.battery_percent(Placement.LEFT_THIGH) == 64
        assert sensors.source.battery_percent(Placement.RIGHT_THIGH) is None
    finally:
        await sensors.stop()
