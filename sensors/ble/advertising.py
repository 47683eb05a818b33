"""How each supported sensor family advertises, and which profile an advertisement belongs to.

Facts, with where they come from (read for facts, no code copied):

* WitMotion BLE 5.0: the official SDK sample finds units by a name containing "WT" (protocols.md §2); units advertise
  "WT901BLE" plus two hex digits (e.g. "WT901BLE68", community bleak clients), WT9011DCL units "WT9011DCL…". No
  service UUID is relied on (the vendor base …9a34fb is not the SIG base, clones differ).
* Movella DOT: advertised name "Movella DOT" (firmware 2.x; "Xsens DOT" before), which is what the official
  ``xsens_dot_server`` matches on; MAC range D4:22:CD (protocols.md §3).
* Nordic Thingy:52: full name (default "Thingy") plus the Thingy Configuration Service UUID 0x0100 on the Thingy base,
  ``EF680100-9B35-4933-9B10-52FFA9740042`` (firmware ``m_ble.c`` ``advertising_init``).
* Polar Verity Sense: "Polar Sense <device id>" with 16-bit services 0x180D (heart rate) and 0xFEEE (Polar), and
  manufacturer data under Polar's company id 0x006B (Polar BLE SDK ``BleAdvertisementContent`` and its tests). 0xFEEE
  and 0x180D are shared by every Polar heart-rate product, so only the name identifies a Verity Sense.

Matching order: a service UUID that only one family advertises, else the profile's name patterns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sensors import profiles
from sensors.profiles.base import SensorProfile

_BLE_ADDRESS = re.compile(r"^([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$|^[0-9A-Fa-f]{8}(-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}$")


def is_ble_address(text: str) -> bool:
    """A MAC address (Linux, Windows) or the UUID CoreBluetooth gives a device instead (macOS)."""
    return bool(_BLE_ADDRESS.match(text))


def sig_uuid(short: int) -> str:
    """A 16-bit SIG UUID in the 128-bit form bleak reports."""
    return f"0000{short:04x}-0000-1000-8000-00805f9b34fb"


@dataclass(frozen=True, slots=True)
class FamilyAdvertisement:
    """What a typical unit of a family puts in its advertisement."""

    local_name: str
    service_uuids: tuple[str, ...] = ()
    manufacturer_data: dict[int, bytes] = field(default_factory=dict)
    tx_power: int | None = None
    identifying_uuids: tuple[str, ...] = ()
    """Advertised service UUIDs that belong to this family alone (safe to match on)."""


THINGY_CONFIGURATION_SERVICE_UUID = "ef680100-9b35-4933-9b10-52ffa9740042"
POLAR_COMPANY_ID = 0x006B

ADVERTISEMENTS: dict[str, FamilyAdvertisement] = {
    "witmotion": FamilyAdvertisement("WT901BLE68"),
    "movella-dot": FamilyAdvertisement("Movella DOT"),
    "thingy52": FamilyAdvertisement("Thingy", (THINGY_CONFIGURATION_SERVICE_UUID,),
                                    identifying_uuids=(THINGY_CONFIGURATION_SERVICE_UUID,)),
    "polar-verity": FamilyAdvertisement("Polar Sense 1A2B3C4D", (sig_uuid(0x180D), sig_uuid(0xFEEE)),
                                        # the "GPB only" manufacturer data of the SDK's advertisement tests
                                        {POLAR_COMPANY_ID: bytes.fromhex("720897c9c30000000000")}),
    "simulated": FamilyAdvertisement("hiptrack-sim"),
}


def usual_name(profile: str) -> str:
    """The name a unit of this family usually advertises."""
    return ADVERTISEMENTS[profile].local_name if profile in ADVERTISEMENTS else profile


def match_profile(local_name: str | None, service_uuids: list[str] | tuple[str, ...]) -> SensorProfile | None:
    """The profile of the sensor that sent this advertisement, or None if it is not a supported sensor."""
    advertised = {uuid.lower() for uuid in service_uuids}
    candidates = [profiles.get(name) for name in profiles.names()]
    for profile in candidates:
        family = ADVERTISEMENTS.get(profile.name)
        identifying = {profile.service_uuid.lower(), *(family.identifying_uuids if family else ())}
        if advertised & identifying:
            return profile
    if local_name:
        for profile in candidates:
            if any(pattern in local_name for pattern in profile.name_patterns):
                return profile
    return None
