"""Loop closure: a recording that ends standing as it began tells how far the heading drifted.

Why: between the calibration stand and the end of a recording, a 6D heading drifts with the
residual gyro bias, and rests in the exercise's pose only correct drift *between* rests. When the
person stands up at the end, in the calibration's pose and facing where they faced then, the
thigh's heading at that final stand differs from the calibration heading by exactly the drift that
is left. A constant residual bias makes that drift grow linearly, so it is removed as a ramp from
the end of the calibration to the final stand. A final stand turned further than drift could
explain (the person turned round) is not a closure.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from analysis import quaternions as q
from analysis.calibration import Calibration
from analysis.chunks import per_chunk
from analysis.frames import circular_mean, heading_of
from analysis.segments import drop_short, runs

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

_ANTERIOR = np.array([1.0, 0.0, 0.0])
_LONG_AXIS = np.array([0.0, 1.0, 0.0])


@dataclass(frozen=True, slots=True)
class LoopClosureParams:
    min_stand_s: float = 1.5
    max_tail_s: float = 3.0
    """The final stand reaches to within this of the recording's end (nothing happens after it)."""
    max_tilt_deg: float = 10.0
    """The thigh hangs within this of vertical, as at the calibration stand."""
    max_drift_deg: float = 25.0
    """A larger heading difference is a person facing elsewhere, not drift: no closure."""


@dataclass(frozen=True, slots=True)
class LoopClosure:
    stand: tuple[int, int]
    """Index run of the final stand."""
    drift_rad: float
    """Heading drift left at the final stand, after any correction already applied."""


def find_loop_closure(time_s: FloatArray, still: BoolArray, thigh_wxyz: FloatArray, calibration: Calibration,
                      correction_rad: FloatArray, params: LoopClosureParams | None = None) -> LoopClosure | None:
    """The final stand and the drift it shows, or None when the recording does not end standing."""
    params = params or LoopClosureParams()
    rate_hz = 1.0 / float(np.median(np.diff(time_s)))

    def upright_in(s: slice) -> BoolArray:
        vertical = q.rotate(thigh_wxyz[s], _LONG_AXIS)[:, 2]
        upright = np.degrees(np.arccos(np.clip(vertical, -1.0, 1.0))) <= params.max_tilt_deg
        return upright | (np.degrees(np.arccos(np.clip(-vertical, -1.0, 1.0))) <= params.max_tilt_deg)
    upright = per_chunk(len(time_s), upright_in)     # a block at a time: no (N, 3) temporaries
    stands = drop_short(runs(still & upright & (time_s > calibration.swings_end_s)),
                        round(params.min_stand_s * rate_hz))
    if not len(stands) or time_s[-1] - time_s[stands[-1, 1] - 1] > params.max_tail_s:
        return None
    a, b = int(stands[-1, 0]), int(stands[-1, 1])
    heading = circular_mean(heading_of(thigh_wxyz[a:b], _ANTERIOR) - correction_rad[a:b])
    drift = float(np.angle(np.exp(1j * (heading - calibration.heading_rad))))
    if abs(np.degrees(drift)) > params.max_drift_deg:
        return None
    return LoopClosure((a, b), drift)


def closure_ramp(time_s: FloatArray, closure: LoopClosure, calibration: Calibration) -> FloatArray:
    """(N,) heading correction: 0 up to the calibration's end, growing linearly to the drift at the stand."""
    start = time_s[closure.stand[0]]
    share = np.clip((time_s - calibration.end_s) / max(start - calibration.end_s, 1e-9), 0.0, 1.0)
    return closure.drift_rad * share
