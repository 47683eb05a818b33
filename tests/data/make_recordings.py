"""Make the small simulated recordings under tests/data/ (run once; the outputs are committed).

Each recording is a plain IMU CSV (SPEC §4) of the thigh sensor, a `.truth.json` with the
ground truth the analysis must recover (calibration window, holds, reps, sets, cycles, strap
orientation) and a `.angles.csv` with the true hip angles per sample.

    python tests/data/make_recordings.py
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import numpy as np

from sensors.simulator import Dose, SimOptions, SimulatedSession, simulate_session
from tracker.imu_csv import write_imu_csv

HERE = Path(__file__).parent

RECORDINGS: dict[str, tuple[str, str, int, SimOptions]] = {
    "seated_ir_left": ("seated_hip_internal_rotation", "left", 101,
                       SimOptions(dose=Dose(sets=2, reps=3))),
    "hamstring_right": ("hamstring_strap_stretch", "right", 102, SimOptions(dose=Dose(hold_s=15.0))),
    "ride_right": ("ride", "right", 103, SimOptions(dose=Dose(ride_s=40.0, cadence_rpm=80.0))),
}


def make(name: str) -> SimulatedSession:
    exercise, side, seed, options = RECORDINGS[name]
    return simulate_session(exercise, side, seed, options)


def truth_document(sim: SimulatedSession) -> dict[str, object]:
    truth = sim.truth
    return {
        "exercise": sim.exercise_id, "side": sim.side, "seed": sim.seed, "rate_hz": sim.rate_hz,
        "calibration_s": list(truth.calibration_s), "exercise_start_s": truth.exercise_start_s,
        "q_sensor_to_thigh_wxyz": truth.q_sensor_to_thigh_wxyz.tolist(),
        "gyr_bias_radps": truth.thigh.gyr_bias_radps.tolist(),
        "holds": [asdict(h) for h in truth.holds], "reps": [asdict(r) for r in truth.reps],
        "sets": [asdict(s) for s in truth.sets], "cycles": [asdict(c) for c in truth.cycles],
    }


def main() -> None:
    for name in RECORDINGS:
        sim = make(name)
        write_imu_csv(HERE / f"{name}.csv", sim.thigh)
        angles = np.column_stack([sim.truth.time_s, sim.truth.hip_angles_deg])
        np.savetxt(HERE / f"{name}.angles.csv", angles, fmt="%.6f", delimiter=",",
                   header="time,flexion_deg,abduction_deg,rotation_deg", comments="")
        (HERE / f"{name}.truth.json").write_text(json.dumps(truth_document(sim), indent=1) + "\n")
        print(f"{name}: {len(sim.thigh)} samples")


if __name__ == "__main__":
    main()
