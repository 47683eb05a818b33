"""A `SessionResult` as rows and back: summary columns for what the dashboard queries, child rows for
holds, reps and sets, a ride row with its distributions and spans as JSON.

Why its own module: every field of the typed result must make the round trip (a test checks that
`show --json` equals `analyze --json`), and that mapping is easier to keep whole in one place.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import fields
from typing import TYPE_CHECKING, Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from analysis.peaks import Peaks
from analysis.results import (
    CalibrationOutcome,
    HoldEvent,
    MotionConfidence,
    PelvisMotion,
    RepEvent,
    SessionResult,
    SetEvent,
)
from sensors.placement import Placement
from tracker.storage import tables as t
from tracker.storage.reading import PEAK_COLUMNS

if TYPE_CHECKING:
    from analysis.results import RideResult, Span

RIDE_COLUMNS = tuple(c.key for c in t.ride_metrics.columns if c.key not in ("id", "result_id", "details"))
SPANS = ("pedalling", "coasting", "standing", "stops")
Quaternion = tuple[float, float, float, float]
CalibrationRow = tuple[Quaternion | None, float | None, Quaternion | None]
"""Thigh strap alignment, its planarity, and the pelvis (sacrum) strap alignment when there was one."""


ChildRow = tuple[Any, ...]
"""A hold, rep or set as a plain tuple of the columns in HOLD_COLUMNS, REP_COLUMNS or SET_COLUMNS.

