"""`hiptrack export --format opensim|fit`: what OpenSim and cycling tools read back matches what hiptrack says."""

from __future__ import annotations

import asyncio
import json
import os
import stat
from pathlib import Path

import fitdecode
import numpy as np
import pytest
from typer.testing import CliRunner

from hiptrack.cli import app
from sensors.simulator import Dose, SimOptions
from tracker.domain import Side
from tracker.services import build_services, record_simulated

runner = CliRunner()
DATA = Path(__file__).parents[1] / "data"


def _invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _import(path: Path, side: str, exercise: str, db_url: str) -> int:
    code, _, err = _invoke("import", str(path), "--side", side, "--exercise", exercise, "--db", db_url)
    assert code == 0, err
    code, out, _ = _invoke("sessions", "--json", "--db", db_url)
    return int(json.loads(out)[-1]["id"])


def _table(path: Path) -> tuple[dict[str, str], list[str], list[list[str]]]:
    """An OpenSim text file: its header's key=value lines, its column names and its rows (as text)."""
    lines = path.read_text().splitlines()
    end = lines.index("endheader")
    header = dict(line.split("=", 1) for line in lines[:end] if "=" in line)
    return header, lines[end + 1].split("\t"), [line.split("\t") for line in lines[end + 2:]]


def test_mot_is_analyze_angles_in_opensim_signs(tmp_path: Path, db_url: str) -> None:
    recording = DATA / "seated_ir_left.csv"
    session_id = _import(recording, "left", "seated_hip_internal_rotation", db_url)
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("someone else's file\n")
    (out / f"session-{session_id}.mot").symlink_to(victim)              # a planted link is replaced, not followed
    code, printed, err = _invoke("export", str(session_id), "--out", str(out), "--format", "opensim", "--db", db_url)
    assert code == 0, err
    assert victim.read_text() == "someone else's file\n" and not (out / f"session-{session_id}.mot").is_symlink()
    assert printed.split() == [str(out / f"session-{session_id}.mot"),
                               str(out / f"session-{session_id}_orientations.sto")]
    code, _, err = _invoke("analyze", str(recording), "--side", "left", "--exercise",
                           "seated_hip_internal_rotation", "--angles", str(tmp_path / "angles.csv"))
    assert code == 0, err
    ours = np.loadtxt(tmp_path / "angles.csv", delimiter=",", skiprows=1)

    header, columns, rows = _table(out / f"session-{session_id}.mot")
    assert header["inDegrees"] == "yes" and int(header["nRows"]) == len(rows) == len(ours)
    assert columns == ["time", "hip_flexion_l", "hip_adduction_l", "hip_rotation_l"]
    mot = np.array(rows, dtype=float)
    np.testing.assert_allclose(mot[:, 0], ours[:, 0], atol=1e-5)
    expected = ours[:, 1:] * [1.0, -1.0, 1.0]           # OpenSim: adduction +, internal rotation +
    worst = np.abs(mot[:, 1:] - expected).max(axis=0)
    assert (worst < 0.5).all(), worst
    assert np.ptp(mot[:, 3]) > 20.0                     # the exercise's rotation is really there

    header, columns, rows = _table(out / f"session-{session_id}_orientations.sto")
    assert header["DataType"] == "Quaternion" and columns == ["time", "femur_l_imu"]
    quats = np.array([row[1].split(",") for row in rows], dtype=float)
    np.testing.assert_allclose(np.linalg.norm(quats, axis=1), 1.0, atol=1e-6)
    for written in out.iterdir():
        assert stat.S_IMODE(os.stat(written).st_mode) == 0o600


def test_sto_names_every_sensor_and_mot_both_hips(tmp_path: Path, db_url: str) -> None:
    services = build_services(db_url)
    options = SimOptions(with_pelvis=True, with_other_thigh=True, dose=Dose(sets=1, reps=3))
    session_id = asyncio.run(record_simulated(services, "seated_hip_internal_rotation", Side.RIGHT, 31,
                                              options=options))
    services.close()
    code, _, err = _invoke("export", str(session_id), "--out", str(tmp_path), "--format", "opensim,csv",
                           "--db", db_url)
    assert code == 0, err
    _, columns, rows = _table(tmp_path / f"session-{session_id}_orientations.sto")
    assert sorted(columns[1:]) == ["femur_l_imu", "femur_r_imu", "pelvis_imu"] and len(rows) > 100
    _, columns, _ = _table(tmp_path / f"session-{session_id}.mot")
    assert columns[1:] == [f"hip_{m}_{s}" for s in "lr" for m in ("flexion", "adduction", "rotation")]
    assert (tmp_path / f"session-{session_id}.json").exists()          # csv came along


@pytest.mark.parametrize(("seed", "cadence_rpm"), [(41, 70.0), (42, 95.0)])
def test_fit_ride_decodes_with_the_analysed_cadence(tmp_path: Path, db_url: str, seed: int,
                                                    cadence_rpm: float) -> None:
    services = build_services(db_url)
    options = SimOptions(dose=Dose(ride_s=45.0, cadence_rpm=cadence_rpm))
    session_id = asyncio.run(record_simulated(services, "ride", Side.RIGHT, seed, options=options))
    services.close()
    code, out, _ = _invoke("show", str(session_id), "--json", "--db", db_url)
    ride = json.loads(out)["ride"]
    code, _, err = _invoke("export", str(session_id), "--out", str(tmp_path), "--format", "fit", "--db", db_url)
    assert code == 0, err

    cadence, developer, summaries = [], [], {}
    with fitdecode.FitReader(tmp_path / f"session-{session_id}.fit") as reader:   # checks both CRCs
        for frame in reader:
            if not isinstance(frame, fitdecode.FitDataMessage):
                continue
            if frame.name == "record":
                cadence.append(frame.get_value("cadence"))
                if frame.has_field("hip_flexion_range"):
                    developer.append((frame.get_value("hip_flexion_range"), frame.get_value("knee_tracking")))
            elif frame.name in ("session", "lap", "file_id"):
                summaries[frame.name] = frame
    pedalling = np.array(cadence, dtype=float)
    pedalling = pedalling[pedalling > 0]
    assert abs(pedalling.mean() - ride["cadence_rpm_mean"]) < 2.0, (pedalling.mean(), ride["cadence_rpm_mean"])
    assert abs(ride["cadence_rpm_mean"] - cadence_rpm) < 5.0                 # the ride really was at that cadence
    assert abs(len(pedalling) - ride["pedaling_time_s"]) <= ride["revolutions"] // 10 + 2
    assert summaries["file_id"].get_value("type") == "activity"
    for name in ("session", "lap"):
        assert summaries[name].get_value("sport") == "cycling"
        assert summaries[name].get_value("avg_cadence") == round(ride["cadence_rpm_mean"])
    flexion_range = np.array(developer)[:, 0]
    assert abs(np.median(flexion_range) - ride["flexion_range_deg"]) < 5.0


def test_fit_of_a_non_ride_is_refused_and_nothing_is_written(tmp_path: Path, db_url: str) -> None:
    session_id = _import(DATA / "hamstring_right.csv", "right", "hamstring_strap_stretch", db_url)
    out = tmp_path / "never"
    code, _, err = _invoke("export", str(session_id), "--out", str(out), "--format", "csv,fit", "--db", db_url)
    assert code == 2 and "not a ride" in err and len(err.strip().splitlines()) == 1
    assert not out.exists()
    code, _, err = _invoke("export", str(session_id), "--out", str(out), "--format", "csv,gpx", "--db", db_url)
    assert code == 2 and "'gpx'" in err and not out.exists()
