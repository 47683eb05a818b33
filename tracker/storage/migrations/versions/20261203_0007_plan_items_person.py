"""Plan items belong to a person, like sessions: a physiotherapist's patients each have their own plan.

Revision ID: 0007
Revises: 0004
Create Date: 2026-12-03 17:00:00

Why: with `--person`, one database holds several people; a plan shared by all of them would count
one patient's sessions against another's prescription. Existing items (no person) stay the
default person's, which is who every earlier session belongs to.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('plan_items') as batch:
        batch.add_column(sa.Column('person_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(batch.f('fk_plan_items_person_id_people'), 'people', ['person_id'], ['id'],
                                 ondelete='CASCADE')
        batch.create_index(batch.f('ix_plan_items_person_id'), ['person_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('plan_items') as batch:
        batch.drop_index(batch.f('ix_plan_items_person_id'))
        batch.drop_constraint(batch.f('fk_plan_items_person_id_people'), type_='foreignkey')
        batch.drop_column('person_id')
