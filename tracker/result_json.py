"""SPEC §5's JSON document of a result: the one place a `SessionResult` becomes plain data.

Used by `analyze --json`, `show --json` and exports alike, so a stored session and a fresh
analysis of the same samples print the same document.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from analysis.results import CalibrationOutcome, HoldEvent, PelvisMotion, RepEvent, SessionResult, SetEvent

if TYPE_CHECKING:
    from analysis.results import RideResult, Span


def result_json(result: SessionResult, session_id: int | None = None) -> dict[str, object]:
    """The SPEC §5 document (keys at least as specified); `session_id` first for stored sessions."""
    identity: dict[str, object] = {} if session_id is None else {"session_id": session_id}
    return identity | {
        "side": result.side.value,
        "exercise": result.exercise,
        "duration_s": _round(result.duration_s),
        "calibration": _calibration(result.calibration),
        "peaks": None if result.peaks is None else {k: _round(v) for k, v in result.peaks.as_dict().items()},
        "holds": [_hold(h) for h in result.holds],
        "reps": [_rep(r) for r in result.reps],
        "sets": [_set(s) for s in result.sets],
        "ride": None if result.ride is None else _ride(result.ride),
        "confidence": None if result.confidence is None else {
            angle: {"level": c.level, "heading_uncertainty_deg": _round(c.heading_uncertainty_deg)}
            for angle, c in result.confidence.items()},
        "orientation_source": list(result.orientation_source),
        "pelvis": _pelvis(result.pelvis),
        "warnings": list(result.warnings),
        "algorithm_version": result.algorithm_version,
    }


def _calibration(c: CalibrationOutcome) -> dict[str, object]:
    if not c.ok:
        return {"ok": False, "problem": c.problem}
    document: dict[str, object] = {"ok": True, "start_s": _round(c.start_s), "end_s": _round(c.end_s)}
    if c.q_sensor_to_thigh_wxyz is not None:
        document["q_sensor_to_thigh_wxyz"] = [round(v, 6) for v in c.q_sensor_to_thigh_wxyz]
    if c.planarity is not None:
        document["planarity"] = _round(c.planarity)
    if c.q_sensor_to_pelvis_wxyz is not None:
        document["q_sensor_to_pelvis_wxyz"] = [round(v, 6) for v in c.q_sensor_to_pelvis_wxyz]
    return document


def _pelvis(p: PelvisMotion | None) -> dict[str, object]:
    """Measured: how far the pelvis tilted, tipped sideways and turned during the exercise. Without
    a pelvis sensor the hip angles assumed it still in the posture's pose, and the document says so."""
    if p is None:
        return {"source": "assumed"}
    return {"source": "measured", "tilt_range_deg": _round(p.tilt_deg), "obliquity_range_deg": _round(p.obliquity_deg),
            "rotation_range_deg": _round(p.rotation_deg)}


def _event_pelvis(moved: PelvisMotion | None, compensated: bool | None) -> dict[str, object]:
    """Per rep and hold, only when the pelvis was measured (otherwise the event reads as before)."""
    if moved is None:
        return {}
    return {"pelvis_deg": {"tilt": _round(moved.tilt_deg), "obliquity": _round(moved.obliquity_deg),
                           "rotation": _round(moved.rotation_deg)}, "compensated": bool(compensated)}


def _hold(h: HoldEvent) -> dict[str, object]:
    return {"start_s": _round(h.start_s), "end_s": _round(h.end_s), "duration_s": _round(h.duration_s),
            "angle_deg": _round(h.angle_deg), "stability_deg": _round(h.stability_deg), "motion": str(h.motion),
            **_event_pelvis(h.pelvis_deg, h.compensated)}


def _rep(r: RepEvent) -> dict[str, object]:
    return {"start_s": _round(r.start_s), "end_s": _round(r.end_s), "peak_deg": _round(r.peak_deg),
            "motion": str(r.motion), **_event_pelvis(r.pelvis_deg, r.compensated)}


def _set(s: SetEvent) -> dict[str, object]:
    return {"start_s": _round(s.start_s), "end_s": _round(s.end_s), "reps": s.reps}


def _ride(ride: RideResult) -> dict[str, object]:
    from analysis.ride_result import RIDE_SCALARS  # a ride's result has loaded it already

    document: dict[str, object] = {name: _round(ride.metric(name)) for name in RIDE_SCALARS
                                   if not (name.startswith("pelvis_") and math.isnan(ride.metric(name)))}
    document |= {"revolutions": ride.revolutions, "coasting": _spans(ride.coasting),
                 "pedalling": _spans(ride.pedalling), "standing": _spans(ride.standing), "stops": _spans(ride.stops)}
    if ride.asymmetry is not None:
        document["asymmetry"] = {k: {"left": _round(v.left), "right": _round(v.right),
                                     "difference": _round(v.difference)} for k, v in ride.asymmetry.items()}
    return document


def _spans(spans: tuple[Span, ...]) -> list[dict[str, float | None]]:
    return [{"start_s": _round(a), "end_s": _round(b)} for a, b in spans]


def _round(value: float | None) -> float | None:
    """Three decimals (ms, thousandths of a degree); NaN and missing values are JSON null."""
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), 3)
