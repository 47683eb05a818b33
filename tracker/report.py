"""Plain-text renderings of results for the terminal (the JSON is the contract; this is for people)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tracker.catalog import Exercise, Span

_RANGES = (("flexion", "extension_deg", "flexion_deg"), ("abduction", "adduction_deg", "abduction_deg"),
           ("internal rotation", "external_rotation_deg", "internal_rotation_deg"))
"""(label, key of the lowest signed angle, key of the highest): SPEC §5 peaks are signed extremes."""


def render_assessment(document: dict[str, Any]) -> str:
    """A short human summary of a SPEC §5 document."""
    lines = [f"{document['exercise']} ({document['side']} side), {document['duration_s']:.1f} s"]
    calibration = document["calibration"]
    if not calibration["ok"]:
        lines.append(f"  calibration: not found — {calibration['problem']}")
        return "\n".join(lines)
    lines.append(f"  calibration: {calibration['start_s']:.1f}–{calibration['end_s']:.1f} s")
    peaks = document["peaks"] or {}
    lines.append("  range: " + ", ".join(f"{label} {peaks[low]:+.1f}° to {peaks[high]:+.1f}°"
                                         for label, low, high in _RANGES))
    sets = document["sets"]
    if sets:
        lines.append(f"  {len(document['reps'])} reps in {len(sets)} set(s): "
                     + ", ".join(str(s["reps"]) for s in sets))
    ride = document.get("ride")
    if ride and ride.get("revolutions"):
        lines.append(f"  ride: {ride['revolutions']} revolutions at {ride['cadence_rpm_mean']:.0f} rpm, "
                     f"{ride['pedaling_time_s']:.0f} s pedalling")
        lines.append(f"  thigh per stroke: flexion {ride['flexion_min_deg']:+.0f}° to {ride['flexion_max_deg']:+.0f}° "
                     f"(range {ride['flexion_range_deg']:.0f}°), knee tracking {ride['abduction_mean_deg']:+.1f}°")
        pauses = len(ride.get("coasting", [])) + len(ride.get("stops", []))
        if pauses or ride.get("standing"):
            lines.append(f"  {len(ride.get('coasting', []))} coasting, {len(ride.get('stops', []))} stops, "
                         f"{len(ride.get('standing', []))} out of the saddle")
    for hold in document["holds"]:
        lines.append(f"  hold {hold['start_s']:7.1f} s: {hold['duration_s']:5.1f} s at {hold['angle_deg']:+.1f}° "
                     f"{hold['motion'].replace('_', ' ')}")
    return "\n".join(lines)


def render_exercise(exercise: Exercise) -> str:
    """Name, what is measured and the dose, then cues and mistakes."""
    p = exercise.prescription
    dose = ", ".join(part for part in (
        _span(p.sets, "sets"), _span(p.reps, "reps"), _span(p.hold_s, "s hold"),
        _span(p.sessions_per_week, "times a week")) if part) or "no dose given in the source"
    lines = [f"{exercise.name} [{exercise.id}]: {exercise.primary_motion.replace('_', ' ')}, "
             f"{exercise.posture.value.replace('_', ' ')}; {dose}{' (per side)' if p.per_side and dose else ''}"]
    lines += [f"    + {cue}" for cue in exercise.cues]
    lines += [f"    - {mistake}" for mistake in exercise.mistakes]
    return "\n".join(lines)


def _span(value: Span, unit: str) -> str:
    if value is None:
        return ""
    low, high = (f"{v:g}" for v in value)
    return f"{low} {unit}" if low == high else f"{low}–{high} {unit}"
