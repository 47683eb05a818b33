"""Plan items remember when they were removed from the plan.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 18:45:00

Why: adherence counts a retired item in the weeks it was planned and not after; without the date,
an item removed weeks ago kept counting as missed in every week since (only today's week was known).
Items removed before this revision have no date; they keep the old rule.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('plan_items') as batch:
        batch.add_column(sa.Column('ended_on', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('plan_items') as batch:
        batch.drop_column('ended_on')
