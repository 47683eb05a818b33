"""Progress a person can trust: per exercise, motion and side, what changed beyond measurement noise,
how the plan is kept, how pain goes — and gentle, non-diagnostic alerts drawn from the seeds' advice.

`build_report` is pure (stored rows in, a report out); `load_report` is its I/O edge.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np

from analysis.trends import PainParams, PainTrend, RangeTrend, TrendParams, pain_trend, range_trend
from tracker import catalog
from tracker.adherence import Adherence, adherence
from tracker.catalog import Prescription
from tracker.domain import AnalysedSession, PainEntry
from tracker.plans import PlanItem
from tracker.reader import tracked_motions
from tracker.report import motion_words, plural, span_text

if TYPE_CHECKING:       # the dashboard builds reports from Core rows: the ORM's store need not load with them
    from tracker.storage.store import Store

ALERT_KINDS = ("range_decreasing", "plateau", "pain_increasing", "pain_not_improving", "asymmetry",
               "below_prescription", "strap_moved", "pelvis_compensation")

HOLD_SHORT_FRACTION = 0.9
"""A hold within 10 % of the prescribed minimum counts as done: a second short of a minute is a minute."""


@dataclass(frozen=True, slots=True)
class Alert:
    kind: str
    message: str
    exercise: str | None = None
    motion: str | None = None
    side: str | None = None

    def to_json(self) -> dict[str, object]:
        return {"kind": self.kind, "message": self.message, "exercise": self.exercise, "motion": self.motion,
                "side": self.side}


@dataclass(frozen=True, slots=True)
class SessionPoint:
    session_id: int
    started_at: datetime
    best_deg: float
    """The session's extreme in the motion's direction (positive = more range)."""
    typical_deg: float
    """Median of the session's reps and holds in that direction (the best if it had none)."""
    sets: int
    best_set_reps: int
    longest_hold_s: float | None
    """What was achieved, to set against the prescription."""
    confidence: str | None = None
    """'high', 'medium' or 'low' for the angle this motion is measured on (None: not known)."""


@dataclass(frozen=True, slots=True)
class ProgressItem:
    exercise: str
    motion: str
    side: str
    points: tuple[SessionPoint, ...]
    trend: RangeTrend
    alerts: tuple[Alert, ...]
    prescription: Prescription
    """The plan's dose for this exercise and side, else the seed's."""

    @property
    def low_confidence_sessions(self) -> int:
        """Sessions whose heading went unobserved too long for this angle (the trend mixes them in)."""
        return sum(1 for p in self.points if p.confidence == "low")

    def to_json(self) -> dict[str, object]:
        slope = self.trend.slope
        return {
            "exercise": self.exercise, "motion": self.motion, "side": self.side, "sessions": self.trend.sessions,
            "best_deg": _r(self.trend.best_deg), "latest_deg": _r(self.trend.latest_deg),
            "typical_deg": _r(self.trend.typical_deg),
            "slope_deg_per_week": None if slope is None else _r(slope.per_week),
            "slope_interval_deg_per_week": None if slope is None else [_r(slope.low_per_week),
                                                                        _r(slope.high_per_week)],
            "change_deg": None if slope is None else _r(slope.change), "trend": self.trend.direction,
            "plateau": self.trend.plateau,
            "prescription": self.prescription.to_json(),
            "history": [{"session_id": p.session_id, "started_at": p.started_at.isoformat(),
                         "best_deg": _r(p.best_deg), "typical_deg": _r(p.typical_deg), "sets": p.sets,
                         "best_set_reps": p.best_set_reps,
                         "longest_hold_s": None if p.longest_hold_s is None else _r(p.longest_hold_s),
                         "confidence": p.confidence}
                        for p in self.points],
            "low_confidence_sessions": self.low_confidence_sessions,
            "alerts": [a.to_json() for a in self.alerts],
        }


