"""Nordic Thingy:52 profile: the Thingy Motion Service (TMS) raw-data and quaternion characteristics.

Sources (read for facts; no vendor code copied):

* /work/shared/protocols.md §0 (unit conversions, g = 9.80665), §4 (UUIDs, Q-formats, config layout and the
  100 Hz example ``e8 03 f4 01 f4 01 64 00 01``), §8 (decoder requirements); SPEC.md §8 (profile contract).
* NordicSemiconductor/Nordic-Thingy52-FW (deprecated, archived): ``include/ble_services/ble_tms.h`` (packed structs:
  raw = 3 x int16 accel, gyro, compass; quaternion = 4 x int32 w, x, y, z; config = u16 pedometer ms, u16 temperature
  ms, u16 compass ms, u16 motion_freq_hz, u8 wake_on_motion; the range limits), ``source/ble_services/ble_tms.c``
  (a config write of the wrong length or with a field out of range is refused), ``source/drivers/drv_motion.c``
  (defaults 1000 / 500 / 500 ms, 10 Hz), ``source/modules/m_batt_meas.c`` (standard Battery Service) and
  ``documentation/firmware_architecture.html`` (accel 6Q10 g, gyro 11Q5 °/s, compass 12Q4 µT, quaternion 2Q30).

Rates: the firmware accepts motion_freq_hz 1–200 (``ble_tms.h``, firmware_architecture.html); this profile offers
5–200 Hz as protocols.md §4 does. Each notification carries exactly one sample and no timestamp, so the session
stamps arrival time (``device_time_s`` is None). Raw and quaternion notifications arrive as separate batches: a raw
batch has acc, gyr and mag; a quaternion batch has only ``quat_wxyz``.

Advertising: full name (default "Thingy") plus the Thingy Configuration Service UUID 0x0100 on the Thingy base
(firmware ``m_ble.c`` ``advertising_init``); that service UUID identifies the family even for a renamed unit.
"""

from __future__ import annotations

import math
import struct

import numpy as np

from sensors.profiles._encoding import int16_counts, split
from sensors.profiles.base import (
    GATT_BATTERY,
    STANDARD_GRAVITY_MPS2,
    Advertisement,
    Clock,
    Command,
    Encoder,
    ImuBatch,
    MalformedPacketError,
    Notification,
    SensorProfile,
)
from sensors.samples import ImuSamples

PROFILE_NAME = "thingy52"


def thingy_uuid(short_uuid: int) -> str:
    """The full 128-bit UUID of a Thingy characteristic from its 16-bit part (base EF68xxxx-9B35-…-52FFA9740042)."""
    return f"ef68{short_uuid:04x}-9b35-4933-9b10-52ffa9740042"


CONFIGURATION_SERVICE_UUID = thingy_uuid(0x0100)
MOTION_SERVICE_UUID = thingy_uuid(0x0400)
CONFIG_UUID = thingy_uuid(0x0401)
QUATERNION_UUID = thingy_uuid(0x0404)
RAW_UUID = thingy_uuid(0x0406)

ACC_MPS2_PER_LSB = STANDARD_GRAVITY_MPS2 / 1024.0      # Q6.10 g
GYR_RADPS_PER_LSB = math.radians(1.0 / 32.0)            # Q11.5 °/s
MAG_UT_PER_LSB = 1.0 / 16.0                             # Q12.4 µT
QUAT_PER_LSB = 1.0 / 2**30                              # Q2.30

MIN_RATE_HZ = 5
MAX_RATE_HZ = 200
DEFAULT_RATE_HZ = 100
PEDOMETER_INTERVAL_MS = 1000
TEMPERATURE_INTERVAL_MS = 500
COMPASS_INTERVAL_MS = 500
WAKE_ON_MOTION = 1
_CONFIG_LAYOUT = struct.Struct("<HHHHB")                # 9 bytes

_RAW = np.dtype([("acc", "<i2", (3,)), ("gyr", "<i2", (3,)), ("mag", "<i2", (3,))])
_QUATERNION = np.dtype([("quat", "<i4", (4,))])


def config_command(rate_hz: float) -> Command:
    """The 9-byte motion configuration for `rate_hz` (5–200 Hz, whole numbers), written to 0401 with response.

    The other fields keep the firmware defaults (pedometer 1000 ms, temperature 500 ms, compass 500 ms, wake on
    motion on). The Thingy stores this configuration in flash.
    """
    if not MIN_RATE_HZ <= rate_hz <= MAX_RATE_HZ or rate_hz != int(rate_hz):
        raise ValueError(f"Thingy:52 motion rate must be a whole number of Hz from {MIN_RATE_HZ} to {MAX_RATE_HZ}, "
                         f"not {rate_hz}")
    payload = _CONFIG_LAYOUT.pack(PEDOMETER_INTERVAL_MS, TEMPERATURE_INTERVAL_MS, COMPASS_INTERVAL_MS, int(rate_hz),
                                  WAKE_ON_MOTION)
    return Command(CONFIG_UUID, payload, response=True)


