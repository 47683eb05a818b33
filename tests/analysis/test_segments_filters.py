"""analysis.segments' window filters give scipy.ndimage's answers (mode="nearest"; SciPy is the reference)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.ndimage import maximum_filter1d, median_filter, minimum_filter1d, uniform_filter1d

from analysis.segments import moving_average, rolling_range, window_max, window_median, window_min


@pytest.mark.parametrize("window", [1, 2, 3, 4, 7, 50, 81, 600])
def test_filters_match_ndimage(window: int) -> None:
    rng = np.random.default_rng(window)
    x = np.cumsum(rng.normal(0, 1, 3000)) + 40.0          # an angle-like walk with an offset
    steps = np.round(x / 5.0)                              # many exact ties
    for signal in (x, steps, x[:5]):
        np.testing.assert_array_equal(window_max(signal, window), maximum_filter1d(signal, window, mode="nearest"))
        np.testing.assert_array_equal(window_min(signal, window), minimum_filter1d(signal, window, mode="nearest"))
        np.testing.assert_array_equal(rolling_range(signal, window),
                                      maximum_filter1d(signal, window, mode="nearest")
                                      - minimum_filter1d(signal, window, mode="nearest"))
        np.testing.assert_allclose(moving_average(signal, window),
                                   uniform_filter1d(signal, window, mode="nearest"), rtol=0, atol=1e-10)
        if window % 2:
            np.testing.assert_array_equal(window_median(signal, window), median_filter(signal, window, mode="nearest"))
    columns = rng.normal(0, 1, (400, 3))
    np.testing.assert_allclose(moving_average(columns, window),
                               uniform_filter1d(columns, window, axis=0, mode="nearest"), rtol=0, atol=1e-12)
    mask = rng.random(500) < 0.1
    np.testing.assert_array_equal(window_max(mask, window), maximum_filter1d(mask, window, mode="nearest"))
