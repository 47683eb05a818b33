"""The words every layer shares: sides, motions, postures, how reps are counted, and the facts of each.

One table per kind, and every other table (angle columns, peak keys, short labels, flexion a
posture allows) is derived from these. A new motion or posture is one row here; a typo in a
name is an error at import time instead of a silent miss in a dict lookup.

Values are the strings SPEC §5/§7 use in JSON and the database stores, so a `StrEnum` member and
its string compare equal and older rows still read back.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TypeVar

E = TypeVar("E", bound=enum.StrEnum)


class Side(enum.StrEnum):
    LEFT = "left"
    RIGHT = "right"

    @property
    def other(self) -> Side:
        return Side.RIGHT if self is Side.LEFT else Side.LEFT


class Axis(enum.IntEnum):
    """Column of a hip angle in every (N, 3) angle array (SPEC §2 order)."""

    FLEXION = 0
    ABDUCTION = 1
    ROTATION = 2


class Motion(enum.StrEnum):
    """What an exercise measures (SPEC §7 'primary motion') and what a hold or rep is of."""

    FLEXION = "flexion"
    EXTENSION = "extension"
    ABDUCTION = "abduction"
    ADDUCTION = "adduction"
    INTERNAL_ROTATION = "internal_rotation"
    EXTERNAL_ROTATION = "external_rotation"
    ROTATION = "rotation"
    CIRCUMDUCTION = "circumduction"
    CYCLING = "cycling"

    @property
    def facts(self) -> MotionFacts:
        return MOTIONS[self]

    @property
    def words(self) -> str:
        """'internal_rotation' → 'internal rotation'."""
        return self.value.replace("_", " ")


class Posture(enum.StrEnum):
    """Reference posture of the pelvis during an exercise (SPEC §2)."""

    STANDING = "standing"
    SEATED = "seated"
    FLOOR_SITTING = "floor_sitting"
    SUPINE = "supine"
    KNEELING = "kneeling"
    CYCLING = "cycling"

    @property
    def facts(self) -> PostureFacts:
        return POSTURES[self]


class Counting(enum.StrEnum):
    """How reps are counted: out from rest and back, continuous cycles (shifts, circles), or a ride."""

    EXCURSIONS = "excursions"
    CYCLES = "cycles"
    RIDE = "ride"


@dataclass(frozen=True, slots=True)
class Direction:
    """One way along one angle axis: a motion whose extreme is reported as a SPEC §5 peak."""

    motion: Motion
    axis: Axis
    sign: float
    """+1 where the motion makes the SPEC §2 angle grow (flexion, abduction, internal rotation)."""

    @property
    def peak_key(self) -> str:
        """The SPEC §5 `peaks` key of this direction's extreme, e.g. 'flexion_deg'."""
        return f"{self.motion.value}_deg"


DIRECTIONS: tuple[Direction, ...] = (
    Direction(Motion.FLEXION, Axis.FLEXION, 1.0),
    Direction(Motion.EXTENSION, Axis.FLEXION, -1.0),
    Direction(Motion.ABDUCTION, Axis.ABDUCTION, 1.0),
    Direction(Motion.ADDUCTION, Axis.ABDUCTION, -1.0),
    Direction(Motion.INTERNAL_ROTATION, Axis.ROTATION, 1.0),
    Direction(Motion.EXTERNAL_ROTATION, Axis.ROTATION, -1.0),
)
"""The six signed extremes, in the order SPEC §5 lists the peaks."""

_DIRECTION = {d.motion: d for d in DIRECTIONS}

AXIS_NAMES: tuple[str, ...] = tuple(next(d.motion.words for d in DIRECTIONS if d.axis == axis and d.sign > 0)
                                    for axis in Axis)
"""Each angle column by the name of its positive direction: flexion, abduction, internal rotation."""


@dataclass(frozen=True, slots=True)
class MotionFacts:
    axis: Axis
    """The angle column the motion moves."""
    events: tuple[Motion | None, Motion | None]
    """What an excursion above / below neutral on that axis is called (None: not counted)."""
    tracked: tuple[Direction, ...]
    """The directions whose extremes show progress (positive = more range after `sign`)."""
    short: str
    """A label for narrow columns."""


def _facts(axis: Axis, above: Motion | None, below: Motion | None, short: str,
           tracked: tuple[Motion, ...] | None = None) -> MotionFacts:
    names = tracked if tracked is not None else tuple(m for m in (above, below) if m is not None)
    return MotionFacts(axis, (above, below), tuple(_DIRECTION[m] for m in names), short)


MOTIONS: dict[Motion, MotionFacts] = {
    Motion.FLEXION: _facts(Axis.FLEXION, Motion.FLEXION, None, "flex"),
    Motion.EXTENSION: _facts(Axis.FLEXION, None, Motion.EXTENSION, "ext"),
    Motion.ABDUCTION: _facts(Axis.ABDUCTION, Motion.ABDUCTION, None, "abd"),
    Motion.ADDUCTION: _facts(Axis.ABDUCTION, None, Motion.ADDUCTION, "add"),
    Motion.INTERNAL_ROTATION: _facts(Axis.ROTATION, Motion.INTERNAL_ROTATION, None, "IR"),
    Motion.EXTERNAL_ROTATION: _facts(Axis.ROTATION, None, Motion.EXTERNAL_ROTATION, "ER"),
    Motion.ROTATION: _facts(Axis.ROTATION, Motion.INTERNAL_ROTATION, Motion.EXTERNAL_ROTATION, "rot"),
    Motion.CIRCUMDUCTION: _facts(Axis.FLEXION, Motion.CIRCUMDUCTION, None, "circles", (Motion.FLEXION,)),
    Motion.CYCLING: _facts(Axis.FLEXION, Motion.FLEXION, None, "ride"),
}
"""Primary motion → its axis, event names and tracked directions (the one per-motion table)."""


@dataclass(frozen=True, slots=True)
class PostureFacts:
    pelvis_pitch_deg: float
    """How far the pelvis is tipped back from upright (SPEC §2 reference posture)."""
    resting_flexion_deg: tuple[float, float]
    """Flexion (against that pelvis) a resting thigh can have in the posture: rests outside it are
    before or after the exercise (e.g. standing before lying down)."""


POSTURES: dict[Posture, PostureFacts] = {
    Posture.STANDING: PostureFacts(0.0, (-45.0, 130.0)),
    Posture.SEATED: PostureFacts(0.0, (55.0, 135.0)),
    Posture.FLOOR_SITTING: PostureFacts(0.0, (20.0, 135.0)),
    Posture.SUPINE: PostureFacts(90.0, (-40.0, 130.0)),
    Posture.KNEELING: PostureFacts(0.0, (-45.0, 45.0)),
    Posture.CYCLING: PostureFacts(0.0, (-180.0, 180.0)),
}


def parse(kind: type[E], value: str) -> E:
    """`kind(value)` with an error that lists the known values (for strings from files and users)."""
    try:
        return kind(value)
    except ValueError:
        known = ", ".join(member.value for member in kind)
        raise ValueError(f"unknown {kind.__name__.lower()} {value!r}; known: {known}") from None
