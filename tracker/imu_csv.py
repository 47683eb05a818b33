"""Read and write the plain IMU CSV of SPEC §4, the one shape every device export can be brought to.

Why its own module: the plain CSV is both the import format and the input of `hiptrack analyze`, so it
must be fast on hour-long recordings (one vectorised NumPy parse, no Python loop per row) and strict,
because a file in the wrong units would silently yield wrong hip angles instead of an error. A file
holds one sensor (SPEC §4); several sensors are several files, so there is no sensor column.

Every bad file raises `ImportFormatError(path, line, problem)`. `line` is the 1-based physical line
(the header is line 1) when one line is to blame, and None for problems of the whole file (empty, no
samples, units). Only after the fast parse has failed do we walk the lines in Python, to name the
offending line and cell.
"""

from __future__ import annotations

import io
import itertools
import math
import os
import re
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sensors.limits import GYR_LIMIT_RADPS, range_problem
from sensors.samples import FloatArray, ImuSamples
from tracker.errors import ImportFormatError
from tracker.private_files import private_text_file

TIME = "time"
ACC = ("acc_x", "acc_y", "acc_z")
GYR = ("gyr_x", "gyr_y", "gyr_z")
MAG = ("mag_x", "mag_y", "mag_z")
REQUIRED = (TIME, *ACC, *GYR)
KNOWN = frozenset((*REQUIRED, *MAG))

# Unit sanity limits. A 2000 °/s full scale is 34.9 rad/s, so more than that is a deg/s file; a
# median |acc| near 1 is a file in g; anything else far from 9.81 is not specific force in m/s².
GYR_MAX_RADPS = 35.0
G_FILE_NORM = (0.5, 2.0)
PLAUSIBLE_ACC_NORM = (4.0, 25.0)
STANDARD_GRAVITY = 9.80665
# No IMU samples slower than 1 Hz, so a median step ≥ 1 with times in the thousands means ms.
MS_MIN_STEP = 1.0
MS_MIN_VALUE = 1000.0

# Number syntax we promise to accept, used to explain a failed parse (NumPy's parser is the judge
# on the happy path). Python's float() is laxer ("1_0", full-width digits), hence the regex.
_NUMBER = re.compile(
    r"[ \t\v\f]*[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?|nan|inf(?:inity)?)[ \t\v\f]*",
    re.ASCII | re.IGNORECASE,
)
_NL, _CR, _COMMA = ord("\n"), ord("\r"), ord(",")
_WRITE_CHUNK_ROWS = 65_536
_SHOWN_CHARS = 20
_BOM = b"\xef\xbb\xbf"
_NON_SPACE = re.compile(rb"\S")


@dataclass(frozen=True, slots=True)
class _Layout:
    """Where each known column sits in the file, in canonical order (time, acc, gyr[, mag])."""

    ncols: int
    names: tuple[str, ...]
    positions: tuple[int, ...]

    @property
    def has_mag(self) -> bool:
        return len(self.names) == len(REQUIRED) + len(MAG)

    @property
    def has_extra(self) -> bool:
        return self.ncols > len(self.positions)


# ---------------------------------------------------------------------------------------------- read


