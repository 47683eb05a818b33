"""Plain IMU CSV (SPEC §4): what we accept, what we refuse, and that refusals always name the line."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sensors.samples import ImuSamples
from tracker import imu_csv
from tracker.errors import ImportFormatError
from tracker.imu_csv import read_imu_csv, write_imu_csv

HEADER = "time,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z"
HEADER_MAG = HEADER + ",mag_x,mag_y,mag_z"


def _row(i: int, *, mag: bool = False) -> list[str]:
    """One plausible sample at 100 Hz: gravity on z plus a little motion, all in SI units."""
    cells = [
        f"{i * 0.01:.2f}",
        f"{0.1 + i * 0.001:.4f}",
        "-0.2",
        "9.79",
        "0.01",
        f"{-0.02 * (i % 5):.3f}",
        "0.3",
    ]
    if mag:
        cells += ["20.5", "-3.25", "40"]
    return cells


def _csv(n: int = 10, *, header: str = HEADER, mag: bool = False, end: str = "\n") -> str:
    return header + "\n" + "".join(",".join(_row(i, mag=mag)) + end for i in range(n))


def _lines(*lines: str) -> str:
    """A file made of these physical lines, so tests can count lines by eye."""
    return "\n".join(lines) + "\n"


def _write(tmp_path: Path, content: str | bytes, name: str = "imu.csv") -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def _random_samples(n: int, *, mag: bool, t0: float = 0.0, seed: int = 1) -> ImuSamples:
    rng = np.random.default_rng(seed)
    time_s = t0 + np.cumsum(rng.uniform(0.005, 0.015, n))
    acc = rng.normal(0.0, 2.0, (n, 3)) + np.array([0.0, 0.0, 9.81])
    gyr = rng.normal(0.0, 1.0, (n, 3)) * 10.0 ** rng.integers(-8, 1, (n, 3))
    mags = rng.normal(0.0, 30.0, (n, 3)) if mag else None
    return ImuSamples(time_s, acc, gyr, mags)


def _assert_close(a: ImuSamples, b: ImuSamples) -> None:
    np.testing.assert_array_equal(a.time_s, b.time_s)
    np.testing.assert_allclose(a.acc_mps2, b.acc_mps2, rtol=1e-9, atol=0)
    np.testing.assert_allclose(a.gyr_radps, b.gyr_radps, rtol=1e-9, atol=0)
    if a.mag_ut is None or b.mag_ut is None:
        assert a.mag_ut is None and b.mag_ut is None
    else:
        np.testing.assert_allclose(a.mag_ut, b.mag_ut, rtol=1e-9, atol=0)


# ------------------------------------------------------------------------------------------ round trip


@pytest.mark.parametrize("mag", [False, True])
def test_round_trip_is_equal_within_1e_9(tmp_path: Path, mag: bool) -> None:
    original = _random_samples(500, mag=mag)
    path = tmp_path / "out.csv"
    write_imu_csv(path, original)
    back = read_imu_csv(path)
    _assert_close(original, back)
    assert back.has_mag is mag


def test_round_trip_keeps_unix_time_exact(tmp_path: Path) -> None:
    original = _random_samples(200, mag=False, t0=1.7e9)
    path = tmp_path / "out.csv"
    write_imu_csv(path, original)
    np.testing.assert_array_equal(read_imu_csv(path).time_s, original.time_s)


def test_round_trip_across_write_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(imu_csv, "_WRITE_CHUNK_ROWS", 7)
    original = _random_samples(50, mag=True)
    path = tmp_path / "out.csv"
    write_imu_csv(path, original)
    _assert_close(original, read_imu_csv(path))


def test_written_file_has_lowercase_header_and_trailing_newline(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    write_imu_csv(path, _random_samples(3, mag=True))
    text = path.read_text()
    assert text.splitlines()[0] == HEADER_MAG
    assert text.endswith("\n") and not text.endswith("\n\n")
    assert len(text.splitlines()) == 4
    write_imu_csv(path, _random_samples(3, mag=False))
    assert path.read_text().splitlines()[0] == HEADER


def test_written_file_is_private_even_when_it_existed(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    path.write_text("old")
    path.chmod(0o644)
    write_imu_csv(path, _random_samples(3, mag=False))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert not path.read_text().startswith("old")


# ------------------------------------------------------------------------------------------- accepted


@pytest.mark.parametrize(
    "header",
    [
        "TIME,ACC_X,ACC_Y,ACC_Z,GYR_X,GYR_Y,GYR_Z",
        " time , Acc_X ,acc_y,  acc_z,gyr_x\t,gyr_y,gyr_z ",
        '"time","acc_x","acc_y","acc_z","gyr_x","gyr_y","gyr_z"',
    ],
)
def test_header_names_ignore_case_space_and_quotes(tmp_path: Path, header: str) -> None:
    samples = read_imu_csv(_write(tmp_path, _csv(5, header=header)))
    assert len(samples) == 5
    assert samples.acc_mps2[0].tolist() == [0.1, -0.2, 9.79]


def test_reordered_columns_map_by_name(tmp_path: Path) -> None:
    text = _lines(
        "gyr_z,mag_z,acc_z,time,gyr_y,mag_x,acc_y,gyr_x,mag_y,acc_x",
        "0.3,40,9.79,0.00,0.02,20,-0.2,0.01,-3,0.1",
        "0.4,41,9.81,0.01,0.03,21,-0.3,0.02,-4,0.2",
    )
    samples = read_imu_csv(_write(tmp_path, text))
    assert samples.time_s.tolist() == [0.0, 0.01]
    assert samples.acc_mps2.tolist() == [[0.1, -0.2, 9.79], [0.2, -0.3, 9.81]]
    assert samples.gyr_radps.tolist() == [[0.01, 0.02, 0.3], [0.02, 0.03, 0.4]]
    assert samples.mag_ut is not None
    assert samples.mag_ut.tolist() == [[20, -3, 40], [21, -4, 41]]


def test_unknown_columns_are_ignored_even_text(tmp_path: Path) -> None:
    text = _lines(
        "label,time,acc_x,acc_y,acc_z,temp_c,gyr_x,gyr_y,gyr_z,",
        "walk,0.00,0.1,-0.2,9.79,31.5,0.01,0.02,0.3,",
        "sit down,0.01,0.2,-0.3,9.81,31.6,0.02,0.03,0.4,",
    )
    for variant in (text, text.replace("\n", "\r\n").replace("walk", "\r\nwalk")):
        samples = read_imu_csv(_write(tmp_path, variant))
        assert samples.acc_mps2.tolist() == [[0.1, -0.2, 9.79], [0.2, -0.3, 9.81]]
        assert samples.gyr_radps[:, 2].tolist() == [0.3, 0.4]
        assert not samples.has_mag


@pytest.mark.parametrize(
    "text",
    [
        _csv(10).replace("\n", "\r\n"),
        _csv(10).rstrip("\n"),
        _csv(10).replace("\n", "\r"),
        _csv(10) + "\n\n\r\n",
        "\ufeff" + _csv(10),
    ],
    ids=["crlf", "no-final-newline", "cr-only", "blank-trailing-lines", "utf8-bom"],
)
def test_common_file_endings_and_encodings_are_accepted(tmp_path: Path, text: str) -> None:
    samples = read_imu_csv(_write(tmp_path, text))
    assert len(samples) == 10
    assert samples.gyr_radps[-1].tolist() == [0.01, -0.08, 0.3]


def test_irregular_sampling_is_accepted(tmp_path: Path) -> None:
    text = _lines(HEADER, *(f"{t},0,0,9.8,0,0,0" for t in (0.0, 0.001, 0.5, 0.51, 3.0)))
    assert read_imu_csv(_write(tmp_path, text)).time_s.tolist() == [0.0, 0.001, 0.5, 0.51, 3.0]


def test_slow_sampling_with_small_times_is_not_taken_for_milliseconds(tmp_path: Path) -> None:
    text = _lines(HEADER, *(f"{t},0,0,9.8,0,0,0" for t in (0, 2, 4, 6, 8)))
    assert read_imu_csv(_write(tmp_path, text)).rate_hz == 0.5


# ------------------------------------------------------------------------------------------- refused


def _good(t: float) -> str:
    return f"{t},0.1,-0.2,9.79,0.01,0.02,0.3"


BAD_FILES: dict[str, tuple[str | bytes, int | None, str]] = {
    "empty": (b"", None, "file is empty"),
    "whitespace-only": ("\n \n", None, "file is empty"),
    "header-only": (HEADER + "\n", None, "no samples"),
    "header-and-blank-lines": (HEADER + "\n\n\n", None, "no samples"),
    "missing-column": (_csv(header="time,acc_x,acc_y,acc_z,gyr_x,gyr_y"), 1, "missing column(s): gyr_z"),
    "missing-columns": ("time,acc_x\n0,1\n", 1, "missing column(s): acc_y, acc_z, gyr_x, gyr_y, gyr_z"),
    "no-header": (_lines(_good(0), _good(0.01)), 1, "first line must be the header"),
    "semicolons": (_csv().replace(",", ";"), 1, "separated by commas, not semicolons"),
    "duplicate-column": (
        _lines(HEADER + ",acc_x", _good(0) + ",1", _good(0.01) + ",2"),
        1,
        "duplicate column acc_x (columns 2 and 8)",
    ),
    "partial-mag": (_csv(header=HEADER + ",mag_x,mag_z"), 1, "found mag_x, mag_z but not mag_y"),
    "non-numeric": (
        _lines(HEADER, _good(0), _good(0.01), "0.02,0.1,abc,9.79,0.01,0.02,0.3", _good(0.03)),
        4,
        "acc_y is not a number: 'abc'",
    ),
    "comment-line": (
        _lines(HEADER, _good(0), "# moved sensor", _good(0.01)),
        3,
        "line has 1 field but the header has 7: '# moved sensor'",
    ),
    "empty-cell": (_lines(HEADER, _good(0), "0.01,0.1,-0.2,9.79,,0.02,0.3"), 3, "gyr_x is not a number: ''"),
    "long-text-is-shortened": (
        _lines(HEADER, _good(0), "0.01,0.1,-0.2,9.79,0.01,0.02," + "x" * 200),
        3,
        "gyr_z is not a number: 'xxxxxxxxxxxxxxxxxxxx…'",
    ),
    "nan": (_lines(HEADER, _good(0), _good(0.01), "0.02,0.1,-0.2,9.79,NaN,0.02,0.3"), 4, "gyr_x is NaN"),
    "inf": (
        _lines(HEADER, _good(0), "0.01,0.1,-inf,9.79,0.01,0.02,0.3", _good(0.02)),
        3,
        "acc_y is infinite",
    ),
    "too-many-fields": (
        _lines(HEADER, _good(0), _good(0.01) + ",7", _good(0.02)),
        3,
        "line has 8 fields but the header has 7",
    ),
    "too-few-fields": (_lines(HEADER, _good(0), "0.01,0.1,-0.2,9.79", _good(0.02)), 3, "line has 4 fields"),
    "all-lines-too-long": (_lines(HEADER, _good(0) + ",1", _good(0.01) + ",2"), 2, "line has 8 fields"),
    "truncated-last-line": (
        _lines(HEADER, _good(0), _good(0.01)) + "0.02,0.1,-0.2,9.7",
        4,
        "last line is cut off",
    ),
    "time-backwards": (
        _lines(HEADER, _good(0), _good(0.01), _good(0.02), _good(0.015), _good(0.03)),
        5,
        "time goes backwards (0.015 after 0.02)",
    ),
    "time-repeats": (_lines(HEADER, _good(0), _good(0.01), _good(0.01)), 4, "time repeats (0.01)"),
    "not-utf8": (_csv(2).encode() + b"0.02,\xff\xfe\x00garbage\n", 4, "binary"),
    "latin1": (_csv(2).encode() + "0.02,0.1,-0.2,9.79,0.01,0.02,0.3 µT\n".encode("latin-1"), 4, "not UTF-8"),
    "binary": (bytes(range(256)) * 4, 1, "binary file"),
    "one-sample": (_csv(1), None, "only 1 sample; need at least 2"),
    "gyro-deg-per-s": (
        _lines(HEADER, _good(0), "0.01,0.1,-0.2,9.79,0.01,-120,0.3", _good(0.02)),
        None,
        "gyr_y reaches 120: looks like deg/s, convert to rad/s",
    ),
    "acc-in-g": (
        _lines(HEADER, *(f"{i / 100},0.01,-0.02,0.998,0.01,0.02,0.3" for i in range(5))),
        None,
        "looks like g; multiply by 9.80665",
    ),
    "acc-far-from-gravity": (
        _lines(HEADER, *(f"{i / 100},0.01,-0.02,0.05,0.01,0.02,0.3" for i in range(5))),
        None,
        "far from gravity",
    ),
    "acc-too-large": (
        _lines(HEADER, *(f"{i / 100},0.01,-0.02,98,0.01,0.02,0.3" for i in range(5))),
        None,
        "far from gravity",
    ),
    "time-in-ms": (
        _lines(HEADER, *(_good(1000 + 10 * i) for i in range(5))),
        None,
        "looks like milliseconds",
    ),
}


@pytest.mark.parametrize(("content", "line", "phrase"), BAD_FILES.values(), ids=BAD_FILES.keys())
def test_bad_file_names_line_and_problem(
    tmp_path: Path, content: str | bytes, line: int | None, phrase: str
) -> None:
    path = _write(tmp_path, content)
    with pytest.raises(ImportFormatError) as caught:
        read_imu_csv(path)
    assert caught.value.path == path
    assert caught.value.line == line
    assert phrase in caught.value.problem


@pytest.mark.parametrize(("content", "line", "phrase"), BAD_FILES.values(), ids=BAD_FILES.keys())
def test_bad_file_read_in_tiny_pieces_names_the_same_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str | bytes, line: int | None, phrase: str
) -> None:
    """The file is parsed a piece at a time: a line's number and the cut-off last line survive piece ends."""
    monkeypatch.setattr(imu_csv, "_PARSE_CHUNK_BYTES", 16)           # about a line a piece
    path = _write(tmp_path, content)
    with pytest.raises(ImportFormatError) as caught:
        read_imu_csv(path)
    assert (caught.value.line, phrase in caught.value.problem) == (line, True)


