"""The sensor families as the CLI and the dashboard offer them, derived from the discovered profiles.

Why here: help texts and choice lists must not name families, or every new family would mean editing them; and the
TUI reaches sensors only through the tracker layer. Only `sensors.profiles` is imported (not the simulator, which
pulls in SciPy), so that `hiptrack --help` stays fast; and only when a list is asked for, since discovering
the families loads every profile module and NumPy, which `hiptrack sessions` does not need.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from types import ModuleType

SIMULATOR_OWN_PROFILE = "simulated"
"""The simulator's own byte format, offered first."""


def family_names() -> list[str]:
    """Every known family (profile name)."""
    return _profiles().names()


def simulator_profile_names() -> list[str]:
    """Families whose bytes the simulator can speak, its own format first."""
    names = [profile.name for profile in _profiles().all_profiles() if profile.encoder is not None]
    return sorted(names, key=lambda name: (name != SIMULATOR_OWN_PROFILE, name))


def simulator_choices() -> list[tuple[str, str]]:
    """(profile name, label) for each family the simulator can speak, e.g. ("thingy52", "Simulated Thingy:52 bytes")."""
    profiles = _profiles()
    return [(name, profiles.get(name).title if name == SIMULATOR_OWN_PROFILE
             else f"Simulated {profiles.get(name).title} bytes") for name in simulator_profile_names()]


def _profiles() -> ModuleType:
    return importlib.import_module("sensors.profiles")
