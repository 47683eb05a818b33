"""Analysis results: one typed `SessionResult` per analysed session, and all of them for trends."""

from __future__ import annotations

import sqlalchemy as sa

from analysis.results import RIDE_SCALARS, RideResult, SessionResult
from tracker.domain import AnalysedSession, Placement, thigh_of
from tracker.errors import SessionNotFoundError
from tracker.storage import models as m
from tracker.storage import reading
from tracker.storage import tables as t
from tracker.storage.repository_base import Repository
from tracker.storage.result_rows import PEAK_COLUMNS, RIDE_COLUMNS, SPANS, pelvis_columns


class ResultRepository(Repository):
    def save(self, session_id: int, result: SessionResult) -> None:
        """Replace the session's results (and its strap calibration) with `result`, in one transaction."""
        with self._write() as orm:
            session = orm.get(m.Session, session_id)
            if session is None:
                raise SessionNotFoundError(session_id)
            orm.execute(sa.delete(m.AnalysisResult).where(m.AnalysisResult.session_id == session_id))
            orm.execute(sa.delete(m.Calibration).where(m.Calibration.session_id == session_id))
            orm.add(result_row(session_id, result))
            calibration = result.calibration
            if calibration.q_sensor_to_thigh_wxyz is not None:
                placement = thigh_of(session.side)
                thigh = next((s for s in session.streams if s.placement == placement), None)
                w, x, y, z = calibration.q_sensor_to_thigh_wxyz
                orm.add(m.Calibration(device_id=thigh.device_id if thigh else None, placement=placement,
                                      session_id=session_id, q_sensor_to_segment_w=w, q_sensor_to_segment_x=x,
                                      q_sensor_to_segment_y=y, q_sensor_to_segment_z=z,
                                      quality=calibration.planarity))
            if calibration.q_sensor_to_pelvis_wxyz is not None:      # after the thigh's: ids keep the order
                pelvis = next((s for s in session.streams if s.placement == Placement.PELVIS), None)
                w, x, y, z = calibration.q_sensor_to_pelvis_wxyz
                orm.add(m.Calibration(device_id=pelvis.device_id if pelvis else None, placement=Placement.PELVIS,
                                      session_id=session_id, q_sensor_to_segment_w=w, q_sensor_to_segment_x=x,
                                      q_sensor_to_segment_y=y, q_sensor_to_segment_z=z, quality=None))

    def load(self, session_id: int) -> SessionResult | None:
        """The stored result of a session, or None if it was never analysed."""
        with self._connection() as connection:
            found = reading.analysed(connection, t.sessions.c.id == session_id)
        return found[0].result if found else None

    def analysed(self) -> list[AnalysedSession]:
        """Every analysed session with its result, oldest first, in a handful of queries (no raw samples).

        Why bulk: the dashboard's trends must open in well under a second on years of sessions.
        """
        with self._connection() as connection:
            return reading.analysed(connection, reading.mine(t.sessions.c.person_id, self.person_id))


def result_row(session_id: int, result: SessionResult) -> m.AnalysisResult:
    c = result.calibration
    peaks = result.peaks.as_dict() if result.peaks is not None else {}
    row = m.AnalysisResult(
        session_id=session_id, algorithm_version=result.algorithm_version, calibration_ok=c.ok,
        calibration_start_s=c.start_s, calibration_end_s=c.end_s, calibration_problem=c.problem,
        duration_s=result.duration_s, warnings=list(result.warnings) or None,
        confidence=None if result.confidence is None else {
            angle: {"level": c.level, "heading_uncertainty_deg": c.heading_uncertainty_deg}
            for angle, c in result.confidence.items()},
        orientation_source=",".join(result.orientation_source) or None,
        **pelvis_columns(result.pelvis, "_range_deg"),
        **{column: peaks.get(key) for key, column in PEAK_COLUMNS.items()})
    row.holds = [m.HoldRow(motion=str(h.motion), start_s=h.start_s, end_s=h.end_s, angle_deg=h.angle_deg,
                           stability_deg=h.stability_deg, compensated=h.compensated,
                           **pelvis_columns(h.pelvis_deg, "_deg")) for h in result.holds]
    row.reps = [m.RepRow(motion=str(r.motion), start_s=r.start_s, end_s=r.end_s, peak_deg=r.peak_deg,
                         compensated=r.compensated, **pelvis_columns(r.pelvis_deg, "_deg"))
                for r in result.reps]
    row.sets = [m.SetRow(start_s=s.start_s, end_s=s.end_s, reps=s.reps) for s in result.sets]
    if result.ride is not None and result.ride.revolutions:    # a ride with no pedalling has nothing to store
        row.ride = _ride_row(result.ride)
    return row


def _ride_row(ride: RideResult) -> m.RideRow:
    details: dict[str, object] = {name: _json_number(ride.metric(name)) for name in RIDE_SCALARS
                                  if name not in RIDE_COLUMNS}
    details |= {name: [{"start_s": a, "end_s": b} for a, b in getattr(ride, name)] for name in SPANS}
    if ride.asymmetry is not None:
        details["asymmetry"] = {k: {"left": v.left, "right": v.right} for k, v in ride.asymmetry.items()}
    return m.RideRow(**{name: _column_value(ride, name) for name in RIDE_COLUMNS}, details=details)


def _column_value(ride: RideResult, name: str) -> float | int:
    return ride.revolutions if name == "revolutions" else ride.metric(name)


def _json_number(value: float) -> float | None:
    """JSON has no NaN: undefined metrics (no seated strokes) are stored as null."""
    return None if value != value else value