@pytest.mark.parametrize("mag", [False, True])
def test_pieces_and_compact_read_the_same_samples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mag: bool) -> None:
    original = _random_samples(300, mag=mag)
    path = tmp_path / "out.csv"
    write_imu_csv(path, original)
    whole = read_imu_csv(path)
    monkeypatch.setattr(imu_csv, "_PARSE_CHUNK_BYTES", 100)          # pieces end mid-file many times
    pieces = read_imu_csv(path)
    compact = read_imu_csv(path, compact=True)
    _assert_close(whole, pieces)
    np.testing.assert_array_equal(whole.acc_mps2, pieces.acc_mps2)
    assert compact.acc_mps2.dtype == np.float32 and compact.time_s.dtype == np.float64
    np.testing.assert_array_equal(compact.time_s, whole.time_s)
    np.testing.assert_array_equal(compact.gyr_radps, whole.gyr_radps.astype(np.float32))
    if mag:
        assert compact.mag_ut is not None and whole.mag_ut is not None
        np.testing.assert_array_equal(compact.mag_ut, whole.mag_ut.astype(np.float32))


def test_bad_time_in_a_later_piece_names_its_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(imu_csv, "_PARSE_CHUNK_BYTES", 64)
    rows = [_good(i / 100) for i in range(40)]
    rows[30] = _good(0.05)                                          # line 32 goes back in time
    path = _write(tmp_path, _lines(HEADER, *rows))
    with pytest.raises(ImportFormatError) as caught:
        read_imu_csv(path)
    assert caught.value.line == 32 and "backwards" in caught.value.problem


