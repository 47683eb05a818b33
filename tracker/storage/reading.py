"""Reading sessions, results, pain and people with SQLAlchemy Core: rows in, the domain's dataclasses out.

Why Core: `hiptrack sessions` and `show` must answer about as fast as Python can import SQLAlchemy
and Typer, and loading and configuring the ORM mapping costs more than that. The repositories use the
same functions on their unit of work's connection, so there is one way to read each thing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import fields
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from analysis.vocabulary import DIRECTIONS
from tracker.catalog import Prescription
from tracker.domain import (
    AnalysedSession,
    PainEntry,
    SessionHeadline,
    SessionStatus,
    SessionSummary,
    Source,
    StreamInfo,
    thigh_of,
)
from tracker.errors import BadInputError, SessionNotFoundError
from tracker.plans import PlanItem
from tracker.storage import tables as t

DEFAULT_PERSON = "default"
"""The name that means the default person (sessions with no person), in `--person` and `people list`."""

PEAK_COLUMNS = {d.peak_key: f"{d.motion.value}_max_deg" for d in DIRECTIONS}
"""SPEC §5 peak key → its column in analysis_results (the column names predate the key names)."""

STALE_AFTER_S = 6.0
"""A recorder commits (and beats) every 0.5 s; twelve missed beats mean it is gone, not slow."""


def mine(column: sa.ColumnElement[int | None], person_id: int | None) -> sa.ColumnElement[bool]:
    """`column` (a person_id column) is `person_id`: rows of two people never mix (None: the default person)."""
    return column.is_(None) if person_id is None else column == person_id


def published() -> sa.ColumnElement[bool]:
    """Not an import still being written (imports appear whole, analysed, or not at all)."""
    s = t.sessions.c
    return sa.not_(sa.and_(s.source == Source.IMPORTED, s.status == SessionStatus.RECORDING))


def person_id(connection: Connection, name: str | None) -> int | None:
    """The person's id; None for the default person (no name, or 'default'); unknown names are refused."""
    if name is None or name.lower() == DEFAULT_PERSON:
        return None
    found = connection.scalar(sa.select(t.people.c.id).where(t.people.c.name == name))
    if found is None:
        raise BadInputError(f"no person called {name!r}; add them first: hiptrack people add {name}")
    return int(found)


def mark_stale_interrupted(connection: Connection, now: datetime, stale_after_s: float = STALE_AFTER_S) -> list[int]:
    """Sessions still 'recording' whose recorder stopped beating were interrupted (killed, crashed).

    An import that stopped beating was never published: it is removed (its rows go with it, by the
    foreign keys' ON DELETE), not kept half-written.
    """
    s = t.sessions.c
    stale = connection.execute(sa.select(s.id, s.source).where(
        s.status == SessionStatus.RECORDING, s.heartbeat_at < now - timedelta(seconds=stale_after_s))).all()
    imports = [i for i, source in stale if source is Source.IMPORTED]
    interrupted = [i for i, source in stale if source is not Source.IMPORTED]
    if interrupted:
        connection.execute(sa.update(t.sessions).where(s.id.in_(interrupted)).values(
            status=SessionStatus.INTERRUPTED))
    if imports:
        connection.execute(sa.delete(t.sessions).where(s.id.in_(imports)))
    return interrupted


def summaries(connection: Connection, person: int | None) -> list[SessionSummary]:
    """Every published session of the person, oldest first (an import in progress is not a session yet)."""
    s = t.sessions.c
    return [found for _, found in _summaries(connection, sa.and_(published(), mine(s.person_id, person)))]


def summary(connection: Connection, session_id: int, person: int | None) -> SessionSummary:
    """One session of the person; another person's is refused as such, an unknown id as unknown."""
    found = _summaries(connection, t.sessions.c.id == session_id)
    if not found or found[0][0] != person:
        raise SessionNotFoundError(session_id, another_persons=bool(found))
    return found[0][1]


def _summaries(connection: Connection, where: sa.ColumnElement[bool]) -> list[tuple[int | None, SessionSummary]]:
    """(whose, summary) of the sessions matching `where`, oldest first."""
    s, st = t.sessions.c, t.streams.c
    rows = connection.execute(sa.select(s.id, s.person_id, s.exercise_id, s.side, s.source, s.status, s.started_at,
                                        s.duration_s, s.notes).where(where).order_by(s.started_at, s.id)).all()
    if not rows:
        return []
    query = sa.select(st.id, st.session_id, st.placement, st.rate_hz, st.sample_count, st.has_mag,
                      t.devices.c.name).select_from(t.streams.outerjoin(t.devices, t.devices.c.id == st.device_id))
    if len(rows) == 1:
        query = query.where(st.session_id == rows[0].id)
    streams: defaultdict[int, list[StreamInfo]] = defaultdict(list)
    for r in connection.execute(query.order_by(st.session_id, st.id)):
        streams[r.session_id].append(StreamInfo(r.id, r.placement, r.rate_hz, r.sample_count, r.has_mag, r.name))
    out = []
    for row in rows:
        own = tuple(streams.get(row.id, ()))
        thigh = next((i for i in own if i.placement == thigh_of(row.side)), own[0] if own else None)
        out.append((row.person_id, SessionSummary(
            id=row.id, exercise=row.exercise_id, side=row.side, source=row.source, status=row.status,
            started_at=row.started_at, duration_s=row.duration_s, samples=sum(i.samples for i in own),
            rate_hz=thigh.rate_hz if thigh else 0.0, notes=row.notes, streams=own)))
    return out