def _decode_raw(payload: bytes) -> ImuBatch:
    sample = np.frombuffer(payload, dtype=_RAW)
    return ImuBatch(acc_mps2=sample["acc"] * ACC_MPS2_PER_LSB, gyr_radps=sample["gyr"] * GYR_RADPS_PER_LSB,
                    mag_ut=sample["mag"] * MAG_UT_PER_LSB)


def _decode_quaternion(payload: bytes) -> ImuBatch:
    return ImuBatch(quat_wxyz=np.frombuffer(payload, dtype=_QUATERNION)["quat"] * QUAT_PER_LSB)


_DECODERS = {RAW_UUID: (_RAW.itemsize, "raw data (0406)", _decode_raw),
             QUATERNION_UUID: (_QUATERNION.itemsize, "quaternion (0404)", _decode_quaternion)}


class Thingy52Decoder:
    """Decoder for one connection; stateless, since every Thingy notification is one whole sample."""

    def decode(self, characteristic_uuid: str, payload: bytes) -> ImuBatch | None:
        """One sample from a raw-data (18 bytes) or quaternion (16 bytes) notification."""
        entry = _DECODERS.get(characteristic_uuid.lower())
        if entry is None:
            raise MalformedPacketError(PROFILE_NAME, payload, f"notification from {characteristic_uuid}, which is "
                                       f"neither raw data ({RAW_UUID}) nor quaternion ({QUATERNION_UUID})")
        size, what, decode = entry
        if len(payload) != size:
            raise MalformedPacketError(PROFILE_NAME, payload, f"{what} notification must be {size} bytes, "
                                       f"got {len(payload)}")
        return decode(bytes(payload))


_ENCODE_ACC_G_PER_LSB = 1.0 / 1024.0        # protocols.md §4, read again for the encoder: Q6.10 g
_ENCODE_GYR_DPS_PER_LSB = 1.0 / 32.0        # Q11.5 °/s
_ENCODE_MAG_UT_PER_LSB = 1.0 / 16.0         # Q12.4 µT


def encode_thingy52(samples: ImuSamples) -> list[Notification]:
    """One 18-byte raw-data notification per sample: acc Q6.10 g, gyro Q11.5 °/s, compass Q12.4 µT (zeros if none)."""
    raw = np.zeros(len(samples), dtype=_RAW)
    raw["acc"] = int16_counts(samples.acc_mps2 / STANDARD_GRAVITY_MPS2, _ENCODE_ACC_G_PER_LSB)
    raw["gyr"] = int16_counts(np.rad2deg(samples.gyr_radps), _ENCODE_GYR_DPS_PER_LSB)
    if samples.mag_ut is not None:
        raw["mag"] = int16_counts(samples.mag_ut, _ENCODE_MAG_UT_PER_LSB)
    return split(raw.tobytes(), _RAW.itemsize, samples.time_s, 1, RAW_UUID)


def _rate_commands(rate_hz: float) -> tuple[Command, ...]:
    return (config_command(rate_hz),)


PROFILE = SensorProfile(
    name=PROFILE_NAME,
    service_uuid=MOTION_SERVICE_UUID,
    notify_uuids=(RAW_UUID, QUATERNION_UUID),
    decoder_factory=Thingy52Decoder,
    start_commands=(config_command(DEFAULT_RATE_HZ),),
    name_patterns=("Thingy",),
    default_rate_hz=float(DEFAULT_RATE_HZ),
    battery=GATT_BATTERY,               # standard Battery Service (m_batt_meas.c)
    display_name="Thingy:52",
    advertisement=Advertisement("Thingy", (CONFIGURATION_SERVICE_UUID,),
                                identifying_uuids=(CONFIGURATION_SERVICE_UUID,)),
    encoder=Encoder(encode_thingy52),
    rate_commands=_rate_commands,
    clock=Clock.ARRIVAL,
    notes=("Enabling notifications starts each feature; the start command sets the motion rate (config_command "
           "for 5-200 Hz; stored in flash). Raw (acc/gyr/mag) and quaternion batches arrive separately. "
           "No device timestamps. Firmware repository is deprecated."),
)
