"""Value-level fuzzer, 1,000 cases (issue #13, Deliver 9): crashes must be 0.

Half the cases are CSV files with extreme cells or clock jumps, half are notification streams of
every device family with extreme payload fields; they alternate between an SQLite file and a real
PostgreSQL server (tests/helpers/pg_cluster.py; SQLite only if the server binaries are missing).
A crash is any exception other than a one-line bad-input refusal, or a stored session that breaks
the invariants of tests/helpers/value_fuzz.py. Prints the crash count and the samples kept.

    python benchmarks/fuzz_values.py [CASES] [SEED]
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from helpers.pg_cluster import find_binary, postgres_cluster  # noqa: E402
from helpers.value_fuzz import (  # noqa: E402
    PROFILES,
    Outcome,
    base_samples,
    csv_case,
    payload_case,
    run_csv_case,
    run_payload_case,
)

from tracker.services import build_services  # noqa: E402


@contextlib.contextmanager
def _databases(folder: Path) -> Iterator[list[str]]:
    sqlite = f"sqlite:///{folder / 'fuzz.db'}"
    if find_binary("initdb") is None:
        yield [sqlite]
        return
    with postgres_cluster() as url:
        yield [sqlite, url]


def main(cases: int, seed: int) -> int:
    base = base_samples()
    crashes: list[str] = []
    kinds: Counter[str] = Counter()
    kept: dict[str, list[float]] = {"csv": [], "payload": []}
    empty: list[str] = []
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp, _databases(Path(tmp)) as urls:
        services = [build_services(url) for url in urls]
        for case in range(cases):
            rng = np.random.default_rng([seed, case])
            svc = services[case // 2 % len(services)]
            kind = "csv" if case % 2 == 0 else "payload"
            profile = PROFILES[case // 2 % len(PROFILES)]
            try:
                if kind == "csv":
                    outcome: Outcome = asyncio.run(run_csv_case(svc, csv_case(rng, base, Path(tmp)), len(base)))
                else:
                    notes = payload_case(rng, base, profile)
                    outcome = asyncio.run(run_payload_case(svc, notes, profile, len(base)))
            except Exception as err:         # counted, not raised: each crash is a finding (SIGABRT ends the run)
                crashes.append(f"case {case} ({kind}{'' if kind == 'csv' else ' ' + profile}, "
                               f"{urls[case // 2 % len(urls)].split(':')[0]}): {type(err).__name__}: {err}")
                traceback.print_exc()
                continue
            if outcome.kind == "stored" and outcome.kept == 0:
                # Nothing decodable: every sample notification malformed (a Polar start response, the only
                # carrier of the scale FACTOR, damaged or arriving after every data frame). `record --replay`
                # refuses such a log (exit 2, nothing kept); here the service's empty session is counted apart.
                kinds[f"{kind} nothing decodable"] += 1
                empty.append(f"case {case} ({kind} {profile}): {outcome.detail}")
                continue
            kinds[f"{kind} {outcome.kind}"] += 1
            if outcome.kind == "stored":
                kept[kind].append(outcome.kept / outcome.offered)
            if (case + 1) % 50 == 0:
                print(f"  {case + 1} cases, {len(crashes)} crashes, {time.perf_counter() - start:.0f} s", flush=True)
        for svc in services:
            svc.close()
    wall = time.perf_counter() - start
    print(f"{cases} cases in {wall:.0f} s on {', '.join(u.split(':')[0] for u in urls)}: "
          f"{len(crashes)} crashes; " + ", ".join(f"{k}: {v}" for k, v in sorted(kinds.items())))
    for kind, fractions in kept.items():
        if fractions:
            f = np.asarray(fractions)
            print(f"  {kind}: samples kept when stored: median {np.median(f):.4f}, p10 {np.percentile(f, 10):.4f}, "
                  f"min {f.min():.4f} of the unharmed {len(base)}")
    for line in empty:
        print("  nothing decodable:", line)
    for line in crashes:
        print("  CRASH", line)
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000, int(sys.argv[2]) if len(sys.argv) > 2 else 13))
