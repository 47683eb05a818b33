"""The schema as SQLAlchemy Core tables: the one definition every migration builds towards.

Raw samples live in chunk rows (about one second each, SPEC §9: a killed process loses at most
the last second). Per-session results live in their own summary tables so the dashboard's trend
queries never touch raw samples.

Why Core tables and not only ORM classes: listing and showing sessions read these tables directly
(tracker.storage.reading), and loading and configuring the ORM mapping costs more than either command
may take. The ORM classes in tracker.storage.models are mapped onto these same tables for writing.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy import Boolean, Column, Float, ForeignKey, Integer, LargeBinary, String, Table, UniqueConstraint
from sqlalchemy.engine import Dialect

from analysis.vocabulary import Side
from sensors.placement import Placement
from tracker.domain import SessionStatus, Source


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

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
"""Every table once built; tracker.storage.models builds them all (the ORM maps each), a reader only those it reads."""

_BUILDERS: dict[str, Callable[[], Table]] = {}


def _table(build: Callable[[], Table]) -> Callable[[], Table]:
    _BUILDERS[build.__name__.removeprefix("_")] = build
    return build


def __getattr__(name: str) -> Table:
    """A table by its name, built on first use (PEP 562).

    Why lazily: building a Core table with its types and constraints costs about a millisecond a column,
    and `hiptrack sessions --json` reads three of the fourteen tables.
    """
    build = _BUILDERS.get(name)
    if build is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    table = metadata.tables.get(name)
    if table is None:
        table = build()
    globals()[name] = table
    return table


if TYPE_CHECKING:
    people: Table
    devices: Table
    sessions: Table
    streams: Table
    stream_gaps: Table
    sample_chunks: Table
    calibrations: Table
    analysis_results: Table
    holds: Table
    reps: Table
    sets: Table
    ride_metrics: Table
    pain_ratings: Table
    plan_items: Table


def _id() -> Column[int]:
    return Column("id", Integer, primary_key=True)


def _float(name: str, *, nullable: bool = False, precise: bool = False) -> Column[float]:
    return Column(name, Float(precision=53) if precise else sa.Double(), nullable=nullable)


def _int(name: str, *, nullable: bool = False) -> Column[int]:
    return Column(name, Integer, nullable=nullable)


def _when(name: str, *, nullable: bool = False, default: bool = True, index: bool | None = None) -> Column[datetime]:
    return Column(name, UTCDateTime(), nullable=nullable, default=utc_now if default else None, index=index)


@_table
def _people() -> Table:
    """A profile: whose hips these are."""
    return Table(
        "people", metadata,
        _id(),
        Column("name", String(120), nullable=False, unique=True),
        _when("created_at"),
    )

@_table
def _devices() -> Table:
    """A physical sensor, known by its BLE address (or a stable pseudo-address for sims/imports)."""
    return Table(
        "devices", metadata,
        _id(),
        Column("address", String(64), nullable=False, unique=True),
        Column("name", String(120)),
        Column("profile", String(32), nullable=False),
        _when("created_at"),
    )

@_table
def _sessions() -> Table:
    """One recorded, simulated or imported exercise session. heartbeat_at: last time the recorder committed
    samples; a stale heartbeat means the recorder died."""
    return Table(
        "sessions", metadata,
        _id(),
        Column("person_id", Integer, ForeignKey("people.id", ondelete="SET NULL"), index=True),
        Column("exercise_id", String(64), nullable=False, index=True),
        Column("side", _enum(Side), nullable=False),
        Column("source", _enum(Source), nullable=False),
        Column("status", _enum(SessionStatus), nullable=False, index=True),
        _when("started_at", default=False, index=True),
        Column("duration_s", sa.Double(), nullable=False, default=0.0),
        _when("heartbeat_at"),
        Column("notes", sa.Text),
    )

@_table
def _streams() -> Table:
    """The samples of one sensor in one session; sample_count is kept in step with the chunks in the same
    transaction, so listing sessions is cheap."""
    return Table(
        "streams", metadata,
        _id(),
        Column("session_id", Integer, ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False, index=True),
        Column("device_id", Integer, ForeignKey("devices.id", ondelete="SET NULL")),
        Column("placement", _enum(Placement), nullable=False),
        _float("rate_hz"),
        Column("has_mag", Boolean(), nullable=False, default=False),
        Column("sample_count", Integer, nullable=False, default=0),
        _float("first_time_s", nullable=True),
        _float("last_time_s", nullable=True),
    )

@_table
def _stream_gaps() -> Table:
    """An interval a stream should have samples for but has none (link dropped, packets lost)."""
    return Table(
        "stream_gaps", metadata,
        _id(),
        Column("stream_id", Integer, ForeignKey("streams.id", ondelete="CASCADE"), nullable=False, index=True),
        _float("start_s", precise=True),
        _float("end_s", precise=True),
        Column("reason", String(64), nullable=False),
    )

@_table
def _sample_chunks() -> Table:
    """A run of raw samples of one stream, encoded by :mod:`tracker.storage.sample_codec`."""
    return Table(
        "sample_chunks", metadata,
        _id(),
        Column("stream_id", Integer, ForeignKey("streams.id", ondelete="CASCADE"), nullable=False),
        _int("seq"),
        _float("t0_s", precise=True),
        _int("n_samples"),
        Column("codec", sa.SmallInteger, nullable=False),
        Column("data", LargeBinary, nullable=False),
        UniqueConstraint("stream_id", "seq"),
    )

@_table
def _calibrations() -> Table:
    """Sensor-to-segment alignment found from a calibration phase, reusable while the strap stays put;
    quality: planarity of the calibration swings (1 = one clean plane)."""
    return Table(
        "calibrations", metadata,
        _id(),
        Column("device_id", Integer, ForeignKey("devices.id", ondelete="SET NULL"), index=True),
        Column("placement", _enum(Placement), nullable=False),
        Column("session_id", Integer, ForeignKey("sessions.id", ondelete="SET NULL")),
        _when("created_at"),
        _float("q_sensor_to_segment_w"),
        _float("q_sensor_to_segment_x"),
        _float("q_sensor_to_segment_y"),
        _float("q_sensor_to_segment_z"),
        _float("quality", nullable=True),
    )

@_table
def _analysis_results() -> Table:
    """Headline numbers of one analysed session (one row per session, refreshed on re-analysis).
    duration_s: the analysed stream (None: analysed before 0003; the session's stands in); confidence: per
    angle {"level", "heading_uncertainty_deg"} (None before 0004); orientation_source: comma-separated
    ('6d,rests'); pelvis_*: measured pelvis ranges (None: no pelvis sensor, or analysed before 0006)."""
    return Table(
        "analysis_results", metadata,
        _id(),
        Column("session_id", Integer, ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False, unique=True),
        Column("algorithm_version", String(32), nullable=False),
        _when("analysed_at"),
        Column("calibration_ok", Boolean(), nullable=False),
        _float("calibration_start_s", nullable=True),
        _float("calibration_end_s", nullable=True),
        Column("calibration_problem", sa.Text),
        _float("flexion_max_deg", nullable=True),
        _float("extension_max_deg", nullable=True),
        _float("abduction_max_deg", nullable=True),
        _float("adduction_max_deg", nullable=True),
        _float("internal_rotation_max_deg", nullable=True),
        _float("external_rotation_max_deg", nullable=True),
        _float("duration_s", nullable=True),
        Column("warnings", sa.JSON),
        Column("confidence", sa.JSON),
        Column("orientation_source", String(64)),
        _float("pelvis_tilt_range_deg", nullable=True),
        _float("pelvis_obliquity_range_deg", nullable=True),
        _float("pelvis_rotation_range_deg", nullable=True),
    )


def _pelvis_columns() -> tuple[Column[float], ...]:
    return tuple(_float(f"pelvis_{plane}_deg", nullable=True) for plane in ("tilt", "obliquity", "rotation"))


def _result_id(*, unique: bool = False) -> Column[int]:
    return Column("result_id", Integer, ForeignKey("analysis_results.id", ondelete="CASCADE"), nullable=False,
                  index=None if unique else True, unique=unique or None)


@_table
def _holds() -> Table:
    """pelvis_*: how far the measured pelvis moved during the hold (None: no pelvis sensor)."""
    return Table(
        "holds", metadata,
        _id(),
        _result_id(),
        Column("motion", String(32), nullable=False),
        _float("start_s"),
        _float("end_s"),
        _float("angle_deg"),
        _float("stability_deg", nullable=True),
        *_pelvis_columns(),
        Column("compensated", Boolean()),
    )

@_table
def _reps() -> Table:
    return Table(
        "reps", metadata,
        _id(),
        _result_id(),
        Column("motion", String(32), nullable=False),
        _float("start_s"),
        _float("end_s"),
        _float("peak_deg"),
        *_pelvis_columns(),
        Column("compensated", Boolean()),
    )

@_table
def _sets() -> Table:
    return Table(
        "sets", metadata,
        _id(),
        _result_id(),
        _float("start_s"),
        _float("end_s"),
        _int("reps"),
    )

@_table
def _ride_metrics() -> Table:
    """details: distributions, drift, spans and asymmetry."""
    return Table(
        "ride_metrics", metadata,
        _id(),
        _result_id(unique=True),
        _float("cadence_rpm_mean"),
        _int("revolutions"),
        _float("pedaling_time_s"),
        _float("flexion_max_deg"),
        _float("flexion_min_deg"),
        _float("flexion_range_deg"),
        _float("abduction_mean_deg"),
        _float("rotation_mean_deg"),
        Column("details", sa.JSON),
    )

@_table
def _pain_ratings() -> Table:
    """0–10 pain for a whole session or one set of it."""
    return Table(
        "pain_ratings", metadata,
        _id(),
        Column("session_id", Integer, ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False, index=True),
        _int("set_index", nullable=True),
        _int("score"),
        Column("note", sa.Text),
        _when("recorded_at"),
        sa.CheckConstraint("score >= 0 AND score <= 10", name="score_range"),
    )

@_table
def _plan_items() -> Table:
    """One exercise a person means to do (seed defaults, editable); person_id None: the default person's.
    Ranges are kept as the seed gives them (min, max); adherence counts against the minimum. ended_on: when
    it was removed from the plan (None: still on it, or removed before this was recorded)."""
    return Table(
        "plan_items", metadata,
        _id(),
        Column("person_id", Integer, ForeignKey("people.id", ondelete="CASCADE"), index=True),
        Column("exercise_id", String(64), nullable=False),
        Column("side", String(8), nullable=False),
        _int("sets_min", nullable=True),
        _int("sets_max", nullable=True),
        _int("reps_min", nullable=True),
        _int("reps_max", nullable=True),
        _float("hold_s_min", nullable=True),
        _float("hold_s_max", nullable=True),
        _int("sessions_per_week_min"),
        _int("sessions_per_week_max"),
        _float("target_deg", nullable=True),
        _when("started_on"),
        Column("active", Boolean(), nullable=False, default=True),
        _when("ended_on", nullable=True, default=False),
    )


TABLE_NAMES = frozenset(_BUILDERS)
"""Every table of the schema (alembic_version aside), without building any."""


def all_tables() -> sa.MetaData:
    """The metadata with every table built (what migrations and the ORM compare and map)."""
    for name in _BUILDERS:
        __getattr__(name)
    return metadata
