"""Value-level fuzzing (issue #13, Deliver 9): numeric CSV cells and BLE payload fields set to extremes.

Random bit flips rarely make a NaN or a 1e30; these cases do it on purpose: cells and payload fields
become NaN, ±inf, ±1e308, ±1e30, denormals, the limits of their integer types, and times jump by up to
1e9 s. Every case goes the whole way a user's data goes (parse or decode → recorder → database →
analysis) and must end as one of two outcomes: refused with a file:line error (CSV), or stored as a
complete session whose every sample is within what an IMU measures. Anything else is a crash.

Used by tests/tracker/test_value_fuzz.py (a few cases on SQLite and PostgreSQL) and by
benchmarks/fuzz_values.py (1,000 cases, crash count and samples kept).
"""

from __future__ import annotations

import math
import struct
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from helpers import DATA
from sensors.limits import range_problem
from sensors.notification_log import LoggedDevice, LoggedNotification
from sensors.notification_source import NotificationSource
from sensors.samples import ImuSamples, Placement
from sensors.simulator.encode import encode_notifications
from tracker.domain import SessionStatus, Side, Source
from tracker.errors import BadInputError
from tracker.imu_csv import read_imu_csv, write_imu_csv
from tracker.services import Services, import_samples, record

EXERCISE = "hamstring_strap_stretch"
BASE_SECONDS = 20.0
"""Long enough to hold the calibration (the first 13 s), short enough for a thousand cases."""
PROFILES = ("simulated", "movella-dot", "witmotion", "thingy52", "polar-verity")

FLOAT_EXTREMES = (math.nan, math.inf, -math.inf, 1e308, -1e308, 1e30, -1e30, 5e-324, 3.4028235e38, -0.0)
CELL_EXTREMES = (*(repr(v) for v in FLOAT_EXTREMES), "99999999999999999999999", "1e-400", "-nan", "+inf")
TIME_JUMPS_S = (5000.0, 1e6, 1e9, -1e9, 1e300)
PAYLOAD_PATTERNS = (
    *(struct.pack("<f", v) for v in (math.nan, math.inf, -math.inf, 1e30, -1e30, 3.4028235e38)),
    *(struct.pack("<d", v) for v in (math.nan, math.inf, 1e308, -1e308)),
    struct.pack("<h", 32767), struct.pack("<h", -32768), struct.pack("<i", 2**31 - 1), struct.pack("<i", -2**31),
    b"\xff\xff", b"\xff\xff\xff\xff", b"\x00\x00\x00\x00", b"\x7f\xff\xff\xff\xff\xff\xff\xff",
)


@dataclass(frozen=True, slots=True)
class Outcome:
    kind: str
    """'refused' (bad input, nothing stored) or 'stored' (a complete session)."""
    detail: str
    kept: int = 0
    """Samples stored."""
    offered: int = 0
    """Samples in the unharmed recording."""


def base_samples() -> ImuSamples:
    samples = read_imu_csv(DATA / "hamstring_right.csv")
    return samples.slice(0, int(np.searchsorted(samples.time_s, BASE_SECONDS)))


def csv_case(rng: np.random.Generator, base: ImuSamples, folder: Path) -> Path:
    """The base recording as CSV with one to three cells made extreme, or its time jumping from a row on."""
    path = folder / "fuzz.csv"
    write_imu_csv(path, base)
    lines = path.read_text().split("\n")
    for _ in range(int(rng.integers(1, 4))):
        row = int(rng.integers(1, len(base) + 1))
        cells = lines[row].split(",")
        if rng.random() < 0.3:                                     # the clock jumps from this row on
            jump = float(rng.choice(TIME_JUMPS_S))
            for later in range(row, len(base) + 1):
                later_cells = lines[later].split(",")
                later_cells[0] = repr(float(later_cells[0]) + jump)
                lines[later] = ",".join(later_cells)
            continue
        cells[int(rng.integers(0, len(cells)))] = str(rng.choice(CELL_EXTREMES))
        lines[row] = ",".join(cells)
    path.write_text("\n".join(lines))
    return path


def payload_case(rng: np.random.Generator, base: ImuSamples, profile: str) -> list[LoggedNotification]:
    """The base recording as `profile` notifications, one to three of them with a field set to an extreme
    (or their host time jumping), as a corrupt radio packet or a broken clock would deliver them."""
    notes = encode_notifications(profile, base)
    host = 1.8e9
    logged = [LoggedNotification(host + n.time_s, "fuzz:right_thigh", profile, n.characteristic_uuid, n.payload)
              for n in notes]
    for _ in range(int(rng.integers(1, 4))):
        index = int(rng.integers(0, len(logged)))
        note = logged[index]
        if rng.random() < 0.2:
            jumped = note.host_time_s + float(rng.choice(TIME_JUMPS_S[:3]))
            logged[index] = LoggedNotification(jumped, note.device, note.profile, note.characteristic, note.payload)
            continue
        pattern = PAYLOAD_PATTERNS[int(rng.integers(0, len(PAYLOAD_PATTERNS)))]
        if len(note.payload) < len(pattern):
            continue
        width = 4 if len(pattern) >= 4 else 2
        offset = int(rng.integers(0, (len(note.payload) - len(pattern)) // width + 1)) * width
        payload = note.payload[:offset] + pattern + note.payload[offset + len(pattern):]
        logged[index] = LoggedNotification(note.host_time_s, note.device, note.profile, note.characteristic, payload)
    return logged


async def run_csv_case(services: Services, path: Path, offered: int) -> Outcome:
    """Parse and import one fuzzed CSV; a refusal must name the file and a line or the whole file."""
    try:
        samples = read_imu_csv(path)
    except BadInputError as err:
        assert str(err).startswith(str(path)) and "\n" not in str(err), err
        return Outcome("refused", str(err), 0, offered)
    session_id = await import_samples(services, samples, path.name, EXERCISE, Side.RIGHT, datetime.now(UTC))
    return _stored(services, session_id, offered, "csv")


async def run_payload_case(services: Services, notes: list[LoggedNotification], profile: str,
                           offered: int) -> Outcome:
    """Record one fuzzed notification stream the way a live or replayed recording is recorded."""
    device = LoggedDevice("fuzz:right_thigh", profile, Placement.RIGHT_THIGH, "fuzzed IMU", 100.0)

    async def stream() -> AsyncIterator[LoggedNotification]:
        for note in sorted(notes, key=lambda n: n.host_time_s):
            yield note

    source = NotificationSource([device], stream())
    session_id = await record(services, source, EXERCISE, Side.RIGHT, Source.REPLAY,
                              datetime.now(UTC), f"fuzz {profile}")
    return _stored(services, session_id, offered, f"{profile}, {sum(source.stats.malformed_by_device.values())} "
                                                  "malformed")


def _stored(services: Services, session_id: int, offered: int, what: str) -> Outcome:
    """The session must be complete, analysed (or say why not), and hold only measurable values."""
    summary = services.store.sessions.get(session_id)
    assert summary.status is SessionStatus.COMPLETE, summary.status
    assert services.store.results.load(session_id) is not None, "a stored session without a result"
    kept = 0
    for stream in summary.streams:
        samples = services.store.sessions.samples(stream.id)
        assert range_problem(samples.acc_mps2, samples.gyr_radps, samples.mag_ut) is None
        assert np.all(np.diff(samples.time_s) > 0) and np.isfinite(samples.time_s).all()
        kept += len(samples)
    return Outcome("stored", what, kept, offered)