Why tuples: years of sessions hold tens of thousands of child rows; ORM instances cost the dashboard
about a second of CPU, and even reading a Core row's columns by name costs a third of what is left.
They are only read, never changed.
"""

HOLD_COLUMNS = ("motion", "start_s", "end_s", "angle_deg", "stability_deg", "pelvis_tilt_deg", "pelvis_obliquity_deg",
                "pelvis_rotation_deg", "compensated")
REP_COLUMNS = ("motion", "start_s", "end_s", "peak_deg", "pelvis_tilt_deg", "pelvis_obliquity_deg",
               "pelvis_rotation_deg", "compensated")
SET_COLUMNS = ("start_s", "end_s", "reps")


class ResultChildren(NamedTuple):
    """Holds, reps, sets and ride rows of some results, by result id.

    A NamedTuple, not a frozen dataclass: this module loads for `hiptrack show`, and defining a frozen
    dataclass costs a new process about two and a half times what a named tuple does."""

    holds: Mapping[int, list[ChildRow]]
    reps: Mapping[int, list[ChildRow]]
    sets: Mapping[int, list[ChildRow]]
    rides: Mapping[int, sa.Row[Any]]


def result_children(connection: Connection, result_ids: Sequence[int], only_these: bool) -> ResultChildren:
    """Child rows of the given results; `only_these` filters by id (one session), else reads all (bulk)."""
    def rows(table: sa.Table, columns: Sequence[str] | None = None) -> Sequence[sa.Row[Any]]:
        query = sa.select(table.c.result_id, *(table.c[name] for name in columns)) if columns is not None else \
            sa.select(*table.columns)
        if only_these:
            query = query.where(table.c.result_id.in_(result_ids))
        return connection.execute(query.order_by(table.c.result_id, table.c.start_s if "start_s" in table.c
                                                 else table.c.id)).all()

    holds: defaultdict[int, list[ChildRow]] = defaultdict(list)
    reps: defaultdict[int, list[ChildRow]] = defaultdict(list)
    sets: defaultdict[int, list[ChildRow]] = defaultdict(list)
    for grouped, table, columns in ((holds, t.holds, HOLD_COLUMNS), (reps, t.reps, REP_COLUMNS),
                                    (sets, t.sets, SET_COLUMNS)):
        for row in rows(table, columns):
            grouped[row[0]].append(tuple(row[1:]))
    return ResultChildren(holds, reps, sets, {row.result_id: row for row in rows(t.ride_metrics)})


def calibrations(connection: Connection, session_ids: Sequence[int]) -> dict[int, CalibrationRow]:
    """The stored strap calibrations of each session: thigh and pelvis (the newest of each, if several)."""
    if not session_ids:
        return {}
    c = t.calibrations.c
    query = sa.select(*t.calibrations.columns).where(c.session_id.in_(session_ids)).order_by(c.id)
    found: dict[int, CalibrationRow] = {}
    for row in connection.execute(query):
        if row.session_id is None:
            continue
        wxyz = (row.q_sensor_to_segment_w, row.q_sensor_to_segment_x, row.q_sensor_to_segment_y,
                row.q_sensor_to_segment_z)
        thigh, quality, pelvis = found.get(row.session_id, (None, None, None))
        found[row.session_id] = (thigh, quality, wxyz) if row.placement == Placement.PELVIS else (wxyz, row.quality,
                                                                                                   pelvis)
    return found


def result_from_rows(row: Any, children: ResultChildren, calibration: CalibrationRow | None) -> SessionResult:
    """A stored result: `row` holds the analysis_results columns and the session's exercise_id, side and
    (as session_duration_s) duration_s."""
    wxyz, planarity, pelvis_wxyz = calibration if calibration is not None else (None, None, None)
    outcome = CalibrationOutcome(row.calibration_start_s, row.calibration_end_s, wxyz, planarity,
                                 q_sensor_to_pelvis_wxyz=pelvis_wxyz) \
        if row.calibration_ok else CalibrationOutcome(problem=row.calibration_problem or "no calibration found")
    peaks = Peaks(**{key: getattr(row, column) for key, column in PEAK_COLUMNS.items()}) \
        if row.calibration_ok and row.flexion_max_deg is not None else None
    ride = children.rides.get(row.id)
    return SessionResult(
        side=row.side, exercise=row.exercise_id,
        duration_s=row.duration_s if row.duration_s is not None else row.session_duration_s,
        calibration=outcome, peaks=peaks,
        holds=tuple(HoldEvent(motion, start, end, angle, stability if stability is not None else float("nan"),
                              _pelvis(tilt, obliquity, rotation), compensated)
                    for motion, start, end, angle, stability, tilt, obliquity, rotation, compensated
                    in children.holds.get(row.id, ())),
        reps=tuple(RepEvent(motion, start, end, peak, _pelvis(tilt, obliquity, rotation), compensated)
                   for motion, start, end, peak, tilt, obliquity, rotation, compensated
                   in children.reps.get(row.id, ())),
        sets=tuple(SetEvent(*values) for values in children.sets.get(row.id, ())),
        ride=None if ride is None else _ride_result(ride), algorithm_version=row.algorithm_version,
        warnings=tuple(row.warnings or ()),
        confidence=None if row.confidence is None else {
            angle: MotionConfidence(str(c["level"]), float(c["heading_uncertainty_deg"]))
            for angle, c in row.confidence.items() if isinstance(c, dict)},
        orientation_source=tuple(row.orientation_source.split(",")) if row.orientation_source else (),
        pelvis=_pelvis(row.pelvis_tilt_range_deg, row.pelvis_obliquity_range_deg, row.pelvis_rotation_range_deg))


_PLANES = ("tilt", "obliquity", "rotation")


def pelvis_columns(motion: PelvisMotion | None, suffix: str) -> dict[str, float | None]:
    """pelvis_<plane><suffix> columns of a PelvisMotion (all None without a pelvis sensor)."""
    return {f"pelvis_{plane}{suffix}": None if motion is None else getattr(motion, f"{plane}_deg")
            for plane in _PLANES}


def _pelvis(tilt: float | None, obliquity: float | None, rotation: float | None) -> PelvisMotion | None:
    """The stored pelvis ranges, or None when any is missing (no pelvis sensor)."""
    if tilt is None or obliquity is None or rotation is None:
        return None
    return PelvisMotion(float(tilt), float(obliquity), float(rotation))


def _ride_result(row: sa.Row[Any]) -> RideResult:
    """A ride's stored row as its result (the ride's types load here: reading a stretch's result needs none)."""
    from analysis.ride_result import RIDE_SCALARS, RideResult, SideDifference

    details: dict[str, Any] = dict(row.details or {})
    known = {f.name for f in fields(RideResult)}
    values: dict[str, Any] = {name: getattr(row, name) for name in RIDE_COLUMNS if name in known}
    values |= {k: float("nan") if v is None else v for k, v in details.items() if k in RIDE_SCALARS}
    values |= {name: _spans(details.get(name)) for name in SPANS}
    asymmetry = details.get("asymmetry")
    values["asymmetry"] = None if not asymmetry else \
        {k: SideDifference(v["left"], v["right"]) for k, v in asymmetry.items()}
    return RideResult(**values)


def _spans(stored: list[dict[str, float]] | None) -> tuple[Span, ...]:
    return tuple((s["start_s"], s["end_s"]) for s in stored or ())
