"""Trend maths: a change is real only beyond the MDC and with an interval that excludes zero."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import theilslopes

from analysis.trends import PainParams, TrendParams, pain_trend, range_trend, robust_slope, theil_sen

WEEKS_8 = np.arange(0, 56, 3.5)            # two sessions a week for eight weeks


def test_a_steady_rise_is_improving_with_the_right_slope() -> None:
    rng = np.random.default_rng(1)
    best = 25.0 + 1.5 * WEEKS_8 / 7 + rng.normal(0, 1.0, len(WEEKS_8))
    trend = range_trend(WEEKS_8, best)
    assert trend.direction == "improving"
    assert trend.slope is not None and trend.slope.per_week == pytest.approx(1.5, abs=0.3)
    assert trend.slope.low_per_week < 1.5 < trend.slope.high_per_week
    assert not trend.plateau


def test_a_steady_loss_is_declining() -> None:
    best = 40.0 - 1.2 * WEEKS_8 / 7
    trend = range_trend(WEEKS_8, best)
    assert trend.direction == "declining"
    assert trend.slope is not None and trend.slope.per_week == pytest.approx(-1.2, abs=1e-9)


@pytest.mark.parametrize("seed", range(20))
def test_noise_within_the_mdc_is_never_called_a_change(seed: int) -> None:
    rng = np.random.default_rng(seed)
    best = 32.0 + rng.uniform(-2.4, 2.4, len(WEEKS_8))      # everything within ±MDC/2
    trend = range_trend(WEEKS_8, best)
    assert trend.direction == "stable"
    assert trend.plateau


def test_a_real_but_small_slope_below_the_mdc_is_stable() -> None:
    days = np.arange(0, 28, 3.5)                   # four weeks, +1°/week: 4° in all, under 5°
    trend = range_trend(days, 30.0 + days / 7)
    assert trend.slope is not None and trend.slope.low_per_week > 0
    assert trend.direction == "stable"


def test_one_bad_session_does_not_tilt_the_trend() -> None:
    best = np.full(len(WEEKS_8), 35.0) + np.linspace(0, 1, len(WEEKS_8))
    best[-1] = 5.0                                  # a strap slipped in the last session
    trend = range_trend(WEEKS_8, best)
    assert trend.direction == "stable"
    assert trend.slope is not None and abs(trend.slope.per_week) < 0.3


def test_rise_then_four_flat_weeks_is_a_plateau() -> None:
    days = np.arange(0, 70, 3.5)
    best = np.where(days < 35, 20 + 12 * days / 35, 32.0) + np.tile([0.5, -0.5], len(days))[:len(days)]
    trend = range_trend(days, best)
    assert trend.direction == "improving"
    assert trend.plateau


def test_too_few_sessions_give_numbers_but_no_trend() -> None:
    trend = range_trend(np.array([0.0, 7.0]), np.array([30.0, 40.0]))
    assert trend.direction == "too_few" and trend.slope is None
    assert (trend.best_deg, trend.latest_deg) == (40.0, 40.0)


def test_mdc_is_configurable() -> None:
    days = np.arange(0, 28, 3.5)
    best = 30.0 + days / 7
    assert range_trend(days, best, TrendParams(mdc_deg=2.0)).direction == "improving"


def test_robust_slope_needs_two_distinct_days() -> None:
    assert robust_slope(np.array([3.0, 3.0]), np.array([1.0, 2.0])) is None


def test_bad_shapes_are_refused() -> None:
    with pytest.raises(ValueError, match="equal-length"):
        range_trend(np.array([0.0, 1.0]), np.array([1.0]))


def test_pain_rising_over_two_weeks_is_increasing() -> None:
    days = np.arange(0, 17, 2.0)
    trend = pain_trend(days, np.clip(2 + days / 4, 0, 10))
    assert trend.increasing and not trend.not_improving


def test_pain_rising_for_a_few_days_is_not_yet_a_trend() -> None:
    days = np.arange(0, 8, 1.0)
    assert not pain_trend(days, 2 + days / 2).increasing


def test_pain_flat_after_four_weeks_is_not_improving() -> None:
    days = np.arange(0, 29, 2.0)
    trend = pain_trend(days, np.full(len(days), 4.0))
    assert trend.not_improving and not trend.increasing


def test_pain_going_down_is_neither() -> None:
    days = np.arange(0, 29, 2.0)
    trend = pain_trend(days, np.clip(6 - days / 4, 0, 10))
    assert not trend.not_improving and not trend.increasing
    assert trend.first_week_mean - trend.last_week_mean >= PainParams().change_points


def test_no_pain_left_is_not_a_problem() -> None:
    days = np.arange(0, 29, 2.0)
    assert not pain_trend(days, np.zeros(len(days))).not_improving


def test_the_slope_describes_recent_weeks_not_the_whole_history() -> None:
    days = np.arange(0, 364, 3.5)                     # a year: half lost, then twelve weeks regained
    best = np.where(days < 280, 40 - 15 * days / 280, 25 + 12 * (days - 280) / 84)
    trend = range_trend(days, best)
    assert trend.direction == "improving"
    assert trend.slope is not None and trend.slope.per_week == pytest.approx(1.0, abs=0.05)
    assert trend.best_deg == 40.0


def test_old_pain_does_not_count_against_today() -> None:
    days = np.arange(0, 120, 2.0)                      # bad months ago, steadily better since
    scores = np.where(days < 60, 8.0, np.clip(8 - (days - 60) / 6, 0, 10))
    trend = pain_trend(days, scores)
    assert not trend.not_improving and not trend.increasing
    assert trend.last_week_mean < 1.0


@pytest.mark.parametrize("seed", range(6))
def test_theil_sen_matches_scipy(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 60))
    x = np.round(rng.uniform(0, 90, n))                     # unsorted, and rounded: some days repeat
    y = 30 + rng.normal(0, 3, n) + rng.uniform(-0.3, 0.3) * x
    ours = theil_sen(x, y, 0.9)
    slope, _, low, high = theilslopes(y, x, alpha=0.9)
    np.testing.assert_allclose(ours, (slope, low, high), rtol=1e-12, atol=1e-12)
