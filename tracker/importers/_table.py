"""Shared machinery of the vendor readers: text decoding, one C-speed parse of the numeric columns, the
line-accurate diagnosis of a bad file, joining two streams on their clock, and the checks every sample
passes on its way in.

Why shared: every vendor file must fail the way a plain CSV does (`ImportFormatError(path, line,
problem)`, one line, exit 2) and pass the same range check (`sensors.limits.range_problem`), so the
rules live once. The happy path never walks lines in Python; only a failed parse or a failed check does,
to name the line.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from analysis.resample import resample
from sensors.limits import STANDARD_GRAVITY_MPS2, range_problem
from sensors.samples import FloatArray, ImuSamples
from tracker.errors import ImportFormatError

PLAUSIBLE_ACC_NORM_MPS2 = (4.0, 25.0)
"""Specific force hovers around 1 g; a median norm outside this range is the wrong quantity (gravity
removed) or the wrong unit, never a hip exercise."""
_SHOWN_CHARS = 20


def decode(path: Path, raw: bytes, *, legacy_encoding: str | None = None) -> str:
    """Text of a vendor file with LF line ends; binary files are refused naming the line of the first NUL.

    `legacy_encoding`: what to fall back to when the bytes are not UTF-8 (WitMotion's Windows software
    writes `°` in a local code page). Without one, non-UTF-8 bytes are an error naming their line.
    """
    nul = raw.find(b"\x00")
    if nul >= 0:
        line = raw.count(b"\n", 0, nul) + 1
        raise ImportFormatError(path, line, "contains NUL bytes: this looks like a binary file, not a text export")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if legacy_encoding is None:
            line = raw.count(b"\n", 0, exc.start) + 1
            raise ImportFormatError(path, line, f"not UTF-8 text (byte 0x{raw[exc.start]:02x})") from None
        text = raw.decode(legacy_encoding)
    text = text.replace("\r\n", "\n")
    return text.replace("\r", "\n")


def lines_of(text: str) -> list[str]:
    """Physical lines (index 0 is line 1); a C-level split, so line numbers stay exact."""
    return text.split("\n")


def shown(text: str) -> str:
    """Quote a bit of the user's text, cut short: enough to find it, not a screenful."""
    text = text.strip()
    return repr(text if len(text) <= _SHOWN_CHARS else text[:_SHOWN_CHARS] + "…")


def data_line_numbers(lines: Sequence[str], header_index: int) -> list[int]:
    """1-based numbers of the non-blank lines after the header (the rows NumPy parses); error path only."""
    return [number for number, line in enumerate(lines[header_index + 1 :], header_index + 2) if line.strip()]


class LineNumbers:
    """Physical line of each parsed row, worked out only when an error names one (the happy path never does).

    `rows`: when only some parsed rows were kept (one device of several), the parsed index of each kept row.
    """

    def __init__(self, lines: Sequence[str], header_index: int, rows: NDArray[np.intp] | None = None) -> None:
        self._lines = lines
        self._header_index = header_index
        self._rows = rows
        self._numbers: list[int] | None = None

    def __getitem__(self, row: int) -> int:
        if self._numbers is None:
            self._numbers = data_line_numbers(self._lines, self._header_index)
        return self._numbers[row if self._rows is None else int(self._rows[row])]


def numeric_columns(path: Path, lines: Sequence[str], header_index: int, delimiter: str,
                    columns: Sequence[tuple[int, str]]) -> FloatArray:
    """(rows, len(columns)) values of the given (position, name) columns of every non-blank data line.

    NumPy's C reader on the happy path; on failure the lines are walked to name the first bad one.
    """
    table: FloatArray = _load(path, lines, header_index, delimiter, columns, np.float64)
    return table


def integer_column(path: Path, lines: Sequence[str], header_index: int, delimiter: str,
                   column: tuple[int, str]) -> NDArray[np.int64]:
    """One column of integers (nanosecond clocks: a float64 would round today's values to 128 ns)."""
    table: NDArray[np.int64] = _load(path, lines, header_index, delimiter, [column], np.int64)
    return table[:, 0]


