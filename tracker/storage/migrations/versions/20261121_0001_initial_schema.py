"""Initial schema: people, devices, sessions, streams, raw sample chunks, calibrations, results, pain.

Revision ID: 0001
Revises:
Create Date: 2026-11-21 10:37:02.733621
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "devices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=True),
        sa.Column("profile", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_devices")),
        sa.UniqueConstraint("address", name=op.f("uq_devices_address")),
    )
    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        sa.UniqueConstraint("name", name=op.f("uq_people_name")),
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("exercise_id", sa.String(length=64), nullable=False),
        sa.Column(
            "side",
            sa.Enum("left", "right", name="side", native_enum=False, create_constraint=True, length=24),
            nullable=False,
        ),
        sa.Column(
            "source",
            sa.Enum(
                "ble",
                "simulated",
                "imported",
                "replay",
                name="source",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "recording",
                "complete",
                "interrupted",
                name="sessionstatus",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_s", sa.Double(), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_sessions_person_id_people"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
    )
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sessions_exercise_id"), ["exercise_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sessions_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sessions_started_at"), ["started_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_sessions_status"), ["status"], unique=False)

    op.create_table(
        "analysis_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("algorithm_version", sa.String(length=32), nullable=False),
        sa.Column("analysed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("calibration_ok", sa.Boolean(), nullable=False),
        sa.Column("calibration_start_s", sa.Double(), nullable=True),
        sa.Column("calibration_end_s", sa.Double(), nullable=True),
        sa.Column("calibration_problem", sa.Text(), nullable=True),
        sa.Column("flexion_max_deg", sa.Double(), nullable=True),
        sa.Column("extension_max_deg", sa.Double(), nullable=True),
        sa.Column("abduction_max_deg", sa.Double(), nullable=True),
        sa.Column("adduction_max_deg", sa.Double(), nullable=True),
        sa.Column("internal_rotation_max_deg", sa.Double(), nullable=True),
        sa.Column("external_rotation_max_deg", sa.Double(), nullable=True),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name=op.f("fk_analysis_results_session_id_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analysis_results")),
        sa.UniqueConstraint("session_id", name=op.f("uq_analysis_results_session_id")),
    )
    op.create_table(
        "calibrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=True),
        sa.Column(
            "placement",
            sa.Enum(
                "left_thigh",
                "right_thigh",
                "pelvis",
                name="placement",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("q_sensor_to_segment_w", sa.Double(), nullable=False),
        sa.Column("q_sensor_to_segment_x", sa.Double(), nullable=False),
        sa.Column("q_sensor_to_segment_y", sa.Double(), nullable=False),
        sa.Column("q_sensor_to_segment_z", sa.Double(), nullable=False),
        sa.Column("quality", sa.Double(), nullable=True),
        sa.ForeignKeyConstraint(
            ["device_id"], ["devices.id"], name=op.f("fk_calibrations_device_id_devices"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name=op.f("fk_calibrations_session_id_sessions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calibrations")),
    )
    with op.batch_alter_table("calibrations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_calibrations_device_id"), ["device_id"], unique=False)

    op.create_table(
        "pain_ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("set_index", sa.Integer(), nullable=True),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("score >= 0 AND score <= 10", name=op.f("ck_pain_ratings_score_range")),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name=op.f("fk_pain_ratings_session_id_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pain_ratings")),
    )
    with op.batch_alter_table("pain_ratings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pain_ratings_session_id"), ["session_id"], unique=False)

    op.create_table(
        "streams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=True),
        sa.Column(
            "placement",
            sa.Enum(
                "left_thigh",
                "right_thigh",
                "pelvis",
                name="placement",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("rate_hz", sa.Double(), nullable=False),
        sa.Column("has_mag", sa.Boolean(), nullable=False),
        sa.Column("sample_count", sa.Integer(), nullable=False),
        sa.Column("first_time_s", sa.Double(), nullable=True),
        sa.Column("last_time_s", sa.Double(), nullable=True),
        sa.ForeignKeyConstraint(
            ["device_id"], ["devices.id"], name=op.f("fk_streams_device_id_devices"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name=op.f("fk_streams_session_id_sessions"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_streams")),
    )
    with op.batch_alter_table("streams", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_streams_session_id"), ["session_id"], unique=False)

    op.create_table(
        "holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("result_id", sa.Integer(), nullable=False),
        sa.Column("motion", sa.String(length=32), nullable=False),
        sa.Column("start_s", sa.Double(), nullable=False),
        sa.Column("end_s", sa.Double(), nullable=False),
        sa.Column("angle_deg", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(
            ["result_id"],
            ["analysis_results.id"],
            name=op.f("fk_holds_result_id_analysis_results"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holds")),
    )
    with op.batch_alter_table("holds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_holds_result_id"), ["result_id"], unique=False)

    op.create_table(
        "reps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("result_id", sa.Integer(), nullable=False),
        sa.Column("motion", sa.String(length=32), nullable=False),
        sa.Column("start_s", sa.Double(), nullable=False),
        sa.Column("end_s", sa.Double(), nullable=False),
        sa.Column("peak_deg", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(
            ["result_id"],
            ["analysis_results.id"],
            name=op.f("fk_reps_result_id_analysis_results"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reps")),
    )
    with op.batch_alter_table("reps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reps_result_id"), ["result_id"], unique=False)

    op.create_table(
        "ride_metrics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("result_id", sa.Integer(), nullable=False),
        sa.Column("cadence_rpm_mean", sa.Double(), nullable=False),
        sa.Column("revolutions", sa.Integer(), nullable=False),
        sa.Column("pedaling_time_s", sa.Double(), nullable=False),
        sa.Column("flexion_max_deg", sa.Double(), nullable=False),
        sa.Column("flexion_min_deg", sa.Double(), nullable=False),
        sa.Column("flexion_range_deg", sa.Double(), nullable=False),
        sa.Column("abduction_mean_deg", sa.Double(), nullable=False),
        sa.Column("rotation_mean_deg", sa.Double(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["result_id"],
            ["analysis_results.id"],
            name=op.f("fk_ride_metrics_result_id_analysis_results"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ride_metrics")),
        sa.UniqueConstraint("result_id", name=op.f("uq_ride_metrics_result_id")),
    )
    op.create_table(
        "sample_chunks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stream_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("t0_s", sa.Float(precision=53), nullable=False),
        sa.Column("n_samples", sa.Integer(), nullable=False),
        sa.Column("codec", sa.SmallInteger(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["stream_id"], ["streams.id"], name=op.f("fk_sample_chunks_stream_id_streams"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sample_chunks")),
        sa.UniqueConstraint("stream_id", "seq", name=op.f("uq_sample_chunks_stream_id")),
    )
    op.create_table(
        "sets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("result_id", sa.Integer(), nullable=False),
        sa.Column("start_s", sa.Double(), nullable=False),
        sa.Column("end_s", sa.Double(), nullable=False),
        sa.Column("reps", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["result_id"],
            ["analysis_results.id"],
            name=op.f("fk_sets_result_id_analysis_results"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sets")),
    )
    with op.batch_alter_table("sets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sets_result_id"), ["result_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("sets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sets_result_id"))

    op.drop_table("sets")
    op.drop_table("sample_chunks")
    op.drop_table("ride_metrics")
    with op.batch_alter_table("reps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reps_result_id"))

    op.drop_table("reps")
    with op.batch_alter_table("holds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_holds_result_id"))

    op.drop_table("holds")
    with op.batch_alter_table("streams", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_streams_session_id"))

    op.drop_table("streams")
    with op.batch_alter_table("pain_ratings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pain_ratings_session_id"))

    op.drop_table("pain_ratings")
    with op.batch_alter_table("calibrations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calibrations_device_id"))

    op.drop_table("calibrations")
    op.drop_table("analysis_results")
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sessions_status"))
        batch_op.drop_index(batch_op.f("ix_sessions_started_at"))
        batch_op.drop_index(batch_op.f("ix_sessions_person_id"))
        batch_op.drop_index(batch_op.f("ix_sessions_exercise_id"))

    op.drop_table("sessions")
    op.drop_table("people")
    op.drop_table("devices")