def read_imu_csv(path: Path, *, compact: bool = False) -> ImuSamples:
    """Load one sensor's samples from a plain IMU CSV, or raise ImportFormatError saying what is wrong.

    The file is read and parsed a piece at a time, so memory holds the samples, never the text
    (a day at 100 Hz is ~0.9 GB of CSV). compact: acc, gyr and mag as float32 (4 bytes a value
    instead of 8; their 1e-7 relative rounding is far below any IMU's noise), for analysing long
    recordings; time stays float64.
    """
    with _open_regular(path) as handle:
        capacity = _count_lines(path, handle)
        first = _first_piece(path, handle)
        layout, header_end = _header(path, first)
        columns = _Columns(max(capacity, first.count(b"\n") + 1), layout.has_mag,
                           np.float32 if compact else np.float64)
        out_of_range: list[ImportFormatError] = []      # told after the unit checks, which explain more
        pieces = itertools.chain([(first[header_end + 1:], not handle.peek(1))], _line_pieces(handle))
        line = 2
        for piece, last in pieces:
            columns.append(_parse_piece(path, piece, layout, line, last, out_of_range))
            line += piece.count(b"\n")
    samples = columns.samples()
    if len(samples) == 0:
        raise ImportFormatError(path, None, "no samples after the header")
    if len(samples) < 2:
        raise ImportFormatError(path, None, f"only {len(samples)} sample; need at least 2")
    _check_time(path, samples.time_s)
    _check_gyr_unit(path, samples.gyr_radps)
    _check_acc_unit(path, samples.acc_mps2)
    if out_of_range:
        raise out_of_range[0]
    return samples


def _count_lines(path: Path, handle: io.BufferedReader) -> int:
    """Line ends in the file (a first quick pass), so the sample arrays are sized once; back to the start."""
    count = 0
    while block := _read(path, handle, _PARSE_CHUNK_BYTES):
        count += block.count(b"\n")
    handle.seek(0)
    return count + 1


class _Columns:
    """Per-quantity sample arrays (VQF wants C-contiguous input) sized once and filled a piece at a time:
    no list of pieces to join at the end, which held two copies of every sample (the join's peak)."""

    def __init__(self, capacity: int, has_mag: bool, dtype: type[np.floating]) -> None:
        self.time_s = np.empty(capacity)
        self.parts = [np.empty((capacity, 3), dtype) for _ in range(3 if has_mag else 2)]    # acc, gyr[, mag]
        self.filled = 0

    def append(self, table: FloatArray) -> None:
        end = self.filled + len(table)
        if end > len(self.time_s):          # the file grew since it was counted: grow (rare)
            self.time_s = np.concatenate([self.time_s, np.empty(end)])
            self.parts = [np.concatenate([part, np.empty((end, 3), part.dtype)]) for part in self.parts]
        self.time_s[self.filled:end] = table[:, 0]
        for k, part in enumerate(self.parts):
            part[self.filled:end] = table[:, 1 + 3 * k:4 + 3 * k]
        self.filled = end

    def samples(self) -> ImuSamples:
        """Views of the filled rows: the unused tail was never written, so it holds no memory."""
        n = self.filled
        acc, gyr, *mag = (part[:n] for part in self.parts)
        return ImuSamples(self.time_s[:n], acc, gyr, mag[0] if mag else None)


