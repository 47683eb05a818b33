"""A corrupt timestamp costs its own packet, counted as malformed, never the rest of the recording (issue #13).

Before: a DOT packet whose µs stamp leapt forward made every later sample "out of order" (the whole recording
lost), and a simulated frame whose stamp ran backwards inside the packet stored non-increasing times.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

import numpy as np
import pytest
from helpers.notification_replay import collect

from sensors.notification_log import LoggedNotification
from sensors.notification_source import LinkLost
from sensors.samples import ImuSamples
from sensors.simulator import Dose, SimOptions, simulate_session
from sensors.simulator.encode import encode_notifications
from sensors.source import StreamGap

HOST_START_S = 1_800_000_000.0
ADDRESS = "C0:00:00:00:00:02"


def _samples(rate_hz: float) -> ImuSamples:
    options = SimOptions(rate_hz=rate_hz, dose=Dose(sets=1, reps=2))
    return simulate_session("seated_hip_internal_rotation", "left", 32, options).thigh.slice(0, int(20 * rate_hz))


def _notes(profile: str, samples: ImuSamples) -> list[LoggedNotification]:
    return [LoggedNotification(HOST_START_S + n.time_s, ADDRESS, profile, n.characteristic_uuid, n.payload)
            for n in encode_notifications(profile, samples)]


async def _collect(profile: str, rate_hz: float, notes: Sequence[LoggedNotification | LinkLost],
                   ) -> tuple[list[StreamGap], ImuSamples, int]:
    gaps, stored, source = await collect(profile, rate_hz, notes, ADDRESS)
    return gaps, stored, source.stats.malformed_by_device.get(ADDRESS, 0)


def _with_payload(note: LoggedNotification, payload: bytes) -> LoggedNotification:
    return LoggedNotification(note.host_time_s, note.device, note.profile, note.characteristic, payload)


def _dot_stamp(note: LoggedNotification, tick_us: int) -> LoggedNotification:
    return _with_payload(note, (tick_us % 2**32).to_bytes(4, "little") + note.payload[4:])


@pytest.mark.parametrize("leap_us", [2**31 - 1, 60_000_000, -30_000_000], ids=["35 min on", "1 min on", "30 s back"])
async def test_one_dot_stamp_that_leaps_costs_one_packet_not_the_rest(leap_us: int) -> None:
    samples = _samples(60.0)
    notes = _notes("movella-dot", samples)
    bad = 400
    tick = int.from_bytes(notes[bad].payload[:4], "little")
    notes[bad] = _dot_stamp(notes[bad], tick + leap_us)
    gaps, stored, malformed = await _collect("movella-dot", 60.0, notes)
    assert len(stored) == len(samples) - 1 and malformed == 1
    assert np.all(np.diff(stored.time_s) > 0)
    assert gaps == []                          # one sample missing is no gap (GAP_PERIODS), nor a jump


async def test_a_stamp_running_backwards_inside_a_packet_is_a_malformed_packet() -> None:
    samples = _samples(100.0)
    notes = _notes("simulated", samples)                     # five samples a notification, float64 time first
    bad = 100
    payload = bytearray(notes[bad].payload)
    frame = len(payload) // 5
    payload[2 * frame:2 * frame + 8] = struct.pack("<d", 0.5)      # the third sample's stamp goes back 10 s
    notes[bad] = _with_payload(notes[bad], bytes(payload))
    _, stored, malformed = await _collect("simulated", 100.0, notes)
    assert malformed == 1 and len(stored) == len(samples) - 5
    assert np.all(np.diff(stored.time_s) > 0)


async def test_a_stamp_leaping_forward_at_the_end_of_a_packet_costs_that_packet() -> None:
    samples = _samples(100.0)
    notes = _notes("simulated", samples)
    bad = 100
    payload = bytearray(notes[bad].payload)
    frame = len(payload) // 5
    payload[4 * frame:4 * frame + 8] = struct.pack("<d", 1e300)     # the last sample in the far future
    notes[bad] = _with_payload(notes[bad], bytes(payload))
    _, stored, malformed = await _collect("simulated", 100.0, notes)
    assert malformed == 1 and len(stored) == len(samples) - 5
    assert np.all(np.diff(stored.time_s) > 0) and stored.time_s[-1] - stored.time_s[0] < 30.0


async def test_a_clock_that_stays_jumped_is_still_a_gap_keeping_every_sample() -> None:
    samples = _samples(60.0)
    notes = _notes("movella-dot", samples)
    notes[600:] = [_dot_stamp(n, int.from_bytes(n.payload[:4], "little") + 5_000_000_000) for n in notes[600:]]
    gaps, stored, malformed = await _collect("movella-dot", 60.0, notes)
    assert len(stored) == len(samples) and malformed == 0
    (gap,) = gaps
    assert gap.end_s - gap.start_s == pytest.approx(5_000_000_000 % 2**32 * 1e-6, abs=0.1)


async def test_a_jump_the_stream_ends_on_is_counted_not_stored() -> None:
    samples = _samples(60.0)
    notes = _notes("movella-dot", samples)
    notes[-1] = _dot_stamp(notes[-1], int.from_bytes(notes[-1].payload[:4], "little") + 60_000_000)
    gaps, stored, malformed = await _collect("movella-dot", 60.0, notes)
    assert len(stored) == len(samples) - 1 and malformed == 1 and gaps == []
