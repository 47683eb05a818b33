"""Time-stamped IMU samples in SI units, the currency between sources, storage and analysis."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sensors.placement import Placement

__all__ = ["FloatArray", "ImuSamples", "Placement"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class ImuSamples:
    """A block of samples from one sensor, sensor frame.

    time_s: (N,) seconds, strictly increasing; acc_mps2: (N, 3) specific force in m/s²;
    gyr_radps: (N, 3) rad/s; mag_ut: (N, 3) µT or None when the sensor has no magnetometer.
    """

    time_s: FloatArray
    acc_mps2: FloatArray
    gyr_radps: FloatArray
    mag_ut: FloatArray | None = None

    def __post_init__(self) -> None:
        n = self.time_s.shape[0]
        if self.time_s.ndim != 1:
            raise ValueError(f"time_s must have shape (N,), got {self.time_s.shape}")
        for name in ("acc_mps2", "gyr_radps", "mag_ut"):
            value = getattr(self, name)
            if value is not None and value.shape != (n, 3):
                raise ValueError(f"{name} must have shape ({n}, 3), got {value.shape}")

    def __len__(self) -> int:
        return int(self.time_s.shape[0])

    @property
    def has_mag(self) -> bool:
        return self.mag_ut is not None

    @property
    def rate_hz(self) -> float:
        """Median sampling rate; robust to the odd late sample."""
        if len(self) < 2:
            return 0.0
        return float(1.0 / np.median(np.diff(self.time_s)))

    def slice(self, start: int, stop: int) -> ImuSamples:
        mag = None if self.mag_ut is None else self.mag_ut[start:stop]
        return ImuSamples(self.time_s[start:stop], self.acc_mps2[start:stop], self.gyr_radps[start:stop], mag)

    @staticmethod
    def concat(blocks: list[ImuSamples]) -> ImuSamples:
        """Join blocks of the same sensor in time order."""
        if not blocks:
            return ImuSamples.empty()
        mags = [b.mag_ut for b in blocks if b.mag_ut is not None]
        mag = np.concatenate(mags) if len(mags) == len(blocks) else None
        return ImuSamples(
            np.concatenate([b.time_s for b in blocks]),
            np.concatenate([b.acc_mps2 for b in blocks]),
            np.concatenate([b.gyr_radps for b in blocks]),
            mag,
        )

    @staticmethod
    def empty(with_mag: bool = False) -> ImuSamples:
        z3 = np.zeros((0, 3))
        return ImuSamples(np.zeros(0), z3, z3.copy(), z3.copy() if with_mag else None)
