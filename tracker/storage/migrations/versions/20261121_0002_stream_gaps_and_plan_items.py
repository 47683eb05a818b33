"""Gaps in streams as rows (dropped links are data, not silence) and plan items (what a person means to do).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 12:56:43.609448
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('plan_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exercise_id', sa.String(length=64), nullable=False),
    sa.Column('side', sa.String(length=8), nullable=False),
    sa.Column('sets_min', sa.Integer(), nullable=True),
    sa.Column('sets_max', sa.Integer(), nullable=True),
    sa.Column('reps_min', sa.Integer(), nullable=True),
    sa.Column('reps_max', sa.Integer(), nullable=True),
    sa.Column('hold_s_min', sa.Double(), nullable=True),
    sa.Column('hold_s_max', sa.Double(), nullable=True),
    sa.Column('sessions_per_week_min', sa.Integer(), nullable=False),
    sa.Column('sessions_per_week_max', sa.Integer(), nullable=False),
    sa.Column('target_deg', sa.Double(), nullable=True),
    sa.Column('started_on', sa.DateTime(timezone=True), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_items'))
    )
    op.create_table('stream_gaps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stream_id', sa.Integer(), nullable=False),
    sa.Column('start_s', sa.Float(precision=53), nullable=False),
    sa.Column('end_s', sa.Float(precision=53), nullable=False),
    sa.Column('reason', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['stream_id'], ['streams.id'], name=op.f('fk_stream_gaps_stream_id_streams'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stream_gaps'))
    )
    with op.batch_alter_table('stream_gaps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stream_gaps_stream_id'), ['stream_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('stream_gaps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stream_gaps_stream_id'))

    op.drop_table('stream_gaps')
    op.drop_table('plan_items')
