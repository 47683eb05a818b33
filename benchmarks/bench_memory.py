"""Peak memory of `hiptrack analyze` on long recordings (issue #13, Deliver 5): must stay < 1 GB for 24 h.

Why a subprocess: ru_maxrss of a fresh process is the peak the user would see, not what this
script happened to allocate before. The recording is a real 100 Hz test recording (calibration,
then a hamstring stretch) followed by the same exercise repeated until the wanted length, so the
analysis runs its whole pipeline (calibration, orientation, rests, holds) on every hour.

    python benchmarks/bench_memory.py            # 1, 6 and 24 hours
    python benchmarks/bench_memory.py 2          # just 2 hours
    python benchmarks/bench_memory.py --import 24    # also `import` into a fresh SQLite file and `reanalyze` it
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sensors.samples import ImuSamples  # noqa: E402
from tracker.imu_csv import read_imu_csv  # noqa: E402

SOURCE = ROOT / "tests" / "data" / "hamstring_right.csv"
LIMIT_BYTES = 1 << 30


def long_recording(hours: float) -> ImuSamples:
    """The test recording, then its exercise part (after the calibration) repeated back to back."""
    base = read_imu_csv(SOURCE)
    step = float(np.median(np.diff(base.time_s)))
    body = base.slice(int(np.searchsorted(base.time_s, 15.0)), len(base))
    repeats = max(0, int(np.ceil((hours * 3600 - base.time_s[-1]) / (len(body) * step))))
    n = len(base) + repeats * len(body)
    acc = np.concatenate([base.acc_mps2, np.tile(body.acc_mps2, (repeats, 1))])
    gyr = np.concatenate([base.gyr_radps, np.tile(body.gyr_radps, (repeats, 1))])
    return ImuSamples(np.round(np.arange(n) * step, 6), acc, gyr, None)


def write_in_child(path: Path, hours: float) -> None:
    """Write the long recording from a child process, so this process stays small.

    Why: Linux counts the RSS a child inherits at fork (before exec) in its ru_maxrss, so a bench
    holding a day's arrays reported its own size (1011 MiB) as the analysis's peak."""
    code = ("import sys; from pathlib import Path; sys.path.insert(0, sys.argv[3]); "
            "from benchmarks.bench_memory import long_recording; from tracker.imu_csv import write_imu_csv; "
            "write_imu_csv(Path(sys.argv[1]), long_recording(float(sys.argv[2])))")
    subprocess.run([sys.executable, "-c", code, str(path), repr(hours), str(ROOT)], check=True)


def peak_rss_bytes(args: list[str]) -> tuple[int, float, int]:
    """(peak RSS of the child, wall seconds, exit status) of one hiptrack command (os.wait4: this child only)."""
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "hiptrack.cli", *args], cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert child.stderr is not None
    err = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        print(err.strip().splitlines()[-1:], file=sys.stderr)
    return usage.ru_maxrss * 1024, time.perf_counter() - start, child.returncode


def main(hours_list: list[float], stored: bool = False) -> None:
    exercise = ["--side", "right", "--exercise", "hamstring_strap_stretch"]
    with tempfile.TemporaryDirectory() as folder:
        for hours in hours_list:
            path = Path(folder) / f"{hours:g}h.csv"
            write_in_child(path, hours)
            runs = [("analyze", ["analyze", str(path), *exercise, "--json"])]
            if stored:
                db = str(Path(folder) / f"{hours:g}h.db")
                runs += [("import", ["import", str(path), *exercise, "--db", db]),
                         ("reanalyze", ["reanalyze", "1", "--db", db])]
            for label, args in runs:
                peak, wall, code = peak_rss_bytes(args)
                verdict = "ok" if peak < LIMIT_BYTES and code == 0 else "OVER" if code == 0 else f"exit {code}"
                print(f"{hours:5g} h  {label:9s} {path.stat().st_size / 1e6:7.0f} MB CSV  peak RSS "
                      f"{peak / 2**20:7.0f} MiB  {wall:6.1f} s  {verdict}", flush=True)
            path.unlink()


if __name__ == "__main__":
    arguments = sys.argv[1:]
    with_storage = "--import" in arguments
    main([float(a) for a in arguments if a != "--import"] or [1.0, 6.0, 24.0], with_storage)
