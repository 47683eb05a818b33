"""The exercise catalogue (dose, cues, mistakes) beside the person's plan, which they can add to and trim."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.markup import escape
from textual.widgets import DataTable, Footer, OptionList, Static
from textual.widgets.data_table import ColumnKey
from textual.widgets.option_list import Option

from tracker import catalog
from tracker.catalog import Exercise, Span
from tracker.errors import HiptrackError
from tracker.plans import PlanItem, default_item, edited
from tracker.report import motion_words, span_text
from tui.context import DashboardContext
from tui.screens.base import DataScreen, RecordDefault, planned_side
from tui.screens.plan_form import PlanChoice, PlanFormScreen
from tui.widgets.fixed_columns import add_fixed_columns
from tui.widgets.section_bar import SectionBar

PLAN_COLUMNS = (("exercise", 24), ("side", 5), ("dose", 14), ("/week", 5), ("target", 6), ("since", 10))


def plan_name_width(screen_width: int) -> int:
    """What the plan's other columns, their padding (1 a side), the border and scrollbar leave for the name."""
    others = sum(width + 2 for label, width in PLAN_COLUMNS if label != "exercise")
    return max(24, min(60, screen_width - others - 8))


class ExercisesScreen(DataScreen):
    BINDINGS = [
        Binding("a", "add", "Add to plan"),
        Binding("x,delete", "remove", "Remove from plan"),
    ]

    def __init__(self, context: DashboardContext) -> None:
        super().__init__(context)
        self._plan: list[PlanItem] = []

    def compose(self) -> ComposeResult:
        yield SectionBar("exercises")
        with Horizontal(id="catalogue-row"):
            yield OptionList(*[Option(e.name, id=e.id) for e in catalog.EXERCISES], id="catalogue")
            with VerticalScroll(id="exercise-info"):
                yield Static(id="exercise")
        yield DataTable(id="plan", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#catalogue").border_title = "Catalogue"
        self.query_one("#plan").border_title = "Your plan"
        catalogue = self.query_one("#catalogue", OptionList)
        catalogue.highlighted = 0
        catalogue.focus()

    def on_resize(self) -> None:
        """The exercise's name takes the width the other columns leave (it was cut at 24 with space to spare)."""
        table = self.query_one("#plan", DataTable)
        width = plan_name_width(self.size.width)
        current = table.columns.get(ColumnKey("exercise"))
        if current is None or current.width != width:
            table.clear(columns=True)
            add_fixed_columns(table, [(label, width if label == "exercise" else w) for label, w in PLAN_COLUMNS])
            self._show_plan(self._plan)

    @work(thread=True, exclusive=True, group="plan")
    def load(self) -> None:
        try:
            items = self._dashboard.services.store.plans.items()
        except HiptrackError as err:
            self.app.call_from_thread(self.notify, str(err), title="Cannot load the plan", severity="error")
            return
        self.app.call_from_thread(self._show_plan, items)

    def _show_plan(self, items: list[PlanItem]) -> None:
        self._plan = items
        table = self.query_one("#plan", DataTable)
        table.clear()
        for item in items:
            p = item.prescription
            table.add_row(catalog.get(item.exercise_id).name, item.side, compact_dose(p.sets, p.reps, p.hold_s),
                          _bare(item.sessions_per_week), "" if item.target_deg is None else f"{item.target_deg:g}°",
                          f"{item.started_on.astimezone():%Y-%m-%d}", key=str(item.id))
        if not items:
            table.border_subtitle = "empty: pick an exercise and press a"
        else:
            table.border_subtitle = None

    @on(OptionList.OptionHighlighted, "#catalogue")
    def _exercise_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id is not None:
            self.query_one("#exercise", Static).update(exercise_card(catalog.get(event.option.id)))

    def selected_exercise(self) -> Exercise | None:
        option = self.query_one("#catalogue", OptionList).highlighted_option
        return None if option is None or option.id is None else catalog.get(option.id)

    def record_default(self) -> RecordDefault | None:
        """The plan row if the plan has the focus, else the catalogue's exercise (on its planned side)."""
        table = self.query_one("#plan", DataTable)
        if table.has_focus and self._plan and table.cursor_row < len(self._plan):
            item = self._plan[table.cursor_row]
            return item.exercise_id, planned_side(item.side)
        exercise = self.selected_exercise()
        if exercise is None:
            return None
        planned = next((item for item in self._plan if item.exercise_id == exercise.id), None)
        return exercise.id, planned_side(planned.side) if planned is not None else None

    def action_add(self) -> None:
        exercise = self.selected_exercise()
        if exercise is not None:
            self.app.push_screen(PlanFormScreen(exercise), self._add)

    def _add(self, choice: PlanChoice | None) -> None:
        if choice is not None:
            self._store_plan_item(choice)

    @work(thread=True, group="plan-write")
    def _store_plan_item(self, choice: PlanChoice) -> None:
        try:
            item = edited(default_item(choice.exercise_id, choice.side, self._dashboard.clock()),
                          target_deg=choice.target_deg)
            stored = self._dashboard.services.store.plans.add(item)
        except HiptrackError as err:
            self.app.call_from_thread(self.notify, str(err), severity="error")
            return
        self.app.call_from_thread(self._changed, f"Added {catalog.get(stored.exercise_id).name} ({stored.side}).")

    def action_remove(self) -> None:
        table = self.query_one("#plan", DataTable)
        if not self._plan or table.cursor_row >= len(self._plan):
            self.notify("The plan is empty.", severity="warning")
            return
        item = self._plan[table.cursor_row]
        if item.id is not None:
            self._retire(item.id, catalog.get(item.exercise_id).name)

    @work(thread=True, group="plan-write")
    def _retire(self, item_id: int, name: str) -> None:
        try:
            self._dashboard.services.store.plans.deactivate(item_id)
        except HiptrackError as err:
            self.app.call_from_thread(self.notify, str(err), severity="error")
            return
        self.app.call_from_thread(self._changed, f"Removed {name} from the plan (past weeks still count it).")

    def _changed(self, message: str) -> None:
        self._dashboard.data.bump()
        self.notify(message)
        self.reload_if_stale()


def exercise_card(exercise: Exercise) -> Content:
    """Name, what hiptrack measures, the dose from the source, then cues and common mistakes."""
    p = exercise.prescription
    lines = [f"[b]{escape(exercise.name)}[/]",
             f"Measures {motion_words(exercise.primary_motion)}, {motion_words(exercise.posture.value)}.",
             "Dose: " + (_dose(p.sets, p.reps, p.hold_s) or "the source gives none")
             + (f", {_bare(p.sessions_per_week)}× a week" if p.sessions_per_week else "")
             + (" (per side)" if p.per_side and exercise.id != "ride" else "")]
    if exercise.cues:
        lines += ["", "[b]Cues[/]"] + [f"[$success]+[/] {escape(cue)}" for cue in exercise.cues]
    if exercise.mistakes:
        lines += ["", "[b]Common mistakes[/]"] + [f"[$error]-[/] {escape(m)}" for m in exercise.mistakes]
    return Content.from_markup("\n".join(lines))


def _dose(sets: Span, reps: Span, hold_s: Span) -> str:
    parts = [f"{_bare(sets)} sets" if sets else "", f"{_bare(reps)} reps" if reps else "",
             f"{_bare(hold_s)} s hold" if hold_s else ""]
    return ", ".join(p for p in parts if p)


def compact_dose(sets: Span, reps: Span, hold_s: Span) -> str:
    """'3×4–8 · 2–5 s' (sets × reps, hold), '2×120–180 s', '60 s', for a table cell."""
    hold = f"{_bare(hold_s)} s" if hold_s else ""
    if reps:
        work = f"{_bare(sets)}×{_bare(reps)}" if sets else f"{_bare(reps)} reps"
        return f"{work} · {hold}" if hold else work
    if sets and hold:
        return f"{_bare(sets)}×{hold}"
    return hold or "–"


def _bare(span: Span) -> str:
    return span_text(span, missing="")
