"""`hiptrack analyze` (SPEC §5 contract) and stored results of recorded sessions."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from helpers import DATA
from typer.testing import CliRunner

from hiptrack.cli import app
from sensors.simulator import Dose, SimOptions, simulate_session
from tracker.domain import Side
from tracker.imu_csv import write_imu_csv
from tracker.services import Services, analyze_session, record_simulated

runner = CliRunner()
SPEC_KEYS = {"side", "exercise", "duration_s", "calibration", "peaks", "holds", "reps", "sets", "ride"}
PEAK_KEYS = {"flexion_deg", "extension_deg", "abduction_deg", "internal_rotation_deg", "external_rotation_deg"}


def test_json_document_matches_the_contract_and_the_truth(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIPTRACK_DB", f"sqlite:///{tmp_path / 'never.db'}")
    truth = json.loads((DATA / "seated_ir_left.truth.json").read_text())
    angles_path = tmp_path / "angles.csv"
    result = runner.invoke(app, ["analyze", str(DATA / "seated_ir_left.csv"), "--side", "left", "--exercise",
                                 "seated_hip_internal_rotation", "--json", "--angles", str(angles_path)])
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)             # nothing but the JSON on stdout
    assert set(document) >= SPEC_KEYS and set(document["peaks"]) >= PEAK_KEYS
    assert document["calibration"]["ok"] and document["ride"] is None
    assert len(document["reps"]) == len(truth["reps"])
    assert [s["reps"] for s in document["sets"]] == [s["reps"] for s in truth["sets"]]
    for found, expected in zip(document["holds"], truth["holds"], strict=True):
        assert found["motion"] == "internal_rotation"
        assert found["duration_s"] == pytest.approx(expected["end_s"] - expected["start_s"], abs=0.5)
        assert found["angle_deg"] == pytest.approx(expected["angle_deg"], abs=3.0)
    table = np.loadtxt(angles_path, delimiter=",", skiprows=1)
    assert angles_path.read_text().splitlines()[0] == "time,flexion_deg,abduction_deg,rotation_deg"
    assert table.shape == (sum(1 for _ in (DATA / "seated_ir_left.csv").open()) - 1, 4)
    assert not (tmp_path / "never.db").exists()       # analyze never touches the database


def test_text_summary_names_reps_and_holds() -> None:
    result = runner.invoke(app, ["analyze", str(DATA / "hamstring_right.csv"), "--side", "right", "--exercise",
                                 "hamstring_strap_stretch"])
    assert result.exit_code == 0, result.stderr
    assert "1 rep in 1 set" in result.stdout and "flexion" in result.stdout


def test_a_recording_without_calibration_says_so(tmp_path: Path) -> None:
    sim = simulate_session("seated_hip_internal_rotation", "left", 9, SimOptions(calibration_swings=0))
    path = tmp_path / "nocal.csv"
    write_imu_csv(path, sim.thigh)
    result = runner.invoke(app, ["analyze", str(path), "--side", "left", "--exercise",
                                 "seated_hip_internal_rotation", "--json"])
    assert result.exit_code == 2
    document = json.loads(result.stdout)
    assert document["calibration"]["ok"] is False and document["peaks"] is None
    assert "calibration" in result.stderr and "standing" in result.stderr


def test_unknown_exercise_and_bad_file_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("time,acc_x\n1,2\n")
    result = runner.invoke(app, ["analyze", str(bad), "--side", "left", "--exercise", "ride"])
    assert result.exit_code == 2 and "bad.csv" in result.stderr
    result = runner.invoke(app, ["analyze", str(DATA / "ride_right.csv"), "--side", "left", "--exercise", "yoga"])
    assert result.exit_code == 2 and "unknown exercise" in result.stderr


async def test_recorded_sessions_store_their_results_and_can_be_reanalysed(any_svc: Services, any_db_url: str) -> None:
    svc, db_url = any_svc, any_db_url
    options = SimOptions(dose=Dose(sets=1, reps=3))
    session_id = await record_simulated(svc, "seated_hip_internal_rotation", Side.RIGHT, 21, options=options)
    stored = svc.store.results.load(session_id)
    assert stored is not None and stored.calibrated
    assert len(stored.reps) == 3 and len(stored.holds) == 3
    fresh = analyze_session(svc, session_id)
    assert [r.peak_deg for r in fresh.reps] == pytest.approx([r.peak_deg for r in stored.reps])
    result = runner.invoke(app, ["reanalyze", "--all", "--db", db_url])
    assert result.exit_code == 0 and f"session {session_id}: 3 reps, 3 holds, 1 sets" in result.stdout
    assert runner.invoke(app, ["reanalyze", "--db", db_url]).exit_code == 2


async def test_show_prints_stored_results(svc: Services, db_url: str) -> None:
    options = SimOptions(dose=Dose(hold_s=8.0))
    session_id = await record_simulated(svc, "couch_stretch", Side.LEFT, 22, options=options)
    result = runner.invoke(app, ["show", str(session_id), "--json", "--db", db_url])
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["exercise"] == "couch_stretch" and document["holds"][0]["motion"] == "extension"
    assert document["holds"][0]["angle_deg"] < 0
    assert runner.invoke(app, ["show", "999", "--db", db_url]).exit_code == 2


@pytest.mark.parametrize(("recording", "side", "exercise"), [
    ("seated_ir_left.csv", "left", "seated_hip_internal_rotation"),
    ("ride_right.csv", "right", "ride"),
])
def test_a_stored_session_shows_everything_analyze_computes(tmp_path: Path, any_db_url: str, recording: str,
                                                             side: str, exercise: str) -> None:
    """`show --json` of a stored session equals `analyze --json` of the samples it stored (SPEC §5)."""
    db = any_db_url
    imported = runner.invoke(app, ["import", str(DATA / recording), "--side", side, "--exercise", exercise, "--db", db])
    assert imported.exit_code == 0, imported.stderr
    session_id = int(imported.stdout.split("session ")[1].split()[0].rstrip(":,"))
    exported = runner.invoke(app, ["export", str(session_id), "--out", str(tmp_path / "out"), "--db", db])
    assert exported.exit_code == 0, exported.stderr
    stored_csv = next((tmp_path / "out").glob(f"session-{session_id}-*thigh.csv"))

    shown = runner.invoke(app, ["show", str(session_id), "--json", "--db", db])
    analysed = runner.invoke(app, ["analyze", str(stored_csv), "--side", side, "--exercise", exercise, "--json"])
    assert shown.exit_code == 0 and analysed.exit_code == 0, shown.stderr + analysed.stderr
    stored, fresh = json.loads(shown.stdout), json.loads(analysed.stdout)
    assert stored.pop("session_id") == session_id
    assert stored == fresh
    assert "q_sensor_to_thigh_wxyz" in stored["calibration"]
    if exercise == "ride":
        assert stored["ride"]["revolutions"] > 30 and stored["ride"]["cadence_rpm_p90"] is not None
    else:
        assert stored["holds"] and all(h["stability_deg"] is not None for h in stored["holds"])