@dataclass(frozen=True, slots=True)
class ProgressReport:
    items: tuple[ProgressItem, ...]
    adherence: Adherence
    pain: PainTrend | None
    alerts: tuple[Alert, ...]
    """Every alert: the items' and the report-wide ones (pain, asymmetry)."""
    mdc_deg: float

    def to_json(self) -> dict[str, object]:
        pain = None if self.pain is None else {
            "entries": self.pain.entries, "latest": self.pain.latest, "first_week_mean": _r(self.pain.first_week_mean),
            "last_week_mean": _r(self.pain.last_week_mean),
            "slope_per_week": None if self.pain.slope is None else _r(self.pain.slope.per_week)}
        return {"items": [i.to_json() for i in self.items], "adherence": self.adherence.to_json(), "pain": pain,
                "alerts": [a.to_json() for a in self.alerts], "mdc_deg": self.mdc_deg,
                "red_flags": list(catalog.RED_FLAGS)}


@dataclass(frozen=True, slots=True)
class ProgressParams:
    trend: TrendParams = field(default_factory=TrendParams)
    pain: PainParams = field(default_factory=PainParams)
    regular_sessions_per_week: float = 2.0
    """'Regular work' (for the pain-not-improving rule): at least this many session days a week."""


def load_report(store: Store, now: datetime, params: ProgressParams | None = None) -> ProgressReport:
    """Everything the progress view needs, read in a few bulk queries."""
    return build_report(store.results.analysed(), store.pain.entries(), store.plans.items(include_inactive=True), now,
                        params)


def build_report(rows: Sequence[AnalysedSession], pain: Sequence[PainEntry], plan: Sequence[PlanItem], now: datetime,
                 params: ProgressParams | None = None) -> ProgressReport:
    params = params or ProgressParams()
    active_plan = [p for p in plan if p.active]
    rows_by_key = _rows_by_key(rows)
    items = [_item(key, points, rows_by_key[key], active_plan, params) for key, points in _points(rows).items()]
    items.sort(key=lambda i: (i.exercise, i.motion, i.side))
    alerts = [a for item in items for a in item.alerts] + _asymmetry(items, params.trend.mdc_deg) + _strap(rows) \
        + _compensation(rows)
    pain_summary = _pain(rows, pain, params)
    if pain_summary is not None:
        alerts += _pain_alerts(pain_summary, rows, params)
    return ProgressReport(tuple(items), adherence(rows, plan, now), pain_summary, tuple(alerts),
                          params.trend.mdc_deg)


# -- per exercise, motion and side -----------------------------------------------------------------------
Key = tuple[str, str, str]


def _rows_by_key(rows: Sequence[AnalysedSession]) -> dict[Key, list[AnalysedSession]]:
    grouped: dict[Key, list[AnalysedSession]] = defaultdict(list)
    for row in rows:
        if row.calibrated:
            for direction in tracked_motions(row.exercise):
                grouped[(row.exercise, direction.motion.value, row.side.value)].append(row)
    return grouped


def _points(rows: Sequence[AnalysedSession]) -> dict[Key, list[SessionPoint]]:
    points: dict[Key, list[SessionPoint]] = defaultdict(list)
    for row in rows:
        if not row.calibrated:
            continue
        result = row.result
        if result.peaks is None:
            continue
        for direction in tracked_motions(row.exercise):
            motion, sign = direction.motion, direction.sign
            events = [sign * r.peak_deg for r in result.reps if r.motion == motion] + \
                [sign * h.angle_deg for h in result.holds if h.motion == motion]
            best = sign * result.peaks.of(direction)
            typical = float(statistics.median(events)) if events else best
            holds = [h.duration_s for h in result.holds if h.motion == motion]
            angle = (result.confidence or {}).get(direction.axis.name.lower())
            points[(row.exercise, motion.value, row.side.value)].append(
                SessionPoint(row.session_id, row.started_at, best, typical, len(result.sets),
                             max((s.reps for s in result.sets), default=0), max(holds) if holds else None,
                             angle.level if angle is not None else None))
    return points


