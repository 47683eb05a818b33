"""Best angle per session over time for one exercise and motion: left against right, with a reference band."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol

from rich.text import Text
from textual.app import RenderResult
from textual.color import Color
from textual.content import Content
from textual.widget import Widget

from tracker.norms import RangeBand
from tui.labels import date_ticks, even_ticks

if TYPE_CHECKING:
    from textual_plotext import Plot


class ChartPoint(Protocol):
    """A session as the chart draws it: a progress report's point, or a headline's before the report is built."""

    @property
    def started_at(self) -> datetime: ...
    @property
    def best_deg(self) -> float: ...

SIDE_COLORS = {"left": (86, 180, 233), "right": (230, 159, 0)}
"""Okabe–Ito sky blue and orange: told apart with any colour vision, on light and dark themes."""

SIDE_MARKERS = {"left": "●", "right": "■"}
"""Told apart without colour too (a monochrome terminal, a text capture)."""

DRAWING = "Drawing the chart…"
"""In the chart's place for the one frame before a large plot is built: the rest of the screen goes first."""

DRAW_LATER_POINTS = 500
"""Plots of more sessions than this are built in a frame of their own. Why: plotext builds about 40 points a
millisecond, so years of daily sessions hold up the list, the calendar and the week by a tenth of a second or
more; a few months' plot is built within the frame that shows them."""

BAND_COLOR = (128, 128, 128)
TARGET_COLOR = (213, 94, 0)


@dataclass(frozen=True, slots=True)
class MotionTrend:
    """What one chart shows."""

    title: str
    series: tuple[tuple[str, tuple[ChartPoint, ...]], ...]
    """(side, points) in the order to draw."""
    band: RangeBand | None = None
    target_deg: float | None = None
    """The plan's target angle, if one is set."""
    note: str | None = None
    """Said after the legend, e.g. 'too early for a trend'."""


