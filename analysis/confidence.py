"""How far each reported angle can be trusted: the pelvis heading's uncertainty between observations.

Flexion is measured against gravity and does not drift. Abduction and rotation need the pelvis
heading, which a 6D orientation only keeps by integrating the gyro; hiptrack observes it at the
calibration stand, at rests in the exercise's pose and, on a bike, along the pedalling axis.
Between observations the heading error is modelled as the same random walk the rest anchoring
assumes (analysis.angles.heading_drift), bridged between two observations and growing after the
last one, plus a residual gyro bias that nothing corrects once observations stop. The stated ±
adds, in quadrature, a floor for what heading does not explain (strap and calibration axes, tilt).

Why a model and not a measurement: without ground truth the error cannot be measured, but how
long the heading went unobserved can, and that is what separates a trustworthy knee-tracking
figure from one that drifted by tens of degrees.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from analysis.chunks import per_chunk
from analysis.results import MotionConfidence

__all__ = ["BoolArray", "ConfidenceParams", "FloatArray", "MotionConfidence", "heading_uncertainty_deg",
           "motion_confidence", "relative_anchors", "rest_mask"]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class ConfidenceParams:
    walk_deg_per_sqrt_s: float = 0.3
    """Heading random walk of a consumer gyro after bias estimation (as in heading_drift)."""
    residual_bias_dps: float = 0.1
    """What remains of the vertical gyro bias once VQF has estimated it (0.1–0.4 °/s seen): the least
    residual assumed (see residual_bias_dps)."""
    sway_deg: float = 1.0
    """Net sway a still spell can hide (peak to peak): a bias taken from T s of stillness is off by up to this / T."""
    bias_change_dps: float = 0.0
    """How much the vertical bias the orientation uses may change within the recording (when the
    filter learns it late): a constant bias is interpolated away between two observations, a change
    is not. Set per recording from what the still spells left unknown (residual_bias_dps − the floor)."""
    part_bias_dps: float = 2.0
    """A gyro's bias when nothing in the recording showed it (consumer parts: up to ±2–3 °/s)."""
    floor_deg: float = 1.25
    """Abduction and rotation error that is not heading drift (strap and calibration axes, tilt), added
    in quadrature: where heading was observed throughout, runs were still 0.4–2.0° off (RMSE), and a
    drift-only ± of 0.2–0.8° covered 79% of them (benchmarks/accuracy.py --summary, seeds 9500–9509
    and 9550–9599; this value covers 96% there)."""
    ride_floor_deg: float = 2.0
    """The floor while pedalling: the thigh's tilt is read through the stroke's accelerations, and
    knee tracking came out up to 2.3° off with heading known (rides, seeds 3000–3003, 3100–3103 and
    3200–3203: 1.25° covered 71% of them, this 96%)."""
    high_deg: float = 2.5
    """Stated ± (floor and p95 heading uncertainty) up to which abduction and rotation are 'high'
    (the 1.25° floor leaves 2.2° of heading uncertainty, about the 2° before it; a ride's 2° leaves 1.5°)."""
    medium_deg: float = 5.0


def heading_uncertainty_deg(time_s: FloatArray, observed: BoolArray,
                            params: ConfidenceParams = ConfidenceParams()) -> FloatArray:
    """(N,) modelled heading error at each sample, from where the heading was observed.

    time_s: (N,) s, increasing; observed: (N,) True where the heading was observed. Between two
    observations a Brownian bridge (w²·a·b/(a+b) for a s since the last and b s to the next) and a
    bias that changed once in between (a constant one is interpolated away; one that changes by
    bias_change_dps leaves up to that × a·b/(a+b)); before the first and after the last, the walk and the
    residual bias grow with the time since.
    """
    if not observed.any():
        elapsed = time_s - time_s[0]
        return params.walk_deg_per_sqrt_s * np.sqrt(elapsed) + params.residual_bias_dps * elapsed
    seen = np.flatnonzero(observed)

    def block(s: slice) -> FloatArray:      # a block at a time: a dozen (N,) temporaries otherwise
        t = time_s[s]
        after = np.searchsorted(seen, np.arange(s.start, s.stop))       # index into `seen` of the next observation
        previous = seen[np.clip(after - 1, 0, len(seen) - 1)]
        following = seen[np.clip(after, 0, len(seen) - 1)]
        since = np.where(after > 0, t - time_s[previous], np.inf)
        until = np.where(after < len(seen), time_s[following] - t, np.inf)
        bridged = np.isfinite(since) & np.isfinite(until)
        open_gap = np.where(np.isfinite(since), since, until)              # before the first or after the last
        w2 = params.walk_deg_per_sqrt_s ** 2
        with np.errstate(invalid="ignore", divide="ignore"):
            span = since * until / (since + until)
            bridge = np.hypot(np.sqrt(w2 * span), params.bias_change_dps * span)
        drifting = params.walk_deg_per_sqrt_s * np.sqrt(open_gap) + params.residual_bias_dps * open_gap
        uncertainty = np.where(bridged, bridge, drifting)
        uncertainty[observed[s]] = 0.0
        return np.nan_to_num(uncertainty)
    return per_chunk(len(time_s), block)


def residual_bias_dps(still_s: float, params: ConfidenceParams = ConfidenceParams()) -> float:
    """The vertical bias that may be left after removing the bias seen over still_s seconds of stillness.

    Why: the heading error grows with the time it goes unobserved times this; a fixed 0.1 °/s called a
    run "high ±0.2°" that was 5.9° off, because its bias was never observed at all."""
    if still_s <= 0.0:
        return params.part_bias_dps
    return max(params.residual_bias_dps, min(params.part_bias_dps, params.sway_deg / still_s))


def relative_anchors(time_s: FloatArray, uncertainty_deg: FloatArray, first_anchor: int, since_s: float,
                     params: ConfidenceParams = ConfidenceParams()) -> FloatArray:
    """Rests in the exercise's pose observe heading only relative to the first of them (which the
    rest anchoring pins to the calibration): the drift from since_s to that first rest stays in
    every later sample, added here in quadrature."""
    gap = max(0.0, float(time_s[first_anchor]) - since_s)
    offset = params.walk_deg_per_sqrt_s * np.sqrt(gap) + params.residual_bias_dps * gap
    out = uncertainty_deg.copy()
    out[first_anchor:] = np.hypot(out[first_anchor:], offset)
    return out


def motion_confidence(uncertainty_deg: FloatArray, params: ConfidenceParams = ConfidenceParams()
                      ) -> dict[str, MotionConfidence]:
    """Per angle ('flexion', 'abduction', 'rotation'), from the heading uncertainty over the exercise.

    The ± is the p95 heading uncertainty with the floor added in quadrature: heading alone said ±0.2°
    of runs 1–2° off, which a user reading the ± cannot tell from a drifted one."""
    drift = float(np.percentile(uncertainty_deg, 95)) if len(uncertainty_deg) else 0.0
    worst = float(np.hypot(params.floor_deg, drift))
    level = "high" if worst <= params.high_deg else "medium" if worst <= params.medium_deg else "low"
    heading_bound = MotionConfidence(level, round(worst, 2))
    return {"flexion": MotionConfidence("high", 0.0), "abduction": heading_bound, "rotation": heading_bound}


def rest_mask(n: int, rests: NDArray[np.intp]) -> BoolArray:
    """(N,) True inside the (K, 2) index runs."""
    mask = np.zeros(n, dtype=bool)
    for a, b in rests:              # a step per run, not per sample; no (N,) int64 counts (0.14 GB a day)
        mask[a:b] = True
    return mask
