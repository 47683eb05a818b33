"""Holds, reps and sets on the exercise's primary motion (SPEC §5 definitions).

A rep is one excursion from neutral and back; a hold is a stretch of that excursion where the
angle stays still (within a few degrees) away from neutral; sets are reps grouped by rests.
Cyclic exercises (shifts, circles) count each cycle of the primary angle as a rep instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from analysis.chunks import per_chunk
from analysis.results import HoldEvent, RepEvent, SetEvent
from analysis.segments import close_gaps, moving_average, runs
from analysis.swings import swing_peaks, troughs_of

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]



@dataclass(frozen=True, slots=True)
class EventParams:
    smooth_hz: float = 2.0
    still_speed_dps: float = 2.0
    """Below this angular speed of the (low-passed) primary angle the leg counts as still. Sway of
    0.3° below 1 Hz nears it at times: a hold then comes in still pieces, which _chain joins."""
    still_gap_s: float = 0.3
    hold_band_deg: float = 3.0
    """Rests within this of each other are at the same level ("within a few degrees")."""
    hold_chain_deg: float = 2.0
    """Neighbouring still pieces closer than this in level are one hold..."""
    max_ease_dps: float = 0.3
    """...and so are pieces whose level creeps no faster than this (easing deeper into a stretch)."""
    arrival_deg: float = 0.6
    """A hold's edges go out to where the angle is within this of the held level. 0.3° cut 0.1 s
    off each 2–5 s hold (the last fraction of a degree of an approach is lost in tremor and sway).
    0.5° still cut 2–3 s holds with 0.3° sway by up to 0.53 s (the edge level, a 0.3 s mean, sits on
    a sway peak; a longer mean was worse); 0.6° gives max 0.37 s, median error −0.01 s (640 holds,
    seeds 9700–9763). Cost: slow 4 s stretch approaches start a little earlier (Thomas, couch)."""
    min_hold_s: float = 1.6
    """Still pieces of a hold span this at least (held_long_enough); the seeds' shortest holds are 2 s."""
    slow_approach_s: float = 0.25
    """An approach (or release) that takes longer than this from approach_fit_deg away to half that is
    slow: its edge comes from a fitted tail (fitted_start, fitted_end), not from where the angle
    crosses arrival_deg. A 4 s stretch approach creeps in at about the still speed for its last
    degree, where tremor moves the crossing by up to a second (couch, Thomas: edges 0.5–1.6 s off);
    a rep's 1–2 s move takes < 0.1 s over those 2° and crosses steeply. Timed far from the held level,
    so tremor there does not decide it (4°→2°: 4 s stretches ~0.28 s, 2 s abduction holds ~0.1 s)."""
    approach_fit_deg: float = 4.0
    """How much of a slow approach the tail fit sees: its last this-many degrees, plus the hold's first
    min_hold_s (all a live tracker has when it confirms the hold). 3° left tremor to dominate; 5°
    reached back to where the tail is no longer cubic (seeds 9850–9857, 9600–9607)."""
    settle_deg: float = 0.5
    """A slow approach's hold begins where the fitted tail is within this of its plateau (SPEC: the last
    half degree of a slow approach is lost in tremor; the simulator's truth uses the same 0.5°)."""
    min_excursion_deg: float = 5.0
    """A rep must reach this far from the resting level (smaller wobbles are not reps)."""
    leave_deg: float = 2.5
    """The rep begins when the angle leaves the resting level by this much and ends when it is back."""
    min_return_s: float = 0.4
    """Back at the level for this long ends a rep; sweeping through the level does not."""
    max_excursion_s: float = 300.0
    """Longest rep looked for (the seeds' longest hold is 3 min)."""
    set_gap_s: float = 6.0
    min_cycle_prominence_deg: float = 3.0
    cycle_share: float = 0.5
    """A cycle must swing at least this share of the typical cycle's swing."""
    cycle_pause_dps: float = 2.5
    """A set's first or last swing (no trough beyond it) ends on that side where the leg stops: once
    min_cycle_prominence_deg below the peak, slower than this over cycle_pause_s (analysis.swings).
    A swing turns at its trough at ~20 °/s and more (shifts: 6° at 0.5 Hz; circles: 18° at 0.2 Hz)
    and passes this speed within hundredths of a degree of it; a set that ends by settling mid-range
    before the leg goes back to neutral pauses there."""
    cycle_pause_s: float = 0.2