class TrendChart(Widget):
    """A plotext chart, drawn as textual_plotext's PlotextPlot draws one, with plotext loaded at the first plot.

    Why not a PlotextPlot: importing plotext takes about as long as the home screen's first data take to read,
    and the screen can show its list, calendar and week (and an empty or loading chart) without it.
    """

    DEFAULT_CSS = """
    TrendChart {
        width: 1fr;
        height: 1fr;
        min-height: 8;
        border: round $primary 50%;
        border-title-color: $text;
        border-title-style: bold;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._trend: MotionTrend | None = None
        self._empty = "No analysed sessions yet."
        self._drawn: tuple[object, Text] | None = None
        """What was last drawn and the plot it gave: years of sessions take plotext tens of milliseconds."""
        self._due: object = None
        """The large plot to build on the next render (DRAW_LATER_POINTS): its frame of saying so is drawn."""
        self._plot: Plot | None = None
        self._plotted = False

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self.refresh())

    @property
    def plt(self) -> Plot:
        """The plotext figure (made, and plotext imported, on first use)."""
        if self._plot is None:
            from textual_plotext import Plot

            self._plot = Plot()
        return self._plot

    def show(self, trend: MotionTrend | None, empty: str | None = None) -> None:
        """Draw `trend` (None: show the `empty` message instead); title and legend go on the border."""
        if trend is self._trend and (empty is None or empty == self._empty):
            return                  # the same chart again (a list re-highlighting it): nothing to redraw
        self._trend = trend
        self._plotted = False
        if empty is not None:
            self._empty = empty
        self.border_title = None if trend is None else trend.title
        self.border_subtitle = None if trend is None else legend(trend)
        self.refresh()

    @property
    def trend(self) -> MotionTrend | None:
        return self._trend

    @property
    def plotted(self) -> bool:
        """Whether the chart has built the current trend's plot (not a message, nor that it is being drawn)."""
        return self._plotted

    def plot_now(self) -> None:
        """Build a plot that waits for its frame (DRAW_LATER_POINTS) now: the caller starts slower work after it."""
        if self._due is not None and not self._plotted:
            self.render()
            self.refresh()

    def render(self) -> RenderResult:
        trend = self._trend
        self._plotted = False
        if trend is None or not any(points for _, points in trend.series):
            return Text(self._empty, style="italic")
        drawn = (self.size, self.app.theme, trend.band, trend.target_deg,
                 tuple((side, tuple((p.started_at, p.best_deg) for p in points)) for side, points in trend.series))
        if self._drawn is None or self._drawn[0] != drawn:      # the report's points after the headlines' are
            if self._due != drawn and sum(len(points) for _, points in trend.series) > DRAW_LATER_POINTS:
                self._due = drawn                               # the same numbers: the same plot
                self.call_after_refresh(self.refresh)           # this frame says so, the next builds it
                return Text(DRAWING, style="italic")
            self._draw(trend)
            plot = self._build()
            self._drawn = (drawn, plot)
        self._plotted = True
        return self._drawn[1].copy()

    def _build(self) -> Text:
        """The figure as text at this size, in the app's theme: what PlotextPlot.render does (textual-plotext 1.0)."""
        from textual_plotext.plot import _rgbify_theme, _sequence, _themes

        name = f"textual-auto-{self.app.theme}"
        if name not in _themes:          # the app theme's surface and text colours, as PlotextPlot registers them
            variables = self.app.theme_variables
            surface, foreground = Color.parse(variables["surface"]).rgb, Color.parse(variables["foreground"]).rgb
            # the library's own call, whose annotations disagree with each other (list is invariant)
            _themes[name] = _rgbify_theme(surface, surface, foreground, "default", _sequence)  # type: ignore[arg-type]
        plot = self.plt
        plot.plotsize(self.size.width, self.size.height)
        plot._set_size(self.size.width, self.size.height)     # as PlotextPlot does: resizing needs both
        plot.theme(name)
        return Text.from_ansi(plot.build())

    def _draw(self, trend: MotionTrend) -> None:
        """Rebuilt on every render: ticks and markers depend on the size the chart has now."""
        plt = self.plt
        plt.clear_figure()
        days = [_day(p) for _, points in trend.series for p in points]
        values = [p.best_deg for _, points in trend.series for p in points]
        first, last = min(days), max(days)
        margin = max((last - first) * 0.02, 0.5)
        if trend.band is not None:
            span = [trend.band.low_deg, trend.band.high_deg]
            # the stub says float; plotext's rectangle takes [min, max] lists
            plt.rectangle([first - margin, last + margin], span, fill=True,  # type: ignore[arg-type]
                          color=BAND_COLOR, marker="·")
            values += [trend.band.low_deg, trend.band.high_deg]
        if trend.target_deg is not None:
            plt.plot([first - margin, last + margin], [trend.target_deg] * 2, color=TARGET_COLOR, marker="─")
            values.append(trend.target_deg)
        for side, points in trend.series:
            if not points:
                continue
            x, y = [_day(p) for p in points], [p.best_deg for p in points]
            color = SIDE_COLORS.get(side, (255, 255, 255))
            if len(points) <= self.size.width // 3:          # few sessions: a line, and each one marked
                plt.plot(x, y, marker="braille", color=color)
                plt.scatter(x, y, marker=SIDE_MARKERS.get(side, "•"), color=color)
            else:                                  # many: every session a faint dot, the trend a median line
                plt.scatter(x, y, marker="braille", color=_faint(color))
                weeks = max(1, math.ceil((last - first) / 7 / max(self.size.width // 2, 1)))
                plt.plot(*binned_medians(x, y, 7 * weeks), marker="hd", color=color)
        low, high = min(values), max(values)
        pad = max((high - low) * 0.1, 2.0)
        plt.ylim(low - pad, high + pad)
        y_ticks = even_ticks(low - pad, high + pad, max(2, (self.size.height - 4) // 3))
        plt.yticks(y_ticks, [f"{t:g}" for t in y_ticks])
        plt.xlim(first - margin, last + margin)
        ticks, labels = date_ticks(date.fromordinal(int(first)), date.fromordinal(int(last)),
                                   max(2, self.size.width // 14))
        plt.xticks(ticks, labels)


def binned_medians(days: list[float], values: list[float], bin_days: int) -> tuple[list[float], list[float]]:
    """The median of the values in each bin of `bin_days` (bins start on Mondays), placed at the bin's middle.

    Why: years of daily sessions drawn as one line are a scribble; the medians show the trend, and the
    faint dots around them still show every session.
    """
    bins: dict[int, list[float]] = {}
    for day, value in zip(days, values, strict=True):
        bins.setdefault((int(day) - 1) // bin_days, []).append(value)   # ordinal day 1 (1 Jan of year 1) is a Monday
    starts = sorted(bins)
    return [start * bin_days + 1 + bin_days / 2 for start in starts], [float(statistics.median(bins[start]))
                                                                          for start in starts]


def _faint(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    """Halfway to grey: the dots behind a line of the same hue."""
    r, g, b = rgb
    return (r + 128) // 2, (g + 128) // 2, (b + 128) // 2


def legend(trend: MotionTrend) -> Content:
    """Which colour is which side, and what the band and the target line are."""
    parts = [f"[{_hex(SIDE_COLORS.get(side, (255, 255, 255)))}]{SIDE_MARKERS.get(side, '•')}━ {side}[/]"
             for side, points in trend.series if points]
    if trend.band is not None:
        parts.append(f"[{_hex(BAND_COLOR)}]··· typical {trend.band.low_deg:.0f}–{trend.band.high_deg:.0f}°[/]")
    if trend.target_deg is not None:
        parts.append(f"[{_hex(TARGET_COLOR)}]─ target {trend.target_deg:.0f}°[/]")
    markup = Content.from_markup("  ".join(parts))
    return markup if trend.note is None else markup + Content("  ") + Content.styled(trend.note, "italic")


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _day(point: ChartPoint) -> float:
    """Days on the proleptic ordinal scale, with the time of day as a fraction (local calendar)."""
    local = point.started_at.astimezone()
    return local.toordinal() + (local.hour * 3600 + local.minute * 60 + local.second) / 86400.0
