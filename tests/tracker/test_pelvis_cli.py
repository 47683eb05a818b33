"""`analyze --pelvis` and `import --pelvis` (issue #15 contract): the measured pelvis in the SPEC §5 document."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hiptrack.cli import app
from sensors.samples import ImuSamples, Placement
from sensors.simulator import Dose, SimOptions, simulate_session
from tracker.imu_csv import write_imu_csv

runner = CliRunner()
EXERCISE = "seated_hip_internal_rotation"


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A thigh and a sacrum CSV of one session in which the pelvis hitched during half of the reps."""
    folder = tmp_path_factory.mktemp("pelvis")
    sim = simulate_session(EXERCISE, "right", 9201, SimOptions(with_pelvis=True, pelvis_compensation_deg=(3.0, 12.0),
                                                               dose=Dose(sets=1, reps=4)))
    write_imu_csv(folder / "thigh.csv", sim.thigh)
    write_imu_csv(folder / "pelvis.csv", sim.streams[Placement.PELVIS])
    return folder / "thigh.csv", folder / "pelvis.csv"


def _analyze(thigh: Path, *extra: str) -> dict[str, object]:
    result = runner.invoke(app, ["analyze", str(thigh), "--side", "right", "--exercise", EXERCISE, "--json", *extra])
    assert result.exit_code == 0, result.stderr
    document: dict[str, object] = json.loads(result.stdout)
    return document


def test_analyze_with_a_pelvis_reports_its_ranges_and_flags_each_rep(recording: tuple[Path, Path]) -> None:
    thigh, pelvis = recording
    document = _analyze(thigh, "--pelvis", str(pelvis))
    measured = document["pelvis"]
    assert isinstance(measured, dict) and measured["source"] == "measured"
    assert measured["obliquity_range_deg"] >= 3.0              # the hitches show up in the plane they were in
    assert {"tilt_range_deg", "rotation_range_deg"} <= set(measured)
    reps, holds = document["reps"], document["holds"]
    assert isinstance(reps, list) and isinstance(holds, list) and len(reps) == 4 and holds
    assert [r["compensated"] for r in reps].count(True) == 2
    for event in reps + holds:
        assert set(event["pelvis_deg"]) == {"tilt", "obliquity", "rotation"}
        assert event["compensated"] == (max(event["pelvis_deg"].values()) > 2.0)
    assert "q_sensor_to_pelvis_wxyz" in document["calibration"]   # type: ignore[operator]
    assert "pelvis_sensor" in document["orientation_source"]      # type: ignore[operator]


def test_without_a_pelvis_the_document_says_it_was_assumed(recording: tuple[Path, Path]) -> None:
    document = _analyze(recording[0])
    assert document["pelvis"] == {"source": "assumed"}
    reps = document["reps"]
    assert isinstance(reps, list) and reps and all("pelvis_deg" not in r and "compensated" not in r for r in reps)


def test_a_pelvis_file_that_does_not_span_the_thigh_is_refused_naming_it(recording: tuple[Path, Path],
                                                                          tmp_path: Path) -> None:
    thigh, pelvis = recording
    from tracker.imu_csv import read_imu_csv
    full = read_imu_csv(pelvis)
    half = len(full) // 2
    short = tmp_path / "short.csv"
    write_imu_csv(short, ImuSamples(full.time_s[:half], full.acc_mps2[:half], full.gyr_radps[:half]))
    db = tmp_path / "never.db"
    for command in (["analyze", str(thigh)], ["import", str(thigh), "--db", f"sqlite:///{db}"]):
        result = runner.invoke(app, [*command, "--side", "right", "--exercise", EXERCISE, "--pelvis", str(short)])
        assert result.exit_code == 2
        assert result.stderr.count("\n") == 1 and str(short) in result.stderr and "same time base" in result.stderr
    assert not db.exists()


def test_an_imported_session_with_a_pelvis_shows_what_analyze_computes(recording: tuple[Path, Path], tmp_path: Path,
                                                                      any_db_url: str) -> None:
    thigh, pelvis = recording
    db = any_db_url
    imported = runner.invoke(app, ["import", str(thigh), "--pelvis", str(pelvis), "--side", "right", "--exercise",
                                   EXERCISE, "--db", db])
    assert imported.exit_code == 0, imported.stderr
    session_id = int(imported.stdout.split("session ")[1].split()[0].rstrip(":,"))
    exported = runner.invoke(app, ["export", str(session_id), "--out", str(tmp_path / "out"), "--db", db])
    assert exported.exit_code == 0, exported.stderr
    stored_thigh = next((tmp_path / "out").glob(f"session-{session_id}-*thigh.csv"))
    stored_pelvis = tmp_path / "out" / f"session-{session_id}-pelvis.csv"
    shown = runner.invoke(app, ["show", str(session_id), "--json", "--db", db])
    assert shown.exit_code == 0, shown.stderr
    stored = json.loads(shown.stdout)
    assert stored.pop("session_id") == session_id
    assert stored == _analyze(stored_thigh, "--pelvis", str(stored_pelvis))
    assert stored["pelvis"]["source"] == "measured" and "q_sensor_to_pelvis_wxyz" in stored["calibration"]


def test_a_pelvis_sensor_not_on_the_sacrum_falls_back_to_the_assumed_pelvis_and_says_why(
        recording: tuple[Path, Path], tmp_path: Path) -> None:
    from scipy.spatial.transform import Rotation

    from tracker.imu_csv import read_imu_csv
    thigh, pelvis = recording
    full = read_imu_csv(pelvis)
    face_up, _ = Rotation.align_vectors([[0.0, 0.0, 1.0]], [full.acc_mps2[:100].mean(axis=0)])
    lying = tmp_path / "face_up.csv"
    write_imu_csv(lying, ImuSamples(full.time_s, face_up.apply(full.acc_mps2), face_up.apply(full.gyr_radps)))
    document = _analyze(thigh, "--pelvis", str(lying))
    assert document["pelvis"] == {"source": "assumed"}
    warnings = document["warnings"]
    assert isinstance(warnings, list) and any("pelvis sensor not used" in w and "flat on the sacrum" in w
                                              for w in warnings)
    assert document["reps"] == _analyze(thigh)["reps"]          # exactly the single-sensor analysis