def _open_regular(path: Path) -> io.BufferedReader:
    """The file opened for reading, after checking it is a regular file.

    Opened without blocking and checked before reading: a FIFO would block for ever, /dev/zero
    would grow without end, and a folder is no file.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise ImportFormatError(path, None, "no such file") from None
    except OSError as exc:
        raise ImportFormatError(path, None, f"cannot read file: {exc.strerror or exc}") from exc
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise ImportFormatError(path, None, f"is {special_kind(mode)}, not a regular file")
    return os.fdopen(fd, "rb")


def _read(path: Path, handle: io.BufferedReader, size: int) -> bytes:
    try:
        return handle.read(size)
    except OSError as exc:
        raise ImportFormatError(path, None, f"cannot read file: {exc.strerror or exc}") from exc


def _first_piece(path: Path, handle: io.BufferedReader) -> bytes:
    """The start of the file up to a line end, with the header: the whole file if lines end in CR alone."""
    raw = _read(path, handle, _PARSE_CHUNK_BYTES)
    while raw and b"\n" not in raw:        # no line end yet: a CR-only (old Mac) file, or a short one
        more = _read(path, handle, _PARSE_CHUNK_BYTES)
        if not more:
            break
        raw += more
    raw = _lf_lines(raw)
    if b"\n" in raw and not raw.endswith(b"\n"):
        cut = raw.rfind(b"\n") + 1
        handle.seek(cut - len(raw), os.SEEK_CUR)
        raw = raw[:cut]
    return raw


def _line_pieces(handle: io.BufferedReader) -> Iterator[tuple[bytes, bool]]:
    """The rest of the file in line-aligned pieces of about _PARSE_CHUNK_BYTES, each with whether it is the last."""
    pending: bytes | None = None
    carry = b""
    while True:
        block = handle.read(_PARSE_CHUNK_BYTES)
        if not block:
            break
        block = carry + block
        cut = block.rfind(b"\n") + 1
        carry = block[cut:]
        if cut:
            if pending is not None:
                yield pending, False
            pending = block[:cut]
    if carry:
        if pending is not None:
            yield pending, False
        pending = carry
    if pending is not None:
        yield pending, True


def _header(path: Path, raw: bytes) -> tuple[_Layout, int]:
    """The column layout and where the header line ends; empty files and files with no samples fail here."""
    _check_text(path, raw, 1)
    start = len(_BOM) if raw.startswith(_BOM) else 0
    if not _NON_SPACE.search(raw, start):
        raise ImportFormatError(path, None, "file is empty")
    header_end = raw.find(b"\n")
    layout = _parse_header(path, raw[start : header_end if header_end >= 0 else len(raw)].decode("utf-8"))
    if header_end < 0:
        raise ImportFormatError(path, None, "no samples after the header")
    return layout, header_end


def _parse_piece(path: Path, piece: bytes, layout: _Layout, first_line: int, last: bool,
                 out_of_range: list[ImportFormatError]) -> FloatArray:
    """One line-aligned piece of sample lines (the first at first_line) → (M, columns) canonical table,
    checked: every value parsed and finite. The first value out of range is added to out_of_range
    (checked here, in float64: full scale must not round over its limit in a compact copy)."""
    _check_text(path, piece, first_line)
    if not _NON_SPACE.search(piece):
        return np.zeros((0, len(layout.names)))
    table = _parse_body(path, piece, layout, first_line, last)
    _check_values(path, piece, table, layout, first_line)
    if not out_of_range and (problem := _range_problem(path, piece, table, layout, first_line)) is not None:
        out_of_range.append(problem)
    return table


def special_kind(mode: int) -> str:
    """What a special file is, in words."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a socket" if stat.S_ISSOCK(mode) else "a special file"


def _lf_lines(raw: bytes) -> bytes:
    """Old Mac exports end lines with CR alone; NumPy only splits on LF, so make them LF (same line count)."""
    return raw.replace(b"\r", b"\n") if b"\n" not in raw and b"\r" in raw else raw


def _check_text(path: Path, raw: bytes, first_line: int) -> None:
    """Reject binary files early, naming the line of the first bad byte; ASCII files need no decoding."""
    nul = raw.find(b"\x00")
    if nul >= 0:
        line = raw.count(b"\n", 0, nul) + first_line
        raise ImportFormatError(path, line, "contains NUL bytes: this looks like a binary file, not a CSV")
    if raw.isascii():
        return
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + first_line
        bad = raw[exc.start]
        problem = f"not UTF-8 text (byte 0x{bad:02x}); is this a binary file? Save the CSV as UTF-8"
        raise ImportFormatError(path, line, problem) from None


