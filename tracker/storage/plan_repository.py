"""Plan items: the exercises a person means to do, with their dose (retired, never deleted)."""

from __future__ import annotations

from dataclasses import replace

import sqlalchemy as sa

from tracker.errors import BadInputError
from tracker.plans import PlanItem
from tracker.storage import models as m
from tracker.storage import reading
from tracker.storage.repository_base import Repository


class PlanRepository(Repository):
    def add(self, item: PlanItem) -> PlanItem:
        """Refuses an exercise already planned for the same side (a second copy would double its weekly count)."""
        p = item.prescription
        with self._write() as orm:
            sides = {item.side, "both"} if item.side != "both" else {"left", "right", "both"}
            twin = orm.scalars(sa.select(m.PlanItem).where(
                m.PlanItem.person_id == self.person_id, m.PlanItem.active.is_(True),
                m.PlanItem.exercise_id == item.exercise_id, m.PlanItem.side.in_(sides)).order_by(m.PlanItem.id)
            ).first() if item.active else None
            if twin is not None:
                raise BadInputError(f"{item.exercise_id} ({twin.side}) is already on the plan as item {twin.id}; "
                                    f"to change its dose: hiptrack plan remove {twin.id}, then add it again")
            row = m.PlanItem(person_id=self.person_id, exercise_id=item.exercise_id, side=item.side,
                             started_on=item.started_on, target_deg=item.target_deg, active=item.active,
                             **_span_columns("sets", p.sets), **_span_columns("reps", p.reps),
                             **_span_columns("hold_s", p.hold_s),
                             **_span_columns("sessions_per_week", item.sessions_per_week))
            orm.add(row)
            orm.flush()
            return replace(item, id=row.id)

    def items(self, include_inactive: bool = False) -> list[PlanItem]:
        with self._connection() as connection:
            return reading.plan_items(connection, self.person_id, include_inactive)

    def deactivate(self, item_id: int) -> None:
        """Plan items are retired, not deleted: past weeks' adherence still counts them."""
        with self._write() as orm:
            row = orm.get(m.PlanItem, item_id)
            if row is None or row.person_id != self.person_id or not row.active:
                gone = " (it was removed already)" if row is not None and row.person_id == self.person_id else ""
                raise BadInputError(f"no plan item {item_id} on the plan{gone} (see: hiptrack plan)")
            row.active = False
            row.ended_on = m.utc_now()


def _span_columns(name: str, span: tuple[float, float] | None) -> dict[str, float | None]:
    return {f"{name}_min": None if span is None else span[0], f"{name}_max": None if span is None else span[1]}
