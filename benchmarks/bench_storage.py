"""Bytes per stored raw sample, and recording throughput, against a float32 baseline in the same run.

Run: python benchmarks/bench_storage.py
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from pathlib import Path

from sensors.simulator import Dose, SimOptions, simulate_session
from sensors.simulator.source import simulated_source
from tracker.domain import Side, Source
from tracker.services import build_services, record
from tracker.storage.sample_codec import encode_chunk

FLOAT32_BYTES_PER_SAMPLE = 7 * 4     # time + acc + gyr as float32: the naive baseline
RIDE_MINUTES = 20.0


def main() -> None:
    sim = simulate_session("ride", "right", seed=1, options=SimOptions(dose=Dose(ride_s=RIDE_MINUTES * 60)))
    thigh = sim.thigh
    n = len(thigh)
    print(f"samples: {n} ({n / sim.rate_hz / 60:.1f} min at {sim.rate_hz:.0f} Hz, simulated ride)")
    for chunk, what in ((50, "live, 0.5 s flushes at 100 Hz"), (100, "1 s"), (4096, "imports")):
        payload = sum(len(encode_chunk(thigh.slice(i, i + chunk), float(thigh.time_s[i]))) for i in range(0, n, chunk))
        print(f"  chunks of {chunk:>4} ({what}): {payload / n:5.2f} bytes/sample, "
              f"{payload / n / FLOAT32_BYTES_PER_SAMPLE:.2f}x the {FLOAT32_BYTES_PER_SAMPLE}-byte float32 baseline")

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        services = build_services(f"sqlite:///{path}")
        with services.database.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        empty_bytes = os.path.getsize(path)
        started = time.perf_counter()
        asyncio.run(record(services, simulated_source(sim, block_s=0.05), "ride", Side.RIGHT, Source.SIMULATED))
        elapsed = time.perf_counter() - started
        with services.database.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        services.close()
        file_bytes = os.path.getsize(path) - empty_bytes
    print(f"recorder, as fast as the source goes: {n / elapsed:,.0f} samples/s "
          f"({n / elapsed / 600:.0f}x the 600 samples/s of 3 sensors at 200 Hz); "
          f"SQLite file growth {file_bytes / n:.2f} bytes/sample")


if __name__ == "__main__":
    main()
