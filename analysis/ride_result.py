"""A ride's numbers as a stored result holds them (SPEC §5 `ride`), apart from `analysis.results` so that
reading a stretch's or a hold's result never defines them; `analysis.results` still exports them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

from analysis.results import Span

if TYPE_CHECKING:
    from analysis.ride import RideMetrics


@dataclass(frozen=True, slots=True)
class SideDifference:
    """One per-stroke metric of a ride with both thighs instrumented: each side's value."""

    left: float
    right: float

    @property
    def difference(self) -> float:
        return self.right - self.left


@dataclass(frozen=True, slots=True)
class RideResult:
    """A ride's numbers (SPEC §5 `ride`): cadence, per-stroke thigh range, knee tracking, their spread
    and drift, and where pedalling paused. Per-stroke means leave standing strokes out."""

    revolutions: int
    cadence_rpm_mean: float
    pedaling_time_s: float
    flexion_max_deg: float
    flexion_min_deg: float
    flexion_range_deg: float
    abduction_mean_deg: float
    rotation_mean_deg: float
    standing_time_s: float = float("nan")
    standing_revolutions: float = float("nan")
    cadence_rpm_p10: float = float("nan")
    cadence_rpm_p90: float = float("nan")
    flexion_range_deg_p10: float = float("nan")
    flexion_range_deg_p90: float = float("nan")
    flexion_range_drift_deg: float = float("nan")
    abduction_drift_deg: float = float("nan")
    cadence_drift_rpm: float = float("nan")
    pelvis_obliquity_range_deg: float = float("nan")
    """Rides with a pelvis sensor: per-stroke side-to-side rocking (obliquity max − min), mean over seated strokes."""
    pelvis_tilt_range_deg: float = float("nan")
    """...and per-stroke fore-aft rocking (tilt max − min)."""
    pelvis_obliquity_range_drift_deg: float = float("nan")
    """Last tenth of the strokes minus the first: rocking that grows as the rider tires."""
    pelvis_tilt_range_drift_deg: float = float("nan")
    pedalling: tuple[Span, ...] = ()
    coasting: tuple[Span, ...] = ()
    standing: tuple[Span, ...] = ()
    stops: tuple[Span, ...] = ()
    asymmetry: Mapping[str, SideDifference] | None = None
    """Per-stroke metric → left and right, when both thighs were instrumented."""

    @classmethod
    def from_metrics(cls, metrics: RideMetrics, asymmetry: Mapping[str, SideDifference] | None = None) -> RideResult:
        known = {f.name for f in fields(cls)}
        return cls(revolutions=len(metrics.revolutions), **{k: v for k, v in metrics.summary.items() if k in known},
                   pedalling=metrics.pedalling_s, coasting=metrics.coasting_s, standing=metrics.standing_s,
                   stops=metrics.stops_s, asymmetry=asymmetry)

    def metric(self, name: str) -> float:
        """A scalar metric by its SPEC §5 key (for tables that pick metrics by name)."""
        value = getattr(self, name)
        if not isinstance(value, (int, float)):
            raise KeyError(name)
        return float(value)


RIDE_SCALARS: tuple[str, ...] = tuple(f.name for f in fields(RideResult)
                                      if f.type in ("int", "float") and f.name != "revolutions")
"""The ride's scalar metrics, SPEC §5 keys first."""
