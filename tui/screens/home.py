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
from textual.worker import get_current_worker

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
    from tracker.adherence import Adherence
    from tracker.glance import Key, PeakPoint
    from tracker.plans import PlanItem
    from tracker.progress import ProgressItem, ProgressReport

EMPTY = "No analysed sessions yet: press r to record one, or run `hiptrack demo`."
LOADING_SESSIONS = "Loading sessions…"
TREND_LOADING = "trend loading…"
LOADING_ARROW = "…"
"""In place of the trend's arrow until the report is built."""
LOADING_PAIN = "Pain: loading…"
LOADING_ALERTS = "Alerts: loading…"
NOT_LOADED = "Could not be loaded (see the message)."
DEMO_BANNER = "Demo: simulated sessions, not yours · your own data: q, then run hiptrack"
"""Why: the demo opens on charts and alerts a new user would otherwise take for their own."""
DEMO_ALERTS = "Example alerts, about the simulated sessions:"


@dataclass(frozen=True, slots=True)
class HomeData:
    report: ProgressReport
    pain_scores: tuple[float, ...]
    """One score per rated session, oldest first (its session rating, else the mean of its set ratings)."""


@dataclass(frozen=True, slots=True)
class Glance:
    """What the home screen draws first, from the sessions' headlines: the best angles, the calendar, the week."""

    series: dict[Key, tuple[PeakPoint, ...]]
    adherence: Adherence
    plan: tuple[PlanItem, ...]


class HomeScreen(DataScreen):
    """Trends on top (a list of tracked motions beside the selected one's chart), the week below."""

    def __init__(self, context: DashboardContext) -> None:
        super().__init__(context)
        self._trends: list[MotionTrend] = []
        self._groups: list[Tracked] = []

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
                yield Static(Text(LOADING_PAIN, style="dim italic"), id="pain")
                yield PainStrip(id="pain-strip")
                yield Static(Text(LOADING_ALERTS, style="dim italic"), id="alerts")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#motions").border_title = "Tracked motions"
        self.query_one("#notes").border_title = "Pain and alerts"
        self.query_one("#week").border_title = "Session days"
        self.query_one("#demo-banner").display = self._dashboard.demo
        self.query_one(TrendChart).show(None, LOADING_SESSIONS)     # not "no sessions" before they are read

    @work(thread=True, exclusive=True, group="home")
    def load(self) -> None:
        """First what one query's plain rows give (best angles, calendar, week), then the report (`_load_report`).

        Why two steps: on years of sessions the report takes a second or more (every result typed with its
        reps and holds, NumPy, the trend fits); the headlines take a few hundredths, so the charts and the
        calendar are on screen before the report starts, and what waits for it says "loading".
        """
        from tracker.adherence import adherence
        from tracker.glance import best_angles

        reader = self._dashboard.services.reader    # Core reads: the ORM need not load for the home screen
        try:
            rows = reader.headlines()
            plan = reader.plan(include_inactive=True)
        except HiptrackError as err:
            self.app.call_from_thread(self._show_failed, err)
            return
        glance = Glance(best_angles(rows), adherence(rows, plan, self._dashboard.clock()), tuple(plan))
        if not get_current_worker().is_cancelled:       # a newer load is under way: it shows its own
            self.app.call_from_thread(self._show_glance, glance)

    @work(thread=True, exclusive=True, group="home-report")
    def _load_report(self) -> None:
        """Progress needs every analysed session's result: a few bulk queries and the fits, off the UI thread.

        The progress maths (NumPy, the trend fits) is imported here, after the first data is drawn. A group
        of its own: starting it must not cancel the first step's worker, which may not have returned yet.
        """
        from tracker.progress import build_report

        reader = self._dashboard.services.reader
        try:
            rows = reader.analysed()
            plan = reader.plan(include_inactive=True)
            pain = reader.pain()
            data = HomeData(build_report(rows, pain, plan, self._dashboard.clock()), pain_per_session(pain))
        except HiptrackError as err:
            self.app.call_from_thread(self._show_failed, err)
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, data)

    def _show_failed(self, err: HiptrackError) -> None:
        """Say so, and take the loading placeholders down: they would otherwise promise data that is not coming."""
        self.notify(str(err), title="Cannot load progress", severity="error")
        for placeholder in ("#pain", "#alerts"):
            self.query_one(placeholder, Static).update(Text(NOT_LOADED, style="dim italic"))
        if self.query_one(TrendChart).trend is None:
            self.query_one(TrendChart).show(None, NOT_LOADED)

    def _show_week(self, adherence: Adherence, any_sessions: bool) -> None:
        today = self._dashboard.clock().astimezone().date()
        self.query_one(AdherenceCalendar).show(adherence.days, today)
        self.query_one("#week").border_subtitle = _adherence_line(adherence, any_sessions)

    def _show_glance(self, glance: Glance) -> None:
        """The best angles and the week, with what the report will add marked as loading; then start the report."""
        grouped: dict[tuple[str, str], dict[str, tuple[PeakPoint, ...]]] = {}
        for (exercise, motion, side), points in glance.series.items():
            grouped.setdefault((exercise, motion), {})[side] = points
        self._trends = [MotionTrend(_title(exercise, motion), tuple(sorted(sides.items())),
                                    typical_band(exercise, motion), _target(exercise, glance.plan), TREND_LOADING)
                        for (exercise, motion), sides in grouped.items()]
        self._show_motions([((exercise, motion), {side: (points[-1].best_deg, LOADING_ARROW)
                                                  for side, points in sides.items()})
                            for (exercise, motion), sides in grouped.items()])
        self._show_week(glance.adherence, bool(glance.series))
        self.call_after_refresh(self._after_glance)         # the first data is drawn before the report loads

    def _after_glance(self) -> None:
        """Once the first data are drawn: the chart's plot, if it waits for a frame of its own (years of sessions,
        TrendChart), then the report, whose worker would otherwise slow the plot down."""
        self.query_one(TrendChart).plot_now()
        self._load_report()

    def _show(self, data: HomeData) -> None:
        report = data.report
        groups = motion_groups(report)
        self._trends = [motion_trend(group, report) for group in groups]
        self._show_motions([(key, {side: (item.trend.latest_deg, trend_arrow(item.trend.direction))
                                   for side, item in sides.items()}) for key, sides in groups])
        self._show_week(report.adherence, bool(report.items))
        self.query_one("#pain", Static).update(_pain_text(report))
        self.query_one(PainStrip).show(data.pain_scores)
        self.query_one("#alerts", Static).update(_alerts_text(report, self._dashboard.demo))

    def _show_motions(self, motions: list[Tracked]) -> None:
        """List the tracked motions and chart the highlighted one (the same as before, if it is still there)."""
        options = self.query_one("#motions", OptionList)
        before = options.highlighted
        kept = self._groups[before][0] if before is not None and before < len(self._groups) else None
        self._groups = motions
        keys = [key for key, _ in motions]
        options.clear_options()
        options.add_options([Option(_motion_prompt(key, latest)) for key, latest in motions])
        if self._trends:
            options.highlighted = keys.index(kept) if kept in keys else 0
        self.query_one(TrendChart).show(self._trends[options.highlighted or 0] if self._trends else None, EMPTY)

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


