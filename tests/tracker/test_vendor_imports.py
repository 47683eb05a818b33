"""Vendor exports (issue #14): the same movement in each vendor's layout, rate and units gives the same hip
analysis as the plain CSV; formats are told from the header; bad or unusable exports fail like a bad CSV
(one line naming file:line, exit 2, nothing written)."""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from helpers import vendor_files as vf
from typer.testing import CliRunner

from analysis.results import SessionResult
from hiptrack.cli import app
from sensors.samples import ImuSamples
from sensors.simulator import Dose, SimOptions, simulate_session
from tracker.assessment import assess
from tracker.domain import Side
from tracker.errors import BadInputError, ImportFormatError
from tracker.importers import _table, detect, read_recording
from tracker.imu_csv import write_imu_csv
from tracker.services import build_services

EXERCISE = "seated_hip_internal_rotation"
SEEDS = (301, 302)
PEAK_TOLERANCE_DEG = 1.5
HOLD_EDGE_TOLERANCE_S = 0.25
runner = CliRunner()


@dataclass(frozen=True)
class Recorded:
    thigh: ImuSamples
    plain: SessionResult


def _simulated(seed: int) -> ImuSamples:
    return simulate_session(EXERCISE, "left", seed, SimOptions(dose=Dose(sets=2, reps=3))).thigh


@pytest.fixture(scope="module", params=SEEDS)
def recorded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Recorded:
    thigh = _simulated(request.param)
    plain = tmp_path_factory.mktemp("plain") / "plain.csv"
    write_imu_csv(plain, thigh)
    return Recorded(thigh, _analysed(read_recording([plain]).samples))


def _analysed(samples: ImuSamples) -> SessionResult:
    return assess(samples, EXERCISE, Side.LEFT).session_result()


LAYOUTS = {
    "movella-dot": lambda tmp, s: [vf.write_movella_dot(tmp / "DOT_export.csv", s)],
    "polar-sensor-logger": lambda tmp, s: [vf.write_polar_sensor_logger(tmp / "polar", s)],
    "witmotion": lambda tmp, s: [vf.write_witmotion(tmp / "witmotion.txt", s)],
    "witmotion-legacy": lambda tmp, s: [vf.write_witmotion_legacy(tmp / "witmotion-old.txt", s)],
    "sensor-logger": lambda tmp, s: [vf.write_sensor_logger(tmp / "phone", s)],
}


RATES_HZ = {"movella-dot": vf.DOT_RATE_HZ, "polar-sensor-logger": vf.POLAR_RATE_HZ, "witmotion": vf.WITMOTION_RATE_HZ,
            "witmotion-legacy": vf.WITMOTION_RATE_HZ, "sensor-logger": vf.PHONE_RATE_HZ}


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_each_vendor_layout_gives_the_plain_csv_peak_and_holds(layout: str, recorded: Recorded,
                                                               tmp_path: Path) -> None:
    recording = read_recording(LAYOUTS[layout](tmp_path, recorded.thigh))
    assert recording.format == layout.removesuffix("-legacy")
    assert recording.samples.time_s[0] == 0.0
    vendor = _analysed(recording.samples)
    assert vendor.calibrated and recorded.plain.calibrated
    assert vendor.peaks.internal_rotation_deg == pytest.approx(recorded.plain.peaks.internal_rotation_deg,
                                                               abs=PEAK_TOLERANCE_DEG)
    assert len(vendor.holds) == len(recorded.plain.holds) > 0
    for ours, theirs in zip(vendor.holds, recorded.plain.holds, strict=True):
        assert ours.start_s == pytest.approx(theirs.start_s, abs=HOLD_EDGE_TOLERANCE_S)
        assert ours.end_s == pytest.approx(theirs.end_s, abs=HOLD_EDGE_TOLERANCE_S)


@pytest.fixture(scope="module")
def short() -> ImuSamples:
    """A few seconds of standing still then moving: enough for parsing, too short to analyse."""
    return _simulated(303).slice(0, 1200)


