"""A 2-hour 100 Hz ride: analysis time against parse + offlineVQF, and peak memory (issue: < 500 MB).

Run: PYTHONPATH=. python benchmarks/bench_ride.py [--minutes 120] [--repeats 3]

The ratio is of CPU time (user + sys of each child, interpreter start and imports included), which
a shared machine disturbs far less than wall time; both are printed, each the median of the repeats
(the baseline and hiptrack alternate, so load drifts hit both alike).
"""

from __future__ import annotations

import argparse
import os
import statistics
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
usage = resource.getrusage(resource.RUSAGE_SELF)
print(usage.ru_utime + usage.ru_stime, usage.ru_maxrss, file=sys.stderr)
"""


def timed(command: list[str], tree: str) -> tuple[float, float, float]:
    """Wall time, CPU time (s) and peak resident memory (MB) of a child running `command` (module or
    script) with the source tree `tree` first on its path."""
    env = {**os.environ, "PYTHONPATH": tree}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", PEAK, *command], check=True, capture_output=True, text=True,
                          env=env, cwd=tree)
    elapsed = time.perf_counter() - started
    cpu, peak_kb = done.stderr.strip().splitlines()[-1].split()
    return elapsed, float(cpu), int(peak_kb) / 1024


def medians(runs: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    """Median wall and CPU time, and the largest peak memory, over repeated runs."""
    wall, cpu, peak = zip(*runs, strict=True)
    return statistics.median(wall), statistics.median(cpu), max(peak)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=120.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--csv", type=Path, help="analyse this ride CSV instead of simulating one")
    parser.add_argument("--before", type=Path, action="append", default=[], metavar="DIR",
                        help="also time the hiptrack in this source tree (e.g. `git archive main`), same runs")
    parser.add_argument("--make", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.make:
        sim = simulate_session("ride", "right", 1, SimOptions(dose=Dose(ride_s=args.minutes * 60.0, cadence_rpm=88)))
        write_imu_csv(args.make, sim.thigh)
        return
    with tempfile.TemporaryDirectory() as folder:
        path = args.csv or Path(folder) / "ride.csv"
        if args.csv is None:      # simulate in a child: a child's peak memory starts at its parent's size (fork)
            subprocess.run([sys.executable, __file__, "--make", str(path), "--minutes", str(args.minutes)], check=True)
        samples = sum(1 for _ in path.open()) - 1
        script = Path(folder) / "baseline.py"
        script.write_text(BASELINE)
        analyze = ["hiptrack.cli", "analyze", str(path), "--side", "right", "--exercise", "ride", "--json"]
        here = str(Path(__file__).resolve().parents[1])
        trees = {"this tree": here, **{str(tree): str(tree.resolve()) for tree in args.before}}
        runs: dict[str, list[tuple[float, float, float]]] = {"baseline": [], **{name: [] for name in trees}}
        for _ in range(args.repeats):       # interleaved, so a change of load hits every column alike
            runs["baseline"].append(timed([str(script), str(path)], here))
            for name, tree in trees.items():
                runs[name].append(timed(analyze, tree))
    _, base_cpu, _ = medians(runs["baseline"])
    print(f"ride: {samples} samples ({samples / 6000:.1f} min at 100 Hz); median of {args.repeats} runs")
    for name, measured in runs.items():
        wall, cpu, peak = medians(measured)
        label = "baseline (loadtxt + offlineVQF)" if name == "baseline" else f"hiptrack analyze ({name})"
        print(f"{label:45s} CPU {cpu:6.2f} s ({cpu / base_cpu:4.2f}x), wall {wall:6.2f} s, peak {peak:5.0f} MB")


if __name__ == "__main__":
    main()
