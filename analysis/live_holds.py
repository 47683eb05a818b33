"""A causal hold timer: is the leg holding still away from where it rests, and since when?

The batch hold detector knows a hold only once its rep is over (it looks at the whole rep); a
timer on screen has to run during the hold. This tracker follows the same definitions (still: the
smoothed primary angle moves slower than still_speed_dps, tremor gaps shorter than still_gap_s
closed; away: min_excursion_deg from the resting level, in a direction the exercise counts) on
the last few seconds only, and remembers the resting level from the still spells that were not
holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from analysis.events import EventParams, HoldEvent
from analysis.segments import close_gaps, moving_average, runs

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class HoldTrackerParams:
    smooth_s: float = 0.3
    """Causal-enough smoothing of the primary angle before its speed is taken (tremor out)."""
    window_s: float = 3.0
    """How much recent history each update looks at."""
    confirm_s: float = 1.0
    """A still spell away from rest is announced as a hold once it has lasted this long."""
    min_rest_s: float = 1.0
    """A still spell near rest this long (re)defines the resting level."""
    level_s: float = 0.5
    """Where the leg is now: the mean of the last level_s."""
    trend_s: float = 2.0
    """How fast the level moves: the change of level over this long (tremor averages out)."""
    approach_dps: float = 0.6
    """Slower than this the level eases (a stretch deepening, EventParams.max_ease_dps with a
    margin for noise); faster, a still-looking spell is a slow approach to somewhere else."""


@dataclass
class _Spell:
    """One still spell: when it began, when it was last seen still, and its running sums."""

    column: int
    start_s: float
    last_s: float
    count: int = 0
    totals_deg: FloatArray = field(default_factory=lambda: np.zeros(3))
    total_sq: float = 0.0
    """Sum of the squared primary angle (for the hold's stability)."""
    hold_motion: str | None = None
    """Set once the spell is announced as a hold."""
    rest: bool = False
    """Still near the resting level (or the first rest in the posture) for min_rest_s."""

    def add(self, time_s: FloatArray, angles_deg: FloatArray) -> None:
        if len(time_s):
            self.last_s = float(time_s[-1])
            self.count += len(time_s)
            self.totals_deg += angles_deg.sum(axis=0)
            self.total_sq += float(np.square(angles_deg[:, self.column]).sum())

    @property
    def means_deg(self) -> FloatArray:
        return self.totals_deg / max(self.count, 1)

    @property
    def mean_deg(self) -> float:
        return float(self.means_deg[self.column])

    @property
    def std_deg(self) -> float:
        return float(np.sqrt(max(self.total_sq / max(self.count, 1) - self.mean_deg**2, 0.0)))

    @property
    def duration_s(self) -> float:
        return self.last_s - self.start_s


@dataclass
class HoldTracker:
    """Feed it every new stretch of post-calibration angles; it reports holds as they start and end.

    A still spell away from the resting level is a hold, except when it comes back part of the
    way from a hold: that spell is where the leg rests now. (Still spells while getting into
    position count as holds when they are away from the last rest in the exercise's direction:
    a causal tracker cannot know yet that a deeper hold will follow. The session's analysis can.)
    """

    column: int
    """Which hip angle (0 flexion, 1 abduction, 2 rotation) the exercise is about."""
    motions: tuple[str, str]
    """(name of a hold above the resting level, name below); an empty name is not a hold."""
    rate_hz: float
    flexion_range_deg: tuple[float, float]
    """Resting flexion the exercise's posture allows (rests outside it are getting in or out)."""
    events: EventParams = field(default_factory=EventParams)
    params: HoldTrackerParams = field(default_factory=HoldTrackerParams)
    rest_deg: FloatArray | None = None
    """The three angles where the leg last rested (None until a rest in the posture has ended)."""
    _spell: _Spell | None = None
    _last_hold_deg: float | None = None
    _level_deg: FloatArray = field(default_factory=lambda: np.zeros(3))
    """The three smoothed angles over the last level_s: where the leg is now."""

    @property
    def holding(self) -> _Spell | None:
        """The current spell if it has been announced as a hold."""
        return self._spell if self._spell is not None and self._spell.hold_motion else None

    @property
    def still_s(self) -> float:
        """How long the leg has been still, wherever it is (0 when it moves)."""
        return 0.0 if self._spell is None else self._spell.duration_s

    @property
    def rested_s(self) -> float:
        """How long the leg has been still at the resting level (0 when it is not)."""
        s = self._spell
        return s.duration_s if s is not None and s.rest else 0.0

    def update(self, time_s: FloatArray, angles_deg: FloatArray, new: int) -> list[tuple[str, HoldEvent]]:
        """time_s (N,), angles_deg (N, 3): the recent history, of which the last `new` samples are new.

        Returns ("started" | "ended", hold) pairs in time order; a started hold's end_s is its start.
        Still means all three angles are still: sitting down does not turn the thigh, yet it is
        no hold, and it ends the rest that came before.
        """
        if len(time_s) < 3:
            return []
        smooth = moving_average(angles_deg, round(self.params.smooth_s * self.rate_hz))
        speed = np.abs(np.gradient(smooth, time_s, axis=0))
        still = np.all(speed < self.events.still_speed_dps, axis=1)
        gap = max(1, round(self.events.still_gap_s * self.rate_hz))
        spells = close_gaps(runs(still), gap)
        reports: list[tuple[str, HoldEvent]] = []
        ongoing = len(spells) > 0 and spells[-1, 1] >= len(time_s) - gap
        if self._spell is not None and (not ongoing or self._began_anew(time_s, spells[-1, 0])):
            reports += self._close()
        if not ongoing:
            return reports
        recent = max(1, round(self.params.level_s * self.rate_hz))
        self._level_deg = smooth[-recent:].mean(axis=0)
        if self._spell is not None and self._moved_on(time_s, smooth):
            reports += self._close()                   # a slow approach is still, but it is not one level
            first = len(time_s) - recent
        else:
            first = int(spells[-1, 0]) if self._spell is None else len(time_s) - min(new, len(time_s))
        if self._spell is None:
            self._spell = _Spell(self.column, float(time_s[first]), float(time_s[first]))
        keep = np.flatnonzero(still[first:]) + first
        self._spell.add(time_s[keep], angles_deg[keep])
        return reports + self._classify()

    def finish(self) -> list[tuple[str, HoldEvent]]:
        """The recording ended: a hold in progress ends with it."""
        return self._close()

    def _moved_on(self, time_s: FloatArray, smooth: FloatArray) -> bool:
        """The level left the spell's: by more than hold_band_deg, and faster than easing into a stretch."""
        assert self._spell is not None
        primary = smooth[:, self.column]
        recent = max(1, round(self.params.level_s * self.rate_hz))
        back = int(np.searchsorted(time_s, time_s[-1] - self.params.trend_s))
        if len(primary) - back < 2 * recent:
            return False
        span_s = float(time_s[-1] - time_s[back]) - self.params.level_s
        speed_dps = abs(primary[-recent:].mean() - primary[back:back + recent].mean()) / span_s
        return bool(abs(self._level_deg[self.column] - self._spell.mean_deg) > self.events.hold_band_deg
                    and speed_dps > self.params.approach_dps)

    def _began_anew(self, time_s: FloatArray, start: int) -> bool:
        """The trailing spell is a new one (the previous ended between two updates)."""
        assert self._spell is not None
        return start > 0 and float(time_s[start]) > self._spell.last_s + self.events.still_gap_s

    def _classify(self) -> list[tuple[str, HoldEvent]]:
        """Hold or rest, from where the leg is now? Re-decided at every update until a hold is
        announced: a spell that began on a slow approach shows its level once the approach is over."""
        s = self._spell
        assert s is not None
        low, high = self.flexion_range_deg
        if s.hold_motion is not None or not low <= self._level_deg[0] <= high:
            return []
        s.rest = False
        if self.rest_deg is None or not self._is_exercise_move():
            s.rest = s.duration_s >= self.params.min_rest_s
            return []
        offset = self._level_deg[self.column] - self.rest_deg[self.column]
        motion = self.motions[0] if offset > 0 else self.motions[1]
        if motion and s.duration_s >= self.params.confirm_s:
            s.hold_motion = motion
            return [("started", HoldEvent(motion, s.start_s, s.start_s, s.mean_deg, s.std_deg))]
        return []

    def _is_exercise_move(self) -> bool:
        """The level is away from rest in the exercise's angle, and not part of the way back from a hold."""
        assert self.rest_deg is not None
        offset = self._level_deg[self.column] - self.rest_deg[self.column]
        if abs(offset) < self.events.min_excursion_deg:
            return False
        back = self._last_hold_deg
        if back is not None:
            hold_offset = back - self.rest_deg[self.column]
            return not (offset * hold_offset > 0 and abs(offset) < abs(hold_offset) - self.events.hold_band_deg)
        return True

    def _close(self) -> list[tuple[str, HoldEvent]]:
        """The spell is over: a rest becomes the resting level, a hold is reported."""
        s, self._spell = self._spell, None
        if s is not None and s.rest:
            self.rest_deg, self._last_hold_deg = s.means_deg, None
        if s is None or not s.hold_motion:
            return []
        self._last_hold_deg = s.mean_deg
        return [("ended", HoldEvent(s.hold_motion, s.start_s, s.last_s, s.mean_deg, s.std_deg))]
