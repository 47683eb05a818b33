"""Where a sensor is strapped: a name storage and listings need without the sample arrays (or NumPy)."""

from __future__ import annotations

import enum


class Placement(enum.StrEnum):
    """Where a sensor is strapped."""

    LEFT_THIGH = "left_thigh"
    RIGHT_THIGH = "right_thigh"
    PELVIS = "pelvis"