def _item(key: Key, points: list[SessionPoint], rows: list[AnalysedSession], plan: Sequence[PlanItem],
          params: ProgressParams) -> ProgressItem:
    exercise, motion, side = key
    days = _days([p.started_at for p in points])
    trend = range_trend(days, np.array([p.best_deg for p in points]), params.trend)
    alerts: list[Alert] = []
    label = f"{motion_words(motion).capitalize()} in {catalog.get(exercise).name} ({side})"
    mdc = params.trend.mdc_deg
    if trend.direction == "declining" and trend.slope is not None:
        alerts.append(Alert("range_decreasing", f"{label} has dropped about {abs(trend.slope.change):.0f}° over "
                            f"{trend.slope.span_weeks:.0f} weeks, more than the {mdc:g}° a measurement can wobble. "
                            "Range follows 'use it or lose it': keep reaching the end of it regularly.",
                            exercise, motion, side))
    elif trend.plateau:
        alerts.append(Alert("plateau", f"{label}: no real change for {params.trend.plateau_weeks:g} weeks "
                            f"(within ±{mdc:g}°). Fine for keeping what you have; to progress, vary the exercise "
                            "or ask a physiotherapist.", exercise, motion, side))
    item = next((p for p in plan if p.exercise_id == exercise and p.covers(side)), None)
    alerts += _prescription_alerts(rows[-1], motion, item, label, exercise, side)
    prescription = item.prescription if item is not None else catalog.get(exercise).prescription
    return ProgressItem(exercise, motion, side, tuple(points), trend, tuple(alerts), prescription)


def _prescription_alerts(row: AnalysedSession, motion: str, item: PlanItem | None, label: str, exercise: str,
                         side: str) -> list[Alert]:
    """The latest session against the plan's dose (or the seed's, with no plan)."""
    prescription = item.prescription if item is not None else catalog.get(exercise).prescription
    short: list[str] = []
    result = row.result
    durations = [h.duration_s for h in result.holds if h.motion == motion]
    reps_per_set = [s.reps for s in result.sets]
    if prescription.hold_s is not None and durations:
        longest = max(durations)
        if longest < HOLD_SHORT_FRACTION * prescription.hold_s[0]:
            short.append(f"longest hold {longest:.0f} s, prescribed {span_text(prescription.hold_s)} s")
    if prescription.sets is not None and reps_per_set and len(reps_per_set) < prescription.sets[0]:
        short.append(f"{plural(len(reps_per_set), 'set')}, prescribed {span_text(prescription.sets)}")
    if prescription.reps is not None and reps_per_set:
        directions = len(tracked_motions(exercise))
        reps = max(reps_per_set) / max(directions, 1)
        if reps < prescription.reps[0]:
            short.append(f"{reps:.0f} reps in the best set, prescribed {span_text(prescription.reps)}")
    if item is not None and item.target_deg is not None:
        best = max((d.sign * result.peaks.of(d) for d in tracked_motions(exercise)
                    if d.motion == motion and result.peaks is not None), default=0.0)
        if best < item.target_deg:
            short.append(f"best {best:.0f}°, target {item.target_deg:.0f}°")
    if not short:
        return []
    return [Alert("below_prescription", f"{label}, last session: " + "; ".join(short) + ".", exercise, motion,
                  side)]


def _asymmetry(items: Sequence[ProgressItem], mdc: float) -> list[Alert]:
    by_motion: dict[tuple[str, str], dict[str, ProgressItem]] = defaultdict(dict)
    for item in items:
        by_motion[(item.exercise, item.motion)][item.side] = item
    alerts = []
    for (exercise, motion), sides in by_motion.items():
        if {"left", "right"} <= set(sides):
            left, right = sides["left"].trend.typical_deg, sides["right"].trend.typical_deg
            if abs(left - right) > mdc:
                what = f"{motion_words(motion).capitalize()} in {catalog.get(exercise).name}"
                difference = (f"left {left:.0f}°, right {right:.0f}°, a {abs(left - right):.0f}° difference "
                              f"(more than the {mdc:g}° a measurement can wobble)")
                alerts.append(Alert("asymmetry", f"{what}: {difference}.", exercise, motion, "both"))
    return alerts


COMPENSATED_SHARE = 0.5
"""The latest session of an exercise with at least this share of its reps reached by moving the pelvis gets a cue."""


