"""Analysis results: one typed `SessionResult` per analysed session, and all of them for trends."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session as OrmSession

from analysis.results import SessionResult
from tracker.domain import AnalysedSession, thigh_of
from tracker.errors import SessionNotFoundError
from tracker.storage import models as m
from tracker.storage.repository_base import Repository
from tracker.storage.result_rows import calibrations as _calibrations
from tracker.storage.result_rows import result_children as _result_children
from tracker.storage.result_rows import result_from_rows, result_row


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

    def load(self, session_id: int) -> SessionResult | None:
        """The stored result of a session, or None if it was never analysed."""
        with self._read() as orm:
            found = self._analysed(orm, m.Session.id == session_id)
        return found[0].result if found else None

    def analysed(self) -> list[AnalysedSession]:
        """Every analysed session with its result, oldest first, in a handful of queries (no raw samples).

        Why bulk: the dashboard's trends must open in well under a second on years of sessions.
        """
        with self._read() as orm:
            return self._analysed(orm, self._mine(m.Session.person_id))

    @staticmethod
    def _analysed(orm: OrmSession, where: sa.ColumnElement[bool]) -> list[AnalysedSession]:
        rows = orm.execute(sa.select(m.Session, m.AnalysisResult).join(
            m.AnalysisResult, m.AnalysisResult.session_id == m.Session.id).where(where).order_by(
            m.Session.started_at, m.Session.id)).all()
        ids = [result.id for _, result in rows]
        children = _result_children(orm, ids, len(rows) == 1)
        calibrations = _calibrations(orm, [session.id for session, _ in rows])
        return [AnalysedSession(session.id, session.exercise_id, session.side, session.started_at,
                                result_from_rows(session, result, children, calibrations.get(session.id)))
                for session, result in rows]