def detect_excursions(time_s: FloatArray, signed_deg: FloatArray, rests: NDArray[np.intp], motions: tuple[str, str],
                      params: EventParams) -> tuple[RepEvent, ...]:
    """Reps: the angle leaves the level it rested at, in the exercise's direction, and comes back.

    rests: (K, 2) index runs where the leg rests, in time order. A rest is paired with the next
    rest at its level that the leg reached again after an excursion the exercise's way; what lies
    between are reps (a hold at the top is a rest too, at another level). A rest that is never
    returned to, while later rests are, was the person settling into the posture (sitting on a
    bench, then lying back): nothing counts from it. So was a rest whose partner lies beyond whole
    reps (rests in between pair up among themselves first): the leg set up at a new neutral, and
    a half-second pause while getting up came back to the old one. After the last returned-to
    rest, excursions count if they come back before the recording ends (getting up never does).
    motions: (name when above the level, name when below); an empty name is not counted.
    """
    levels = np.array([np.median(signed_deg[a:b]) for a, b in rests])
    horizon = params.max_excursion_s
    partner = [_partner(time_s, signed_deg, rests, levels, i, motions, params, horizon) for i in range(len(rests))]
    reps: list[RepEvent] = []
    i = 0
    while i < len(rests):
        j = partner[i]
        if j is None and any(p is not None for p in partner[i + 1:]):
            i += 1                                           # settling: later rests are the neutral
            continue
        if j is not None and any(p is not None and p <= j for p in partner[i + 1:j]):
            i += 1                                           # settling too: whole reps lie between i and j
            continue
        stop = int(rests[j, 0]) if j is not None else len(signed_deg)
        reps.extend(_excursions(time_s, signed_deg, float(levels[i]), int(rests[i, 1]), stop,
                                closed=j is not None, motions=motions, params=params))
        if j is None:
            break
        i = j
    return tuple(reps)


def _partner(time_s: FloatArray, signed_deg: FloatArray, rests: NDArray[np.intp], levels: FloatArray, i: int,
             motions: tuple[str, str], params: EventParams, horizon_s: float) -> int | None:
    """The next rest at rest i's level reached after an excursion the exercise's way, if any."""
    same = np.flatnonzero((np.abs(levels[i + 1:] - levels[i]) <= params.hold_band_deg)
                          & (time_s[rests[i + 1:, 0]] - time_s[rests[i, 1] - 1] <= horizon_s)) + i + 1
    for j in same:
        between = signed_deg[rests[i, 1]:rests[j, 0]] - levels[i]
        if between.size and ((motions[0] and between.max() >= params.min_excursion_deg)
                             or (motions[1] and -between.min() >= params.min_excursion_deg)):
            return int(j)
    return None


def _excursions(time_s: FloatArray, signed_deg: FloatArray, level: float, start: int, stop: int, *, closed: bool,
                motions: tuple[str, str], params: EventParams) -> list[RepEvent]:
    offset = signed_deg[start:stop] - level
    settle = max(1, round(params.min_return_s / float(time_s[1] - time_s[0])))
    spans = close_gaps(runs(np.abs(offset) > params.leave_deg), settle)     # sweeping through is no return
    if not closed and len(spans) and spans[-1, 1] == len(offset):
        spans = spans[:-1]                                   # never came back
    reps = []
    for a, b in spans:
        peak = a + int(np.argmax(np.abs(offset[a:b])))
        name = motions[0] if offset[peak] > 0 else motions[1]
        if name and abs(offset[peak]) >= params.min_excursion_deg:
            reps.append(RepEvent(name, float(time_s[start + a]), float(time_s[start + b - 1]),
                                 float(signed_deg[start + peak])))
    return reps


