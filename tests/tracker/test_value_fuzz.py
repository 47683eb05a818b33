"""Value-level fuzzing on both databases: extreme cells and payload fields are refused or stored whole,
never a traceback, a SIGABRT or a sample outside what an IMU measures (benchmarks/fuzz_values.py runs 1,000)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest
from helpers.value_fuzz import (
    PROFILES,
    base_samples,
    csv_case,
    payload_case,
    run_csv_case,
    run_payload_case,
)

from tracker.services import Services

CASES = 4
"""Per database and kind: a few seconds; the benchmark runs the thousand."""


@pytest.mark.parametrize("seed", range(CASES))
def test_extreme_csv_cells_are_refused_at_their_line_or_stored_whole(any_svc: Services, tmp_path: Path,
                                                                     seed: int) -> None:
    base = base_samples()
    path = csv_case(np.random.default_rng(seed), base, tmp_path)
    outcome = asyncio.run(run_csv_case(any_svc, path, len(base)))
    if outcome.kind == "refused":
        assert any_svc.store.sessions.ids() == []                          # nothing written
    else:
        assert outcome.kept == len(base)                                   # a clock jump keeps every sample


@pytest.mark.parametrize("seed", range(CASES))
def test_extreme_payload_fields_are_malformed_packets_or_samples(any_svc: Services, seed: int) -> None:
    rng = np.random.default_rng(1000 + seed)
    profile = PROFILES[seed % len(PROFILES)]
    base = base_samples()
    outcome = asyncio.run(run_payload_case(any_svc, payload_case(rng, base, profile), profile, len(base)))
    assert outcome.kind == "stored"
    assert 0.8 * len(base) <= outcome.kept <= len(base)    # three bad packets cost a few samples, never most