def analysed(connection: Connection, where: sa.ColumnElement[bool]) -> list[AnalysedSession]:
    """Analysed sessions matching `where` (on the sessions table) with their results, oldest first, in a
    handful of queries (no raw samples)."""
    from tracker.storage.result_rows import calibrations, result_children, result_from_rows  # only to read results

    s, r = t.sessions.c, t.analysis_results
    rows = connection.execute(sa.select(s.id.label("session_key"), s.exercise_id, s.side, s.started_at,
                                        s.duration_s.label("session_duration_s"), *r.c).join_from(
        t.sessions, r, r.c.session_id == s.id).where(where).order_by(s.started_at, s.id)).all()
    children = result_children(connection, [row.id for row in rows], len(rows) == 1)
    found = calibrations(connection, [row.session_key for row in rows])
    return [AnalysedSession(row.session_key, row.exercise_id, row.side, row.started_at,
                            result_from_rows(row, children, found.get(row.session_key)))
            for row in rows]


def headlines(connection: Connection, where: sa.ColumnElement[bool]) -> list[SessionHeadline]:
    """Analysed sessions matching `where` with their peaks only, oldest first: one query, plain values.

    The same sessions as `analysed` and the same peaks as their results (None unless calibrated)."""
    from analysis.peaks import Peaks  # here: listing loads this module and needs no peaks type

    s, r = t.sessions.c, t.analysis_results.c
    columns = [r[PEAK_COLUMNS[f.name]] for f in fields(Peaks)]     # in Peaks' own order: built positionally
    query = sa.select(s.id, s.exercise_id, s.side, s.started_at, r.calibration_ok, r.flexion_max_deg.label("stored"),
                      *columns).join_from(t.sessions, t.analysis_results, r.session_id == s.id).where(
        where).order_by(s.started_at, s.id)
    return [SessionHeadline(session_id, exercise, side, started_at,
                            Peaks(*peaks) if calibrated and flexion is not None else None)
            for session_id, exercise, side, started_at, calibrated, flexion, *peaks in connection.execute(query).all()]


def pain_entries(connection: Connection, person: int | None, session_id: int | None = None) -> list[PainEntry]:
    """Pain entries of one session, or of all the person's sessions, oldest first."""
    p = t.pain_ratings.c
    query = sa.select(p.session_id, p.score, p.set_index, p.note, p.recorded_at).join_from(
        t.pain_ratings, t.sessions, t.sessions.c.id == p.session_id).where(
        mine(t.sessions.c.person_id, person)).order_by(p.recorded_at, p.id)
    if session_id is not None:
        query = query.where(p.session_id == session_id)
    return [PainEntry(r.session_id, r.score, r.set_index, r.note, r.recorded_at) for r in connection.execute(query)]


def session_ids(connection: Connection, person: int | None) -> Sequence[int]:
    """Ids of the person's published sessions."""
    s = t.sessions.c
    return list(connection.scalars(sa.select(s.id).where(published(), mine(s.person_id, person)).order_by(s.id)))


def plan_items(connection: Connection, person: int | None, include_inactive: bool = False) -> list[PlanItem]:
    """The person's plan, oldest item first; removed items too when asked (past weeks still count them)."""
    p = t.plan_items.c
    query = sa.select(*t.plan_items.columns).where(mine(p.person_id, person)).order_by(p.id)
    if not include_inactive:
        query = query.where(p.active.is_(True))
    return [PlanItem(row.exercise_id, row.side, Prescription(
        sets=_span(row.sets_min, row.sets_max), reps=_span(row.reps_min, row.reps_max),
        hold_s=_span(row.hold_s_min, row.hold_s_max),
        sessions_per_week=(row.sessions_per_week_min, row.sessions_per_week_max)),
        row.started_on, row.target_deg, row.id, row.active, row.ended_on) for row in connection.execute(query)]


def _span(low: float | None, high: float | None) -> tuple[float, float] | None:
    return None if low is None or high is None else (low, high)
