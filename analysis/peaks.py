"""The signed extremes of the hip angles over an exercise (SPEC §5 `peaks`), one field per direction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from analysis.vocabulary import AXIS_NAMES, DIRECTIONS, Axis, Direction

if TYPE_CHECKING:                      # a stored result is read without loading NumPy (`hiptrack show`)
    import numpy as np
    from numpy.typing import NDArray


@dataclass(frozen=True, slots=True)
class Peaks:
    """Signed extremes of each hip angle over the exercise window (SPEC §5 `peaks`)."""

    flexion_deg: float
    extension_deg: float
    abduction_deg: float
    adduction_deg: float
    internal_rotation_deg: float
    external_rotation_deg: float

    @classmethod
    def over(cls, angles_deg: NDArray[np.float64]) -> Peaks:
        """From (N, 3) flexion, abduction, rotation: each direction's extreme."""
        return cls(**{d.peak_key: float(angles_deg[:, d.axis].max() if d.sign > 0 else angles_deg[:, d.axis].min())
                      for d in DIRECTIONS})

    def of(self, direction: Direction) -> float:
        value: float = getattr(self, direction.peak_key)
        return value

    def ranges(self) -> tuple[tuple[str, float, float], ...]:
        """(axis name, lowest signed angle, highest) per angle column: 'flexion', -3.0, 91.2."""
        low = {d.axis: self.of(d) for d in DIRECTIONS if d.sign < 0}
        high = {d.axis: self.of(d) for d in DIRECTIONS if d.sign > 0}
        return tuple((AXIS_NAMES[axis], low[axis], high[axis]) for axis in Axis)

    def as_dict(self) -> dict[str, float]:
        return {d.peak_key: self.of(d) for d in DIRECTIONS}
