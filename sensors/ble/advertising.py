"""Which profile an advertisement belongs to, from what each family says about itself (`SensorProfile.advertisement`
and `name_patterns`, in the family's module with the sources of those facts).

Matching order: a service UUID that only one family advertises (its measurement service, or one of its
`identifying_uuids`), else the profile's name patterns. A service UUID that several products share (Polar's 0xFEEE)
is never an identifying UUID.
"""

from __future__ import annotations

import re

from sensors import profiles
from sensors.profiles.base import Advertisement, SensorProfile, sig_uuid

_BLE_ADDRESS = re.compile(r"^([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$|^[0-9A-Fa-f]{8}(-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}$")

def is_ble_address(text: str) -> bool:
    """A MAC address (Linux, Windows) or the UUID CoreBluetooth gives a device instead (macOS)."""
    return bool(_BLE_ADDRESS.match(text))


def advertisement_of(profile_name: str) -> Advertisement:
    """What a unit of this family typically advertises (just its name for a family that says nothing more)."""
    if profile_name not in profiles.names():
        return Advertisement(profile_name)
    profile = profiles.get(profile_name)
    return profile.advertisement or Advertisement(profile.usual_name)


def usual_name(profile_name: str) -> str:
    """The name a unit of this family usually advertises."""
    return advertisement_of(profile_name).local_name


def identifying_uuids(profile: SensorProfile) -> set[str]:
    advertised = profile.advertisement.identifying_uuids if profile.advertisement else ()
    return {profile.service_uuid.lower(), *(uuid.lower() for uuid in advertised)}


def match_profile(local_name: str | None, service_uuids: list[str] | tuple[str, ...]) -> SensorProfile | None:
    """The profile of the sensor that sent this advertisement, or None if it is not a supported sensor."""
    advertised = {uuid.lower() for uuid in service_uuids}
    candidates = profiles.all_profiles()
    for profile in candidates:
        if advertised & identifying_uuids(profile):
            return profile
    if local_name:
        for profile in candidates:
            if any(pattern in local_name for pattern in profile.name_patterns):
                return profile
    return None


__all__ = ["Advertisement", "advertisement_of", "identifying_uuids", "is_ble_address",
           "match_profile", "sig_uuid", "usual_name"]