_CHUNK_LINES = 32_768
"""Parse this many lines per NumPy call: its reader needs several times its input in scratch memory, so
pieces keep an hour-long export's peak near the size of the data instead of a multiple of the file."""


def _chunked(lines: Sequence[str], header_index: int, delimiter: str, positions: Sequence[int],
             dtype: type, ndmin: Literal[1, 2]) -> NDArray[Any]:
    """np.loadtxt over the data lines, piece by piece (blank lines skipped, as NumPy does)."""
    pieces: list[NDArray[Any]] = []
    for start in range(header_index + 1, len(lines), _CHUNK_LINES):
        text = "\n".join(lines[start : start + _CHUNK_LINES])
        if text.strip():
            pieces.append(np.loadtxt(io.StringIO(text), delimiter=delimiter, usecols=list(positions),
                                     dtype=dtype, ndmin=ndmin, comments=None))
    if not pieces:
        return np.zeros((0, len(positions)) if ndmin == 2 else 0, dtype=dtype)
    return np.concatenate(pieces)


def _load(path: Path, lines: Sequence[str], header_index: int, delimiter: str,
          columns: Sequence[tuple[int, str]], dtype: type) -> NDArray[Any]:
    positions = [position for position, _ in columns]
    try:
        table = _chunked(lines, header_index, delimiter, positions, dtype, 2)
    except ValueError:
        raise _diagnose(path, lines, header_index, delimiter, columns) from None
    if table.shape[0] < 2:
        raise ImportFormatError(path, None, f"only {table.shape[0]} sample(s) after the header; need at least 2")
    if dtype is np.float64 and not np.isfinite(table).all():
        row, col = (int(i) for i in np.argwhere(~np.isfinite(table))[0])
        line = data_line_numbers(lines, header_index)[row]
        raise ImportFormatError(path, line, f"{columns[col][1]} is {table[row, col]}; every value must be finite")
    return table


def text_column(lines: Sequence[str], header_index: int, delimiter: str, position: int) -> NDArray[np.str_]:
    """One column as strings (device names, clock times), by the same C reader."""
    column: NDArray[np.str_] = _chunked(lines, header_index, delimiter, (position,), str, 1)
    return np.char.strip(column)


def _diagnose(path: Path, lines: Sequence[str], header_index: int, delimiter: str,
              columns: Sequence[tuple[int, str]]) -> ImportFormatError:
    """Error path only: the first line whose cells are missing or not numbers, and what is wrong."""
    expected = lines[header_index].count(delimiter) + 1
    numbers = data_line_numbers(lines, header_index)
    for number in numbers:
        cells = lines[number - 1].split(delimiter)
        for position, name in columns:
            if position >= len(cells):
                if number == numbers[-1]:
                    return ImportFormatError(path, number, f"last line is cut off ({len(cells)} of {expected} "
                                                           "fields); was the recording interrupted?")
                return ImportFormatError(path, number, f"line has {len(cells)} fields but the header has {expected}")
            cell = cells[position].strip()
            try:
                float(cell)
            except ValueError:
                what = "is empty" if not cell else f"is not a number: {shown(cell)}"
                return ImportFormatError(path, number, f"{name} {what}")
    return ImportFormatError(path, None, "could not read the samples as numbers")


def seconds_since(ns: NDArray[np.int64], start_ns: int) -> FloatArray:
    """Seconds from `start_ns`, subtracted in integers first so no nanosecond is lost to float rounding."""
    return np.asarray(ns - start_ns, dtype=np.float64) * 1e-9


def strictly_increasing(path: Path, time_s: FloatArray, line_of_row: LineNumbers | None) -> None:
    """Time must increase strictly; name the first line where it does not."""
    bad = np.flatnonzero(np.diff(time_s) <= 0)
    if bad.size:
        row = int(bad[0]) + 1
        line = None if line_of_row is None else line_of_row[row]
        before, now = float(time_s[row - 1]), float(time_s[row])
        what = "repeats" if now == before else "goes backwards"
        raise ImportFormatError(path, line, f"time {what} ({now:.6g} s after {before:.6g} s); it must increase")