Tracked: TypeAlias = "tuple[tuple[str, str], dict[str, tuple[float, str]]]"
"""(exercise, motion) and, by side, its latest best angle and the trend's arrow (or that it is loading)."""


def motion_trend(group: Group, report: ProgressReport) -> MotionTrend:
    """One chart per exercise and motion, left and right together, with the band and any plan target."""
    (exercise_id, motion), sides = group
    target = _target(exercise_id, report.adherence.plan)
    too_early = all(item.trend.direction == "too_early" for item in sides.values())
    low = sum(item.low_confidence_sessions for item in sides.values())
    notes = (["too early for a trend"] if too_early else []) + \
        ([f"{low} of {sum(len(item.points) for item in sides.values())} sessions low confidence"] if low else [])
    return MotionTrend(_title(exercise_id, motion), tuple((side, item.points) for side, item in sorted(sides.items())),
                       typical_band(exercise_id, motion), target, " · ".join(notes) or None)


def _title(exercise_id: str, motion: str) -> str:
    return f"{catalog.get(exercise_id).name}: {motion_words(motion)}"


def _target(exercise_id: str, plan: Sequence[PlanItem]) -> float | None:
    """The target angle of the first active plan item for the exercise that sets one."""
    return next((p.target_deg for p in plan if p.active and p.exercise_id == exercise_id and p.target_deg is not None),
                None)


def _motion_prompt(key: tuple[str, str], latest: dict[str, tuple[float, str]]) -> Text:
    exercise_id, motion = key
    text = Text(catalog.get(exercise_id).name, style="bold", no_wrap=True, overflow="ellipsis")
    text.append(f"\n{short_motion(motion):<6}", style="dim")
    for side in ("left", "right"):
        if side not in latest:
            text.append(f" {side[0].upper()}   –   ", style="dim")
        else:
            best_deg, arrow = latest[side]
            text.append(f" {side[0].upper()} {best_deg:3.0f}° {arrow}")
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
