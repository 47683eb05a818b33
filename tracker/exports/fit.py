"""A ride as a FIT activity, for GoldenCheetah, intervals.icu, Strava and the like.

Written with Garmin's own FIT SDK (`garmin-fit-sdk`, which has had an encoder since profile 21.1xx):
generated from the FIT profile by the format's owner, released with every profile update and free
of dependencies, where the alternatives are third-party (fit-tool) or decode-only (fitdecode).

Records come once a second, as bike computers write them: cadence is the cadence of the revolution
under way at that second (0 between pedalling stretches, as a cadence sensor reports), and the
thigh's flexion range and knee tracking (mean abduction) of that revolution go in developer fields.
Sampling the per-revolution cadence uniformly in time makes the record mean over pedalling equal
the analysed cadence (60 · revolutions / pedalling time), the number `hiptrack show` prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import numpy as np
from garmin_fit_sdk import Encoder, Profile
from numpy.typing import NDArray

from analysis.ride import RideMetrics

if TYPE_CHECKING:
    from garmin_fit_sdk.mesgs import DeveloperDataIdMesg, FieldDescriptionMesg

FloatArray = NDArray[np.float64]

APPLICATION_ID: list[int | None] = list(b"hiptrack-hip-imu")
"""16 bytes that tell hiptrack's developer fields apart from other apps' in the same file."""

DEVELOPER_FIELDS = {
    0: ("hip_flexion_range", "deg"),
    1: ("knee_tracking", "deg"),
}
"""Developer field number → (name decoders show, units); float32 values."""

FLOAT32 = 136
MESG = Profile["mesg_num"]


@dataclass(frozen=True, slots=True)
class RideRecords:
    """Once-a-second samples of a ride: elapsed seconds, cadence (rpm), flexion range and knee tracking (NaN
    where no revolution was under way)."""

    elapsed_s: NDArray[np.int64]
    cadence_rpm: FloatArray
    flexion_range_deg: FloatArray
    knee_tracking_deg: FloatArray


def ride_records(ride: RideMetrics, duration_s: float) -> RideRecords:
    """The revolution under way at each whole second of the recording, vectorised over seconds."""
    elapsed = np.arange(int(np.floor(duration_s)) + 1, dtype=np.int64)
    revs = ride.revolutions
    index = np.searchsorted(revs.end_s, elapsed, side="right")
    inside = (index < len(revs))
    safe = np.minimum(index, max(len(revs) - 1, 0))
    if len(revs):
        inside &= revs.start_s[safe] <= elapsed
    else:
        inside[:] = False

    def pick(values: FloatArray, outside: float) -> FloatArray:
        return np.where(inside, values[safe], outside) if len(revs) else np.full(len(elapsed), outside)

    return RideRecords(elapsed, pick(revs.cadence_rpm, 0.0), pick(revs.flexion_range_deg, np.nan),
                       pick(revs.abduction_mean_deg, np.nan))


def fit_activity(records: RideRecords, started_at: datetime, duration_s: float, cadence_mean_rpm: float,
                 revolutions: int, serial_number: int) -> bytes:
    """The FIT bytes: file id, developer field descriptions, timer events, records, one lap, the session."""
    encoder = Encoder()
    end = started_at + timedelta(seconds=duration_s)
    encoder.on_mesg(MESG["FILE_ID"], {"type": "activity", "manufacturer": "development", "product": 0,
                                      "serial_number": serial_number, "time_created": started_at})
    developer: DeveloperDataIdMesg = {"developer_data_index": 0, "application_id": APPLICATION_ID,
                                      "application_version": 1}
    encoder.on_mesg(MESG["DEVELOPER_DATA_ID"], dict(developer))
    for number, (name, units) in DEVELOPER_FIELDS.items():
        description: FieldDescriptionMesg = {"developer_data_index": 0, "field_definition_number": number,
                                             "fit_base_type_id": FLOAT32, "field_name": name, "units": units}
        encoder.on_mesg(MESG["FIELD_DESCRIPTION"], dict(description))
        encoder.add_developer_field(number, developer, description)
    encoder.on_mesg(MESG["EVENT"], {"timestamp": started_at, "event": "timer", "event_type": "start"})
    cadence = np.rint(records.cadence_rpm).astype(int).tolist()
    flexion, knee = records.flexion_range_deg.tolist(), records.knee_tracking_deg.tolist()
    for k, second in enumerate(records.elapsed_s.tolist()):   # the encoder takes one message at a time
        record: dict[str, object] = {"timestamp": started_at + timedelta(seconds=second), "cadence": cadence[k]}
        if flexion[k] == flexion[k]:                          # not NaN: a revolution was under way
            record["developer_fields"] = {0: flexion[k], 1: knee[k]}
        encoder.on_mesg(MESG["RECORD"], record)
    encoder.on_mesg(MESG["EVENT"], {"timestamp": end, "event": "timer", "event_type": "stop_all"})
    pedalling = records.cadence_rpm > 0
    summary = {"timestamp": end, "start_time": started_at, "total_elapsed_time": duration_s,
               "total_timer_time": duration_s, "sport": "cycling", "event": "lap", "event_type": "stop",
               "avg_cadence": round(cadence_mean_rpm),
               "max_cadence": int(np.rint(records.cadence_rpm[pedalling].max())) if pedalling.any() else 0,
               "total_cycles": revolutions}
    encoder.on_mesg(MESG["LAP"], {**summary, "message_index": 0})
    encoder.on_mesg(MESG["SESSION"], {**summary, "event": "session", "message_index": 0, "first_lap_index": 0,
                                      "num_laps": 1})
    encoder.on_mesg(MESG["ACTIVITY"], {"timestamp": end, "total_timer_time": duration_s, "num_sessions": 1,
                                       "type": "manual", "event": "activity", "event_type": "stop"})
    return bytes(encoder.close())
