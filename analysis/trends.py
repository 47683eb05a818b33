"""Is range of motion (or pain) really changing? Robust weekly trends measured against repeatability.

Arrays in, frozen dataclasses out. A session-to-session difference smaller than the measurement's
minimal detectable change (MDC) is noise, so a trend is called real only when the change it
implies over the period exceeds the MDC *and* its confidence interval excludes zero. Slopes are
Theil–Sen (median of pairwise slopes): one bad session (a loose strap) cannot tilt them.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist
from typing import Literal

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

DAYS_PER_WEEK = 7.0

Direction = Literal["improving", "declining", "stable", "too_few", "too_early"]
"""too_few: fewer than `min_sessions` sessions; too_early: enough sessions, but not yet a week apart."""


@dataclass(frozen=True, slots=True)
class TrendParams:
    mdc_deg: float = 5.0
    """Minimal detectable change of a range-of-motion measurement. ~5° is the order reported for
    goniometric hip rotation (test–retest MDC95 of roughly 4–8°); change it for your own set-up."""
    min_sessions: int = 3
    """Fewer sessions than this give no trend, only numbers."""
    min_span_weeks: float = 1.0
    """Sessions closer together than this give no trend: six sessions minutes apart would extrapolate
    their noise to hundreds of degrees a week. A week between the first and the last means they fall
    in at least two distinct weeks."""
    confidence: float = 0.90
    """Confidence of the slope interval."""
    window_weeks: float = 12.0
    """The slope describes the last this-many weeks: what a person is doing now, not three years ago."""
    plateau_weeks: float = 4.0
    """A plateau is this many weeks without a real change (and with sessions in them). Four weeks
    because progress slower than MDC per window is indistinguishable from none: 5° in 4 weeks."""


@dataclass(frozen=True, slots=True)
class Slope:
    per_week: float
    low_per_week: float
    high_per_week: float
    span_weeks: float

    @property
    def change(self) -> float:
        """What the fitted line changes over the observed span."""
        return self.per_week * self.span_weeks


@dataclass(frozen=True, slots=True)
class RangeTrend:
    sessions: int
    best_deg: float
    latest_deg: float
    typical_deg: float
    """Median of the last three sessions: what you can count on today."""
    slope: Slope | None
    direction: Direction
    plateau: bool


def robust_slope(days: FloatArray, values: FloatArray, confidence: float = 0.90) -> Slope | None:
    """Theil–Sen slope per week with its confidence interval; None if all sessions share one day."""
    days = np.asarray(days, dtype=float)
    values = np.asarray(values, dtype=float)
    if len(days) < 2 or np.ptp(days) <= 0.0:
        return None
    slope, low, high = theil_sen(days, values, confidence)
    return Slope(slope * DAYS_PER_WEEK, low * DAYS_PER_WEEK, high * DAYS_PER_WEEK, float(np.ptp(days)) / DAYS_PER_WEEK)


def theil_sen(x: FloatArray, y: FloatArray, confidence: float) -> tuple[float, float, float]:
    """Median pairwise slope and Sen's (1968) distribution-free interval, as `scipy.stats.theilslopes`.

    Written out (a dozen NumPy lines, checked against SciPy in the tests) because importing
    scipy.stats costs the dashboard a third of a second at start-up, for this one function.
    """
    i, j = np.triu_indices(len(x), k=1)
    dx = x[j] - x[i]
    keep = dx != 0.0
    slopes = np.sort((y[j] - y[i])[keep] / dx[keep])
    n = len(x)
    ties = sum(float(np.sum(k * (k - 1) * (2 * k + 5))) for k in (_repeats(x), _repeats(y)))
    spread = NormalDist().inv_cdf(0.5 + confidence / 2.0) * np.sqrt((n * (n - 1) * (2 * n + 5) - ties) / 18.0)
    count = len(slopes)                            # Sen (1968), eq. 2.6, indexed as SciPy does
    lower = max(int(np.round((count - spread) / 2.0)) - 1, 0)
    upper = min(int(np.round((count + spread) / 2.0)), count - 1)
    return float(np.median(slopes)), float(slopes[lower]), float(slopes[upper])


def _repeats(values: FloatArray) -> NDArray[np.int64]:
    _, counts = np.unique(values, return_counts=True)
    return counts[counts > 1].astype(np.int64)


def real_change(slope: Slope | None, threshold: float) -> int:
    """+1 / -1 for a change beyond `threshold` whose interval excludes zero, else 0."""
    if slope is None or abs(slope.change) <= threshold:
        return 0
    if slope.low_per_week > 0.0:
        return 1
    if slope.high_per_week < 0.0:
        return -1
    return 0


def range_trend(days: FloatArray, best_deg: FloatArray, params: TrendParams | None = None) -> RangeTrend:
    """Trend of a per-session best angle (magnitude in the motion's direction, bigger is better).

    `days`: session times in days (any origin), ascending; `best_deg`: the session's best angle.
    """
    params = params or TrendParams()
    days = np.asarray(days, dtype=float)
    best = np.asarray(best_deg, dtype=float)
    if days.shape != best.shape or days.ndim != 1 or len(days) == 0:
        raise ValueError("days and best_deg must be equal-length, non-empty 1-D arrays")
    typical = float(np.median(best[-3:]))
    recent = days >= days[-1] - params.window_weeks * DAYS_PER_WEEK
    if recent.sum() < params.min_sessions:
        return RangeTrend(len(days), float(best.max()), float(best[-1]), typical, None, "too_few", False)
    if np.ptp(days[recent]) < params.min_span_weeks * DAYS_PER_WEEK:
        return RangeTrend(len(days), float(best.max()), float(best[-1]), typical, None, "too_early", False)
    slope = robust_slope(days[recent], best[recent], params.confidence)
    directions: dict[int, Direction] = {1: "improving", -1: "declining", 0: "stable"}
    direction = directions[real_change(slope, params.mdc_deg)]
    return RangeTrend(len(days), float(best.max()), float(best[-1]), typical, slope, direction,
                      is_plateau(days, best, params))


def is_plateau(days: FloatArray, values: FloatArray, params: TrendParams) -> bool:
    """No real change over the last `plateau_weeks` (with sessions spread over that window).

    Why the window: a long rise followed by four flat weeks is a plateau even though the whole
    history still slopes up.
    """
    days = np.asarray(days, dtype=float)
    window_days = params.plateau_weeks * DAYS_PER_WEEK
    recent = days >= days[-1] - window_days
    if recent.sum() < params.min_sessions or np.ptp(days[recent]) < 0.66 * window_days:
        return False
    slope = robust_slope(days[recent], np.asarray(values, dtype=float)[recent], params.confidence)
    return slope is not None and abs(slope.change) < params.mdc_deg and real_change(slope, params.mdc_deg) == 0


@dataclass(frozen=True, slots=True)
class PainParams:
    change_points: float = 2.0
    """A change in 0–10 pain smaller than this is not called a change (≈ the minimal clinically
    important difference of a numeric pain scale, about 2 points or 30 %)."""
    rising_weeks: float = 2.0
    """Pain has to trend up over at least this long before we say so (seed: "gets worse")."""
    regular_weeks: float = 3.0
    """Weeks of regular work after which pain should be better (seed: "three to six weeks")."""
    window_weeks: float = 6.0
    """Only the last this-many weeks count: pain that eased a year ago says nothing about today."""
    confidence: float = 0.90


@dataclass(frozen=True, slots=True)
class PainTrend:
    entries: int
    latest: float
    first_week_mean: float
    last_week_mean: float
    slope: Slope | None
    increasing: bool
    """Trending up by at least `change_points` over at least `rising_weeks`."""
    not_improving: bool
    """At least `regular_weeks` of data, pain still present and not down by `change_points`."""


def pain_trend(days: FloatArray, scores: FloatArray, params: PainParams | None = None) -> PainTrend:
    """Direction of 0–10 pain scores over time (ascending days)."""
    params = params or PainParams()
    days = np.asarray(days, dtype=float)
    scores = np.asarray(scores, dtype=float)
    if days.shape != scores.shape or days.ndim != 1 or len(days) == 0:
        raise ValueError("days and scores must be equal-length, non-empty 1-D arrays")
    recent = days >= days[-1] - params.window_weeks * DAYS_PER_WEEK
    days, scores = days[recent], scores[recent]
    first = float(scores[days <= days[0] + DAYS_PER_WEEK].mean())
    last = float(scores[days >= days[-1] - DAYS_PER_WEEK].mean())
    span_weeks = float(np.ptp(days)) / DAYS_PER_WEEK
    slope = robust_slope(days, scores, params.confidence) if len(days) >= 3 else None
    increasing = span_weeks >= params.rising_weeks and real_change(slope, params.change_points - 1e-9) > 0
    not_improving = (span_weeks >= params.regular_weeks and last > 0.0
                     and first - last < params.change_points and not increasing)
    return PainTrend(len(days), float(scores[-1]), first, last, slope, increasing, not_improving)
