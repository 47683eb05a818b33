"""Results keep what a measured pelvis says: its range per session, how far it moved in each rep and
hold, and whether that rep or hold was compensated.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 17:00:00

Why: a pelvis (sacrum) sensor turns hip angles into femur-against-pelvis angles and flags reps
reached by moving the pelvis; a stored session must carry everything `analyze --json` prints.
Older rows (and sessions without a pelvis sensor) read back as null: the pelvis was assumed.
The sacrum sensor's strap alignment goes into `calibrations` (placement 'pelvis'), no new column.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_EVENT_COLUMNS = ('pelvis_tilt_deg', 'pelvis_obliquity_deg', 'pelvis_rotation_deg')
_RANGE_COLUMNS = ('pelvis_tilt_range_deg', 'pelvis_obliquity_range_deg', 'pelvis_rotation_range_deg')


def upgrade() -> None:
    with op.batch_alter_table('analysis_results') as batch:
        for name in _RANGE_COLUMNS:
            batch.add_column(sa.Column(name, sa.Double(), nullable=True))
    for table in ('holds', 'reps'):
        with op.batch_alter_table(table) as batch:
            for name in _EVENT_COLUMNS:
                batch.add_column(sa.Column(name, sa.Double(), nullable=True))
            batch.add_column(sa.Column('compensated', sa.Boolean(), nullable=True))


def downgrade() -> None:
    for table in ('reps', 'holds'):
        with op.batch_alter_table(table) as batch:
            batch.drop_column('compensated')
            for name in reversed(_EVENT_COLUMNS):
                batch.drop_column(name)
    with op.batch_alter_table('analysis_results') as batch:
        for name in reversed(_RANGE_COLUMNS):
            batch.drop_column(name)
