"""Plain-text renderings of results for the terminal (the JSON is the contract; this is for people)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from tracker import catalog

if TYPE_CHECKING:
    from analysis.results import SessionResult
    from tracker.catalog import Exercise, Span
    from tracker.domain import PainEntry
    from tracker.plans import PlanItem

def plural(count: int, word: str, words: str | None = None) -> str:
    """'1 rep', '2 reps', '1 set', '0 holds': counts read as people write them."""
    return f"{count} {word if count == 1 else words or word + 's'}"


def degrees(value: float, decimals: int = 1) -> str:
    """A signed angle with its unit: '+32.6°', and '+0.0°' rather than '-0.0°' for a rounded-away sign."""
    text = f"{value:+.{decimals}f}°"
    return "+" + text[1:] if text.startswith("-") and float(text[:-1]) == 0 else text


def sets_words(reps: int, sets: Sequence[int]) -> str:
    """'10 reps in 2 sets: 5, 5' (and '1 rep in 1 set: 1')."""
    return f"{plural(reps, 'rep')} in {plural(len(sets), 'set')}: " + ", ".join(str(n) for n in sets)


def render_assessment(result: SessionResult) -> str:
    """A short human summary of a session's result."""
    lines = [f"{catalog.display_name(result.exercise)} ({result.side} side), {result.duration_s:.1f} s"]
    lines.extend(f"  ! {warning}" for warning in result.warnings)      # first: they change how to read the rest
    calibration = result.calibration
    if not calibration.ok:
        lines.append(f"  calibration: not found — {calibration.problem}")
        return "\n".join(lines)
    lines.append(f"  calibration: {calibration.start_s:.1f}–{calibration.end_s:.1f} s")
    if result.peaks is not None:
        lines.append("  range: " + ", ".join(f"{label} {degrees(low)} to {degrees(high)}"
                                             for label, low, high in result.peaks.ranges()))
    words = confidence_words(result)
    if words:
        lines.append(f"  confidence: flexion high; {words}")
    if result.sets:
        lines.append("  " + sets_words(len(result.reps), [s.reps for s in result.sets]))
    ride = result.ride
    if ride is not None and ride.revolutions:
        lines.append(f"  ride: {plural(ride.revolutions, 'revolution')} at {ride.cadence_rpm_mean:.0f} rpm, "
                     f"{ride.pedaling_time_s:.0f} s pedalling")
        lines.append(f"  thigh per stroke: flexion {ride.flexion_min_deg:+.0f}° to {ride.flexion_max_deg:+.0f}° "
                     f"(range {ride.flexion_range_deg:.0f}°), knee tracking {degrees(ride.abduction_mean_deg)}")
        if ride.coasting or ride.stops or ride.standing:
            lines.append(f"  {len(ride.coasting)} coasting, {plural(len(ride.stops), 'stop')}, "
                         f"{len(ride.standing)} out of the saddle")
    for hold in result.holds:
        moved = "" if hold.pelvis_deg is None else \
            f", pelvis moved {hold.pelvis_deg.largest_deg:.0f}°" + (" (compensated)" if hold.compensated else "")
        lines.append(f"  hold from {hold.start_s:6.1f} s, held {hold.duration_s:5.1f} s at {degrees(hold.angle_deg)} "
                     f"{motion_words(hold.motion)}{moved}")
    lines.extend(pelvis_lines(result))
    return "\n".join(lines)


def pain_words(entries: Sequence[PainEntry]) -> str:
    """'pain 3/10, set 1: 2/10' (the latest whole-session rating, then each set's), or 'pain not rated'."""
    if not entries:
        return "pain not rated"
    whole = [p for p in entries if p.set_index is None]
    parts = [f"pain {whole[-1].score:g}/10"] if whole else []
    parts += [f"set {p.set_index + 1}: {p.score:g}/10" for p in entries if p.set_index is not None]
    return ", ".join(parts)


POSTURE_WORDS = {"standing": "standing", "seated": "seated on a chair", "floor_sitting": "sitting on the floor",
                 "supine": "lying on your back", "kneeling": "kneeling", "cycling": "on a bike"}
"""Where the body is, as a person would say it (the posture ids are for scripts)."""


