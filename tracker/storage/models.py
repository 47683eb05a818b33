"""SQLAlchemy 2.0 typed ORM classes over the Core tables of tracker.storage.tables (the schema).

Why mapped onto Core tables: the schema has one definition, and commands that only list or show
(tracker.storage.reading) read those tables without loading the ORM. Writing goes through these classes.
The `Mapped` annotations type the attributes; the columns themselves come from the tables.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import DeclarativeBase, Mapped, relationship

from tracker.domain import Placement, SessionStatus, Side, Source
from tracker.storage import tables as t
from tracker.storage.tables import NAMING_CONVENTION, UTCDateTime, utc_now

__all__ = ["NAMING_CONVENTION", "AnalysisResult", "Base", "Calibration", "Device", "GapRow", "HoldRow", "PainRating",
           "Person", "PlanItem", "RepRow", "RideRow", "SampleChunk", "Session", "SetRow", "Stream",
           "UTCDateTime", "utc_now"]


class Base(DeclarativeBase):
    metadata = t.all_tables()


class Person(Base):
    """A profile: whose hips these are."""

    __table__ = t.people
    id: Mapped[int]
    name: Mapped[str]
    created_at: Mapped[datetime]


class Device(Base):
    """A physical sensor, known by its BLE address (or a stable pseudo-address for sims/imports)."""

    __table__ = t.devices
    id: Mapped[int]
    address: Mapped[str]
    name: Mapped[str | None]
    profile: Mapped[str]
    created_at: Mapped[datetime]


class Session(Base):
    """One recorded, simulated or imported exercise session."""

    __table__ = t.sessions
    id: Mapped[int]
    person_id: Mapped[int | None]
    exercise_id: Mapped[str]
    side: Mapped[Side]
    source: Mapped[Source]
    status: Mapped[SessionStatus]
    started_at: Mapped[datetime]
    duration_s: Mapped[float]
    heartbeat_at: Mapped[datetime]
    """Last time the recorder committed samples; a stale heartbeat means the recorder died."""
    notes: Mapped[str | None]

    streams: Mapped[list[Stream]] = relationship(back_populates="session", cascade="all, delete-orphan",
                                                 passive_deletes=True, order_by="Stream.id")


class Stream(Base):
    """The samples of one sensor in one session."""

    __table__ = t.streams
    id: Mapped[int]
    session_id: Mapped[int]
    device_id: Mapped[int | None]
    placement: Mapped[Placement]
    rate_hz: Mapped[float]
    has_mag: Mapped[bool]
    sample_count: Mapped[int]
    """Kept in step with the chunks in the same transaction, so listing sessions is cheap."""
    first_time_s: Mapped[float | None]
    last_time_s: Mapped[float | None]

    session: Mapped[Session] = relationship(back_populates="streams")
    device: Mapped[Device | None] = relationship()


class GapRow(Base):
    """An interval a stream should have samples for but has none (link dropped, packets lost)."""

    __table__ = t.stream_gaps
    id: Mapped[int]
    stream_id: Mapped[int]
    start_s: Mapped[float]
    end_s: Mapped[float]
    reason: Mapped[str]


class SampleChunk(Base):
    """A run of raw samples of one stream, encoded by :mod:`tracker.storage.sample_codec`."""

    __table__ = t.sample_chunks
    id: Mapped[int]
    stream_id: Mapped[int]
    seq: Mapped[int]
    t0_s: Mapped[float]
    n_samples: Mapped[int]
    codec: Mapped[int]
    data: Mapped[bytes]


class Calibration(Base):
    """Sensor-to-segment alignment found from a calibration phase, reusable while the strap stays put."""

    __table__ = t.calibrations
    id: Mapped[int]
    device_id: Mapped[int | None]
    placement: Mapped[Placement]
    session_id: Mapped[int | None]
    created_at: Mapped[datetime]
    q_sensor_to_segment_w: Mapped[float]
    q_sensor_to_segment_x: Mapped[float]
    q_sensor_to_segment_y: Mapped[float]
    q_sensor_to_segment_z: Mapped[float]
    quality: Mapped[float | None]
    """Planarity of the calibration swings (1 = one clean plane; lower is a less certain fit)."""


class AnalysisResult(Base):
    """Headline numbers of one analysed session (one row per session, refreshed on re-analysis)."""

    __table__ = t.analysis_results
    id: Mapped[int]
    session_id: Mapped[int]
    algorithm_version: Mapped[str]
    analysed_at: Mapped[datetime]
    calibration_ok: Mapped[bool]
    calibration_start_s: Mapped[float | None]
    calibration_end_s: Mapped[float | None]
    calibration_problem: Mapped[str | None]
    flexion_max_deg: Mapped[float | None]
    extension_max_deg: Mapped[float | None]
    abduction_max_deg: Mapped[float | None]
    adduction_max_deg: Mapped[float | None]
    internal_rotation_max_deg: Mapped[float | None]
    external_rotation_max_deg: Mapped[float | None]
    duration_s: Mapped[float | None]
    """Length of the analysed stream (None: analysed before 0003; the session's duration stands in)."""
    warnings: Mapped[list[str] | None]
    confidence: Mapped[dict[str, object] | None]
    """Per angle: {"level", "heading_uncertainty_deg"} (None: analysed before 0004)."""
    orientation_source: Mapped[str | None]
    """Comma-separated: '6d,rests', '6d,pedalling_axis'."""
    pelvis_tilt_range_deg: Mapped[float | None]
    """Measured pelvis ranges during the exercise (None: no pelvis sensor, or analysed before 0006)."""
    pelvis_obliquity_range_deg: Mapped[float | None]
    pelvis_rotation_range_deg: Mapped[float | None]

    holds: Mapped[list[HoldRow]] = relationship(cascade="all, delete-orphan", passive_deletes=True)
    reps: Mapped[list[RepRow]] = relationship(cascade="all, delete-orphan", passive_deletes=True)
    sets: Mapped[list[SetRow]] = relationship(cascade="all, delete-orphan", passive_deletes=True)
    ride: Mapped[RideRow | None] = relationship(cascade="all, delete-orphan", passive_deletes=True)


class HoldRow(Base):
    __table__ = t.holds
    id: Mapped[int]
    result_id: Mapped[int]
    motion: Mapped[str]
    start_s: Mapped[float]
    end_s: Mapped[float]
    angle_deg: Mapped[float]
    stability_deg: Mapped[float | None]
    pelvis_tilt_deg: Mapped[float | None]
    """How far the measured pelvis moved during the hold (None: no pelvis sensor)."""
    pelvis_obliquity_deg: Mapped[float | None]
    pelvis_rotation_deg: Mapped[float | None]
    compensated: Mapped[bool | None]


class RepRow(Base):
    __table__ = t.reps
    id: Mapped[int]
    result_id: Mapped[int]
    motion: Mapped[str]
    start_s: Mapped[float]
    end_s: Mapped[float]
    peak_deg: Mapped[float]
    pelvis_tilt_deg: Mapped[float | None]
    """How far the measured pelvis moved during the rep (None: no pelvis sensor)."""
    pelvis_obliquity_deg: Mapped[float | None]
    pelvis_rotation_deg: Mapped[float | None]
    compensated: Mapped[bool | None]


class SetRow(Base):
    __table__ = t.sets
    id: Mapped[int]
    result_id: Mapped[int]
    start_s: Mapped[float]
    end_s: Mapped[float]
    reps: Mapped[int]


class RideRow(Base):
    __table__ = t.ride_metrics
    id: Mapped[int]
    result_id: Mapped[int]
    cadence_rpm_mean: Mapped[float]
    revolutions: Mapped[int]
    pedaling_time_s: Mapped[float]
    flexion_max_deg: Mapped[float]
    flexion_min_deg: Mapped[float]
    flexion_range_deg: Mapped[float]
    abduction_mean_deg: Mapped[float]
    rotation_mean_deg: Mapped[float]
    details: Mapped[dict[str, object] | None]
    """Distributions, drift and asymmetry (the ride issue fills these)."""


class PainRating(Base):
    """0–10 pain for a whole session or one set of it."""

    __table__ = t.pain_ratings
    id: Mapped[int]
    session_id: Mapped[int]
    set_index: Mapped[int | None]
    score: Mapped[int]
    note: Mapped[str | None]
    recorded_at: Mapped[datetime]


class PlanItem(Base):
    """One exercise a person means to do: the prescription they follow (seed defaults, editable).

    Ranges are kept as the seed gives them (min, max); adherence counts against the minimum.
    """

    __table__ = t.plan_items
    id: Mapped[int]
    person_id: Mapped[int | None]
    """Whose plan; None: the default person's (like a session's person)."""
    exercise_id: Mapped[str]
    side: Mapped[str]
    """left, right or both."""
    sets_min: Mapped[int | None]
    sets_max: Mapped[int | None]
    reps_min: Mapped[int | None]
    reps_max: Mapped[int | None]
    hold_s_min: Mapped[float | None]
    hold_s_max: Mapped[float | None]
    sessions_per_week_min: Mapped[int]
    sessions_per_week_max: Mapped[int]
    target_deg: Mapped[float | None]
    """The angle the person (or their physio) aims for, if any."""
    started_on: Mapped[datetime]
    active: Mapped[bool]
    ended_on: Mapped[datetime | None]
    """When it was removed from the plan (None: still on it, or removed before this was recorded)."""
