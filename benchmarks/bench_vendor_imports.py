"""Vendor imports against the plain CSV and the simulator's truth, over fresh seeds (issue #14, SPEC §10).

Run as `python benchmarks/bench_vendor_imports.py [SEEDS]`. Each seed simulates a seated internal-rotation session
(2 sets × 3 reps of holds), writes it as a plain CSV (100 Hz) and in each vendor's layout at the vendor's rate
(DOT 60 Hz, Polar 52 Hz, WitMotion 100 Hz in two header variants, Sensor Logger 100 Hz), imports each and analyses
it. Printed per layout: |internal-rotation peak − plain CSV's| and |peak − true peak| in degrees, the largest hold
edge difference against the plain CSV in seconds (median, p90, max over seeds), and the read time of a
10-minute file against the plain CSV reader (best of 3).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from helpers import vendor_files as vf  # noqa: E402

from sensors.samples import ImuSamples  # noqa: E402
from sensors.simulator import Dose, SimOptions, simulate_session  # noqa: E402
from tracker.assessment import assess  # noqa: E402
from tracker.domain import Side  # noqa: E402
from tracker.importers import read_recording  # noqa: E402
from tracker.imu_csv import write_imu_csv  # noqa: E402

EXERCISE = "seated_hip_internal_rotation"
LAYOUTS: dict[str, Callable[[Path, ImuSamples], Path]] = {
    "movella-dot 60 Hz": lambda tmp, s: vf.write_movella_dot(tmp / "dot.csv", s),
    "polar-sensor-logger 52 Hz": lambda tmp, s: vf.write_polar_sensor_logger(tmp / "polar", s),
    "witmotion 100 Hz": lambda tmp, s: vf.write_witmotion(tmp / "wit.txt", s),
    "witmotion (legacy) 100 Hz": lambda tmp, s: vf.write_witmotion_legacy(tmp / "wit-old.txt", s),
    "sensor-logger 100 Hz": lambda tmp, s: vf.write_sensor_logger(tmp / "phone", s),
}


def _stats(values: list[float]) -> str:
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, int(np.ceil(0.9 * len(ordered))) - 1)]
    return f"{statistics.median(ordered):6.3f} {p90:6.3f} {ordered[-1]:6.3f}"


def accuracy(seeds: list[int]) -> None:
    vs_plain: dict[str, list[float]] = {name: [] for name in LAYOUTS}
    vs_truth: dict[str, list[float]] = {name: [] for name in ["plain csv 100 Hz", *LAYOUTS]}
    holds: dict[str, list[float]] = {name: [] for name in LAYOUTS}
    for seed in seeds:
        sim = simulate_session(EXERCISE, "left", seed, SimOptions(dose=Dose(sets=2, reps=3)))
        true_peak = float(np.max(sim.truth.hip_angles_deg[:, 2]))
        with tempfile.TemporaryDirectory() as folder:
            tmp = Path(folder)
            write_imu_csv(tmp / "plain.csv", sim.thigh)
            plain = assess(read_recording([tmp / "plain.csv"]).samples, EXERCISE, Side.LEFT).session_result()
            assert plain.peaks is not None, "the plain CSV gave no peaks"
            vs_truth["plain csv 100 Hz"].append(abs(plain.peaks.internal_rotation_deg - true_peak))
            for name, write in LAYOUTS.items():
                result = assess(read_recording([write(tmp, sim.thigh)]).samples, EXERCISE, Side.LEFT).session_result()
                assert result.peaks is not None, f"{name} gave no peaks"
                vs_plain[name].append(abs(result.peaks.internal_rotation_deg - plain.peaks.internal_rotation_deg))
                vs_truth[name].append(abs(result.peaks.internal_rotation_deg - true_peak))
                edges = [max(abs(a.start_s - b.start_s), abs(a.end_s - b.end_s))
                         for a, b in zip(result.holds, plain.holds, strict=False)]
                holds[name].append(max(edges) if len(result.holds) == len(plain.holds) else float("inf"))
    print(f"{len(seeds)} seeds; columns: median p90 max")
    print(f"{'layout':28} {'|IR peak − plain| °':>21} {'|IR peak − truth| °':>21} {'hold edges − plain s':>21}")
    print(f"{'plain csv 100 Hz':28} {'':21} {_stats(vs_truth['plain csv 100 Hz']):>21}")
    for name in LAYOUTS:
        print(f"{name:28} {_stats(vs_plain[name]):>21} {_stats(vs_truth[name]):>21} {_stats(holds[name]):>21}")


def read_speed(minutes: float = 10.0) -> None:
    sim = simulate_session(EXERCISE, "left", 7, SimOptions(dose=Dose(sets=2, reps=3)))
    reps = int(np.ceil(minutes * 60 / sim.thigh.time_s[-1]))
    step = sim.thigh.time_s[1] - sim.thigh.time_s[0]
    time_s = np.concatenate([sim.thigh.time_s + i * (sim.thigh.time_s[-1] + step) for i in range(reps)])
    long = ImuSamples(time_s, np.tile(sim.thigh.acc_mps2, (reps, 1)), np.tile(sim.thigh.gyr_radps, (reps, 1)))
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        write_imu_csv(tmp / "plain.csv", long)

        def best(path: Path) -> float:
            runs = []
            for _ in range(3):
                start = time.perf_counter()
                read_recording([path])
                runs.append(time.perf_counter() - start)
            return min(runs)

        plain_s = best(tmp / "plain.csv")
        print(f"\nread time, {len(long):,} samples at 100 Hz ({minutes:g} min; vendor files at their own rate)")
        print(f"{'plain csv':28} {plain_s:6.3f} s")
        for name, write in LAYOUTS.items():
            seconds = best(write(tmp, long))
            print(f"{name:28} {seconds:6.3f} s  ({seconds / plain_s:4.2f}× the plain CSV)")


if __name__ == "__main__":
    accuracy(list(range(1000, 1000 + (int(sys.argv[1]) if len(sys.argv) > 1 else 10))))
    read_speed()