def test_line_numbers_count_blank_lines(tmp_path: Path) -> None:
    text = _lines(HEADER, _good(0), "", "\r", _good(0.01), "", "0.02,0.1,-0.2,nan,0.01,0.02,0.3")
    with pytest.raises(ImportFormatError) as caught:
        read_imu_csv(_write(tmp_path, text))
    assert (caught.value.line, caught.value.problem.split(";")[0]) == (7, "acc_z is NaN")


def test_time_order_error_counts_blank_lines(tmp_path: Path) -> None:
    text = _lines(HEADER, _good(0), "", _good(0.02), "", _good(0.01))
    with pytest.raises(ImportFormatError, match="goes backwards") as caught:
        read_imu_csv(_write(tmp_path, text))
    assert caught.value.line == 6


@pytest.mark.parametrize(
    ("row", "line", "phrase"),
    [
        ("walk,0.02,0.1,-0.2,9.79,31.5,0.01,0.02", 4, "last line is cut off (8 of 9 fields)"),
        ("walk,0.02,0.1,-0.2,9.79,31.5,0.01,0.02,0.3,x", 4, "line has 10 fields but the header has 9"),
        ("walk,0.02,0.1,-0.2,9.79,oops,0.01,0.02,0.3", None, None),
        ("walk,0.02,0.1,-0.2,9.79,31.5,0.01,0.02,zz", 4, "gyr_z is not a number: 'zz'"),
    ],
)
def test_field_counts_are_checked_when_unknown_columns_are_skipped(
    tmp_path: Path, row: str, line: int | None, phrase: str | None
) -> None:
    """With unknown columns NumPy parses a subset and no longer checks counts; we must."""
    header = "label,time,acc_x,acc_y,acc_z,temp_c,gyr_x,gyr_y,gyr_z"
    good = "walk,{t},0.1,-0.2,9.79,31.5,0.01,0.02,0.3"
    path = _write(tmp_path, _lines(header, good.format(t=0), good.format(t=0.01), row))
    if phrase is None:  # a bad cell in an ignored column is fine
        assert len(read_imu_csv(path)) == 3
        return
    with pytest.raises(ImportFormatError) as caught:
        read_imu_csv(path)
    assert caught.value.line == line
    assert phrase in caught.value.problem