def test_units_and_clocks_come_out_in_si(short: ImuSamples, tmp_path: Path) -> None:
    for layout, write in LAYOUTS.items():
        (tmp_path / layout).mkdir()
        samples = read_recording(write(tmp_path / layout, short)).samples
        expected = vf.resampled(short, RATES_HZ[layout])
        if layout == "sensor-logger":      # its first acc sample precedes the first gyro one: not joined
            expected = expected.slice(1, len(expected))
        count = min(len(samples), len(expected)) - 1
        assert samples.rate_hz == pytest.approx(expected.rate_hz, rel=1e-3), layout
        # clocks: µs (DOT, across its 32-bit wrap), ns (Polar, phone) or ms (WitMotion), all from 0 s
        np.testing.assert_allclose(samples.time_s[:count], expected.time_s[:count] - expected.time_s[0], atol=6e-4,
                                   err_msg=layout)
        np.testing.assert_allclose(samples.acc_mps2[:count], expected.acc_mps2[:count], atol=0.01, err_msg=layout)
        if layout != "sensor-logger":      # its gyro is interpolated across half a sample
            np.testing.assert_allclose(samples.gyr_radps[:count], expected.gyr_radps[:count], atol=1e-3,
                                       err_msg=layout)


def test_auto_detection_names_the_format_of_each_header(short: ImuSamples, tmp_path: Path) -> None:
    write_imu_csv(tmp_path / "plain.csv", short)
    vf.write_movella_dot(tmp_path / "dot.csv", short)
    polar = vf.write_polar_sensor_logger(tmp_path / "polar", short)
    vf.write_witmotion(tmp_path / "wit.txt", short)
    vf.write_witmotion_legacy(tmp_path / "wit-old.txt", short)
    phone = vf.write_sensor_logger(tmp_path / "phone", short)

    def head(path: Path) -> str:
        return path.read_bytes()[:4096].decode("utf-8", "replace")

    assert detect(head(tmp_path / "plain.csv")) == "csv"
    assert detect(head(tmp_path / "dot.csv")) == "movella-dot"
    assert {detect(head(p)) for p in polar.glob("*_ACC.txt")} | {detect(head(p)) for p in polar.glob("*_GYRO.txt")} \
        == {"polar-sensor-logger"}
    assert detect(head(next(polar.glob("*_HR.txt")))) is None
    assert detect(head(tmp_path / "wit.txt")) == "witmotion"
    assert detect(head(tmp_path / "wit-old.txt")) == "witmotion"
    assert detect(head(phone / "Gyroscope.csv")) == "sensor-logger"
    assert detect(head(phone / "Metadata.csv")) is None
    # the two Polar files given one by one, in either order, join like their folder
    files = sorted(polar.glob("*_GYRO.txt")) + sorted(polar.glob("*_ACC.txt"))
    assert len(read_recording(files).samples) == len(read_recording([polar]).samples)


def test_dot_packet_gaps_are_counted_and_timed_by_sample_time(short: ImuSamples, tmp_path: Path) -> None:
    path = vf.write_movella_dot(tmp_path / "dot.csv", short)
    lines = path.read_text().split("\n")
    del lines[40:45]                                     # five packets lost in the air
    path.write_text("\n".join(lines))
    recording = read_recording([path])
    assert "1 packet gap(s), 5 packet(s) lost" in recording.notes
    assert float(np.max(np.diff(recording.samples.time_s))) == pytest.approx(6 / vf.DOT_RATE_HZ, abs=1e-5)


def test_refused_variants_say_why(short: ImuSamples, tmp_path: Path) -> None:
    euler = vf.write_movella_dot(tmp_path / "euler.csv", short, mode="euler")
    with pytest.raises(ImportFormatError) as dot:
        read_recording([euler])
    assert dot.value.line == 11 and "Acc_X..Z" in dot.value.problem
    assert "(measurement mode Orientation (Euler)) holds Euler angles" in dot.value.problem
    phone = vf.write_sensor_logger(tmp_path / "iphone", short, total=False)
    with pytest.raises(ImportFormatError) as removed:
        read_recording([phone])
    assert removed.value.path.name == "Accelerometer.csv" and "gravity removed" in removed.value.problem
    two = vf.write_witmotion(tmp_path / "two.txt", short, other=short)
    with pytest.raises(ImportFormatError, match=r"holds 2 devices .*choose one with --device"):
        read_recording([two])
    with pytest.raises(BadInputError, match="needs the GYRO file too"):
        read_recording(sorted(vf.write_polar_sensor_logger(tmp_path / "polar", short).glob("*_ACC.txt")))


def test_one_device_of_a_multi_device_witmotion_export(short: ImuSamples, tmp_path: Path) -> None:
    other = ImuSamples(short.time_s, short.acc_mps2[:, [1, 0, 2]] * [1, 1, -1], short.gyr_radps * 0.5)
    path = vf.write_witmotion(tmp_path / "two.txt", short, other=other)
    first = read_recording([path], device="WT901BLE67(d6:a8:b9:ee:a0:b7)").samples
    second = read_recording([path], device="WT901BLE67(c1:22:33:44:55:66)").samples
    np.testing.assert_allclose(first.acc_mps2[:50], vf.resampled(short, 100.0).acc_mps2[:50], atol=0.01)
    np.testing.assert_allclose(second.gyr_radps[:50], vf.resampled(other, 100.0).gyr_radps[:50], atol=1e-3)