RIDE_ROCKING_DEG = 8.0
"""Per-stroke side-to-side pelvic rocking above this is 'large': a seated rider with a well-set
saddle rocks a few degrees; the bike-fit literature flags hips that visibly drop side to side."""
RIDE_ROCKING_DRIFT_DEG = 2.0
"""Rocking that grows this much from the first to the last tenth of the strokes: the rider tired."""


def pelvis_lines(result: SessionResult) -> list[str]:
    """What the measured pelvis says, with non-diagnostic advice (nothing without a pelvis sensor)."""
    if result.pelvis is None:                 # the JSON says "assumed"; the text stays as it was
        return []
    p = result.pelvis
    lines = [f"  pelvis moved: tilt {p.tilt_deg:.0f}°, obliquity {p.obliquity_deg:.0f}°, "
             f"rotation {p.rotation_deg:.0f}°"]
    compensated = sum(bool(e.compensated) for e in result.reps)
    if result.reps:
        lines.append(f"  {compensated} of {len(result.reps)} reps reached by moving the pelvis"
                     + (": keep the pelvis and low back still, and count only the range the hip gives"
                        if compensated else ""))
    elif any(h.compensated for h in result.holds):
        lines.append("  the pelvis moved during the hold: keep it still")
    ride = result.ride
    if ride is not None and ride.pelvis_obliquity_range_deg == ride.pelvis_obliquity_range_deg:
        lines.extend(_rocking_lines(ride.pelvis_obliquity_range_deg, ride.pelvis_tilt_range_deg,
                                    ride.pelvis_obliquity_range_drift_deg))
    return lines


def _rocking_lines(obliquity_deg: float, tilt_deg: float, drift_deg: float) -> list[str]:
    lines = [f"  pelvis per stroke: side-to-side rocking {obliquity_deg:.1f}°, fore-aft {tilt_deg:.1f}°"
             + (f", rocking grew {drift_deg:+.1f}° over the ride" if abs(drift_deg) >= RIDE_ROCKING_DRIFT_DEG else "")]
    if obliquity_deg >= RIDE_ROCKING_DEG:
        lines.append("  large side-to-side rocking is often linked to a saddle set too high: "
                     "have your bike fit checked")
    elif drift_deg >= RIDE_ROCKING_DRIFT_DEG:
        lines.append("  the rocking grew as the ride went on, which often comes with tiring: "
                     "a shorter or easier ride may keep the pelvis steadier")
    return lines


SOURCE_WORDS = {"6d": "6d", "9d": "9d", "rests": "rests", "pedalling_axis": "pedalling axis",
                "magnetometer": "magnetometer", "loop_closure": "loop closure",
                "magnetometer_disturbed": "magnetometer disturbed, not used"}


def confidence_words(result: SessionResult) -> str:
    """'abduction and rotation high (within ±1.3°, from 6d + rests)', or '' if not known.

    Not 'heading within': the ± also holds the floor for strap and calibration error (analysis.confidence)."""
    heading = (result.confidence or {}).get("rotation")
    if heading is None:
        return ""
    sources = " + ".join(SOURCE_WORDS.get(s, s) for s in result.orientation_source)
    return (f"abduction and rotation {heading.level} (within ±{heading.heading_uncertainty_deg:.1f}°"
            + (f", from {sources})" if sources else ")"))


def render_exercise(exercise: Exercise) -> str:
    """Name, what is measured and where, and the dose; then cues and mistakes."""
    p = exercise.prescription
    dose = ", ".join(part for part in (
        span_text(p.sets, " sets", ""), span_text(p.reps, " reps", ""), span_text(p.hold_s, " s hold", ""),
        span_text(p.sessions_per_week, " times a week", "")) if part)
    dose = f"{dose} (per side)" if dose and p.per_side else dose or "no recommended dose"
    motion = "pedalling: hip flexion per stroke" if exercise.primary_motion.value == "cycling" \
        else motion_words(exercise.primary_motion)
    posture = POSTURE_WORDS.get(exercise.posture.value, motion_words(exercise.posture.value))
    lines = [f"{exercise.name} [{exercise.id}]: {motion}, {posture}; {dose}"]
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
