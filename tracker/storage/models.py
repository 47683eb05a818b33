"""SQLAlchemy 2.0 typed models: the schema every migration builds towards.

Raw samples live in chunk rows (about one second each, SPEC §9: a killed process loses at most
the last second). Per-session results live in their own summary tables so the dashboard's trend
queries never touch raw samples.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from tracker.domain import Placement, SessionStatus, Side, Source


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite and PostgreSQL alike."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _enum(cls: type[enum.Enum]) -> sa.Enum:
    """Store an enum by value as a checked VARCHAR (portable, no PostgreSQL enum type to migrate)."""
    return sa.Enum(cls, native_enum=False, length=24, values_callable=lambda e: [m.value for m in e],
                   validate_strings=True, create_constraint=True, name=cls.__name__.lower())


def utc_now() -> datetime:
    return datetime.now(UTC)


NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


class Person(Base):
    """A profile: whose hips these are."""

    __tablename__ = "people"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class Device(Base):
    """A physical sensor, known by its BLE address (or a stable pseudo-address for sims/imports)."""

    __tablename__ = "devices"
    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str | None] = mapped_column(String(120))
    profile: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class Session(Base):
    """One recorded, simulated or imported exercise session."""

    __tablename__ = "sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    exercise_id: Mapped[str] = mapped_column(String(64), index=True)
    side: Mapped[Side] = mapped_column(_enum(Side))
    source: Mapped[Source] = mapped_column(_enum(Source))
    status: Mapped[SessionStatus] = mapped_column(_enum(SessionStatus), index=True)
    started_at: Mapped[datetime] = mapped_column(index=True)
    duration_s: Mapped[float] = mapped_column(default=0.0)
    heartbeat_at: Mapped[datetime] = mapped_column(default=utc_now)
    """Last time the recorder committed samples; a stale heartbeat means the recorder died."""
    notes: Mapped[str | None] = mapped_column(sa.Text)

    streams: Mapped[list[Stream]] = relationship(back_populates="session", cascade="all, delete-orphan",
                                                 passive_deletes=True, order_by="Stream.id")


class Stream(Base):
    """The samples of one sensor in one session."""

    __tablename__ = "streams"
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id", ondelete="SET NULL"))
    placement: Mapped[Placement] = mapped_column(_enum(Placement))
    rate_hz: Mapped[float]
    has_mag: Mapped[bool] = mapped_column(default=False)
    sample_count: Mapped[int] = mapped_column(default=0)
    """Kept in step with the chunks in the same transaction, so listing sessions is cheap."""
    first_time_s: Mapped[float | None]
    last_time_s: Mapped[float | None]

    session: Mapped[Session] = relationship(back_populates="streams")
    device: Mapped[Device | None] = relationship()


class GapRow(Base):
    """An interval a stream should have samples for but has none (link dropped, packets lost)."""

    __tablename__ = "stream_gaps"
    id: Mapped[int] = mapped_column(primary_key=True)
    stream_id: Mapped[int] = mapped_column(ForeignKey("streams.id", ondelete="CASCADE"), index=True)
    start_s: Mapped[float] = mapped_column(sa.Float(precision=53))
    end_s: Mapped[float] = mapped_column(sa.Float(precision=53))
    reason: Mapped[str] = mapped_column(String(64))


class SampleChunk(Base):
    """A run of raw samples of one stream, encoded by :mod:`tracker.storage.sample_codec`."""

    __tablename__ = "sample_chunks"
    __table_args__ = (UniqueConstraint("stream_id", "seq"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    stream_id: Mapped[int] = mapped_column(ForeignKey("streams.id", ondelete="CASCADE"))
    seq: Mapped[int]
    t0_s: Mapped[float] = mapped_column(sa.Float(precision=53))
    n_samples: Mapped[int]
    codec: Mapped[int] = mapped_column(sa.SmallInteger)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Calibration(Base):
    """Sensor-to-segment alignment found from a calibration phase, reusable while the strap stays put."""

    __tablename__ = "calibrations"
    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id", ondelete="SET NULL"), index=True)
    placement: Mapped[Placement] = mapped_column(_enum(Placement))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    q_sensor_to_segment_w: Mapped[float]
    q_sensor_to_segment_x: Mapped[float]
    q_sensor_to_segment_y: Mapped[float]
    q_sensor_to_segment_z: Mapped[float]
    quality: Mapped[float | None]
    """Planarity of the calibration swings (1 = one clean plane; lower is a less certain fit)."""


class AnalysisResult(Base):
    """Headline numbers of one analysed session (one row per session, refreshed on re-analysis)."""

    __tablename__ = "analysis_results"
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), unique=True)
    algorithm_version: Mapped[str] = mapped_column(String(32))
    analysed_at: Mapped[datetime] = mapped_column(default=utc_now)
    calibration_ok: Mapped[bool]
    calibration_start_s: Mapped[float | None]
    calibration_end_s: Mapped[float | None]
    calibration_problem: Mapped[str | None] = mapped_column(sa.Text)
    flexion_max_deg: Mapped[float | None]
    extension_max_deg: Mapped[float | None]
    abduction_max_deg: Mapped[float | None]
    adduction_max_deg: Mapped[float | None]
    internal_rotation_max_deg: Mapped[float | None]
    external_rotation_max_deg: Mapped[float | None]
    duration_s: Mapped[float | None]
    """Length of the analysed stream (None: analysed before 0003; the session's duration stands in)."""
    warnings: Mapped[list[str] | None] = mapped_column(sa.JSON)
    confidence: Mapped[dict[str, object] | None] = mapped_column(sa.JSON)
    """Per angle: {"level", "heading_uncertainty_deg"} (None: analysed before 0004)."""
    orientation_source: Mapped[str | None] = mapped_column(String(64))
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
    __tablename__ = "holds"
    id: Mapped[int] = mapped_column(primary_key=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("analysis_results.id", ondelete="CASCADE"), index=True)
    motion: Mapped[str] = mapped_column(String(32))
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
    __tablename__ = "reps"
    id: Mapped[int] = mapped_column(primary_key=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("analysis_results.id", ondelete="CASCADE"), index=True)
    motion: Mapped[str] = mapped_column(String(32))
    start_s: Mapped[float]
    end_s: Mapped[float]
    peak_deg: Mapped[float]
    pelvis_tilt_deg: Mapped[float | None]
    """How far the measured pelvis moved during the rep (None: no pelvis sensor)."""
    pelvis_obliquity_deg: Mapped[float | None]
    pelvis_rotation_deg: Mapped[float | None]
    compensated: Mapped[bool | None]


class SetRow(Base):
    __tablename__ = "sets"
    id: Mapped[int] = mapped_column(primary_key=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("analysis_results.id", ondelete="CASCADE"), index=True)
    start_s: Mapped[float]
    end_s: Mapped[float]
    reps: Mapped[int]


class RideRow(Base):
    __tablename__ = "ride_metrics"
    id: Mapped[int] = mapped_column(primary_key=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("analysis_results.id", ondelete="CASCADE"), unique=True)
    cadence_rpm_mean: Mapped[float]
    revolutions: Mapped[int]
    pedaling_time_s: Mapped[float]
    flexion_max_deg: Mapped[float]
    flexion_min_deg: Mapped[float]
    flexion_range_deg: Mapped[float]
    abduction_mean_deg: Mapped[float]
    rotation_mean_deg: Mapped[float]
    details: Mapped[dict[str, object] | None] = mapped_column(sa.JSON)
    """Distributions, drift and asymmetry (the ride issue fills these)."""


class PainRating(Base):
    """0–10 pain for a whole session or one set of it."""

    __tablename__ = "pain_ratings"
    __table_args__ = (sa.CheckConstraint("score >= 0 AND score <= 10", name="score_range"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    set_index: Mapped[int | None]
    score: Mapped[int]
    note: Mapped[str | None] = mapped_column(sa.Text)
    recorded_at: Mapped[datetime] = mapped_column(default=utc_now)


class PlanItem(Base):
    """One exercise a person means to do: the prescription they follow (seed defaults, editable).

    Ranges are kept as the seed gives them (min, max); adherence counts against the minimum.
    """

    __tablename__ = "plan_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    """Whose plan; None: the default person's (like a session's person)."""
    exercise_id: Mapped[str] = mapped_column(String(64))
    side: Mapped[str] = mapped_column(String(8))
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
    started_on: Mapped[datetime] = mapped_column(default=utc_now)
    active: Mapped[bool] = mapped_column(default=True)
    ended_on: Mapped[datetime | None]
    """When it was removed from the plan (None: still on it, or removed before this was recorded)."""
