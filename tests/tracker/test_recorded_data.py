"""The committed recordings replay without hardware and still match what the simulator makes."""

from __future__ import annotations

import json

import numpy as np
import pytest
from data.make_recordings import RECORDINGS, make
from helpers import DATA
from typer.testing import CliRunner

from hiptrack.cli import app
from tracker.imu_csv import read_imu_csv


@pytest.mark.parametrize("name", sorted(RECORDINGS))
def test_committed_recording_is_what_the_simulator_makes(name: str) -> None:
    """Guards against silent drift: a changed simulator must come with regenerated data."""
    committed = read_imu_csv(DATA / f"{name}.csv")
    fresh = make(name)
    np.testing.assert_allclose(committed.acc_mps2, fresh.thigh.acc_mps2, atol=1e-6)
    np.testing.assert_allclose(committed.gyr_radps, fresh.thigh.gyr_radps, atol=1e-6)
    truth = json.loads((DATA / f"{name}.truth.json").read_text())
    assert len(truth["holds"]) == len(fresh.truth.holds) and len(truth["reps"]) == len(fresh.truth.reps)
    angles = np.loadtxt(DATA / f"{name}.angles.csv", delimiter=",", skiprows=1)
    np.testing.assert_allclose(angles[:, 1:], fresh.truth.hip_angles_deg, atol=1e-5)


@pytest.mark.parametrize("name", sorted(RECORDINGS))
def test_committed_recording_imports_as_a_session(name: str, db_url: str) -> None:
    truth = json.loads((DATA / f"{name}.truth.json").read_text())
    runner = CliRunner()
    result = runner.invoke(app, ["import", str(DATA / f"{name}.csv"), "--side", truth["side"],
                                 "--exercise", truth["exercise"], "--db", db_url])
    assert result.exit_code == 0, result.stderr
    (session,) = json.loads(runner.invoke(app, ["sessions", "--json", "--db", db_url]).stdout)
    rows = sum(1 for _ in (DATA / f"{name}.csv").open()) - 1
    assert session["samples"] == rows
    assert session["rate_hz"] == pytest.approx(truth["rate_hz"])
    assert truth["calibration_s"][1] < session["duration_s"]
