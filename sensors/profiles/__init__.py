"""Device profiles by name (SPEC §8): `profiles.get("witmotion")`, one module per family, discovered.

Every module of this package that defines a module-level `PROFILE` (a `SensorProfile`) is a family: adding one is
adding its module (and its tests), nothing else. Helpers whose names start with "_" and modules without `PROFILE`
(such as `base`) are not families.
"""

from __future__ import annotations

import importlib
import pkgutil

from sensors.profiles.base import (
    Command,
    ImuBatch,
    MalformedPacketError,
    SensorProfile,
    UnknownProfileError,
)

_REGISTRY: dict[str, SensorProfile] = {}
_MODULE_PROFILES: dict[str, str | None] = {}
"""Family modules already imported → the name of their profile (None for a module without `PROFILE`)."""


def register(profile: SensorProfile) -> SensorProfile:
    """Add a profile that is not a module of this package (a family module only needs to define `PROFILE`)."""
    _REGISTRY[profile.name] = profile
    return profile


def get(name: str) -> SensorProfile:
    """The profile called `name`; an unknown name lists the known ones."""
    if name not in _REGISTRY:
        discover()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise UnknownProfileError(name, list(_REGISTRY)) from None


def names() -> list[str]:
    discover()
    return sorted(_REGISTRY)


def all_profiles() -> list[SensorProfile]:
    """Every known profile, by name."""
    return [_REGISTRY[name] for name in names()]


def discover() -> None:
    """Import every family module of this package not imported yet and register its `PROFILE`."""
    for module in pkgutil.iter_modules(__path__):
        if module.name.startswith("_") or module.name in _MODULE_PROFILES:
            continue
        profile = getattr(importlib.import_module(f"{__name__}.{module.name}"), "PROFILE", None)
        _MODULE_PROFILES[module.name] = profile.name if isinstance(profile, SensorProfile) else None
        if isinstance(profile, SensorProfile):
            register(profile)


def forget(name: str) -> None:
    """Drop a profile and let its module be discovered again (tests that add a throwaway family clean up with it)."""
    _REGISTRY.pop(name, None)
    for module in [m for m, profile_name in _MODULE_PROFILES.items() if profile_name == name]:
        del _MODULE_PROFILES[module]


__all__ = ["Command", "ImuBatch", "MalformedPacketError", "SensorProfile", "UnknownProfileError", "all_profiles",
           "discover", "forget", "get", "names", "register"]
