"""Speed of `hiptrack analyze` on a 1-hour 100 Hz recording (SPEC §10: within 3× of parse + VQF).

The baseline, measured in the same run on the same file: parse the CSV with NumPy and run
vqf.offlineVQF, nothing else. Run: python benchmarks/bench_analyze.py [--minutes 60]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from vqf import offlineVQF

from sensors.simulator import Dose, SimOptions, simulate_session
from tracker.assessment import assess
from tracker.domain import Side
from tracker.imu_csv import read_imu_csv, write_imu_csv

BASELINE_SCRIPT = """
import sys
import numpy as np
from vqf import offlineVQF
table = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1)
offlineVQF(np.ascontiguousarray(table[:, 4:7]), np.ascontiguousarray(table[:, 1:4]), None,
           float(np.median(np.diff(table[:, 0]))))
"""


def baseline_process(path: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", BASELINE_SCRIPT, str(path)], check=True, capture_output=True)
    return time.perf_counter() - started


def baseline(path: Path) -> float:
    started = time.perf_counter()
    table = np.loadtxt(path, delimiter=",", skiprows=1)
    offlineVQF(np.ascontiguousarray(table[:, 4:7]), np.ascontiguousarray(table[:, 1:4]), None,
               float(np.median(np.diff(table[:, 0]))))
    return time.perf_counter() - started


def in_process(path: Path) -> tuple[float, int]:
    started = time.perf_counter()
    result = assess(read_imu_csv(path), "seated_hip_internal_rotation", Side.LEFT)
    return time.perf_counter() - started, len(result.result.reps)


def command(path: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "hiptrack.cli", "analyze", str(path), "--side", "left", "--exercise",
                    "seated_hip_internal_rotation", "--json"], check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=60.0)
    args = parser.parse_args()
    sets = max(1, round(args.minutes * 60 / 68))            # a set of 8 reps with its rest takes ~68 s
    sim = simulate_session("seated_hip_internal_rotation", "left", 1, SimOptions(dose=Dose(sets=sets, reps=8)))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "long.csv"
        write_imu_csv(path, sim.thigh)
        n = len(sim.thigh)
        base = min(baseline(path) for _ in range(3))
        ours, reps = min(in_process(path) for _ in range(3))
        base_process = min(baseline_process(path) for _ in range(3))
        cli = min(command(path) for _ in range(3))
    print(f"recording: {n} samples ({n / sim.rate_hz / 60:.1f} min at {sim.rate_hz:.0f} Hz), {reps} reps found "
          f"(truth {len(sim.truth.reps)})")
    print(f"baseline loadtxt + offlineVQF: {base:6.2f} s")
    print(f"read_imu_csv + analysis:      {ours:6.2f} s  ({ours / base:.2f}x baseline)")
    print(f"baseline as a process:        {base_process:6.2f} s")
    print(f"hiptrack analyze (process):   {cli:6.2f} s  ({cli / base_process:.2f}x the baseline process)")


if __name__ == "__main__":
    main()
