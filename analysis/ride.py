"""Cycling from a thigh sensor: pedalling, cadence, and per-stroke thigh range (seed 000).

One crank revolution is one swing of thigh flexion (knee up at the top of the stroke), so
revolutions are counted between consecutive flexion peaks. Everything per revolution is computed
with reduceat over the peak indices: no Python loop per sample, so a 2-hour ride stays fast.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from itertools import pairwise

import numpy as np
from numpy.typing import NDArray

from analysis.segments import moving_average, runs
from analysis.swings import swing_peaks

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class RideParams:
    min_cadence_rpm: float = 35.0
    max_cadence_rpm: float = 140.0
    min_stroke_deg: float = 10.0
    """A revolution must swing the thigh at least this much (smaller is shuffling, not pedalling)."""
    stroke_share: float = 0.5
    """...and at least this share of the ride's typical swing (tentative first strokes do not count)."""
    min_gap_s: float = 1.0
    """A pause in pedalling shorter than this is not reported as coasting."""
    foot_down_flexion_deg: float = 25.0
    """A pause in which the thigh comes this close to upright is a stop (a foot on the ground)."""
    standing_drop_deg: float = 12.0
    """Out of the saddle the hips rise and the thigh hangs more upright: a revolution whose mean
    flexion is this much below the ride's typical one is pedalled standing."""
    min_standing_revolutions: int = 2


@dataclass(frozen=True, slots=True)
class Revolutions:
    """Per revolution (M,): start and end time, cadence, thigh flexion extremes, mean abduction and rotation."""

    start_s: FloatArray
    end_s: FloatArray
    cadence_rpm: FloatArray
    flexion_max_deg: FloatArray
    flexion_min_deg: FloatArray
    abduction_mean_deg: FloatArray
    rotation_mean_deg: FloatArray
    standing: NDArray[np.bool_] | None = None
    """True for revolutions pedalled out of the saddle."""
    pelvis_range_deg: FloatArray | None = None
    """(M, 2) per revolution: pelvis obliquity and tilt range (max − min), when a pelvis sensor was worn."""

    @property
    def flexion_range_deg(self) -> FloatArray:
        return self.flexion_max_deg - self.flexion_min_deg

    def __len__(self) -> int:
        return int(self.start_s.shape[0])


@dataclass(frozen=True, slots=True)
class RideMetrics:
    revolutions: Revolutions
    pedalling_s: tuple[tuple[float, float], ...]
    """Stretches of continuous pedalling."""
    coasting_s: tuple[tuple[float, float], ...]
    """Pauses between them with the feet on the pedals, each at least min_gap_s long."""
    summary: dict[str, float] = field(default_factory=dict)
    standing_s: tuple[tuple[float, float], ...] = ()
    """Stretches pedalled standing; their strokes are left out of the per-stroke averages."""
    stops_s: tuple[tuple[float, float], ...] = ()
    """Pauses with a foot down (the thigh near upright)."""

    def to_json(self) -> dict[str, object]:
        return {**{k: (round(v, 3) if np.isfinite(v) else None) for k, v in self.summary.items()},
                "revolutions": len(self.revolutions),
                "coasting": _spans(self.coasting_s), "pedalling": _spans(self.pedalling_s),
                "standing": _spans(self.standing_s), "stops": _spans(self.stops_s)}


