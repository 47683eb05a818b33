"""The dashboard's pure helpers: labels, the session filter, pain per session, placements, column widths."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from analysis.peaks import Peaks
from analysis.results import CalibrationOutcome, SessionResult
from tracker.catalog import Span
from tracker.domain import AnalysedSession, PainEntry, Placement, SessionStatus, SessionSummary, Side, Source
from tracker.norms import typical_band
from tui.filters import SessionFilter, parse_days
from tui.labels import clock_time, date_ticks, duration_words, pain_bars, short_motion, trend_arrow
from tui.screens.devices import assign
from tui.screens.exercises import compact_dose
from tui.screens.home import pain_per_session
from tui.screens.sessions import COLUMNS, best_label, exercise_width
from tui.widgets.trend_chart import binned_medians

AT = datetime(2026, 3, 1, 18, 0, tzinfo=UTC)


def _summary(exercise: str = "couch_stretch", side: Side = Side.LEFT, day: int = 1) -> SessionSummary:
    return SessionSummary(1, exercise, side, Source.SIMULATED, SessionStatus.COMPLETE,
                          datetime(2026, 3, day, 12, 0, tzinfo=UTC), 60.0, 6000, 100.0, None, ())


def test_date_ticks_span_the_range_with_readable_labels() -> None:
    ticks, labels = date_ticks(date(2026, 1, 1), date(2026, 3, 1), 4)
    assert ticks[0] == date(2026, 1, 1).toordinal() and ticks[-1] == date(2026, 3, 1).toordinal()
    assert labels == ["1 Jan", "21 Jan", "9 Feb", "1 Mar"]
    _, long_labels = date_ticks(date(2023, 3, 1), date(2026, 3, 1), 3)
    assert long_labels == ["Mar 2023", "Aug 2024", "Mar 2026"]
    assert date_ticks(date(2026, 1, 1), date(2026, 1, 1), 5) == ([float(date(2026, 1, 1).toordinal())], ["1 Jan"])


def test_pain_bars_use_a_fixed_scale_and_keep_the_latest() -> None:
    assert pain_bars([0, 10, 5], 10) == "▁█▅"
    assert pain_bars([2, 3], 10) == "▂▃"                     # not stretched to ▁█ as a self-scaled sparkline would
    assert pain_bars(list(range(11)), 3) == "▇▇█"                # 8 and 9 share a bar: 8 levels for 11 scores
    assert pain_bars([4], 0) == ""


@pytest.mark.parametrize(("seconds", "clock", "words"), [
    (45.2, "0:45", "45 s"), (108, "1:48", "1 min 48 s"), (7500, "2h05", "2 h 05 min")])
def test_durations(seconds: float, clock: str, words: str) -> None:
    assert clock_time(seconds) == clock
    assert duration_words(seconds) == words


def test_motion_labels_and_arrows() -> None:
    assert short_motion("internal_rotation") == "IR" and short_motion("something_new") == "something new"
    assert [trend_arrow(d) for d in ("improving", "declining", "stable", "too_few")] == ["↗", "↘", "→", "·"]


@pytest.mark.parametrize(("text", "first", "last"), [
    ("", None, None),
    ("2026", date(2026, 1, 1), date(2026, 12, 31)),
    ("2026-02", date(2026, 2, 1), date(2026, 2, 28)),
    ("2026-03-02", date(2026, 3, 2), date(2026, 3, 2)),
    ("2026-01..2026-02-10", date(2026, 1, 1), date(2026, 2, 10)),
    ("..2026-01", None, date(2026, 1, 31)),
    (" 2026-03.. ", date(2026, 3, 1), None),
])
def test_parse_days(text: str, first: date | None, last: date | None) -> None:
    assert parse_days(text) == (first, last)


@pytest.mark.parametrize(("text", "problem"), [
    ("yesterday", "write a date like"), ("2026-13", "month must be in 1..12"), ("2026-02-30", "day is out of range"),
    ("2026-03..2026-02", "ends before it starts")])
def test_parse_days_refuses_with_a_reason(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_days(text)


def test_session_filter_matches_exercise_side_and_inclusive_days() -> None:
    session = _summary("couch_stretch", Side.LEFT, day=5)
    assert SessionFilter().matches(session)
    assert SessionFilter("couch_stretch", Side.LEFT, date(2026, 3, 5), date(2026, 3, 5)).matches(session)
    assert not SessionFilter("ride").matches(session)
    assert not SessionFilter(side=Side.RIGHT).matches(session)
    assert not SessionFilter(first_day=date(2026, 3, 6)).matches(session)
    assert not SessionFilter(last_day=date(2026, 3, 4)).matches(session)


def test_pain_per_session_prefers_the_session_rating_over_its_sets() -> None:
    entries = [PainEntry(1, 4, 0, None, AT), PainEntry(1, 6, 1, None, AT), PainEntry(2, 3, 0, None, AT),
               PainEntry(2, 7, None, None, AT), PainEntry(3, 1, None, None, AT)]
    assert pain_per_session(entries) == (5.0, 7.0, 1.0)


def test_a_placement_holds_one_sensor_and_a_sensor_one_placement() -> None:
    placements: dict[str, Placement] = {}
    assign(placements, "A", Placement.LEFT_THIGH)
    assign(placements, "B", Placement.RIGHT_THIGH)
    assign(placements, "A", Placement.PELVIS)
    assert placements == {"A": Placement.PELVIS, "B": Placement.RIGHT_THIGH}
    assign(placements, "C", Placement.PELVIS)
    assert placements == {"C": Placement.PELVIS, "B": Placement.RIGHT_THIGH}
    assign(placements, "B", None)
    assert placements == {"C": Placement.PELVIS}


def test_best_label_is_the_extreme_in_the_exercises_direction() -> None:
    peaks = Peaks(flexion_deg=20.0, extension_deg=-14.6, abduction_deg=3.0, adduction_deg=-2.0,
                  internal_rotation_deg=30.2, external_rotation_deg=-5.0)

    def row(exercise: str, calibration: CalibrationOutcome) -> AnalysedSession:
        result = SessionResult(Side.LEFT, exercise, 60.0, calibration, peaks if calibration.ok else None)
        return AnalysedSession(1, exercise, Side.LEFT, AT, result)

    calibrated = CalibrationOutcome(0.0, 10.0)
    assert best_label(row("couch_stretch", calibrated)) == "ext 15°"
    assert best_label(row("seated_hip_internal_rotation", calibrated)) == "IR 30°"
    assert best_label(row("couch_stretch", CalibrationOutcome(problem="no stand"))) == "no calib."
    assert best_label(None) == ""


def test_session_columns_fit_80_columns_and_grow_with_the_screen() -> None:
    def total(width: int) -> int:
        return sum((exercise_width(width) if key == "exercise" else w) + 2 for _, key, w in COLUMNS) + 2

    assert total(80) <= 80
    assert exercise_width(140) == 40 and exercise_width(40) == 16


@pytest.mark.parametrize(("sets", "reps", "hold_s", "text"), [
    ((3, 3), (4, 8), (2, 5), "3×4–8 · 2–5 s"), ((2, 2), None, (120, 180), "2×120–180 s"),
    (None, None, (60, 60), "60 s"), (None, (10, 15), None, "10–15 reps"), (None, None, None, "–")])
def test_compact_dose(sets: Span, reps: Span, hold_s: Span, text: str) -> None:
    assert compact_dose(sets, reps, hold_s) == text


def test_typical_bands_only_where_the_angle_is_an_end_range() -> None:
    band = typical_band("seated_hip_internal_rotation", "internal_rotation")
    assert band is not None and band.low_deg < band.high_deg
    straight_leg = typical_band("hamstring_strap_stretch", "flexion")
    assert straight_leg is not None and straight_leg.high_deg < typical_band("figure_four_stretch", "flexion").low_deg  # type: ignore[union-attr]
    assert typical_band("ride", "flexion") is None


def test_binned_medians_are_per_monday_aligned_bin_at_its_middle() -> None:
    monday = float(date(2026, 3, 2).toordinal())
    days = [monday, monday + 1.5, monday + 6.9, monday + 7, monday + 20]
    x, y = binned_medians(days, [10.0, 30.0, 20.0, 5.0, 7.0], 7)
    assert x == [monday + 3.5, monday + 7 + 3.5, monday + 14 + 3.5] and y == [20.0, 5.0, 7.0]
    x, y = binned_medians(days, [10.0, 30.0, 20.0, 5.0, 7.0], 14)
    assert date.fromordinal(int(x[0] - 7)).weekday() == 0 and y == [15.0, 7.0]
