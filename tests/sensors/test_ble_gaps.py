"""Gaps, never interpolation: a dropped link or lost packets become exactly one stored gap per hole, found from the
link's own report or from the sample times (device clock, or smoothed arrival for sensors without one)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import numpy as np
import pytest
from helpers.notification_replay import collect

from sensors import Placement, profiles
from sensors.ble.replay_backend import REPLAY_DEVICES, ReplayBackend, ReplayDevice, replay_ble_device, replay_clock
from sensors.ble.session import LinkItem, SensorLink, notifications_from
from sensors.notification_log import LoggedDevice, LoggedNotification
from sensors.notification_source import LinkLost, NotificationSource
from sensors.samples import ImuSamples
from sensors.simulator import Dose, SimOptions, simulate_session
from sensors.simulator.encode import encode_notifications
from sensors.source import StreamGap
from tracker.domain import Side, Source
from tracker.services import Services, record

pytestmark = pytest.mark.usefixtures("replay_devices")   # a clean registry of sensors in range

HOST_START_S = 1_800_000_000.0
ADDRESS = "C0:00:00:00:00:01"


def _samples(rate_hz: float = 100.0) -> ImuSamples:
    options = SimOptions(rate_hz=rate_hz, dose=Dose(sets=1, reps=3))
    return simulate_session("seated_hip_internal_rotation", "left", 31, options).thigh


def _notes(profile: str, samples: ImuSamples, **options: int) -> list[LoggedNotification]:
    return [LoggedNotification(HOST_START_S + n.time_s, ADDRESS, profile, n.characteristic_uuid, n.payload)
            for n in encode_notifications(profile, samples, **options)]


@pytest.mark.parametrize(("profile", "rate_hz"), [("movella-dot", 60.0), ("witmotion", 100.0)])
async def test_a_replayed_drop_is_one_gap_of_its_length_and_nothing_twice(svc: Services, profile: str,
                                                                        rate_hz: float) -> None:
    """Through the real session (bleak client, retry layer, reconnect): DOT timed by its clock, WitMotion by arrival."""
    samples = _samples(rate_hz)
    REPLAY_DEVICES[ADDRESS] = ReplayDevice(ADDRESS, profile, _notes(profile, samples), drop_after_s=20.0,
                                           down_for_s=1.0)
    queue: asyncio.Queue[LinkItem] = asyncio.Queue()
    link = SensorLink(replay_ble_device(ADDRESS, profile), profiles.get(profile), queue, backend=ReplayBackend,
                      reconnect_for_s=2.0, first_retry_s=0.2, clock=replay_clock.now)
    source = NotificationSource([LoggedDevice(ADDRESS, profile, Placement.LEFT_THIGH, profile, rate_hz)],
                                notifications_from([link], queue))
    session_id = await record(svc, source, "seated_hip_internal_rotation", Side.LEFT, Source.BLE)

    stream = svc.store.sessions.get(session_id).streams[0]
    stored = svc.store.sessions.samples(stream.id)
    (gap,) = svc.store.sessions.gaps(stream.id)
    assert gap.reason == "link lost, reconnected"
    assert gap.end_s - gap.start_s == pytest.approx(1.0 + 1 / rate_hz, abs=0.5 / rate_hz)
    assert gap.start_s == stored.time_s[stored.time_s <= gap.start_s][-1]      # from the last sample before it
    assert gap.end_s == stored.time_s[stored.time_s >= gap.end_s][0]           # to the first after it
    assert np.all(np.diff(stored.time_s) > 0)
    lost = len(samples) - len(stored)
    assert rate_hz - 2 <= lost <= rate_hz + 2                                  # one second's worth, nothing twice
    np.testing.assert_allclose(stored.acc_mps2[:1000], _decoded_acc(profile, samples)[:1000], atol=1e-5)
    assert source.stats.link_losses == 2                                       # the drop, and the log's end


def _decoded_acc(profile: str, samples: ImuSamples) -> np.ndarray:
    decoder = profiles.get(profile).decoder()
    batches = [decoder.decode(n.characteristic_uuid, n.payload) for n in encode_notifications(profile, samples)]
    return np.concatenate([b.acc_mps2 for b in batches if b is not None and b.acc_mps2 is not None])


async def _collect(profile: str, rate_hz: float, notes: Sequence[LoggedNotification | LinkLost],
                   ) -> tuple[list[StreamGap], ImuSamples, NotificationSource]:
    return await collect(profile, rate_hz, notes, ADDRESS)


def _without(notes: Sequence[LoggedNotification | LinkLost], from_s: float,
             to_s: float) -> list[LoggedNotification | LinkLost]:
    return [n for n in notes if not from_s <= n.host_time_s - HOST_START_S < to_s]


async def test_a_device_clock_jump_is_a_gap_even_without_a_link_report() -> None:
    notes = _notes("movella-dot", _samples(60.0))
    gaps, stored, _ = await _collect("movella-dot", 60.0, _without(notes, 10.0, 10.5))
    (gap,) = gaps
    assert gap.reason == "samples missing"
    assert gap.end_s - gap.start_s == pytest.approx(0.5 + 1 / 60, abs=0.01)
    assert np.diff(stored.time_s).max() == pytest.approx(gap.end_s - gap.start_s)


async def test_a_link_report_and_the_time_jump_it_causes_are_one_gap() -> None:
    notes: list[LoggedNotification | LinkLost] = list(_notes("movella-dot", _samples(60.0)))
    cut = next(i for i, n in enumerate(notes) if n.host_time_s - HOST_START_S >= 10.0)
    notes = [*notes[:cut], LinkLost(HOST_START_S + 10.0, ADDRESS), *_without(notes[cut:], 10.0, 12.0)]
    gaps, _, source = await _collect("movella-dot", 60.0, notes)
    assert [(g.reason, round(g.end_s - g.start_s, 2)) for g in gaps] == [("link lost, reconnected", 2.02)]
    assert source.stats.gaps == 1


async def test_ble_jitter_on_a_clockless_sensor_is_smoothed_not_reported_as_gaps() -> None:
    """WitMotion notifications delayed to the next 30 ms connection event, 2 frames each: no gap, even spacing."""
    samples = _samples(100.0)
    rng = np.random.default_rng(5)
    notes = _notes("witmotion", samples, frames_per_notification=2)
    arrival_s = np.array([n.host_time_s for n in notes])
    arrival_s = np.maximum.accumulate(HOST_START_S + np.ceil((arrival_s - HOST_START_S) / 0.030) * 0.030
                                      + rng.exponential(0.001, arrival_s.size))
    late = [LoggedNotification(float(a), n.device, n.profile, n.characteristic, n.payload)
            for a, n in zip(arrival_s, notes, strict=True)]
    gaps, stored, _ = await _collect("witmotion", 100.0, late)
    assert gaps == [] and len(stored) == len(samples)
    spacing = np.diff(stored.time_s)[200:]
    assert np.abs(spacing - 0.01).max() < 0.002
    assert np.abs(stored.time_s - HOST_START_S - samples.time_s)[200:].max() < 0.01


async def test_a_malformed_notification_of_a_clockless_sensor_leaves_a_gap_not_a_shift() -> None:
    """Five frames skipped with a corrupt notification: the following samples keep their arrival time (a gap),
    they are not pulled 50 ms early to fill the hole."""
    samples = _samples(100.0)
    notes = _notes("witmotion", samples, frames_per_notification=5)
    broken = notes[400]
    notes[400] = LoggedNotification(broken.host_time_s, ADDRESS, "witmotion", broken.characteristic,
                                    b"\x55\x62" + broken.payload[2:])
    gaps, stored, source = await _collect("witmotion", 100.0, notes)
    assert source.stats.malformed_by_device == {ADDRESS: 1}
    (gap,) = gaps
    assert gap.reason == "samples missing"
    assert gap.end_s - gap.start_s == pytest.approx(0.06, abs=0.001)
    expected = HOST_START_S + np.delete(samples.time_s, np.arange(2000, 2005))
    np.testing.assert_allclose(stored.time_s, expected, atol=1e-5)


async def test_a_lost_polar_frame_is_a_gap_not_samples_spread_over_two_frames() -> None:
    """Polar spaces a frame's samples over the time since the previous frame; after a lost frame that would stretch
    36 samples over 72 sample periods. They go at the nominal spacing before the frame's stamp instead."""
    samples = _samples(52.0)
    notes = _notes("polar-verity", samples)
    data = [i for i, n in enumerate(notes) if n.characteristic.startswith("fb005c82")]
    lost_acc, lost_gyr = data[20], data[21]                     # one ACC frame and its GYRO frame
    kept = [n for i, n in enumerate(notes) if i not in (lost_acc, lost_gyr)]
    gaps, stored, _ = await _collect("polar-verity", 52.0, kept)
    (gap,) = gaps
    assert gap.end_s - gap.start_s == pytest.approx(37 / 52, abs=1e-3)
    spacing = np.diff(stored.time_s)
    assert np.abs(np.delete(spacing, np.argmax(spacing)) - 1 / 52).max() < 1e-3
