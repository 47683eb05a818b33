"""Sample sources: BLE device profiles, replayed logs and the physics-based simulator.

Everything here produces :class:`sensors.samples.ImuSamples` in SI units (sensor frame) and knows
nothing about storage, analysis or the UI.

The names below load on first use (PEP 562): `sensors.placement` is read by every listing, and
importing the package must not load NumPy and discover every sensor family for it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sensors.profiles.base import ImuBatch, MalformedPacketError
    from sensors.samples import ImuSamples, Placement

__all__ = ["ImuBatch", "ImuSamples", "MalformedPacketError", "Placement"]

_HOMES = {"ImuBatch": "sensors.profiles.base", "MalformedPacketError": "sensors.profiles.base",
          "ImuSamples": "sensors.samples", "Placement": "sensors.placement"}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
