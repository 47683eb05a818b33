"""Sensor Logger (phone app, Kelvin Choi) recordings: TotalAcceleration.csv + Gyroscope.csv (folder or zip export).

Sources (read for facts, no code copied):

* ``tszheichoi/awesome-sensor-logger`` ``README.md`` (timestamps: ``time`` is UTC nanoseconds since the Unix epoch,
  ``seconds_elapsed`` seconds since the recording started, streams not aligned across sensors), ``UNITS.md``
  (acceleration in m/s² with g = 9.80665; ``Accelerometer.csv`` is acceleration *without* gravity,
  ``TotalAcceleration.csv`` *with* gravity (Android; iOS logs only the former); gyroscope in rad/s) and
  ``COORDINATES.md`` (axes fixed to the device; Android's sign convention is the accelerating force, +z up when
  flat, i.e. specific force; rotation rates agree across platforms).
* hiptrack issue #14: header ``time,seconds_elapsed,z,y,x``.

Columns are found by name (the app writes z, y, x in that order). The gyroscope is interpolated onto the
accelerometer's instants (one phone clock). A folder with only the gravity-removed ``Accelerometer.csv`` is
refused: gravity is what tells the thigh's tilt, so hip angles cannot be computed from it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from sensors.samples import FloatArray
from tracker.errors import ImportFormatError
from tracker.importers import _table
from tracker.importers.recording import VendorRecording

FORMAT = "sensor-logger"
TOTAL_ACCELERATION = "TotalAcceleration.csv"
GYROSCOPE = "Gyroscope.csv"
GRAVITY_REMOVED = "Accelerometer.csv"
TIME = "time"
AXES = ("x", "y", "z")
GRAVITY_REMOVED_PROBLEM = (f"{GRAVITY_REMOVED} holds acceleration with gravity removed, which cannot give hip "
                           f"angles; they need {TOTAL_ACCELERATION} (acceleration with gravity), which Sensor Logger "
                           "writes on Android phones (iPhones record only the gravity-removed one)")


def looks_like(head: str) -> bool:
    """True for a Sensor Logger stream file (header `time,seconds_elapsed,…`)."""
    names = [name.lower() for name in _table.header_cells(head.split("\n", 1)[0], ",")]
    return names[:2] == [TIME, "seconds_elapsed"] and all(axis in names for axis in AXES)


def parse(acc: tuple[Path, bytes], gyr: tuple[Path, bytes]) -> VendorRecording:
    """Join TotalAcceleration.csv and Gyroscope.csv of one recording into SI samples."""
    if acc[0].name.lower() == GRAVITY_REMOVED.lower():
        raise ImportFormatError(acc[0], None, GRAVITY_REMOVED_PROBLEM)
    acc_ns, acc_mps2 = _stream(*acc, is_acc=True)
    gyr_ns, gyr_radps = _stream(*gyr, is_acc=False)
    start_ns = min(int(acc_ns[0]), int(gyr_ns[0]))
    time_s, acc_mps2, gyr_radps = _table.join_on_time(acc[0], _table.seconds_since(acc_ns, start_ns), acc_mps2,
                                                      gyr[0], _table.seconds_since(gyr_ns, start_ns), gyr_radps)
    first_ns = start_ns + round(time_s[0] * 1e9)
    samples = _table.checked_samples(acc[0], time_s, acc_mps2, gyr_radps, None)
    started_at = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=first_ns // 1000)
    return VendorRecording(samples, FORMAT, "Phone (Sensor Logger)", started_at,
                           (f"joined {acc[0].name} and {gyr[0].name} on the phone clock",))


def _stream(path: Path, raw: bytes, *, is_acc: bool) -> tuple[NDArray[np.int64], FloatArray]:
    """(Unix ns, (N, 3) x, y, z) of one stream file, time and range checked with their lines."""
    lines = _table.lines_of(_table.decode(path, raw))
    if not looks_like(lines[0]):
        raise ImportFormatError(path, 1, "not a Sensor Logger file: the header must be time,seconds_elapsed,z,y,x")
    names = _table.header_cells(lines[0], ",")
    ns = _table.integer_column(path, lines, 0, ",", _table.find_columns(path, 1, names, (TIME,))[0])
    values = _table.numeric_columns(path, lines, 0, ",", _table.find_columns(path, 1, names, AXES))
    line_numbers = _table.LineNumbers(lines, 0)
    _table.strictly_increasing(path, ns.astype(np.float64), line_numbers)
    _table.in_range(path, values if is_acc else None, None if is_acc else values, line_numbers)
    return ns, values