def _parse_header(path: Path, header: str) -> _Layout:
    """Map column names to positions: names are case- and space-insensitive and may come in any order."""
    names = [cell.strip().strip('"').strip().lower() for cell in header.rstrip("\r").split(",")]
    if all(_NUMBER.fullmatch(name) for name in names):
        raise ImportFormatError(path, 1, f"first line must be the header {','.join(REQUIRED)}; found numbers")
    first_seen: dict[str, int] = {}
    for index, name in enumerate(names):
        if name in KNOWN and name in first_seen:
            problem = f"duplicate column {name} (columns {first_seen[name] + 1} and {index + 1})"
            raise ImportFormatError(path, 1, problem)
        first_seen.setdefault(name, index)
    missing = [name for name in REQUIRED if name not in first_seen]
    if missing:
        raise ImportFormatError(path, 1, _missing_problem(header, missing))
    mags = [name for name in MAG if name in first_seen]
    if mags and len(mags) < len(MAG):
        absent = ", ".join(name for name in MAG if name not in first_seen)
        problem = f"magnetometer columns come all or none: found {', '.join(mags)} but not {absent}"
        raise ImportFormatError(path, 1, problem)
    wanted = REQUIRED + (MAG if mags else ())
    return _Layout(len(names), wanted, tuple(first_seen[name] for name in wanted))


def _missing_problem(header: str, missing: Sequence[str]) -> str:
    """Name the missing columns, and spot the usual cause: a semicolon- or tab-separated export."""
    problem = f"missing column(s): {', '.join(missing)}"
    for separator, label in ((";", "semicolons"), ("\t", "tabs")):
        if "," not in header and separator in header:
            return f"{problem} (columns must be separated by commas, not {label})"
    return problem


_PARSE_CHUNK_BYTES = 4 << 20
"""Parse in pieces of about this size: NumPy's reader needs several times its input in scratch
memory, so one call on a 2-hour file peaked at ~550 MB; 4 MB pieces keep it near the data size."""


def _parse_body(path: Path, raw: bytes, layout: _Layout, first_line: int, last: bool) -> FloatArray:
    """Parse a piece of sample lines with NumPy's C reader; on any failure, find the exact line in Python."""
    usecols = layout.positions if layout.has_extra else None
    try:
        table = np.loadtxt(io.BytesIO(raw), delimiter=",", ndmin=2, comments=None, usecols=usecols,
                           dtype=np.float64)
    except ValueError:
        raise _diagnose(path, raw, layout, first_line, last) from None
    if layout.has_extra:
        if not _field_counts_ok(raw, layout.ncols):
            raise _diagnose(path, raw, layout, first_line, last)
    elif table.shape[1] != layout.ncols:
        raise _diagnose(path, raw, layout, first_line, last)
    else:
        order = np.asarray(layout.positions)
        if not np.array_equal(order, np.arange(order.size)):
            table = table[:, order]
    return table


def _field_counts_ok(raw: bytes, ncols: int) -> bool:
    """Vectorised check that every non-blank data line has the header's field count (~40 ms/hour).

    Only needed when unknown columns are skipped with `usecols`: then NumPy no longer checks counts.
    """
    data = np.frombuffer(raw, dtype=np.uint8)
    ends = np.flatnonzero(data == _NL)
    if data.size and data[-1] != _NL:
        ends = np.append(ends, data.size)
    starts = np.concatenate(([0], ends[:-1] + 1))
    commas = np.flatnonzero(data == _COMMA)
    n_commas = np.searchsorted(commas, ends) - np.searchsorted(commas, starts)
    length = ends - starts
    lone_cr = (length == 1) & (data[np.minimum(starts, data.size - 1)] == _CR)
    return bool(np.all((length == 0) | lone_cr | (n_commas == ncols - 1)))


def _data_lines(raw: bytes, first_line: int) -> list[tuple[int, str]]:
    """(physical line number, content) of each sample line of a piece; blank lines are skipped, as NumPy does.

    Error path only; `raw` has passed `_check_text`, so it decodes.
    """
    lines = raw.decode("utf-8").split("\n")
    return [
        (number, line.removesuffix("\r"))
        for number, line in enumerate(lines, first_line)
        if line not in ("", "\r")
    ]


