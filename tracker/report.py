"""Plain-text renderings of results for the terminal (the JSON is the contract; this is for people)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from analysis.results import SessionResult
    from tracker.catalog import Exercise, Span
    from tracker.plans import PlanItem

def render_assessment(result: SessionResult) -> str:
    """A short human summary of a session's result."""
    lines = [f"{result.exercise} ({result.side} side), {result.duration_s:.1f} s"]
    calibration = result.calibration
    if not calibration.ok:
        lines.append(f"  calibration: not found — {calibration.problem}")
        return "\n".join(lines)
    lines.append(f"  calibration: {calibration.start_s:.1f}–{calibration.end_s:.1f} s")
    if result.peaks is not None:
        lines.append("  range: " + ", ".join(f"{label} {low:+.1f}° to {high:+.1f}°"
                                             for label, low, high in result.peaks.ranges()))
    words = confidence_words(result)
    if words:
        lines.append(f"  confidence: flexion high; {words}")
    if result.sets:
        lines.append(f"  {len(result.reps)} reps in {len(result.sets)} set(s): "
                     + ", ".join(str(s.reps) for s in result.sets))
    ride = result.ride
    if ride is not None and ride.revolutions:
        lines.append(f"  ride: {ride.revolutions} revolutions at {ride.cadence_rpm_mean:.0f} rpm, "
                     f"{ride.pedaling_time_s:.0f} s pedalling")
        lines.append(f"  thigh per stroke: flexion {ride.flexion_min_deg:+.0f}° to {ride.flexion_max_deg:+.0f}° "
                     f"(range {ride.flexion_range_deg:.0f}°), knee tracking {ride.abduction_mean_deg:+.1f}°")
        if ride.coasting or ride.stops or ride.standing:
            lines.append(f"  {len(ride.coasting)} coasting, {len(ride.stops)} stops, "
                         f"{len(ride.standing)} out of the saddle")
    for hold in result.holds:
        lines.append(f"  hold {hold.start_s:7.1f} s: {hold.duration_s:5.1f} s at {hold.angle_deg:+.1f}° "
                     f"{motion_words(hold.motion)}")
    lines.extend(f"  ! {warning}" for warning in result.warnings)
    return "\n".join(lines)


SOURCE_WORDS = {"6d": "6d", "9d": "9d", "rests": "rests", "pedalling_axis": "pedalling axis",
                "magnetometer": "magnetometer", "loop_closure": "loop closure",
                "magnetometer_disturbed": "magnetometer disturbed, not used"}


def confidence_words(result: SessionResult) -> str:
    """'abduction and rotation high (heading within ±0.3°, from 6d + rests)', or '' if not known."""
    heading = (result.confidence or {}).get("rotation")
    if heading is None:
        return ""
    sources = " + ".join(SOURCE_WORDS.get(s, s) for s in result.orientation_source)
    return (f"abduction and rotation {heading.level} (heading within ±{heading.heading_uncertainty_deg:.1f}°"
            + (f", from {sources})" if sources else ")"))


def render_exercise(exercise: Exercise) -> str:
    """Name, what is measured and the dose, then cues and mistakes."""
    p = exercise.prescription
    dose = ", ".join(part for part in (
        span_text(p.sets, " sets", ""), span_text(p.reps, " reps", ""), span_text(p.hold_s, " s hold", ""),
        span_text(p.sessions_per_week, " times a week", "")) if part) or "no dose given in the source"
    lines = [f"{exercise.name} [{exercise.id}]: {motion_words(exercise.primary_motion)}, "
             f"{motion_words(exercise.posture.value)}; {dose}{' (per side)' if p.per_side and dose else ''}"]
    lines += [f"    + {cue}" for cue in exercise.cues]
    lines += [f"    - {mistake}" for mistake in exercise.mistakes]
    return "\n".join(lines)


def span_text(span: Span, unit: str = "", missing: str = "—") -> str:
    """A prescription span for people: '2–5 s', '3', or `missing` where the seed gives none."""
    if span is None:
        return missing
    low, high = (f"{v:g}" for v in span)
    return (low if low == high else f"{low}–{high}") + unit


def motion_words(motion: str) -> str:
    """'internal_rotation' → 'internal rotation'."""
    return motion.replace("_", " ")


NO_TREND_WORDS = {"too_few": "too few sessions for a trend",
                  "too_early": "too early for a trend (needs sessions at least a week apart)"}


def render_progress(document: dict[str, Any]) -> str:
    """The progress report (`hiptrack progress`) for people: one line per tracked motion, then alerts."""
    lines: list[str] = []
    if not document["items"]:
        lines.append("No analysed sessions yet. Record one (hiptrack record --simulate ...) or try: hiptrack demo")
    for item in document["items"]:
        slope = item["slope_deg_per_week"]
        trend = f"{slope:+.1f}°/week ({item['trend']}{', plateau' if item['plateau'] else ''})" \
            if slope is not None else NO_TREND_WORDS.get(item["trend"], "no trend")
        lines.append(f"{item['exercise']:30} {item['motion']:18} {item['side']:5}  {item['sessions']:3} sessions  "
                     f"best {item['best_deg']:5.1f}°  latest {item['latest_deg']:5.1f}°  {trend}")
        if item["low_confidence_sessions"]:
            lines.append(f"{'':30} {item['low_confidence_sessions']} of {item['sessions']} sessions have low "
                         "confidence for this angle (heading unobserved too long): read the trend with care")
    adherence = document["adherence"]
    if adherence["weeks"]:
        week = adherence["this_week"]
        lines.append(f"\nPlan: this week {week['done']} of {week['planned']} sessions; "
                     f"streak {adherence['streak_weeks']} week(s) with the plan kept.")
    pain = document["pain"]
    if pain is not None:
        lines.append(f"Pain: latest {pain['latest']:g}/10 ({pain['entries']} sessions rated).")
    if document["alerts"]:
        lines.append("")
        lines.extend(f"! {alert['message']}" for alert in document["alerts"])
    lines.append(f"\nChanges under {document['mdc_deg']:g}° are within measurement repeatability and not called "
                 "a change. hiptrack informs; it does not diagnose.")
    return "\n".join(lines)


def render_plan_item(item: PlanItem) -> str:
    p = item.prescription
    parts = [f"{name} {span_text(span)}{unit}" for name, span, unit in
             (("sets", p.sets, ""), ("reps", p.reps, ""), ("hold", p.hold_s, " s")) if span is not None]
    parts.append(f"{span_text(item.sessions_per_week)}×/week")
    if item.target_deg is not None:
        parts.append(f"target {item.target_deg:g}°")
    return f"[{item.id}] {item.exercise_id} ({item.side}): " + ", ".join(parts)
