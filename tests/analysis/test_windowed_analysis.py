"""Long recordings are analysed in windows and blocks (bounded memory); the result must not change.

Forced tiny: 20-second filter windows and 97-sample blocks on a 58-second real test recording, so
every seam a day-long recording has is crossed here within a second of test time.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from analysis import chunks
from analysis.orientation import Windows
from analysis.pipeline import AnalysisParams, ThighAnalysis, analyze_thigh
from sensors.samples import ImuSamples
from tracker import catalog
from tracker.imu_csv import read_imu_csv

RECORDING = Path(__file__).resolve().parents[1] / "data" / "hamstring_right.csv"


@pytest.fixture(scope="module")
def samples() -> ImuSamples:
    return read_imu_csv(RECORDING)


def _analyse(samples: ImuSamples, params: AnalysisParams | None = None) -> ThighAnalysis:
    exercise = catalog.get("hamstring_strap_stretch")
    return analyze_thigh(samples.time_s, samples.acc_mps2, samples.gyr_radps, "right", exercise.primary_motion,
                         exercise.posture, exercise.counting, params=params)


def test_filter_windows_give_the_one_window_result(samples: ImuSamples) -> None:
    whole = _analyse(samples)
    windows = Windows(core_s=20.0, margin_s=10.0)
    assert len(samples) > (windows.core_s + 2 * windows.margin_s) * samples.rate_hz     # really split: 3 windows
    split = _analyse(samples, AnalysisParams(windows=windows))
    assert whole.peaks is not None and split.peaks is not None and whole.holds
    assert (len(split.holds), len(split.reps), split.orientation_source) == \
        (len(whole.holds), len(whole.reps), whole.orientation_source)
    for a, b in zip(whole.holds, split.holds, strict=True):
        assert abs(a.start_s - b.start_s) <= 0.02 and abs(a.end_s - b.end_s) <= 0.02
        assert abs(a.angle_deg - b.angle_deg) < 0.1
    assert np.max(np.abs(np.subtract(list(whole.peaks.as_dict().values()), list(split.peaks.as_dict().values())))) < 0.3
    assert whole.confidence is not None and split.confidence is not None
    assert {k: c.level for k, c in whole.confidence.items()} == {k: c.level for k, c in split.confidence.items()}


def test_blocks_give_exactly_the_whole_array_result(samples: ImuSamples, monkeypatch: pytest.MonkeyPatch) -> None:
    whole = _analyse(samples)
    monkeypatch.setattr(chunks, "CHUNK", 97)                       # 61 blocks, none aligned with anything
    blocks = _analyse(samples)
    assert whole.angles is not None and blocks.angles is not None
    np.testing.assert_array_equal(whole.angles.angles_deg, blocks.angles.angles_deg)
    np.testing.assert_array_equal(whole.angles.heading_correction_deg, blocks.angles.heading_correction_deg)
    assert (blocks.peaks, blocks.holds, blocks.reps, blocks.confidence, blocks.window_s) == \
        (whole.peaks, whole.holds, whole.reps, whole.confidence, whole.window_s)
