"""analysis.peak_finding gives scipy.signal.find_peaks's answer, index for index (SciPy is the reference)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy.signal import find_peaks as scipy_find_peaks

from analysis.peak_finding import find_peaks, local_maxima, select_by_distance


def _signals(seed: int) -> list[np.ndarray]:
    """Noisy swings, drifts, coarse steps (plateaus and exact ties) and short edge cases."""
    rng = np.random.default_rng(seed)
    t = np.arange(3000) / 100.0
    swing = 30 * np.sin(2 * np.pi * 1.4 * t) + rng.normal(0, 1.5, t.size)
    drifting = swing + 0.8 * t + 10 * np.sin(2 * np.pi * 0.05 * t)
    stepped = np.round(drifting / 4.0) * 4.0                   # flat tops, equal heights
    ramp = np.round(np.cumsum(rng.normal(0, 1, 2000)))          # a walk: long searches, many ties
    return [swing, drifting, stepped, ramp, rng.integers(0, 3, 500).astype(float),
            np.array([1.0, 2.0, 2.0, 1.0]), np.array([3.0, 1.0, 2.0, 2.0]), np.array([1.0, 2.0]), np.zeros(7)]


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize(("prominence", "distance", "wlen"),
                         [(0.0, 1, None), (5.0, 1, None), (10.0, 42, None), (10.0, 42, 81), (3.0, 7, 20.5),
                          (1.0, 300, None), (0.5, 3, 3)])
def test_matches_scipy(seed: int, prominence: float, distance: int, wlen: float | None) -> None:
    for x in _signals(seed):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")                 # SciPy warns about zero prominences
            expected, info = scipy_find_peaks(x, prominence=prominence, distance=distance, wlen=wlen)
        found, prominences = find_peaks(x, prominence, distance, wlen)
        np.testing.assert_array_equal(found, expected)
        np.testing.assert_array_equal(prominences, info["prominences"])


def test_plateau_gives_its_middle_and_edges_never_count() -> None:
    x = np.array([5.0, 0.0, 2.0, 2.0, 2.0, 2.0, 1.0, 3.0, 3.0, 0.0, 4.0, 4.0])
    np.testing.assert_array_equal(local_maxima(x), [3, 7])


def test_distance_keeps_the_higher_peak_of_a_close_pair() -> None:
    keep = select_by_distance(np.array([10, 14, 40]), np.array([1.0, 2.0, 0.5]), 5)
    np.testing.assert_array_equal(keep, [False, True, True])


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="distance"):
        find_peaks(np.zeros(5), 1.0, distance=0.5)
    with pytest.raises(ValueError, match="wlen"):
        find_peaks(np.zeros(5), 1.0, wlen=1)
