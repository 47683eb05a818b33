"""WitMotion PC software and phone app exports: tab- (or comma-) separated, several header variants.

Sources (read for facts, no code copied):

* WitMotion's PC software (WitMotion.exe / MiniIMU) "Record" output and the WITMOTION app's CSV, as read by
  open-source tools on GitHub (searched for ``Angular velocity X(°/s)`` and ``Chip Time()``): columns ``Time``,
  ``Device name`` (newer app exports, several devices interleaved, one per row), ``Chip Time()``,
  ``Acceleration X(g)``…, ``Angular velocity X(°/s)``…, ``Angle X(°)``…, ``Magnetic field X(ʯt)``…,
  ``Temperature(℃)``, ``Quaternions 0()``…; older exports name them ``ax(g)``/``wx(deg/s)`` or
  ``AccX(g)``/``AsX(°/s)``; Windows builds write ``°`` in the local code page (not UTF-8).
* /work/shared/protocols.md §2 and the WitMotion BLE SDK (units: acceleration in g, angular velocity in °/s).
* hiptrack issue #14.

Header names are matched on their ASCII letters, digits and unit brackets only, so every spelling of ``°`` (UTF-8,
a code page, or ``deg``) reads alike. Time comes from ``Chip Time()`` unless it is empty, else ``Time``: seconds,
``HH:MM:SS.fff`` or ``YYYY-MM-DD HH:MM:SS.fff`` (midnight is crossed by the date or, without one, by unwrapping).
A file with several devices needs the device to import named (``--device``). Angles, quaternions and the
magnetometer (in the sensor's uncalibrated units in many exports) are not imported: the analysis computes its own
orientation from acceleration and angular velocity.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from sensors.limits import STANDARD_GRAVITY_MPS2
from tracker.errors import ImportFormatError
from tracker.importers import _table
from tracker.importers.recording import VendorRecording

FORMAT = "witmotion"
ACC_NAMES = tuple(frozenset({f"acceleration{a}(g)", f"a{a}(g)", f"acc{a}(g)"}) for a in "xyz")
GYR_NAMES = tuple(frozenset({f"angularvelocity{a}(/s)", f"w{a}(/s)", f"as{a}(/s)", f"gyro{a}(/s)"}) for a in "xyz")
TIME_NAMES = ("chiptime()", "chiptime", "time(s)", "time")
DEVICE_NAME = "devicename"
SECONDS_PER_DAY = 86_400.0
_HEADER_SEARCH_LINES = 5
_NOT_NAME = re.compile(r"[^a-z0-9()/]")


def normalized(name: str) -> str:
    """A header name reduced to what every variant spells alike: 'Angular velocity X(°/s)' → 'angularvelocityx(/s)'."""
    return _NOT_NAME.sub("", name.lower().replace("deg", ""))


def looks_like(head: str) -> bool:
    """True when one of the first lines is a WitMotion header (acceleration in g and angular velocity in °/s)."""
    return _header(head.split("\n")[:_HEADER_SEARCH_LINES]) is not None


def _header(lines: list[str]) -> tuple[int, str, list[str]] | None:
    """(index, delimiter, normalized names) of the header line, if one of the lines is one."""
    for index, line in enumerate(lines):
        delimiter = "\t" if "\t" in line else ","
        names = [normalized(cell) for cell in line.split(delimiter)]
        if all(any(n in variants for n in names) for variants in (*ACC_NAMES, *GYR_NAMES)):
            return index, delimiter, names
    return None


def parse(path: Path, raw: bytes, device: str | None = None) -> VendorRecording:
    """Samples of one device in a WitMotion export, or ImportFormatError naming the file, line and problem."""
    lines = _table.lines_of(_table.decode(path, raw, legacy_encoding="latin-1"))
    found = _header(lines[:_HEADER_SEARCH_LINES])
    if found is None:
        raise ImportFormatError(path, 1, "no WitMotion header (Acceleration X(g)…, Angular velocity X(°/s)…) "
                                         f"in the first {_HEADER_SEARCH_LINES} lines")
    header_index, delimiter, names = found
    raw_names = _table.header_cells(lines[header_index], delimiter)
    positions = [next(i for i, n in enumerate(names) if n in variants) for variants in (*ACC_NAMES, *GYR_NAMES)]
    columns = [(position, raw_names[position]) for position in positions]
    table = _table.numeric_columns(path, lines, header_index, delimiter, columns)
    rows, device_name = _device_rows(path, lines, header_index, delimiter, names, device)
    time_s = _time_s(path, lines, header_index, delimiter, names, raw_names)
    if rows is not None:
        table, time_s = table[rows], time_s[rows]
    line_numbers = _table.LineNumbers(lines, header_index, rows)
    samples = _table.checked_samples(path, time_s, table[:, 0:3] * STANDARD_GRAVITY_MPS2,
                                     np.deg2rad(table[:, 3:6]), line_numbers)
    return VendorRecording(samples, FORMAT, device_name or "WitMotion", None,
                           (f"WitMotion device {device_name}",) if device_name else ())


def _device_rows(path: Path, lines: list[str], header_index: int, delimiter: str, names: list[str],
                 device: str | None) -> tuple[NDArray[np.intp] | None, str | None]:
    """Rows of the chosen device when the export interleaves several (`Device name`), and its name."""
    if DEVICE_NAME not in names:
        if device is not None:
            raise ImportFormatError(path, header_index + 1, "--device given but this export has no Device name "
                                                            "column (it holds one device)")
        return None, None
    devices = _table.text_column(lines, header_index, delimiter, names.index(DEVICE_NAME))
    known = [str(name) for name in np.unique(devices)]
    if device is None:
        if len(known) == 1:
            return None, known[0]
        raise ImportFormatError(path, None, f"holds {len(known)} devices ({', '.join(known)}); "
                                            "choose one with --device NAME")
    if device not in known:
        raise ImportFormatError(path, None, f"no device {device!r} in this export; it holds {', '.join(known)}")
    return np.flatnonzero(devices == device), device


def _time_s(path: Path, lines: list[str], header_index: int, delimiter: str, names: list[str],
            raw_names: list[str]) -> NDArray[np.float64]:
    """Sample times in seconds from `Chip Time()`, or from `Time` when the chip time is empty."""
    candidates = [name for name in TIME_NAMES if name in names]
    if not candidates:
        raise ImportFormatError(path, header_index + 1, "no time column (Chip Time() or Time)")
    for name in candidates:
        position = names.index(name)
        values = _table.text_column(lines, header_index, delimiter, position)
        if not np.char.str_len(values).any():
            continue                                   # an empty Chip Time(): the device sent no clock
        try:
            return _seconds(values)
        except ValueError:
            raise _bad_time(path, lines, header_index, values, raw_names[position]) from None
    empty = ", ".join(raw_names[names.index(name)] for name in candidates)
    raise ImportFormatError(path, None, f"every time column ({empty}) is empty")


def _seconds(values: NDArray[np.str_]) -> NDArray[np.float64]:
    """Seconds from numbers, clock times or dated clock times (vectorised; ValueError if any is none of them)."""
    try:
        return np.asarray(values, dtype=np.float64)
    except ValueError:
        pass
    parts = np.char.rpartition(np.char.replace(values, "T", " "), " ")
    dates, clocks = parts[:, 0], parts[:, 2]
    hms = np.loadtxt(io.StringIO("\n".join(clocks.tolist())), delimiter=":", ndmin=2, comments=None)
    if hms.shape != (values.size, 3):
        raise ValueError("not H:M:S")
    seconds = hms @ np.array([3600.0, 60.0, 1.0])
    if np.char.str_len(dates).any():
        ymd = np.loadtxt(io.StringIO("\n".join(np.char.replace(dates, "/", "-").tolist())), delimiter="-",
                         ndmin=2, dtype=np.int64, comments=None)
        if ymd.shape != (values.size, 3):
            raise ValueError("not Y-M-D")
        months = (ymd[:, 0] - 1970) * 12 + (ymd[:, 1] - 1)
        days = (months.astype("datetime64[M]").astype("datetime64[D]") - np.datetime64("1970-01-01", "D")
                ).astype(np.int64) + (ymd[:, 2] - 1)
        return (days - days[0]) * SECONDS_PER_DAY + seconds
    wraps = np.concatenate(([0], np.cumsum(np.diff(seconds) < -SECONDS_PER_DAY / 2)))
    return seconds + wraps * SECONDS_PER_DAY


def _bad_time(path: Path, lines: list[str], header_index: int, values: NDArray[np.str_],
              name: str) -> ImportFormatError:
    """Error path only: the first time cell that is not a time, with its line."""
    numbers = _table.data_line_numbers(lines, header_index)
    for row, value in enumerate(values.tolist()):
        try:
            _seconds(np.array([value, value]))
        except ValueError:
            what = "is empty" if not value else f"is not a time: {_table.shown(value)}"
            return ImportFormatError(path, numbers[row], f"{name} {what}")
    return ImportFormatError(path, None, f"{name} does not hold times we can read")