def detect_holds(time_s: FloatArray, signed_deg: FloatArray, reps: tuple[RepEvent, ...], rate_hz: float,
                 params: EventParams) -> tuple[HoldEvent, ...]:
    """The still stretch at the top of each rep: still pieces chained (same_hold) around the one
    nearest the rep's peak, spanning min_hold_s together (held_long_enough).

    Still means the low-passed angle moves slower than still_speed_dps: a speed threshold finds
    the end of an approach better than a band around the hold's level, which a slow approach
    enters long before it stops.
    """
    smooth = low_pass(signed_deg, params.smooth_hz, rate_hz)
    still = still_pieces(time_s, smooth, rate_hz, params)
    holds: list[HoldEvent] = []
    for rep in reps:                                 # one step per rep, a few per still piece: not per sample
        a0, b0 = np.searchsorted(time_s, [rep.start_s, rep.end_s + 1e-9])
        pieces = np.clip(still[(still[:, 1] > a0) & (still[:, 0] < b0)], a0, b0)
        if not len(pieces):
            continue
        levels = np.array([signed_deg[a:b].mean() for a, b in pieces])
        centres = time_s[(pieces[:, 0] + pieces[:, 1] - 1) // 2]
        for best in np.argsort(np.abs(levels - rep.peak_deg), kind="stable"):   # nearest the peak first
            first, last = _chain(levels, centres, int(best), params)
            if held_long_enough(time_s[pieces[first, 0]], time_s[pieces[last, 1] - 1], params):
                break
        else:
            continue
        a = fitted_start(smooth, int(pieces[first, 0]), a0, int(pieces[last, 1]), rate_hz, params)
        b = fitted_end(smooth, a, int(pieces[last, 1]), b0, rate_hz, params)
        values = signed_deg[a:b]
        holds.append(HoldEvent(rep.motion, float(time_s[a]), float(time_s[b - 1]), float(values.mean()),
                               float(values.std())))
    return tuple(holds)


def held_long_enough(start_s: float, still_until_s: float, params: EventParams) -> bool:
    """A hold's chained still pieces span min_hold_s, first piece's start to last still sample.

    Not the longest still piece: sway breaks a 2–3 s hold into pieces shorter than min_hold_s. Not
    the extended edges either: a causal detector must confirm a hold while it lasts, and the still
    moments of settling into a new resting position must stay too short to count."""
    return still_until_s - start_s >= params.min_hold_s


def still_pieces(time_s: FloatArray, smooth_deg: FloatArray, rate_hz: float, params: EventParams) -> NDArray[np.intp]:
    """(K, 2) runs where the low-passed angle moves slower than still_speed_dps, tremor gaps closed.

    smooth_deg (N,) or (N, C): with several columns, still means every column is still.
    """
    n = len(time_s)

    def block(s: slice) -> BoolArray:     # a block at a time: np.gradient makes ~6 (N,) temporaries
        lo, hi = max(0, s.start - 1), min(n, s.stop + 1)     # a neighbour either side: same central differences
        speed = np.abs(np.gradient(smooth_deg[lo:hi], time_s[lo:hi], axis=0))[s.start - lo:s.stop - lo]
        still = speed < params.still_speed_dps
        return still if still.ndim == 1 else np.all(still, axis=1)
    return close_gaps(runs(per_chunk(n, block)), round(params.still_gap_s * rate_hz))


def same_hold(level_a_deg: float, level_b_deg: float, apart_s: float, params: EventParams) -> bool:
    """Two still pieces apart_s apart (centre to centre) are one hold: nearly the same level, or
    drifting as slowly as easing into a stretch does (a slow approach also has still moments,
    but it moves on faster than that)."""
    step = abs(level_a_deg - level_b_deg)
    return bool(step < params.hold_chain_deg or step < params.max_ease_dps * abs(apart_s))


def _chain(levels: FloatArray, centres: FloatArray, best: int, params: EventParams) -> tuple[int, int]:
    """Tremor breaks a hold into still pieces: chain neighbours that are the same hold."""

    def chained(i: int, j: int) -> bool:
        return same_hold(float(levels[i]), float(levels[j]), float(centres[i] - centres[j]), params)

    first = last = best
    while first > 0 and chained(first - 1, first):
        first -= 1
    while last < len(levels) - 1 and chained(last + 1, last):
        last += 1
    return first, last


def extend_start(smooth_deg: FloatArray, a: int, lo: int, rate_hz: float, params: EventParams) -> int:
    """A hold starting at a begins where the angle came within arrival_deg of its first level (≥ lo)."""
    level = smooth_deg[a:a + edge_samples(rate_hz)].mean()
    before = np.abs(smooth_deg[lo:a] - level) > params.arrival_deg
    return lo + (int(np.flatnonzero(before)[-1]) + 1 if before.any() else 0)


def extend_end(smooth_deg: FloatArray, a: int, b: int, hi: int, rate_hz: float, params: EventParams,
               level_deg: float | None = None) -> int:
    """A hold [a, b) ends (exclusive) where the angle leaves arrival_deg of its last level (≤ hi).

    Returns hi when the angle has not left yet: a causal caller then knows the end is still open.
    level_deg: the last level, for a caller whose window no longer holds the hold's samples (b ≤ a).
    """
    if level_deg is None:
        if b <= a:
            raise ValueError(f"hold [{a}, {b}) has no samples to take its level from")
        level_deg = float(smooth_deg[max(a, b - edge_samples(rate_hz)):b].mean())
    level = level_deg
    after = np.abs(smooth_deg[b:hi] - level) > params.arrival_deg
    return b + (int(np.flatnonzero(after)[0]) if after.any() else hi - b)


def fitted_start(smooth_deg: FloatArray, a: int, lo: int, hi: int, rate_hz: float, params: EventParams,
                 unseen: int | None = None) -> int:
    """extend_start, except on a slow approach: there the hold, whose still pieces start at a, begins
    where a minimum-jerk tail fitted to the approach's last approach_fit_deg and the hold's first
    min_hold_s (up to hi) comes within settle_deg of the hold's level.

    Why a fit: the last degree of a slow approach creeps in at about the still speed, so tremor
    decides where the angle crosses a band around a level taken there; a least-squares tail over a
    few seconds averages tremor out. Minimum jerk (Flash & Hogan 1985) is how point-to-point limb
    movements end: the distance left shrinks as (t_end − t)³.
    unseen: returned when the angle has left arrival_deg but no sample before a is approach_fit_deg
    away yet (fitted_end's open end).
    """
    crossing = extend_start(smooth_deg, a, lo, rate_hz, params)
    top = min(a + max(1, round(params.min_hold_s * rate_hz)), hi)
    if top <= a:
        return crossing
    level = float(np.median(smooth_deg[a:top]))
    # Look back _TAIL_S before a, not from lo: a rep starts leave_deg from rest, and a slow approach's
    # first creeping second can pass for rest, so lo may lie within approach_fit_deg of the level (couch:
    # lo 0.2 s before the still piece, the crossing 0.3 s early). Only the edge is clipped to lo.
    reach = max(0, a - round(_TAIL_S * rate_hz))
    farther = np.flatnonzero(np.abs(smooth_deg[reach:a] - level) > params.approach_fit_deg)
    if not farther.size:                                  # no approach in view
        return crossing if unseen is None or crossing == lo else unseen
    s0 = reach + int(farther[-1]) + 1
    beyond_half = np.flatnonzero(np.abs(smooth_deg[s0:a] - level) > params.approach_fit_deg / 2)
    if not beyond_half.size or beyond_half[-1] / rate_hz < params.slow_approach_s:
        return crossing                                   # a quick approach: its crossing is steep
    tail = _min_jerk_tail(smooth_deg[s0:top], level, rate_hz)
    if tail is None or np.sign(tail[1]) != np.sign(smooth_deg[s0] - level):
        return crossing                                   # no tail, or one coming from the wrong side
    end_s, gain = tail                                    # distance left = |gain| · (end_s − t)³
    settled_s = end_s - (params.settle_deg / abs(gain)) ** (1 / 3)
    return int(np.clip(s0 + round(settled_s * rate_hz), max(lo, s0), top - 1))


_TAIL_S = 5.0
"""Longest approach tail fitted_start looks at (a 4 s approach's last approach_fit_deg take < 2 s)."""


def fitted_end(smooth_deg: FloatArray, a: int, b: int, hi: int, rate_hz: float, params: EventParams,
               open_ended: bool = False) -> int:
    """extend_end with fitted_start's tail fit on a slow release (the release seen backwards in time).

    Returns hi when the angle has not left yet, and with open_ended (a causal caller, more samples to
    come) also while the release has left arrival_deg but not yet approach_fit_deg: slow or quick is
    not known before then."""
    n = len(smooth_deg)
    return n - fitted_start(smooth_deg[::-1], n - b, n - hi, n - a, rate_hz, params,
                            unseen=n - hi if open_ended else None)


def _min_jerk_tail(values_deg: FloatArray, level_deg: float, rate_hz: float) -> tuple[float, float] | None:
    """Least-squares fit of level_deg + c · max(t_end − t, 0)³ (t from 0 at the first sample) over a
    grid of t_end 10 ms apart (for each, c is linear): (t_end, c), or None if nothing fits.

    The level is given (the hold's median), not fitted: a free level trades off against t_end, and a
    few tenths of a degree of drift moved the edge by 0.1 s (live and batch angles differ that much)."""
    time_s = np.arange(len(values_deg)) / rate_hz
    ends_s = np.arange(0.0, time_s[-1], 0.01)
    if len(ends_s) < 2:
        return None
    offset = values_deg - level_deg
    basis = np.clip(ends_s[:, None] - time_s[None, :], 0.0, None) ** 3       # (G, N): one row per t_end
    sum_bb, sum_by = np.einsum("gn,gn->g", basis, basis), basis @ offset
    valid = sum_bb > 0.0
    c = np.where(valid, sum_by / np.where(valid, sum_bb, 1.0), 0.0)
    rss = np.where(valid & (c != 0.0), offset @ offset - c * sum_by, np.inf)    # Σ(y − c·b)² at the best c
    best = int(np.argmin(rss))
    if not np.isfinite(rss[best]):
        return None
    return float(ends_s[best]), float(c[best])


def edge_samples(rate_hz: float) -> int:
    """Samples at a hold's edge whose mean is its level there (0.3 s: tremor averages out)."""
    return max(1, round(0.3 * rate_hz))


def low_pass(values: FloatArray, cutoff_hz: float, rate_hz: float) -> FloatArray:
    """Zero-phase Gaussian low-pass (−3 dB at cutoff_hz) along axis 0: smooths tremor without shifting edges.

    A sample's value depends on low_pass_reach samples either side (a causal caller waits for them).
    """
    from scipy.ndimage import gaussian_filter1d  # here, not at import: a ride without a pelvis sensor needs no scipy

    return gaussian_filter1d(np.asarray(values, dtype=float), _sigma(cutoff_hz, rate_hz), axis=0, mode="nearest")


def low_pass_reach(cutoff_hz: float, rate_hz: float) -> int:
    """How many samples either side low_pass looks at (scipy truncates the Gaussian at 4 sigma)."""
    return int(4.0 * _sigma(cutoff_hz, rate_hz) + 0.5)


def _sigma(cutoff_hz: float, rate_hz: float) -> float:
    return 0.1325 / cutoff_hz * rate_hz


def detect_cycles(time_s: FloatArray, signal_deg: FloatArray, motion: str, rate_hz: float,
                  params: EventParams) -> tuple[RepEvent, ...]:
    """One rep per oscillation peak (shifts); start/end at the neighbouring troughs."""
    smooth = moving_average(signal_deg, round(0.2 * rate_hz))
    pause_n = max(1, round(params.cycle_pause_s * rate_hz))
    peaks = swing_peaks(smooth, params.min_cycle_prominence_deg, params.cycle_share,
                        pause_deg=params.cycle_pause_dps * pause_n / rate_hz, pause_n=pause_n)
    troughs = troughs_of(smooth, params.min_cycle_prominence_deg)
    reach = round(0.75 * np.median(np.diff(peaks))) if len(peaks) > 1 else round(rate_hz)
    reps = []
    for peak in peaks:
        before = troughs[(troughs < peak) & (troughs >= peak - reach)]
        after = troughs[(troughs > peak) & (troughs <= peak + reach)]
        start = before[-1] if len(before) else max(0, peak - reach // 2)
        stop = after[0] if len(after) else min(len(smooth) - 1, peak + reach // 2)
        reps.append(RepEvent(motion, float(time_s[start]), float(time_s[stop]), float(signal_deg[peak])))
    return tuple(reps)


def group_sets(reps: tuple[RepEvent, ...], params: EventParams) -> tuple[SetEvent, ...]:
    """Consecutive reps closer than set_gap_s belong to one set (extend_sets, rep after rep)."""
    sets: tuple[SetEvent, ...] = ()
    for rep in reps:                                 # one step per rep (a handful), not per sample
        sets = extend_sets(sets, rep, params)
    return sets


def extend_sets(sets: tuple[SetEvent, ...], rep: RepEvent, params: EventParams, closed: int = 0
                ) -> tuple[SetEvent, ...]:
    """sets with the next rep added: it joins the last set if it starts within set_gap_s of that
    set's end, else it opens a new set. The first `closed` sets are over (the live preview has
    announced them): a rep never joins those. group_sets is this, one rep after another."""
    if len(sets) > closed and rep.start_s - sets[-1].end_s <= params.set_gap_s:
        last = sets[-1]
        return (*sets[:-1], SetEvent(last.start_s, max(last.end_s, rep.end_s), last.reps + 1))
    return (*sets, SetEvent(rep.start_s, rep.end_s, 1))