def analyse_ride(time_s: FloatArray, angles_deg: FloatArray, params: RideParams | None = None,
                 pelvis_deg: FloatArray | None = None) -> RideMetrics:
    """Revolutions and ride metrics from hip angles (N, 3: flexion, abduction, rotation) on a uniform grid.

    pelvis_deg: (N, 3) measured pelvis tilt, obliquity, rotation (analysis.pelvis), or None."""
    params = params or RideParams()
    peaks = _stroke_peaks(time_s, angles_deg[:, 0], params)
    if len(peaks) < 2:
        return RideMetrics(_revolutions(time_s, angles_deg, peaks[:0]), (), (), _empty_summary())
    period = np.diff(time_s[peaks])
    valid = (period >= 60.0 / params.max_cadence_rpm) & (period <= 60.0 / params.min_cadence_rpm)
    bounds = np.column_stack([peaks[:-1], peaks[1:]])[valid]
    revolutions = _revolutions(time_s, angles_deg, bounds)
    if pelvis_deg is not None and len(bounds):
        edges = bounds.ravel()
        rocking = pelvis_deg[:, [1, 0]]
        revolutions = replace(revolutions, pelvis_range_deg=(np.maximum.reduceat(rocking, edges)[::2]
                                                             - np.minimum.reduceat(rocking, edges)[::2]))
    if len(revolutions) == 0:
        return RideMetrics(revolutions, (), (), _empty_summary())
    standing = _standing(revolutions, params)
    revolutions = replace(revolutions, standing=standing)
    pedalling = _pedalling(revolutions)
    gaps = [(a[1], b[0]) for a, b in pairwise(pedalling) if b[0] - a[1] >= params.min_gap_s]
    foot_down = [bool(angles_deg[(time_s >= a) & (time_s <= b), 0].min() < params.foot_down_flexion_deg)
                 for a, b in gaps]
    standing_s = tuple((float(revolutions.start_s[a]), float(revolutions.end_s[b - 1])) for a, b in runs(standing))
    return RideMetrics(revolutions, pedalling, tuple(g for g, down in zip(gaps, foot_down, strict=True) if not down),
                       _summary(revolutions), standing_s,
                       tuple(g for g, down in zip(gaps, foot_down, strict=True) if down))


def ride_asymmetry(left: RideMetrics, right: RideMetrics) -> dict[str, dict[str, float]]:
    """Left, right and right − left of each per-stroke metric (two thigh sensors)."""
    keys = ("flexion_max_deg", "flexion_min_deg", "flexion_range_deg", "abduction_mean_deg", "rotation_mean_deg")
    return {k: {"left": left.summary[k], "right": right.summary[k], "difference": right.summary[k] - left.summary[k]}
            for k in keys}


def _standing(r: Revolutions, params: RideParams) -> NDArray[np.bool_]:
    middle = 0.5 * (r.flexion_max_deg + r.flexion_min_deg)
    low = middle < np.median(middle) - params.standing_drop_deg
    long_runs = [(a, b) for a, b in runs(low) if b - a >= params.min_standing_revolutions]
    standing = np.zeros(len(r), dtype=bool)
    for a, b in long_runs:
        standing[a:b] = True
    return standing


def _stroke_peaks(time_s: FloatArray, flexion_deg: FloatArray, params: RideParams) -> NDArray[np.intp]:
    rate_hz = 1.0 / float(time_s[1] - time_s[0])
    smooth = moving_average(flexion_deg, max(1, round(0.05 * rate_hz)))
    distance = max(1, int(60.0 / params.max_cadence_rpm * rate_hz))
    return swing_peaks(smooth, params.min_stroke_deg, params.stroke_share, distance)


def _revolutions(time_s: FloatArray, angles_deg: FloatArray, bounds: NDArray[np.intp]) -> Revolutions:
    if len(bounds) == 0:
        empty = np.zeros(0)
        return Revolutions(empty, empty, empty, empty, empty, empty, empty)
    starts, stops = bounds[:, 0], bounds[:, 1]
    # reduceat over [start, next index) pairs: interleave starts and stops, keep every other result.
    edges = np.column_stack([starts, stops]).ravel()
    flexion, abduction, rotation = angles_deg[:, 0], angles_deg[:, 1], angles_deg[:, 2]
    counts = (stops - starts).astype(float)
    return Revolutions(
        start_s=time_s[starts], end_s=time_s[stops],
        cadence_rpm=60.0 / (time_s[stops] - time_s[starts]),
        flexion_max_deg=np.maximum.reduceat(flexion, edges)[::2],
        flexion_min_deg=np.minimum.reduceat(flexion, edges)[::2],
        abduction_mean_deg=np.add.reduceat(abduction, edges)[::2] / counts,
        rotation_mean_deg=np.add.reduceat(rotation, edges)[::2] / counts,
    )


def _pedalling(revolutions: Revolutions) -> tuple[tuple[float, float], ...]:
    """Join revolutions that follow each other without a break into stretches of pedalling."""
    if len(revolutions) == 0:
        return ()
    breaks = np.flatnonzero(revolutions.start_s[1:] > revolutions.end_s[:-1] + 1e-9) + 1
    firsts = np.concatenate([[0], breaks])
    lasts = np.concatenate([breaks - 1, [len(revolutions) - 1]])
    return tuple((float(revolutions.start_s[a]), float(revolutions.end_s[b]))
                 for a, b in zip(firsts, lasts, strict=True))


