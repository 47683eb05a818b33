"""Which sensor error moves an exercise's angles: the same sessions with one simulated error removed at a time.

Why: flexion on the supine strap stretches misses SPEC §10's 1.5° on some seeds "under ±2 °/s gyro
bias", but it misses it as much with no gyro bias at all. Removing the accelerometer's bias and scale
error (the gravity direction VQF trusts, and the calibration stand reads) is what brings it down:
flexion of a raised, abducted thigh is ~1.9× as sensitive to a tilt error as the thigh's elevation.
Every variant draws the same random numbers (a σ of 0 still draws), so only that error differs.

    python -m benchmarks.error_sources --seeds 9560 9561 --exercises adductor_strap_stretch abductor_strap_stretch
"""

from __future__ import annotations

import argparse

import numpy as np

from benchmarks.accuracy import analyse, score
from sensors.simulator import ImuErrors, SimOptions, simulate_session

VARIANTS: dict[str, dict[str, float]] = {
    "as benchmarked": {},
    "no gyro bias": {"gyr_bias_radps": 0.0},
    "no acc bias": {"acc_bias_mps2": 0.0},
    "no acc scale": {"acc_scale": 0.0},
    "no acc bias, scale": {"acc_bias_mps2": 0.0, "acc_scale": 0.0},
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, nargs="+", default=[9560, 9561])
    parser.add_argument("--exercises", nargs="+", default=["adductor_strap_stretch", "abductor_strap_stretch"])
    parser.add_argument("--bias", type=float, default=2.0, help="gyro bias up to ± this many °/s per axis")
    args = parser.parse_args()
    print(f"{'flexion / rotation RMSE °':36} " + " ".join(f"{v:>18}" for v in VARIANTS))
    for exercise in args.exercises:
        for side in ("left", "right"):
            for seed in args.seeds:
                cells = []
                for changes in VARIANTS.values():
                    errors = ImuErrors(**{"gyr_bias_radps": np.radians(args.bias), "gyr_bias_bound": True, **changes})
                    sim = simulate_session(exercise, side, seed, SimOptions(errors=errors))
                    rmse = score(sim, analyse(sim)).rmse_deg
                    cells.append(f"{rmse[0]:8.2f} / {rmse[2]:5.2f}")
                print(f"{exercise:24} {side:5} {seed:5d} " + " ".join(f"{c:>18}" for c in cells))


if __name__ == "__main__":
    main()