def test_short_last_line_in_the_middle_of_the_file_is_not_called_truncated(tmp_path: Path) -> None:
    text = _lines(HEADER, _good(0), "0.01,0.1", _good(0.02))
    with pytest.raises(ImportFormatError) as caught:
        read_imu_csv(_write(tmp_path, text))
    assert "cut off" not in caught.value.problem


def test_missing_file_is_an_import_error(tmp_path: Path) -> None:
    with pytest.raises(ImportFormatError, match="no such file") as caught:
        read_imu_csv(tmp_path / "nope.csv")
    assert caught.value.line is None


def test_directory_is_an_import_error(tmp_path: Path) -> None:
    with pytest.raises(ImportFormatError, match="is a folder, not a regular file"):
        read_imu_csv(tmp_path)


def test_parser_failure_the_scanner_cannot_explain_is_still_an_import_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise ValueError("numpy says no")

    monkeypatch.setattr(imu_csv.np, "loadtxt", refuse)
    with pytest.raises(ImportFormatError, match="could not read the samples as numbers") as caught:
        read_imu_csv(_write(tmp_path, _csv(5)))
    assert caught.value.line is None


# ------------------------------------------------------------------------------------------ property

_ODD_CELLS = st.sampled_from(["nan", "-inf", "", " ", "x", "1_0", "1e", "\u0661", "1e400", "9.81\r", '"1"'])
_GOOD_CELLS = st.sampled_from(["0", "0.01", "9.81", "-0.5", "1e-3", " 7 ", "+.5", "-9.5", "1.2E1"])
_EXTRA_NAMES = st.sampled_from(["extra", "", "TIME", " acc_x ", "mag_y", "gyr_z"])


