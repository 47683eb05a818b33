"""The BLE session through bleak's real client and bleak-retry-connector, over the replay backend
(the one fake: it sits where the radio would be and plays real protocol bytes)."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from sensors import Placement, profiles
from sensors.ble.replay_backend import REPLAY_DEVICES, ReplayBackend, ReplayDevice, replay_ble_device, replay_clock
from sensors.ble.session import LinkItem, SensorLink, notifications_from
from sensors.notification_log import LoggedDevice, LoggedNotification
from sensors.notification_source import NotificationSource
from sensors.simulator import Dose, SimOptions, simulate_session
from sensors.simulator.encode import encode_notifications
from tracker.domain import Side, Source
from tracker.services import Services, record

pytestmark = pytest.mark.usefixtures("replay_devices")   # a clean registry of sensors in range

ADDRESS = "D4:22:CD:00:11:22"
HOST_START_S = 1_800_000_000.0


def _device(profile: str, **replay: float) -> tuple[ReplayDevice, int]:
    sim = simulate_session("seated_hip_internal_rotation", "left", 31, SimOptions(dose=Dose(sets=1, reps=3)))
    notes = [LoggedNotification(HOST_START_S + n.time_s, ADDRESS, profile, n.characteristic_uuid, n.payload)
             for n in encode_notifications(profile, sim.thigh)]
    device = ReplayDevice(ADDRESS, profile, notes, **replay)  # type: ignore[arg-type]
    REPLAY_DEVICES[ADDRESS] = device
    return device, len(sim.thigh)


async def _record(svc: Services, profile: str, reconnect_for_s: float = 2.0) -> tuple[int, SensorLink]:
    """Record from the replayed sensor; the end of its log is the sensor leaving (after reconnect_for_s)."""
    queue: asyncio.Queue[LinkItem] = asyncio.Queue()
    link = SensorLink(replay_ble_device(ADDRESS, "Movella DOT"), profiles.get(profile), queue,
                      backend=ReplayBackend, reconnect_for_s=reconnect_for_s, first_retry_s=0.2)
    source = NotificationSource([LoggedDevice(ADDRESS, profile, Placement.LEFT_THIGH, "sensor", 60.0)],
                                notifications_from([link], queue))
    session_id = await record(svc, source, "seated_hip_internal_rotation", Side.LEFT, Source.BLE)
    return session_id, link


async def test_every_notification_arrives_and_the_start_command_is_written(svc: Services) -> None:
    device, n_samples = _device("movella-dot")
    session_id, link = await _record(svc, "movella-dot")
    assert (link.report.connects, link.report.drops) == (1, 1)     # the one drop: the log's end
    start = [payload for uuid, payload in device.writes if uuid.startswith("15172001")]
    assert bytes.fromhex("01011a") in start                     # DOT: start custom mode 5
    summary = svc.store.sessions.get(session_id)
    assert summary.samples == n_samples
    result = svc.store.results.load(session_id)
    assert result is not None and len(result.reps) == 3


async def test_a_dropped_link_reconnects_and_leaves_a_gap_not_duplicates(svc: Services) -> None:
    _, n_samples = _device("movella-dot", drop_after_s=20.0, down_for_s=1.0)
    session_id, link = await _record(svc, "movella-dot")
    assert link.report.drops == 2 and link.report.connects == 2 and len(link.report.gaps_s) == 1
    summary = svc.store.sessions.get(session_id)
    stored = svc.store.sessions.samples(summary.streams[0].id)
    steps = np.diff(stored.time_s)
    assert np.all(steps > 0)                                    # nothing duplicated, nothing reordered
    assert steps.max() == pytest.approx(1.0, abs=0.1)           # the second the sensor was away
    assert n_samples - 105 <= len(stored) <= n_samples - 95     # ~100 samples (1 s) lost, the rest kept


async def test_a_sensor_that_never_returns_ends_the_session_with_its_data(svc: Services) -> None:
    _device("movella-dot", drop_after_s=15.0, down_for_s=1000.0)
    session_id, link = await _record(svc, "movella-dot", reconnect_for_s=1.0)
    assert link.report.gave_up
    summary = svc.store.sessions.get(session_id)
    assert summary.status.value == "complete"
    assert 14.0 <= summary.duration_s <= 15.5


@pytest.mark.extended     # ~25 s; a drop and reconnect: test_a_dropped_link_reconnects..., two sensors on one
                          # time base: tests/tracker/test_ble_record.py::test_two_thighs_by_address_one_host_stamped
async def test_three_sensors_two_minutes_one_session_with_a_gap(svc: Services) -> None:
    """Left thigh (WitMotion), right thigh (Movella DOT), pelvis (Polar): one session, one time base."""
    options = SimOptions(dose=Dose(ride_s=100.0), with_other_thigh=True, with_pelvis=True)
    sim = simulate_session("ride", "left", 32, options)
    families = {Placement.LEFT_THIGH: ("witmotion", "C0:00:00:00:00:01"),
                Placement.RIGHT_THIGH: ("movella-dot", "D4:22:CD:00:00:02"),
                Placement.PELVIS: ("polar-verity", "A0:9E:1A:00:00:03")}
    queue: asyncio.Queue[LinkItem] = asyncio.Queue()
    links, logged = [], []
    for placement, (profile, address) in families.items():
        notes = [LoggedNotification(HOST_START_S + n.time_s, address, profile, n.characteristic_uuid, n.payload)
                 for n in encode_notifications(profile, sim.streams[placement])]
        drop = {"drop_after_s": 60.0, "down_for_s": 2.0} if placement is Placement.RIGHT_THIGH else {}
        REPLAY_DEVICES[address] = ReplayDevice(address, profile, notes, **drop)  # type: ignore[arg-type]
        links.append(SensorLink(replay_ble_device(address, profile), profiles.get(profile), queue,
                                backend=ReplayBackend, reconnect_for_s=4.0, first_retry_s=0.2,
                                clock=replay_clock.now))
        logged.append(LoggedDevice(address, profile, placement, profile, sim.rate_hz))
    source = NotificationSource(logged, notifications_from(links, queue))
    session_id = await record(svc, source, "ride", Side.LEFT, Source.BLE)

    summary = svc.store.sessions.get(session_id)
    by_placement = {s.placement: s for s in summary.streams}
    assert set(by_placement) == set(families)
    n = len(sim.thigh)
    assert by_placement[Placement.LEFT_THIGH].samples == n
    assert by_placement[Placement.PELVIS].samples >= n - 36      # Polar: at most one frame still unpaired
    right = svc.store.sessions.samples(by_placement[Placement.RIGHT_THIGH].id)
    assert n - 210 <= len(right) <= n - 190                       # the 2 s the right sensor was away
    assert np.diff(right.time_s).max() == pytest.approx(2.0, abs=0.1)
    left = svc.store.sessions.samples(by_placement[Placement.LEFT_THIGH].id)
    assert abs(left.time_s[0] - right.time_s[0]) < 0.05            # one time base
    result = svc.store.results.load(session_id)
    assert result is not None, "not analysed"
    assert result is not None and result.calibrated, result
    assert result.ride is not None and result.ride.revolutions > 50 and result.ride.asymmetry is not None


def test_a_witmotion_clone_on_the_sig_base_is_addressed_by_its_own_uuids() -> None:
    """WitMotion units serve ffe4/ffe9 on the vendor base or on the Bluetooth SIG base; the session must use
    whichever the device has (bleak finds characteristics by exact UUID). Other families keep their UUIDs."""
    from bleak.backends.characteristic import BleakGATTCharacteristic
    from bleak.backends.service import BleakGATTService, BleakGATTServiceCollection

    from sensors.ble.session import device_uuid
    from sensors.profiles import witmotion

    sig = "-0000-1000-8000-00805f9b34fb"
    services = BleakGATTServiceCollection()
    service = BleakGATTService(None, 1, "0000ffe5" + sig)
    services.add_service(service)
    for handle, short in ((2, "0000ffe4"), (3, "0000ffe9")):
        services.add_characteristic(BleakGATTCharacteristic(None, handle, short + sig, ["notify", "write"],
                                                            lambda: 244, service))
    profile = profiles.get("witmotion")
    assert witmotion.NOTIFY_UUID.lower() != "0000ffe4" + sig
    assert device_uuid(services, profile, witmotion.NOTIFY_UUID) == "0000ffe4" + sig
    assert device_uuid(services, profile, witmotion.WRITE_UUID) == "0000ffe9" + sig
    dot = profiles.get("movella-dot")
    assert device_uuid(services, dot, dot.notify_uuids[0]) == dot.notify_uuids[0]
