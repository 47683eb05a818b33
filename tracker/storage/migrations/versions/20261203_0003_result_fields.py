"""Results keep everything the analysis computes: hold stability, the analysed duration, warnings.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 14:20:00

Why: `show --json` of a stored session must equal `analyze --json` of the same samples; these
were computed and printed, then lost on the way into the database. Older rows read back as null.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('holds') as batch:
        batch.add_column(sa.Column('stability_deg', sa.Double(), nullable=True))
    with op.batch_alter_table('analysis_results') as batch:
        batch.add_column(sa.Column('duration_s', sa.Double(), nullable=True))
        batch.add_column(sa.Column('warnings', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('analysis_results') as batch:
        batch.drop_column('warnings')
        batch.drop_column('duration_s')
    with op.batch_alter_table('holds') as batch:
        batch.drop_column('stability_deg')
