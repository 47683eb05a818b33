"""What every vendor reader returns: SPEC §4 samples plus what the export says about itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sensors.samples import ImuSamples


@dataclass(frozen=True, slots=True)
class VendorRecording:
    """One sensor's samples from a vendor export, in SI units with time from 0 s.

    `started_at`: when the first sample was taken, if the export's clock says so (UTC); `notes`: facts
    worth keeping with the session (packet gaps, the device tag, the declared rate).
    """

    samples: ImuSamples
    format: str
    device_name: str
    started_at: datetime | None = None
    notes: tuple[str, ...] = ()