def _summary(all_revolutions: Revolutions) -> dict[str, float]:
    """Cadence over every revolution; stroke shape over the seated ones (SPEC §5 keys and more)."""
    duration = all_revolutions.end_s - all_revolutions.start_s
    standing = all_revolutions.standing if all_revolutions.standing is not None else np.zeros(len(duration), bool)
    r = _subset(all_revolutions, ~standing)
    if len(r) == 0:
        return _empty_summary() | {"cadence_rpm_mean": float(60.0 * len(duration) / duration.sum()),
                                   "pedaling_time_s": float(duration.sum())}
    tenth = max(1, len(r) // 10)
    first, last = slice(0, tenth), slice(len(r) - tenth, len(r))
    return {
        "cadence_rpm_mean": float(60.0 * len(duration) / duration.sum()),
        "pedaling_time_s": float(duration.sum()),
        "standing_time_s": float(duration[standing].sum()),
        "standing_revolutions": float(standing.sum()),
        "flexion_max_deg": float(r.flexion_max_deg.mean()),
        "flexion_min_deg": float(r.flexion_min_deg.mean()),
        "flexion_range_deg": float(r.flexion_range_deg.mean()),
        "abduction_mean_deg": float(r.abduction_mean_deg.mean()),
        "rotation_mean_deg": float(r.rotation_mean_deg.mean()),
        "cadence_rpm_p10": float(np.percentile(r.cadence_rpm, 10)),
        "cadence_rpm_p90": float(np.percentile(r.cadence_rpm, 90)),
        "flexion_range_deg_p10": float(np.percentile(r.flexion_range_deg, 10)),
        "flexion_range_deg_p90": float(np.percentile(r.flexion_range_deg, 90)),
        "flexion_range_drift_deg": float(r.flexion_range_deg[last].mean() - r.flexion_range_deg[first].mean()),
        "abduction_drift_deg": float(r.abduction_mean_deg[last].mean() - r.abduction_mean_deg[first].mean()),
        "cadence_drift_rpm": float(r.cadence_rpm[last].mean() - r.cadence_rpm[first].mean()),
    } | _rocking(r, first, last)


def _rocking(r: Revolutions, first: slice, last: slice) -> dict[str, float]:
    """Per-stroke pelvic rocking, its mean and drift (rides with a pelvis sensor only)."""
    if r.pelvis_range_deg is None:
        return {}
    obliquity, tilt = r.pelvis_range_deg.T
    return {"pelvis_obliquity_range_deg": float(obliquity.mean()), "pelvis_tilt_range_deg": float(tilt.mean()),
            "pelvis_obliquity_range_drift_deg": float(obliquity[last].mean() - obliquity[first].mean()),
            "pelvis_tilt_range_drift_deg": float(tilt[last].mean() - tilt[first].mean())}


def _subset(r: Revolutions, keep: NDArray[np.bool_]) -> Revolutions:
    return Revolutions(r.start_s[keep], r.end_s[keep], r.cadence_rpm[keep], r.flexion_max_deg[keep],
                       r.flexion_min_deg[keep], r.abduction_mean_deg[keep], r.rotation_mean_deg[keep],
                       pelvis_range_deg=None if r.pelvis_range_deg is None else r.pelvis_range_deg[keep])


def _spans(spans: tuple[tuple[float, float], ...]) -> list[dict[str, float]]:
    return [{"start_s": round(a, 3), "end_s": round(b, 3)} for a, b in spans]


def _empty_summary() -> dict[str, float]:
    """No pedalling found: zero time and revolutions, undefined (NaN → JSON null) everything else."""
    keys = ("flexion_max_deg", "flexion_min_deg", "flexion_range_deg", "abduction_mean_deg", "rotation_mean_deg",
            "standing_time_s", "standing_revolutions", "cadence_rpm_p10", "cadence_rpm_p90",
            "flexion_range_deg_p10", "flexion_range_deg_p90",
            "flexion_range_drift_deg", "abduction_drift_deg", "cadence_drift_rpm")
    return {"cadence_rpm_mean": 0.0, "pedaling_time_s": 0.0} | dict.fromkeys(keys, float("nan"))