def in_range(path: Path, acc_mps2: FloatArray | None, gyr_radps: FloatArray | None,
             line_of_row: LineNumbers | None) -> None:
    """The one range check of every sample (sensors.limits), naming the line of the first bad value."""
    found = range_problem(acc_mps2, gyr_radps)
    if found is not None:
        row, problem = found
        raise ImportFormatError(path, None if line_of_row is None else line_of_row[row], problem)


def join_on_time(acc_path: Path, acc_time_s: FloatArray, acc_mps2: FloatArray, gyr_path: Path,
                 gyr_time_s: FloatArray, gyr_radps: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Both streams on the instants of the denser one, within their common span (one sensor clock).

    Why interpolate: separate streams of one sensor tick on the same clock but not always on the same
    instants or at the same rate; taking the denser stream's instants never throws samples away, and
    linear interpolation between 50-100 Hz samples moves a hip angle by far less than 0.1°.
    """
    start, end = max(acc_time_s[0], gyr_time_s[0]), min(acc_time_s[-1], gyr_time_s[-1])
    acc_denser = np.median(np.diff(acc_time_s)) <= np.median(np.diff(gyr_time_s))
    base = acc_time_s if acc_denser else gyr_time_s
    time_s = base[(base >= start) & (base <= end)]
    if time_s.size < 2:
        span = f"{acc_time_s[0]:.6g}-{acc_time_s[-1]:.6g} s and {gyr_time_s[0]:.6g}-{gyr_time_s[-1]:.6g} s"
        raise ImportFormatError(acc_path, None, f"does not overlap in time with {gyr_path.name} ({span}); "
                                                "are they from the same recording?")
    return time_s, resample(acc_time_s, acc_mps2, time_s), resample(gyr_time_s, gyr_radps, time_s)


def checked_samples(path: Path, time_s: FloatArray, acc_mps2: FloatArray, gyr_radps: FloatArray,
                    line_of_row: LineNumbers | None) -> ImuSamples:
    """SPEC §4 samples (time from 0 s, m/s², rad/s) after the checks every import passes.

    `line_of_row`: physical line of each row, for errors (None when rows come from two files joined).
    """
    strictly_increasing(path, time_s, line_of_row)
    in_range(path, acc_mps2, gyr_radps, line_of_row)
    norm = math.sqrt(float(np.median(np.einsum("ij,ij->i", acc_mps2, acc_mps2))))
    low, high = PLAUSIBLE_ACC_NORM_MPS2
    if not low <= norm <= high:
        problem = (f"median |acc| is {norm:.3g} m/s² ({norm / STANDARD_GRAVITY_MPS2:.3g} g), far from gravity: "
                   "hip angles need acceleration with gravity, in the unit the header says")
        raise ImportFormatError(path, None, problem)
    return ImuSamples(np.ascontiguousarray(time_s - time_s[0]), np.ascontiguousarray(acc_mps2),
                      np.ascontiguousarray(gyr_radps))


def header_cells(line: str, delimiter: str) -> list[str]:
    """Header names with spaces and quotes trimmed (vendors pad them: 'Z [dps] ')."""
    return [cell.strip().strip('"').strip() for cell in line.split(delimiter)]


def find_columns(path: Path, header_line: int, names: Sequence[str], wanted: Sequence[str]) -> list[tuple[int, str]]:
    """(position, name) of each wanted column, or an error on the header line naming the missing ones."""
    lowered = [name.lower() for name in names]
    missing = [name for name in wanted if name.lower() not in lowered]
    if missing:
        raise ImportFormatError(path, header_line, f"missing column(s): {', '.join(missing)}")
    return [(lowered.index(name.lower()), name) for name in wanted]
