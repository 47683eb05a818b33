"""Home: how range of motion is going per exercise and side, whether the plan is kept, pain, alerts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.markup import escape
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from tracker import catalog
from tracker.domain import PainEntry, Side
from tracker.errors import HiptrackError
from tracker.norms import typical_band
from tracker.report import motion_words
from tui.context import DashboardContext
from tui.labels import short_motion, trend_arrow
from tui.screens.base import DataScreen, RecordDefault
from tui.widgets.adherence_calendar import AdherenceCalendar
from tui.widgets.pain_strip import PainStrip
from tui.widgets.section_bar import SectionBar
from tui.widgets.trend_chart import MotionTrend, TrendChart

if TYPE_CHECKING:
    from tracker.progress import Adherence, ProgressItem, ProgressReport

EMPTY = "No analysed sessions yet: press r to record one, or run `hiptrack demo`."
DEMO_BANNER = "Demo: simulated sessions, not yours · your own data: q, then run hiptrack"
"""Why: the demo opens on charts and alerts a new user would otherwise take for their own."""
DEMO_ALERTS = "Example alerts, about the simulated sessions:"


@dataclass(frozen=True, slots=True)
class HomeData:
    report: ProgressReport
    pain_scores: tuple[float, ...]
    """One score per rated session, oldest first (its session rating, else the mean of its set ratings)."""


class HomeScreen(DataScreen):
    """Trends on top (a list of tracked motions beside the selected one's chart), the week below."""

    def __init__(self, context: DashboardContext) -> None:
        super().__init__(context)
        self._trends: list[MotionTrend] = []
        self._groups: list[Group] = []

    def compose(self) -> ComposeResult:
        yield SectionBar("home")
        yield Static(DEMO_BANNER, id="demo-banner", markup=False)
        with Horizontal(id="trends"):
            yield OptionList(id="motions")
            yield TrendChart(id="trend")
        with Horizontal(id="summary"):
            with Vertical(id="week"):
                yield AdherenceCalendar(id="calendar")
            with VerticalScroll(id="notes"):
                yield Static(id="pain")
                yield PainStrip(id="pain-strip")
                yield Static(id="alerts")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#motions").border_title = "Tracked motions"
        self.query_one("#notes").border_title = "Pain and alerts"
        self.query_one("#week").border_title = "Session days"
        self.query_one("#demo-banner").display = self._dashboard.demo

    @work(thread=True, exclusive=True, group="home")
    def load(self) -> None:
        """Progress needs every analysed session's summary row: a few bulk queries, off the UI thread.

        Populated in two steps: the week (calendar and adherence) as soon as the sessions are read, then
        the trends, pain and alerts once the fits are done. The progress maths (NumPy, the trend fits)
        is imported here, so the frame paints before it loads.
        """
        from tracker.progress import adherence, build_report

        reader = self._dashboard.services.reader    # Core reads: the ORM need not load for the home screen
        now = self._dashboard.clock()
        try:
            rows = reader.analysed()
            plan = reader.plan(include_inactive=True)
            self.app.call_from_thread(self._show_week, adherence(rows, plan, now), any(r.calibrated for r in rows))
            pain = reader.pain()
            data = HomeData(build_report(rows, pain, plan, now), pain_per_session(pain))
        except HiptrackError as err:
            self.app.call_from_thread(self.notify, str(err), title="Cannot load progress", severity="error")
            return
        self.app.call_from_thread(self._show, data)

    def _show_week(self, adherence: Adherence, any_sessions: bool) -> None:
        today = self._dashboard.clock().astimezone().date()
        self.query_one(AdherenceCalendar).show(adherence.days, today)
        self.query_one("#week").border_subtitle = _adherence_line(adherence, any_sessions)

    def _show(self, data: HomeData) -> None:
        report = data.report
        groups = motion_groups(report)
        self._trends = [motion_trend(group, report) for group in groups]
        self._groups = groups
        motions = self.query_one("#motions", OptionList)
        motions.clear_options()
        motions.add_options([Option(_motion_prompt(group)) for group in groups])
        if self._trends:
            motions.highlighted = 0
        self.query_one(TrendChart).show(self._trends[0] if self._trends else None, EMPTY)
        self._show_week(report.adherence, bool(report.items))
        self.query_one("#pain", Static).update(_pain_text(report))
        self.query_one(PainStrip).show(data.pain_scores)
        self.query_one("#alerts", Static).update(_alerts_text(report, self._dashboard.demo))

    def record_default(self) -> RecordDefault | None:
        """The highlighted tracked motion's exercise (and its side, when only one side is tracked)."""
        index = self.query_one("#motions", OptionList).highlighted
        if index is None or index >= len(self._groups):
            return None
        (exercise, _motion), sides = self._groups[index]
        return exercise, Side(next(iter(sides))) if len(sides) == 1 else None

    @on(OptionList.OptionHighlighted, "#motions")
    def _motion_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_index < len(self._trends):
            self.query_one(TrendChart).show(self._trends[event.option_index])


def pain_per_session(entries: Sequence[PainEntry]) -> tuple[float, ...]:
    """Session rating where given, else the mean of the set ratings; in the order sessions were rated."""
    whole: dict[int, float] = {}
    sets: dict[int, list[int]] = defaultdict(list)
    order: dict[int, None] = {}
    for entry in entries:
        order.setdefault(entry.session_id)
        if entry.set_index is None:
            whole[entry.session_id] = float(entry.score)
        else:
            sets[entry.session_id].append(entry.score)
    return tuple(whole[s] if s in whole else sum(sets[s]) / len(sets[s]) for s in order)


Group: TypeAlias = "tuple[tuple[str, str], dict[str, ProgressItem]]"
"""(exercise, motion) and its items by side."""


def motion_groups(report: ProgressReport) -> list[Group]:
    grouped: dict[tuple[str, str], dict[str, ProgressItem]] = {}
    for item in report.items:
        grouped.setdefault((item.exercise, item.motion), {})[item.side] = item
    return list(grouped.items())


def motion_trend(group: Group, report: ProgressReport) -> MotionTrend:
    """One chart per exercise and motion, left and right together, with the band and any plan target."""
    (exercise_id, motion), sides = group
    target = next((p.target_deg for p in report.adherence.plan
                   if p.exercise_id == exercise_id and p.target_deg is not None), None)
    too_early = all(item.trend.direction == "too_early" for item in sides.values())
    low = sum(item.low_confidence_sessions for item in sides.values())
    notes = (["too early for a trend"] if too_early else []) + \
        ([f"{low} of {sum(len(item.points) for item in sides.values())} sessions low confidence"] if low else [])
    return MotionTrend(f"{catalog.get(exercise_id).name}: {motion_words(motion)}",
                       tuple((side, item.points) for side, item in sorted(sides.items())),
                       typical_band(exercise_id, motion), target, " · ".join(notes) or None)


def _motion_prompt(group: Group) -> Text:
    (exercise_id, motion), sides = group
    text = Text(catalog.get(exercise_id).name, style="bold", no_wrap=True, overflow="ellipsis")
    text.append(f"\n{short_motion(motion):<6}", style="dim")
    for side in ("left", "right"):
        item = sides.get(side)
        if item is None:
            text.append(f" {side[0].upper()}   –   ", style="dim")
        else:
            text.append(f" {side[0].upper()} {item.trend.latest_deg:3.0f}° {trend_arrow(item.trend.direction)}")
    return text


def _adherence_line(adherence: Adherence, any_sessions: bool) -> str:
    if not adherence.weeks:
        return "no plan yet: e, then a" if any_sessions else ""
    week = adherence.weeks[-1]
    return f"this wk {week.done}/{week.planned} · streak {adherence.streak_weeks} wk"


def _pain_text(report: ProgressReport) -> Text:
    pain = report.pain
    if pain is None:
        return Text("Pain: not rated yet (hiptrack pain SESSION SCORE).", style="dim")
    return Text(f"Pain {_score(pain.latest)}/10 now · {_score(pain.first_week_mean)} first week → "
                f"{_score(pain.last_week_mean)} last")


def _score(value: float) -> str:
    """4.5 stays 4.5 (not rounded to even 4), 2.0 is 2."""
    return f"{value:.1f}".removesuffix(".0")


def _alerts_text(report: ProgressReport, demo: bool) -> Content:
    """On the demo's database the alerts are headed as examples: they are about sessions nobody did."""
    if not report.alerts:
        return Content.from_markup("[dim]No alerts.[/]" if report.items else "")
    lines = [f"[b $warning]![/] {escape(alert.message)}" for alert in report.alerts]
    return Content.from_markup("\n".join([f"[i]{DEMO_ALERTS}[/]", *lines] if demo else lines))
