"""What a body-worn IMU can measure: the one range check every sample passes on its way in.

CSV files, every device decoder and replayed logs go through `range_problem`; a value outside
these limits is a corrupt packet or a broken file, never data, and never reaches storage or the
orientation filter (whose C core aborts on some of them). The limits sit above the widest full
scale of the families hiptrack reads and below what storage's fixed-point format holds.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

STANDARD_GRAVITY_MPS2 = 9.80665
ACC_LIMIT_MPS2 = 32 * STANDARD_GRAVITY_MPS2
"""±32 g: above the ±16 g of WitMotion, DOT, Thingy:52 and Polar accelerometers."""
GYR_LIMIT_RADPS = math.radians(4000.0)
"""±4000 °/s: above the ±2000 °/s of their gyroscopes."""
MAG_LIMIT_UT = 5000.0
"""±5000 µT: above the ±4900 µT full scale of common magnetometers (Earth's field is ~25–65 µT)."""
MAX_RATE_HZ = 2000.0
"""No body-worn IMU streams faster over BLE; a faster declared rate is a corrupt header."""

_SLACK = 1.0 + 1e-9
"""A value at full scale comes back from storage's fixed-point format a rounding error above it
(-313.8128 as -313.81280000000004): still the same value, so an export must import again."""

_LIMITS = (("acc", ACC_LIMIT_MPS2, "m/s²"), ("gyr", GYR_LIMIT_RADPS, "rad/s"), ("mag", MAG_LIMIT_UT, "µT"))


def range_problem(acc_mps2: NDArray[np.float64] | None, gyr_radps: NDArray[np.float64] | None,
                  mag_ut: NDArray[np.float64] | None = None) -> tuple[int, str] | None:
    """(row, what is wrong) for the first sample outside what an IMU measures, or None if all are fine.

    Arrays are (N, 3); None means the quantity is absent. NaN and infinities are out of range too.
    """
    if all(_within(values, limit) for (_, limit, _), values in zip(_LIMITS, (acc_mps2, gyr_radps, mag_ut),
                                                                  strict=True)):
        return None                                    # the usual case: one reduction per quantity
    first: tuple[int, str] | None = None
    for (name, limit, unit), values in zip(_LIMITS, (acc_mps2, gyr_radps, mag_ut), strict=True):
        if values is None or values.size == 0:
            continue
        bad = ~(np.abs(values) <= limit * _SLACK)      # NaN compares False: caught here too
        if bad.any():
            row, axis = (int(i) for i in np.argwhere(bad)[0])
            if first is None or row < first[0]:
                value = float(values[row, axis])
                first = (row, f"{name}_{'xyz'[axis]} is {value:.6g}: outside what an IMU measures "
                              f"(|{name}| ≤ {limit:.4g} {unit})")
    return first


def _within(values: NDArray[np.float64] | None, limit: float) -> bool:
    """Every value within ±limit (a NaN makes the maximum NaN, which is not within).

    Why beside the row-by-row check: decoders call this for every notification (600 a second for three
    sensors), nearly always on good values; the full check's four array passes only run when this fails."""
    return values is None or values.size == 0 or float(np.abs(values).max()) <= limit * _SLACK


def rate_problem(rate_hz: float) -> str | None:
    """Why a declared sampling rate cannot be right, or None."""
    if not math.isfinite(rate_hz) or not 0.0 < rate_hz <= MAX_RATE_HZ:
        return f"sampling rate {rate_hz:g} Hz is not between 0 and {MAX_RATE_HZ:g} Hz"
    return None
