"""Benchmark the plain IMU CSV reader and writer on a 1-hour, 100 Hz recording (SPEC §10).

Run as `python benchmarks/bench_import.py`. The reader is compared with a bare `np.loadtxt` of the same
file measured in the same run, so the ratio (the cost of our validation) means something on any machine.
Best of 3 with `time.perf_counter`.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a source tree, uninstalled

from sensors.samples import ImuSamples
from tracker.imu_csv import read_imu_csv, write_imu_csv

RATE_HZ = 100
ROWS = 3600 * RATE_HZ
REPEATS = 3


def synthetic_recording(rows: int = ROWS, seed: int = 0) -> ImuSamples:
    """Plausible SI-unit samples with jittered timing, so every digit of every cell varies."""
    rng = np.random.default_rng(seed)
    time_s = np.arange(rows) / RATE_HZ + rng.uniform(0.0, 1e-4, rows)
    acc = rng.normal(0.0, 1.0, (rows, 3)) + np.array([0.0, 0.0, 9.81])
    gyr = rng.normal(0.0, 0.5, (rows, 3))
    return ImuSamples(time_s, acc, gyr)


def best_of(run: Callable[[], object], repeats: int = REPEATS) -> float:
    """Fastest of a few runs: the least disturbed by whatever else the machine is doing."""
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        timings.append(time.perf_counter() - start)
    return min(timings)


def main() -> None:
    samples = synthetic_recording()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "hour.csv"
        write_s = best_of(lambda: write_imu_csv(path, samples))
        size_mb = path.stat().st_size / 1e6
        baseline_s = best_of(lambda: np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2))
        read_s = best_of(lambda: read_imu_csv(path))
        assert len(read_imu_csv(path)) == ROWS
    print(f"file: {ROWS} rows, {size_mb:.1f} MB, best of {REPEATS}")
    print(f"np.loadtxt (baseline): {baseline_s:6.3f} s  {ROWS / baseline_s:12,.0f} rows/s")
    print(f"read_imu_csv:          {read_s:6.3f} s  {ROWS / read_s:12,.0f} rows/s")
    print(f"read / baseline:       {read_s / baseline_s:6.2f}x")
    print(f"write_imu_csv:         {write_s:6.3f} s  {ROWS / write_s:12,.0f} rows/s")


if __name__ == "__main__":
    main()