def _compensation(rows: Sequence[AnalysedSession]) -> list[Alert]:
    """Per exercise and side, the latest session measured with a pelvis sensor whose reps mostly moved the pelvis."""
    latest: dict[tuple[str, str], AnalysedSession] = {}
    for row in rows:                                           # oldest first: later rows replace earlier ones
        if row.calibrated and any(r.compensated is not None for r in row.result.reps):
            latest[(row.exercise, row.side.value)] = row
    alerts = []
    for (exercise, side), row in latest.items():
        reps = row.result.reps
        compensated = sum(bool(r.compensated) for r in reps)
        if compensated >= COMPENSATED_SHARE * len(reps):
            name = next((e.name for e in catalog.EXERCISES if e.id == exercise), exercise)     # retired ones too
            alerts.append(Alert("pelvis_compensation", f"{name} ({side}) on {row.started_at:%Y-%m-%d}: "
                                f"{compensated} of {len(reps)} reps were reached by moving the pelvis. Keep the "
                                "pelvis and low back still: the range the hip gives on its own is what improves.",
                                exercise, None, side))
    return alerts


def _strap(rows: Sequence[AnalysedSession]) -> list[Alert]:
    """The latest session per side whose thigh or pelvis strap sits very differently from the sessions before it."""
    from analysis.placement import strap_shift  # its rotations load SciPy: `sessions` lists without it

    alerts = []
    for side in ("left", "right"):
        calibrated = [r for r in rows if r.calibrated and r.side.value == side]       # oldest first
        if len(calibrated) < 2:
            continue
        latest, earlier = calibrated[-1], calibrated[:-1]
        for segment in ("thigh", "pelvis"):
            current = getattr(latest.result.calibration, f"q_sensor_to_{segment}_wxyz")
            previous = [q for r in earlier if (q := getattr(r.result.calibration, f"q_sensor_to_{segment}_wxyz"))]
            shift = strap_shift(previous, current) if current is not None else None
            if shift is not None and shift.moved:
                where = f"{side} thigh" if segment == "thigh" else "pelvis (sacrum)"
                alerts.append(Alert("strap_moved", f"The {where} sensor sat {shift.shift_deg:.0f}° differently on "
                                    f"{latest.started_at:%Y-%m-%d} than in the sessions before: strap it the same way "
                                    "each time (README: strap placement), or ranges will not compare.",
                                    latest.exercise, None, side))
    return alerts


# -- pain -------------------------------------------------------------------------------------------------
def _pain(rows: Sequence[AnalysedSession], pain: Sequence[PainEntry], params: ProgressParams) -> PainTrend | None:
    """One score per session: its session rating, else the mean of its set ratings."""
    started = {row.session_id: row.started_at for row in rows}
    per_session: dict[int, list[int]] = defaultdict(list)
    whole: dict[int, int] = {}
    for entry in pain:
        if entry.set_index is None:
            whole[entry.session_id] = entry.score
        else:
            per_session[entry.session_id].append(entry.score)
    scores = {sid: float(whole[sid]) if sid in whole else float(np.mean(per_session[sid]))
              for sid in set(whole) | set(per_session) if sid in started}
    if not scores:
        return None
    order = sorted(scores, key=lambda sid: started[sid])
    return pain_trend(_days([started[s] for s in order]), np.array([scores[s] for s in order]), params.pain)


def _pain_alerts(trend: PainTrend, rows: Sequence[AnalysedSession], params: ProgressParams) -> list[Alert]:
    alerts = []
    if trend.increasing:
        alerts.append(Alert("pain_increasing", f"Pain has been trending up for {params.pain.rising_weeks:g}+ weeks "
                            f"({trend.first_week_mean:.0f} → {trend.last_week_mean:.0f} out of 10). Ease off; if it "
                            "keeps getting worse, see a professional (physiotherapist or doctor)."))
    if trend.not_improving and _regular(rows, params):
        alerts.append(Alert("pain_not_improving", "After weeks of regular work your pain has not improved "
                            f"({trend.first_week_mean:.0f} → {trend.last_week_mean:.0f} out of 10). Mobility work "
                            "usually helps within three to six weeks; when it does not, see a professional."))
    return alerts


def _regular(rows: Sequence[AnalysedSession], params: ProgressParams) -> bool:
    days = sorted({row.started_at.astimezone().date() for row in rows})
    if len(days) < 2:
        return False
    weeks = max((days[-1] - days[0]).days / 7.0, 1.0)
    return len(days) / weeks >= params.regular_sessions_per_week


def _days(times: Sequence[datetime]) -> np.ndarray:
    origin = times[0]
    return np.array([(t - origin).total_seconds() / 86400.0 for t in times])


def _r(value: float) -> float:
    return round(float(value), 2)