def _diagnose(path: Path, raw: bytes, layout: _Layout, first_line: int, last: bool) -> ImportFormatError:
    """Error path only: walk the piece's lines to find the first one that is wrong, and say what is wrong."""
    rows = _data_lines(raw, first_line)
    by_position = sorted(zip(layout.positions, layout.names, strict=True))
    for number, line in rows:
        cells = line.split(",")
        if len(cells) != layout.ncols:
            cut_off = last and number == rows[-1][0]
            return ImportFormatError(path, number, _field_count_problem(line, layout.ncols, cut_off))
        for position, name in by_position:
            problem = _cell_problem(name, cells[position])
            if problem:
                return ImportFormatError(path, number, problem)
    return ImportFormatError(path, None, "could not read the samples as numbers")


def _field_count_problem(line: str, expected: int, last_line: bool) -> str:
    """A short last line is the signature of a recording cut off mid-write; say so."""
    found = line.count(",") + 1
    if found < expected and last_line:
        return f"last line is cut off ({found} of {expected} fields); was the recording interrupted?"
    problem = f"line has {found} field{'s' * (found != 1)} but the header has {expected}"
    return f"{problem}: {_shown(line)}" if found == 1 else problem


def _cell_problem(name: str, cell: str) -> str | None:
    """Why one cell is not a usable value, or None when it is fine."""
    if not _NUMBER.fullmatch(cell):
        return f"{name} is not a number: {_shown(cell)}"
    value = float(cell)
    return None if math.isfinite(value) else _non_finite_problem(name, value)


def _shown(text: str) -> str:
    """Quote a bit of the user's text, cut short: enough to find it, not a screenful."""
    text = text.strip()
    return repr(text if len(text) <= _SHOWN_CHARS else text[:_SHOWN_CHARS] + "…")


def _non_finite_problem(name: str, value: float) -> str:
    kind = "NaN" if math.isnan(value) else "infinite"
    return f"{name} is {kind}; every value must be a finite number"


def _row_line(raw: bytes, row: int, first_line: int) -> int:
    """Physical line number of parsed sample `row` (0-based) of a piece; error path only."""
    return _data_lines(raw, first_line)[row][0]


def _file_row_line(path: Path, row: int) -> int:
    """Physical line number of sample `row` (0-based) of the whole file, read again a piece at a time (error path)."""
    with _open_regular(path) as handle:
        first = _first_piece(path, handle)
        _, header_end = _header(path, first)
        line = 2
        for piece, _last in itertools.chain([(first[header_end + 1:], False)], _line_pieces(handle)):
            rows = _data_lines(piece, line)
            if row < len(rows):
                return rows[row][0]
            row -= len(rows)
            line += piece.count(b"\n")
    raise ValueError("row beyond the file")


# ------------------------------------------------------------------------------------------- checks


def _check_values(path: Path, raw: bytes, table: FloatArray, layout: _Layout, first_line: int) -> None:
    """Every value finite (NaN would poison the orientation filter)."""
    finite = np.isfinite(table)
    if not finite.all():
        row, col = (int(i) for i in np.argwhere(~finite)[0])
        problem = _non_finite_problem(layout.names[col], float(table[row, col]))
        raise ImportFormatError(path, _row_line(raw, row, first_line), problem)


def _check_time(path: Path, time_s: FloatArray) -> None:
    """Time must increase strictly (name the first line where it does not) and be in seconds."""
    steps = np.diff(time_s)
    bad = np.flatnonzero(steps <= 0)
    if bad.size:
        row = int(bad[0]) + 1
        before, now = float(time_s[row - 1]), float(time_s[row])
        if now == before:
            problem = f"time repeats ({now:g}); it must increase strictly"
        else:
            problem = f"time goes backwards ({now:g} after {before:g}); it must increase strictly"
        raise ImportFormatError(path, _file_row_line(path, row), problem)
    step = float(np.median(steps))
    if step >= MS_MIN_STEP and max(abs(time_s[0]), abs(time_s[-1])) >= MS_MIN_VALUE:
        problem = f"time looks like milliseconds (median step {step:g}); it must be in seconds"
        raise ImportFormatError(path, None, problem)


