"""The command line as users and scripts call it: output, exit codes, and what ends up in the database."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from hiptrack.cli import app
from sensors.samples import ImuSamples
from sensors.simulator import Dose, SimOptions, simulate_session
from tracker import __version__
from tracker.imu_csv import read_imu_csv, write_imu_csv

runner = CliRunner()


def _invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _sessions(db_url: str) -> list[dict]:
    code, out, _ = _invoke("sessions", "--json", "--db", db_url)
    assert code == 0
    return json.loads(out)


def test_version_and_help() -> None:
    code, out, _ = _invoke("--version")
    assert code == 0 and out.strip() == f"hiptrack {__version__}"
    for command in ("demo", "sessions", "import", "export", "dashboard"):
        code, out, _ = _invoke(command, "--help")
        assert code == 0 and "--db" in out, command


def test_demo_leaves_complete_sessions_with_raw_samples(db_url: str) -> None:
    code, out, err = _invoke("demo", "--no-tui", "--db", db_url)
    assert code == 0, err
    assert "Seated hip internal rotation" in out          # people read names, not ids
    sessions = _sessions(db_url)
    assert len(sessions) == 4
    for s in sessions:
        assert {"id", "exercise", "side", "source", "status", "started_at", "duration_s", "samples",
                "rate_hz"} <= set(s)
        assert s["status"] == "complete" and s["source"] == "simulated"
        assert s["samples"] == pytest.approx(s["duration_s"] * s["rate_hz"], abs=2)


def test_database_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "env.db"
    monkeypatch.setenv("HIPTRACK_DB", f"sqlite:///{path}")
    code, out, _ = _invoke("sessions")
    assert code == 0 and "No sessions yet" in out
    assert path.exists() and stat.S_IMODE(os.stat(path).st_mode) == 0o600


def _recording(tmp_path: Path, with_mag: bool = False) -> tuple[Path, ImuSamples]:
    sim = simulate_session("hamstring_strap_stretch", "left", seed=6,
                           options=SimOptions(dose=Dose(hold_s=5.0), with_mag=with_mag))
    path = tmp_path / "in.csv"
    write_imu_csv(path, sim.thigh)
    return path, read_imu_csv(path)


@pytest.mark.parametrize("with_mag", [False, True])
def test_import_then_export_is_lossless(tmp_path: Path, db_url: str, with_mag: bool) -> None:
    path, original = _recording(tmp_path, with_mag)
    code, _, err = _invoke("import", str(path), "--side", "left", "--exercise", "hamstring_strap_stretch",
                             "--at", "2026-03-01T18:30:00+01:00", "--db", db_url)
    assert code == 0, err
    (session,) = _sessions(db_url)
    assert session["source"] == "imported" and session["started_at"] == "2026-03-01T17:30:00+00:00"
    assert session["samples"] == len(original)

    out_dir = tmp_path / "export"
    code, _, err = _invoke("export", str(session["id"]), "--out", str(out_dir), "--db", db_url)
    assert code == 0, err
    csv_path = out_dir / f"session-{session['id']}-left_thigh.csv"
    exported = read_imu_csv(csv_path)
    assert len(exported) == len(original)
    np.testing.assert_allclose(exported.time_s, original.time_s, rtol=0, atol=1e-5)
    np.testing.assert_allclose(exported.acc_mps2, original.acc_mps2, rtol=0, atol=1e-5)
    np.testing.assert_allclose(exported.gyr_radps, original.gyr_radps, rtol=0, atol=1e-5)
    if with_mag:
        np.testing.assert_allclose(exported.mag_ut, original.mag_ut, rtol=0, atol=1e-5)
    else:
        assert exported.mag_ut is None
    sidecar = json.loads((out_dir / f"session-{session['id']}.json").read_text())
    assert sidecar["exercise"] == "hamstring_strap_stretch" and sidecar["files"]["left_thigh"] == csv_path.name
    for written in out_dir.iterdir():
        assert stat.S_IMODE(os.stat(written).st_mode) == 0o600


def test_export_never_writes_through_a_link_and_keeps_its_folders_private(tmp_path: Path, db_url: str) -> None:
    path, _ = _recording(tmp_path)
    code, _, err = _invoke("import", str(path), "--side", "left", "--exercise", "hamstring_strap_stretch",
                           "--db", db_url)
    assert code == 0, err
    (session,) = _sessions(db_url)
    victim = tmp_path / "victim.txt"
    victim.write_text("someone else's file\n")
    os.chmod(victim, 0o644)
    out_dir = tmp_path / "new" / "export"
    out_dir.mkdir(parents=True)
    (out_dir / f"session-{session['id']}-left_thigh.csv").symlink_to(victim)
    code, _, err = _invoke("export", str(session["id"]), "--out", str(out_dir), "--db", db_url)
    assert code == 0, err
    assert victim.read_text() == "someone else's file\n" and stat.S_IMODE(os.stat(victim).st_mode) == 0o644
    written = out_dir / f"session-{session['id']}-left_thigh.csv"
    assert not written.is_symlink() and len(read_imu_csv(written)) > 100
    assert not list(out_dir.glob(".*.part"))                          # no temporary left behind

    fresh = tmp_path / "a" / "b"
    assert _invoke("export", str(session["id"]), "--out", str(fresh), "--db", db_url)[0] == 0
    assert {stat.S_IMODE(os.stat(p).st_mode) for p in (fresh, fresh.parent)} == {0o700}
    code, _, err = _invoke("export", str(session["id"]), "--out", "", "--db", db_url)
    assert code == 2 and "--out" in err


def test_import_defaults_to_the_file_time(tmp_path: Path, db_url: str) -> None:
    path, _ = _recording(tmp_path)
    os.utime(path, (1_700_000_000, 1_700_000_000))
    code, _, err = _invoke("import", str(path), "--side", "left", "--exercise", "ride", "--db", db_url)
    assert code == 0, err
    assert _sessions(db_url)[0]["started_at"] == "2023-11-14T22:13:20+00:00"


BAD_FILES = {
    "empty": ("", "empty"),
    "header_only": ("time,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n", "no samples"),
    "missing_column": ("time,acc_x,acc_y,acc_z,gyr_x,gyr_y\n0,0,0,9.8,0,0\n", "gyr_z"),
    "not_a_number": ("time,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n0,0,0,9.8,0,0,0\n0.01,0,x1,9.8,0,0,0\n", "acc_y"),
    "nan": ("time,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n0,0,0,9.8,0,0,0\n0.01,0,0,nan,0,0,0\n", "acc_z"),
    "backwards": ("time,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n0,0,0,9.8,0,0,0\n0.02,0,0,9.8,0,0,0\n"
                  "0.01,0,0,9.8,0,0,0\n", "time"),
    "truncated": ("time,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n0,0,0,9.8,0,0,0\n0.01,0,0,9.8,0,0,0\n0.02,0,0,9.",
                  ":4:"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_files_exit_2_with_one_line_and_write_nothing(tmp_path: Path, db_url: str, case: str) -> None:
    text, expected = BAD_FILES[case]
    path = tmp_path / f"{case}.csv"
    path.write_text(text)
    code, out, err = _invoke("import", str(path), "--side", "right", "--exercise", "ride", "--db", db_url)
    assert code == 2
    assert err.count("\n") == 1 and str(path) in err and expected in err, err
    assert "Traceback" not in err and out == ""
    assert not (tmp_path / "hiptrack.db").exists()               # not even an empty database is created
    assert _sessions(db_url) == []


def test_gyro_in_degrees_per_second_is_caught(tmp_path: Path, db_url: str) -> None:
    sim = simulate_session("ride", "left", seed=2, options=SimOptions(dose=Dose(ride_s=20)))
    thigh = sim.thigh
    path = tmp_path / "deg.csv"
    write_imu_csv(path, ImuSamples(thigh.time_s, thigh.acc_mps2, np.rad2deg(thigh.gyr_radps)))
    code, _, err = _invoke("import", str(path), "--side", "left", "--exercise", "ride", "--db", db_url)
    assert code == 2 and "deg/s" in err
    assert _sessions(db_url) == []


@pytest.mark.parametrize(("args", "expected"), [
    (["import", "nope.csv", "--side", "left", "--exercise", "ride"], "no such file"),
    (["import", "{csv}", "--side", "left", "--exercise", "yoga"], "unknown exercise 'yoga'"),
    (["import", "{csv}", "--side", "left", "--exercise", "ride", "--at", "yesterday"], "ISO date-time"),
    (["export", "99", "--out", "{tmp}"], "no session with id 99"),
    (["sessions", "--db", "postgresql+nosuchdriver://u:pw@localhost/x"], "no driver"),
])
def test_bad_arguments_exit_2(tmp_path: Path, db_url: str, args: list[str], expected: str) -> None:
    path, _ = _recording(tmp_path)
    args = [a.format(csv=path, tmp=tmp_path) for a in args]
    if "--db" not in args:
        args += ["--db", db_url]
    code, _, err = _invoke(*args)
    assert code == 2 and expected in err, err
    assert "pw" not in err
    assert "Traceback" not in err


def test_usage_errors_exit_2() -> None:
    code, _, _ = _invoke("import", "x.csv", "--side", "middle", "--exercise", "ride")
    assert code == 2