@st.composite
def _csv_like(draw: st.DrawFn) -> bytes:
    """Text shaped like our CSV with a few flaws, so the fuzzing reaches past the header."""
    names = [*imu_csv.REQUIRED, *(imu_csv.MAG if draw(st.booleans()) else ())]
    header = [*draw(st.permutations(names)), *draw(st.lists(_EXTRA_NAMES, max_size=2))]
    cells = _GOOD_CELLS | _ODD_CELLS | st.floats().map(repr)
    plain_row = st.lists(_GOOD_CELLS, min_size=len(header), max_size=len(header))
    rows = draw(st.lists(plain_row | st.lists(cells, max_size=12), max_size=6))
    times = [f"{i / 100}" for i in range(len(rows))]
    spoil_time: bool = draw(st.booleans())
    if rows and spoil_time:
        times[draw(st.integers(0, len(rows) - 1))] = draw(st.sampled_from(["x", "0", "1000", "nan"]))
    for cells_of_row, time in zip(rows, times, strict=True):
        if cells_of_row:
            cells_of_row[header.index("time") % len(cells_of_row)] = time
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = newline.join([",".join(header), *(",".join(row) for row in rows)]) + draw(
        st.sampled_from(["", "\n"])
    )
    return text.encode("utf-8")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.binary(max_size=300) | st.text(max_size=300).map(str.encode) | _csv_like())
def test_any_content_gives_samples_or_import_error(tmp_path: Path, content: bytes) -> None:
    path = _write(tmp_path, content, "fuzz.csv")
    try:
        samples = read_imu_csv(path)
    except ImportFormatError as exc:
        assert exc.problem
        assert exc.line is None or exc.line >= 1
    else:
        assert isinstance(samples, ImuSamples)
        assert len(samples) >= 2
        assert np.all(np.diff(samples.time_s) > 0)


@pytest.mark.parametrize(("cell", "column"), [(2, "acc_y"), (5, "gyr_y")])
def test_one_absurd_cell_is_bad_input_at_its_line(tmp_path: Path, cell: int, column: str) -> None:
    """1e308 in one cell (a broken export) is refused where it is, before anything is stored."""
    rows = [_good(0.01 * i) for i in range(200)]
    cells = rows[120].split(",")
    cells[cell] = "1e308"
    rows[120] = ",".join(cells)
    path = tmp_path / "imu.csv"
    path.write_text(_lines(HEADER, *rows))
    with pytest.raises(ImportFormatError) as caught:
        read_imu_csv(path)
    assert caught.value.line == 122 and f"{column} is 1e+308: outside what an IMU measures" in str(caught.value)
