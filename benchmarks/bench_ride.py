"""A 2-hour 100 Hz ride: analysis time against parse + offlineVQF, and peak memory (issue: < 500 MB).

Run: python benchmarks/bench_ride.py [--minutes 120]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sensors.simulator import Dose, SimOptions, simulate_session
from tracker.imu_csv import write_imu_csv

BASELINE = """
import sys
import numpy as np
from vqf import offlineVQF
table = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1)
offlineVQF(np.ascontiguousarray(table[:, 4:7]), np.ascontiguousarray(table[:, 1:4]), None, 0.01)
"""


PEAK = """
import resource, runpy, sys
sys.argv = sys.argv[1:]
try:
    runpy.run_path(sys.argv[0], run_name="__main__") if sys.argv[0].endswith(".py") else \
        runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
except SystemExit:
    pass
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def timed(command: list[str]) -> tuple[float, float]:
    """Wall time and peak resident memory (MB) of a child process running `command` (module or script)."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", PEAK, *command], check=True, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    return elapsed, int(done.stderr.strip().splitlines()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=120.0)
    parser.add_argument("--make", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.make:
        sim = simulate_session("ride", "right", 1, SimOptions(dose=Dose(ride_s=args.minutes * 60.0, cadence_rpm=88)))
        write_imu_csv(args.make, sim.thigh)
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ride.csv"
        # Simulate in a child: a child's peak memory starts at its parent's size on Linux (fork).
        subprocess.run([sys.executable, __file__, "--make", str(path), "--minutes", str(args.minutes)], check=True)
        samples = sum(1 for _ in path.open()) - 1
        script = Path(folder) / "baseline.py"
        script.write_text(BASELINE)
        base, base_mb = timed([str(script), str(path)])
        ours, ours_mb = timed(["hiptrack.cli", "analyze", str(path), "--side", "right", "--exercise", "ride", "--json"])
    print(f"ride: {samples} samples ({samples / 6000:.0f} min at 100 Hz)")
    print(f"baseline process (loadtxt + offlineVQF): {base:6.2f} s, peak {base_mb:5.0f} MB")
    print(f"hiptrack analyze --exercise ride:        {ours:6.2f} s, peak {ours_mb:5.0f} MB  ({ours / base:.2f}x)")


if __name__ == "__main__":
    main()