# -- the command line: bad vendor files are refused like a bad CSV -----------------------------------------


def _corrupt(path: Path, line: int, old: str, new: str) -> Path:
    lines = path.read_bytes().split(b"\n")
    assert old.encode() in lines[line - 1], lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old.encode(), new.encode(), 1)
    path.write_bytes(b"\n".join(lines))
    return path


def _bad_dot(tmp: Path, s: ImuSamples) -> tuple[list[Path], str]:
    path = _corrupt(vf.write_movella_dot(tmp / "dot.csv", s), 30, ",", ",x")
    return [path], f"{path}:30: SampleTimeFine is not a number: 'x"


def _bad_polar(tmp: Path, s: ImuSamples) -> tuple[list[Path], str]:
    folder = vf.write_polar_sensor_logger(tmp / "polar", s)
    gyro = next(folder.glob("*_GYRO.txt"))
    lines = gyro.read_text().split("\n")
    lines[20], lines[21] = lines[21], lines[20]
    gyro.write_text("\n".join(lines))
    return [folder], f"{gyro}:22: time goes backwards"


def _bad_witmotion(tmp: Path, s: ImuSamples) -> tuple[list[Path], str]:
    path = vf.write_witmotion(tmp / "wit.txt", s)
    cells = path.read_bytes().split(b"\n")[99].split(b"\t")
    path = _corrupt(path, 100, cells[6].decode(), "99999.0")
    return [path], f"{path}:100: gyr_x is 1745.31: outside what an IMU measures"


def _bad_phone(tmp: Path, s: ImuSamples) -> tuple[list[Path], str]:
    folder = vf.write_sensor_logger(tmp / "phone", s)
    total = folder / "TotalAcceleration.csv"
    text = total.read_text()
    total.write_text(text[: text.rstrip("\n").rfind(",")])
    return [folder], f"{total}:{text.count(chr(10))}: last line is cut off"


BAD = {"movella-dot": _bad_dot, "polar-sensor-logger": _bad_polar, "witmotion": _bad_witmotion,
       "sensor-logger": _bad_phone}


@pytest.mark.parametrize("layout", list(BAD))
def test_bad_vendor_file_is_one_line_naming_file_and_line_and_writes_nothing(
        layout: str, short: ImuSamples, tmp_path: Path) -> None:
    paths, expected = BAD[layout](tmp_path, short)
    db = tmp_path / "h.db"
    result = runner.invoke(app, ["import", *map(str, paths), "--side", "left", "--exercise", EXERCISE,
                                 "--db", f"sqlite:///{db}"])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("hiptrack: error: ") and result.stderr.count("\n") == 1, result.stderr
    assert expected in result.stderr, result.stderr
    assert not db.exists()


def test_cli_imports_a_vendor_export_as_a_session(recorded: Recorded, tmp_path: Path) -> None:
    path = vf.write_movella_dot(tmp_path / "DOT_export.csv", recorded.thigh)
    url = f"sqlite:///{tmp_path / 'h.db'}"
    result = runner.invoke(app, ["import", str(path), "--side", "left", "--exercise", EXERCISE, "--db", url])
    assert result.exit_code == 0, result.output
    assert "(movella-dot) as session 1" in result.stdout and "at 60.0 Hz" in result.stdout
    shown = runner.invoke(app, ["show", "1", "--json", "--db", url])
    assert shown.exit_code == 0, shown.output
    peaks = json.loads(shown.stdout)["peaks"]
    assert peaks["internal_rotation_deg"] == pytest.approx(recorded.plain.peaks.internal_rotation_deg,
                                                           abs=PEAK_TOLERANCE_DEG)
    services = build_services(url)
    try:
        summary = services.store.sessions.get(1)
    finally:
        services.close()
    assert [stream.device_name for stream in summary.streams] == ["Left thigh"]     # the DOT's DeviceTag
    assert summary.notes is not None and "output rate 60Hz" in summary.notes
    refused = runner.invoke(app, ["import", str(path), "--format", "polar-sensor-logger", "--side", "left",
                                  "--exercise", EXERCISE, "--db", url])
    assert refused.exit_code == 2 and "not an ACC or GYRO file of polar-sensor-logger" in refused.stderr


