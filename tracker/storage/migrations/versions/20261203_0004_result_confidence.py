"""Results say how far abduction and rotation can be trusted, and how the orientation was found.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 15:10:00

Why: SPEC §5 asks for a confidence per motion and the orientation source on every result, and a
stored session must carry everything `analyze --json` prints. Older rows read back as null.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('analysis_results') as batch:
        batch.add_column(sa.Column('confidence', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('orientation_source', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('analysis_results') as batch:
        batch.drop_column('orientation_source')
        batch.drop_column('confidence')