def _check_gyr_unit(path: Path, gyr: FloatArray) -> None:
    """More than a 2000 °/s full scale in rad/s is impossible for a body-worn IMU: it is deg/s.

    Only up to a deg/s full scale, though: a single absurd value is a broken cell (see _check_range).
    """
    peaks = np.max(np.abs(gyr), axis=0)
    axis = int(np.argmax(peaks))
    if GYR_MAX_RADPS < peaks[axis] <= math.degrees(GYR_LIMIT_RADPS):
        problem = f"{GYR[axis]} reaches {peaks[axis]:.4g}: looks like deg/s, convert to rad/s"
        raise ImportFormatError(path, None, problem)


def _check_acc_unit(path: Path, acc: FloatArray) -> None:
    """Specific force hovers around 1 g, so its median norm tells g files and other units apart."""
    norm = math.sqrt(float(np.median(np.einsum("ij,ij->i", acc, acc))))
    if G_FILE_NORM[0] <= norm <= G_FILE_NORM[1]:
        problem = f"median |acc| is {norm:.3g}: looks like g; multiply by {STANDARD_GRAVITY} for m/s²"
        raise ImportFormatError(path, None, problem)
    if not PLAUSIBLE_ACC_NORM[0] <= norm <= PLAUSIBLE_ACC_NORM[1]:
        problem = f"median |acc| is {norm:.3g} m/s², far from gravity (9.81); acc must be m/s² with gravity"
        raise ImportFormatError(path, None, problem)


def _range_problem(path: Path, raw: bytes, table: FloatArray, layout: _Layout,
                   first_line: int) -> ImportFormatError | None:
    """The one range check every sample passes on its way in (sensors.limits): file and line of the first."""
    found = range_problem(table[:, 1:4], table[:, 4:7], table[:, 7:10] if layout.has_mag else None)
    if found is None:
        return None
    row, problem = found
    return ImportFormatError(path, _row_line(raw, row, first_line), problem)


# --------------------------------------------------------------------------------------------- write


def write_imu_csv(path: Path, samples: ImuSamples) -> None:
    """Write samples as a plain IMU CSV that `read_imu_csv` reads back equal, private to the user.

    Time is written with repr (shortest exact round trip, so even Unix times keep every bit) and the
    rest with %.10g (≤ 5e-10 relative error, far below sensor noise, and compact). Formatting chunks
    of `tolist()` rows with one %-format string took 0.71 s (times k/100) to 0.83 s (jittered times,
    17-digit reprs) for 360 000 rows against 0.88 s for np.savetxt (NumPy 2.4, Python 3.11), and
    keeps memory bounded.
    """
    names = [*REQUIRED, *(MAG if samples.mag_ut is not None else ())]
    parts = [samples.time_s[:, np.newaxis], samples.acc_mps2, samples.gyr_radps]
    if samples.mag_ut is not None:
        parts.append(samples.mag_ut)
    table = np.hstack(parts)
    row_format = "%r," + ",".join(["%.10g"] * (len(names) - 1)) + "\n"
    with private_text_file(path, encoding="ascii") as out:
        out.write(",".join(names) + "\n")
        for start in range(0, table.shape[0], _WRITE_CHUNK_ROWS):
            rows = table[start : start + _WRITE_CHUNK_ROWS].tolist()
            out.write("".join([row_format % tuple(row) for row in rows]))


ANGLES_HEADER = "time,flexion_deg,abduction_deg,rotation_deg"


def write_angles_csv(path: Path, table: FloatArray) -> None:
    """Per-sample hip angles (SPEC §5 `--angles`): (N, 4) time, flexion, abduction, rotation."""
    with private_text_file(path, encoding="ascii") as handle:
        handle.write(ANGLES_HEADER + "\n")
        np.savetxt(handle, table, fmt=("%.6f", "%.4f", "%.4f", "%.4f"), delimiter=",")
