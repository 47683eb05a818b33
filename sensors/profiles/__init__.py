"""Device profiles by name (SPEC §8): `profiles.get("witmotion")`, one module per family."""

from __future__ import annotations

from sensors.profiles.base import (
    Command,
    ImuBatch,
    MalformedPacketError,
    SensorProfile,
    UnknownProfileError,
)

_REGISTRY: dict[str, SensorProfile] = {}


def register(profile: SensorProfile) -> SensorProfile:
    _REGISTRY[profile.name] = profile
    return profile


def get(name: str) -> SensorProfile:
    """The profile called `name`; an unknown name lists the known ones."""
    _load_builtin()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise UnknownProfileError(name, list(_REGISTRY)) from None


def names() -> list[str]:
    _load_builtin()
    return sorted(_REGISTRY)


def _load_builtin() -> None:
    import importlib

    for module in ("witmotion", "movella_dot", "thingy52", "polar_verity", "simulated"):
        try:
            importlib.import_module(f"sensors.profiles.{module}")
        except ModuleNotFoundError as err:
            if err.name != f"sensors.profiles.{module}":
                raise


__all__ = ["Command", "ImuBatch", "MalformedPacketError", "SensorProfile", "UnknownProfileError", "get", "names",
           "register"]