def test_errors_in_one_device_of_several_name_that_device_s_line(short: ImuSamples, tmp_path: Path) -> None:
    path = vf.write_witmotion(tmp_path / "two.txt", short, other=short)
    cells = path.read_bytes().split(b"\n")[202].split(b"\t")          # line 203: the second device's row
    assert cells[1] == b"WT901BLE67(c1:22:33:44:55:66)"
    _corrupt(path, 203, cells[3].decode(), "40.0")                   # 40 g: beyond any IMU's range
    assert len(read_recording([path], device="WT901BLE67(d6:a8:b9:ee:a0:b7)").samples) > 500
    with pytest.raises(ImportFormatError) as error:
        read_recording([path], device="WT901BLE67(c1:22:33:44:55:66)")
    assert error.value.line == 203 and "acc_x is 392.266" in error.value.problem


def test_a_bad_chip_time_is_an_error_not_a_silent_switch_to_the_pc_clock(short: ImuSamples, tmp_path: Path) -> None:
    path = vf.write_witmotion(tmp_path / "wit.txt", short)
    chip = path.read_bytes().split(b"\n")[50].split(b"\t")[2].decode()
    _corrupt(path, 51, chip, "2025-11-25 noon")
    with pytest.raises(ImportFormatError) as error:
        read_recording([path])
    assert error.value.line == 51 and error.value.problem == "Chip Time() is not a time: '2025-11-25 noon'"


def test_streams_at_different_rates_join_on_the_denser_one(short: ImuSamples, tmp_path: Path) -> None:
    folder = vf.write_polar_sensor_logger(tmp_path / "polar", short)
    acc = next(folder.glob("*_ACC.txt"))
    lines = acc.read_text().split("\n")
    acc.write_text("\n".join([lines[0], *lines[1::2]]))             # ACC at 26 Hz, GYRO at 52 Hz
    samples = read_recording([folder]).samples
    assert samples.rate_hz == pytest.approx(vf.POLAR_RATE_HZ, rel=1e-3)
    expected = vf.resampled(short, vf.POLAR_RATE_HZ)
    np.testing.assert_allclose(samples.gyr_radps, expected.gyr_radps[: len(samples)], atol=1e-4)


def test_an_unrecognised_file_gets_the_plain_csv_diagnosis(tmp_path: Path) -> None:
    path = tmp_path / "semi.csv"
    path.write_text("time;acc_x;acc_y;acc_z;gyr_x;gyr_y;gyr_z\n0;0;0;9.8;0;0;0\n")
    with pytest.raises(ImportFormatError) as error:
        read_recording([path])
    assert error.value.line == 1 and "not semicolons" in error.value.problem


def test_a_sensor_logger_zip_export_reads_like_its_folder(short: ImuSamples, tmp_path: Path) -> None:
    folder = vf.write_sensor_logger(tmp_path / "phone", short)
    archive = tmp_path / "2025-11-24_16-00-00.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for member in sorted(folder.iterdir()):
            out.write(member, member.name)
        out.writestr("Microphone.mp4", b"\x00" * 1000)               # not a table: never read
    from_zip, from_folder = read_recording([archive]).samples, read_recording([folder]).samples
    np.testing.assert_array_equal(from_zip.acc_mps2, from_folder.acc_mps2)
    np.testing.assert_array_equal(from_zip.gyr_radps, from_folder.gyr_radps)
    _corrupt(folder / "Gyroscope.csv", 7, ",", ";")                # a semicolon where a comma belongs
    with zipfile.ZipFile(archive, "w") as out:
        out.write(folder / "TotalAcceleration.csv", "TotalAcceleration.csv")
        out.write(folder / "Gyroscope.csv", "Gyroscope.csv")
    with pytest.raises(ImportFormatError) as error:
        read_recording([archive])
    assert str(error.value).startswith(f"{archive}/Gyroscope.csv:7: time is not a number: ")


def test_parsing_in_pieces_changes_nothing(short: ImuSamples, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    wit = vf.write_witmotion(tmp_path / "two.txt", short, other=short)
    dot = vf.write_movella_dot(tmp_path / "dot.csv", short)
    whole = [read_recording([wit], device="WT901BLE67(c1:22:33:44:55:66)").samples, read_recording([dot]).samples]
    monkeypatch.setattr(_table, "_CHUNK_LINES", 7)                  # pieces end between two devices' rows
    pieces = [read_recording([wit], device="WT901BLE67(c1:22:33:44:55:66)").samples, read_recording([dot]).samples]
    for a, b in zip(whole, pieces, strict=True):
        np.testing.assert_array_equal(a.time_s, b.time_s)
        np.testing.assert_array_equal(a.acc_mps2, b.acc_mps2)
        np.testing.assert_array_equal(a.gyr_radps, b.gyr_radps)
