"""Polar Sensor Logger (Android app) exports: one semicolon-separated file per stream, joined on sensor time.

Sources (read for facts, no code copied):

* Polar BLE SDK documentation (``polarofficial/polar-ble-sdk``, ``PolarAccelerometerData``): accelerometer
  samples in mG including gravity, gyroscope in deg/s, and sample timestamps in nanoseconds whose epoch is
  2000-01-01T00:00:00.
* Polar Sensor Logger file headers as written by the app and mirrored by open-source tools that read or
  imitate it (GitHub, searched for ``sensor timestamp [ns]``): ``Phone timestamp;sensor timestamp [ns];X [mg];
  Y [mg];Z [mg]`` for ACC and ``…;X [dps];Y [dps];Z [dps]`` for GYRO; the phone timestamp is an ISO local time.
* hiptrack issue #14.

The sensor clock times both streams, so they are joined on it (the gyro interpolated onto the accelerometer's
instants); the phone's arrival time is ignored. Sensor time is read as int64 nanoseconds (a float64 would round it
to 128 ns at today's values).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from sensors.limits import STANDARD_GRAVITY_MPS2
from sensors.samples import FloatArray
from tracker.errors import ImportFormatError
from tracker.importers import _table
from tracker.importers.recording import VendorRecording

FORMAT = "polar-sensor-logger"
SENSOR_TIME = "sensor timestamp [ns]"
ACC = ("X [mg]", "Y [mg]", "Z [mg]")
GYR = ("X [dps]", "Y [dps]", "Z [dps]")
POLAR_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_PLAUSIBLE_START = (datetime(2015, 1, 1, tzinfo=UTC), timedelta(days=2))


def stream_of(head: str) -> str | None:
    """'acc' or 'gyr' for a Polar Sensor Logger ACC or GYRO file, from its header; None otherwise."""
    names = [name.lower() for name in _table.header_cells(head.split("\n", 1)[0], ";")]
    if len(names) < 2 or names[0] != "phone timestamp" or names[1] != SENSOR_TIME:
        return None
    if all(name.lower() in names for name in ACC):
        return "acc"
    if all(name.lower() in names for name in GYR):
        return "gyr"
    return None


def parse(acc: tuple[Path, bytes], gyr: tuple[Path, bytes]) -> VendorRecording:
    """Join an ACC and a GYRO file of one recording into SI samples."""
    acc_ns, acc_mps2 = _stream(*acc, ACC, "ACC", STANDARD_GRAVITY_MPS2 / 1000.0)
    gyr_ns, gyr_radps = _stream(*gyr, GYR, "GYRO", np.pi / 180.0)
    start_ns = min(int(acc_ns[0]), int(gyr_ns[0]))
    time_s, acc_mps2, gyr_radps = _table.join_on_time(acc[0], _table.seconds_since(acc_ns, start_ns), acc_mps2,
                                                      gyr[0], _table.seconds_since(gyr_ns, start_ns), gyr_radps)
    first_ns = start_ns + round(time_s[0] * 1e9)
    samples = _table.checked_samples(acc[0], time_s, acc_mps2, gyr_radps, None)
    return VendorRecording(samples, FORMAT, "Polar (Sensor Logger)", _started_at(first_ns),
                           (f"joined {acc[0].name} and {gyr[0].name} on sensor time",))


def _stream(path: Path, raw: bytes, axes: tuple[str, ...], kind: str,
            to_si: float) -> tuple[NDArray[np.int64], FloatArray]:
    """(sensor ns, (N, 3) SI values) of one stream file, time and range checked with their lines."""
    lines = _table.lines_of(_table.decode(path, raw))
    if stream_of(lines[0]) is None:
        raise ImportFormatError(path, 1, f"not a Polar Sensor Logger {kind} file: the header must be "
                                         f"'Phone timestamp;{SENSOR_TIME};{';'.join(axes)}'")
    names = _table.header_cells(lines[0], ";")
    ns = _table.integer_column(path, lines, 0, ";", _table.find_columns(path, 1, names, (SENSOR_TIME,))[0])
    values = _table.numeric_columns(path, lines, 0, ";", _table.find_columns(path, 1, names, axes)) * to_si
    line_numbers = _table.LineNumbers(lines, 0)
    _table.strictly_increasing(path, ns.astype(np.float64), line_numbers)
    _table.in_range(path, values if kind == "ACC" else None, values if kind == "GYRO" else None, line_numbers)
    return ns, values


def _started_at(first_ns: int) -> datetime | None:
    """Wall time of the first sample from the sensor clock, if it was set (an unset clock starts near 2000)."""
    start = POLAR_EPOCH + timedelta(microseconds=first_ns // 1000)
    earliest, ahead = _PLAUSIBLE_START
    return start if earliest <= start <= datetime.now(UTC) + ahead else None
