"""WitMotion BLE 5.0 profile (WT901BLECL, BWT901BLECL5.0, WT9011DCL-BT50): 0x55 0x61 / 0x55 0x71 frames.

Sources (read for facts; no vendor code copied):

* /work/shared/protocols.md §0 (unit conversions, g = 9.80665), §2 (UUIDs, commands, packet layouts, rate codes,
  register decoding), §8 (decoder requirements); SPEC.md §8 (profile contract).
* WITMOTION/WitBluetooth_BWT901BLE5_0, ``Python/BWT901BLE5.0_python_sdk/device_model.py``: the UUIDs on the
  ``…00805f9a34fb`` base, byte-stream buffering with resynchronisation on ``55 61``, the 0x61 scales
  (/32768*16 g, /32768*2000 °/s, /32768*180 °), ``FF AA 69 88 B5`` unlock, ``FF AA 00 00 00`` save,
  ``FF AA 27 XX 00`` register read and the 100 ms gap between unlock, write and save.
* Same repository, ``Android_Java/wit-example-ble5/.../Bwt901bleResolver.java`` (0x71 reply: u16 start register at
  offset 2, int16 registers from offset 4) and ``Bwt901bleProcessor.java`` (polls 0x3A, 0x51, 0x64, 0x40; battery
  volts = raw/100 mapped to % by interpolation; temperature raw/100 °C; quaternion raw/32768).
* Rate codes 06 = 10 Hz, 08 = 50 Hz, 09 = 100 Hz, 0B = 200 Hz: the vendor's iOS/Unity samples (protocols.md §2).

Framing policy. Notifications are a byte stream (the device is a UART-to-BLE bridge): a frame may be split across
notifications and one notification may hold several frames. The decoder keeps the unfinished tail and cuts 20-byte
frames that start with ``55 61`` (data) or ``55 71`` (register reply). Because 0x61 frames carry no checksum, a frame
is accepted only once what follows it is consistent: the end of the buffered bytes, or another frame header. When a
frame is followed by other bytes and a confirmed header lies inside it, the frame was truncated and is dropped, so a
sample is never spliced from two partial frames (SPEC §8). Bytes that cannot start a frame are skipped.

Decision on errors: any skipped or truncated bytes make ``decode`` raise :class:`WitMotionResyncError`, a
``MalformedPacketError`` (SPEC §8: a malformed payload raises). The valid frames of the same buffer are not lost: they
travel on the error as ``err.batch``. A caller that only catches ``MalformedPacketError`` drops that one
notification's samples, one that reads ``err.batch`` drops nothing. The stream stays in sync either way.

There is no device timestamp (protocols.md §8): ``device_time_s`` is always None and the session stamps arrival time.

The simulator's encoder (``encode_witmotion``) writes 0x61 frames with its own scale constants from protocols.md §2,
not the decoder's, so that the round-trip test compares two readings of the document.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from sensors.profiles._encoding import int16_counts, split
from sensors.profiles.base import (
    STANDARD_GRAVITY_MPS2,
    Advertisement,
    Clock,
    Command,
    Encoder,
    FloatArray,
    ImuBatch,
    MalformedPacketError,
    Notification,
    SensorProfile,
)
from sensors.samples import ImuSamples

PROFILE_NAME = "witmotion"

_VENDOR_BASE = "-0000-1000-8000-00805f9a34fb"     # what the official SDK uses (note 9a, not the SIG 9b)
_SIG_BASE = "-0000-1000-8000-00805f9b34fb"        # BLE 4.0-era units and clones (protocols.md §2 caveat)
SERVICE_UUID = "0000ffe5" + _VENDOR_BASE
NOTIFY_UUID = "0000ffe4" + _VENDOR_BASE
WRITE_UUID = "0000ffe9" + _VENDOR_BASE

FRAME_BYTES = 20
HEADER = 0x55
FLAG_DATA = 0x61
FLAG_REGISTERS = 0x71

ACC_MPS2_PER_LSB = 16.0 / 32768.0 * STANDARD_GRAVITY_MPS2
GYR_RADPS_PER_LSB = math.radians(2000.0 / 32768.0)
ANGLE_DEG_PER_LSB = 180.0 / 32768.0

REG_SAVE = 0x00
REG_RATE = 0x03
REG_READ = 0x27
REG_TEMPERATURE = 0x40
REG_QUATERNION = 0x51          # 0x51..0x54: q0 (w), q1, q2, q3
REG_BATTERY = 0x64
REG_UNLOCK = 0x69
UNLOCK_KEY = 0xB588
RATE_CODES: dict[float, int] = {10.0: 0x06, 50.0: 0x08, 100.0: 0x09, 200.0: 0x0B}
COMMAND_GAP_S = 0.1
"""Pause between unlock, register write and save, as the official Python SDK does."""
LIVE_RATE_HZ = 100.0
"""Units stream at 10 Hz out of the box; hip angles and reps need more (protocols.md §2 rate codes)."""

# Android SDK volts -> % interpolation tables (one cell up to 5.5 V, two cells above). Approximate by nature.
_ONE_CELL_V = (3.4, 3.5, 3.68, 3.7, 3.73, 3.77, 3.79, 3.82, 3.87, 3.93, 3.96, 3.99)
_ONE_CELL_PERCENT = (0, 5, 10, 15, 20, 30, 40, 50, 60, 75, 90, 100)
_TWO_CELL_V = (6.5, 6.8, 7.35, 7.75, 8.5, 8.8)
_TWO_CELL_PERCENT = (0, 10, 30, 60, 90, 100)

_DATA_FRAME = np.dtype([("header", "u1"), ("flag", "u1"), ("acc", "<i2", (3,)), ("gyr", "<i2", (3,)),
                        ("angle", "<i2", (3,))])
_REPLY_FRAME = np.dtype([("header", "u1"), ("flag", "u1"), ("start_register", "<u2"), ("values", "<i2", (8,))])
_FRAME_OFFSETS = np.arange(FRAME_BYTES)


def is_witmotion_uuid(uuid: str) -> bool:
    """Whether `uuid` is the WitMotion notify (ffe4) or write (ffe9) characteristic, on the 9a34fb or 9b34fb base."""
    return _is_uuid(uuid, ("0000ffe4", "0000ffe9"))


def _is_uuid(uuid: str, prefixes: tuple[str, ...]) -> bool:
    text = uuid.lower()
    return text[:8] in prefixes and text[8:] in (_VENDOR_BASE, _SIG_BASE)


def write_register_command(register_address: int, value: int) -> Command:
    """``FF AA <reg> <valL> <valH>`` to the write characteristic, without response (protocols.md §2)."""
    return Command(WRITE_UUID, bytes([0xFF, 0xAA, register_address, value & 0xFF, (value >> 8) & 0xFF]),
                   response=False)


def read_register_command(register_address: int) -> Command:
    """Ask for 8 registers from `register_address`; the device answers with a 0x71 frame on the notify stream."""
    return write_register_command(REG_READ, register_address)


UNLOCK_COMMAND = write_register_command(REG_UNLOCK, UNLOCK_KEY)
SAVE_COMMAND = write_register_command(REG_SAVE, 0x0000)


def rate_commands(rate_hz: float) -> tuple[Command, ...]:
    """Unlock, set the output rate, save; send them about `COMMAND_GAP_S` apart (the unlock lasts about 10 s)."""
    code = RATE_CODES.get(float(rate_hz))
    if code is None:
        supported = ", ".join(f"{rate:g}" for rate in RATE_CODES)
        raise ValueError(f"WitMotion cannot stream at {rate_hz} Hz; supported rates: {supported} Hz")
    return (UNLOCK_COMMAND, write_register_command(REG_RATE, code), SAVE_COMMAND)


def battery_read_command() -> Command:
    """Read register 0x64 (battery); the reply updates `WitMotionDecoder.battery_v`."""
    return read_register_command(REG_BATTERY)


def battery_percent_approx(battery_v: float) -> float:
    """Approximate charge in % from the battery voltage, by the official Android SDK's interpolation table.

    Approximate: another step table circulates from the vendor's gitbook (protocols.md §2), and neither is calibrated
    for a particular cell.
    """
    if battery_v > 5.5:
        return float(np.interp(battery_v, _TWO_CELL_V, _TWO_CELL_PERCENT))
    return float(np.interp(battery_v, _ONE_CELL_V, _ONE_CELL_PERCENT))


class WitMotionResyncError(MalformedPacketError):
    """Bytes were skipped to resynchronise; `batch` holds the valid frames decoded from the same buffer."""

    def __init__(self, payload: bytes, problem: str, batch: ImuBatch | None) -> None:
        super().__init__(PROFILE_NAME, payload, problem)
        self.batch = batch


@dataclass
class _Framing:
    """Where the complete, accepted frames start, where the kept tail starts, and what had to be skipped."""

    starts: NDArray[np.intp]
    tail_start: int
    problems: list[str]


class _Scanner:
    """Cuts a buffer into 20-byte frames; loops once per resynchronisation, never per frame of an aligned run."""

    def __init__(self, buf: NDArray[np.uint8]) -> None:
        self.buf = buf
        self.size = int(buf.size)
        flags = buf[1:]
        self.is_header = (buf[:-1] == HEADER) & ((flags == FLAG_DATA) | (flags == FLAG_REGISTERS))
        self.header_positions = np.flatnonzero(self.is_header)
        self.runs: list[NDArray[np.intp]] = []
        self.problems: list[str] = []
        self.tail_start = self.size

    def cut(self) -> _Framing:
        pos: int | None = 0
        while pos is not None and pos < self.size:
            pos = self._step(pos)
        starts = np.concatenate(self.runs) if self.runs else np.zeros(0, dtype=np.intp)
        return _Framing(starts, self.tail_start, self.problems)

    def _step(self, pos: int) -> int | None:
        """Consume bytes from `pos`; return where to go on, or None once the rest must wait for more bytes."""
        if self._header_at(pos):
            return self._take_run(pos)
        if pos == self.size - 1 and self.buf[pos] == HEADER:
            self.tail_start = pos                            # the first byte of a header: wait for the rest
            return None
        return self._skip_garbage(pos)

    def _header_at(self, pos: int) -> bool:
        return pos < self.is_header.size and bool(self.is_header[pos])

    def _confirms(self, end: int) -> bool:
        """Whether the bytes at `end` fit a frame ending there: the end of the buffer, or a (partial) header."""
        if end == self.size:
            return True
        if end == self.size - 1:
            return bool(self.buf[end] == HEADER)
        return self._header_at(end)

    def _skip_garbage(self, pos: int) -> int:
        after = self.header_positions[np.searchsorted(self.header_positions, pos):]
        nxt = int(after[0]) if after.size else self.size
        if nxt == self.size and self.buf[-1] == HEADER and self.size - 1 > pos:
            nxt = self.size - 1                              # keep a trailing 0x55: it may start the next frame
        shown = self.buf[pos:min(nxt, pos + 8)].tobytes().hex(" ") + (" …" if nxt - pos > 8 else "")
        self.problems.append(f"skipped {nxt - pos} byte(s) at stream offset {pos} that do not start a "
                             f"55 61 / 55 71 frame header ({shown})")
        return nxt

    def _take_run(self, pos: int) -> int | None:
        """Accept the aligned frames from `pos` whose successors confirm them; return where to go on."""
        slots = (self.size - pos) // FRAME_BYTES
        starts = pos + FRAME_BYTES * np.arange(slots, dtype=np.intp)
        bad = np.flatnonzero(~self.is_header[starts])
        count = int(bad[0]) if bad.size else slots
        if count == 0:
            self.tail_start = pos                            # an unfinished frame
            return None
        end = pos + FRAME_BYTES * count
        last = end - FRAME_BYTES
        verdict, resync_at = ("ok", end) if self._confirms(end) else self._judge_last_frame(last)
        if verdict == "ok":
            self.runs.append(starts[:count])
            return end
        self.runs.append(starts[:count - 1])
        if verdict == "wait":
            self.tail_start = last
            return None
        self.problems.append(f"dropped a truncated frame at stream offset {last}: a new frame header follows "
                             f"after {resync_at - last} of its {FRAME_BYTES} bytes")
        return resync_at

    def _judge_last_frame(self, last: int) -> tuple[Literal["ok", "wait", "truncated"], int]:
        """A frame followed by non-header bytes: truncated if a confirmed header lies inside it.

        'wait' when a header inside it cannot be confirmed until more bytes arrive.
        """
        positions = self.header_positions
        for inner in positions[(positions > last) & (positions < last + FRAME_BYTES)].tolist():
            if inner + FRAME_BYTES > self.size:
                return "wait", inner
            if self._confirms(inner + FRAME_BYTES):
                return "truncated", inner
        return "ok", last + FRAME_BYTES


class WitMotionDecoder:
    """Decoder for one connection: keeps the unfinished byte-stream tail and the last register replies."""

    def __init__(self) -> None:
        self._tail = b""
        self.registers: dict[int, int] = {}
        """Raw int16 register values from 0x71 replies, by register address (e.g. 0x3A..0x3C magnetometer)."""
        self.last_angle_deg: FloatArray | None = None
        """(N, 3) roll, pitch, yaw of the last decoded batch, degrees (the device's own fusion)."""

    @property
    def pending_bytes(self) -> int:
        """How many received bytes wait for the rest of their frame."""
        return len(self._tail)

    @property
    def battery_v(self) -> float | None:
        raw = self.registers.get(REG_BATTERY)
        return None if raw is None else raw / 100.0

    @property
    def battery_percent_approx(self) -> float | None:
        """Approximate charge (see `battery_percent_approx`); None until a 0x64 reply arrived."""
        volts = self.battery_v
        return None if volts is None else battery_percent_approx(volts)

    @property
    def temperature_c(self) -> float | None:
        raw = self.registers.get(REG_TEMPERATURE)
        return None if raw is None else raw / 100.0

    @property
    def quat_wxyz(self) -> FloatArray | None:
        """The last polled quaternion (registers 0x51..0x54 / 32768, q0 is w), or None."""
        raws = [self.registers.get(REG_QUATERNION + i) for i in range(4)]
        if any(raw is None for raw in raws):
            return None
        return np.array(raws, dtype=np.float64) / 32768.0

    def decode(self, characteristic_uuid: str, payload: bytes) -> ImuBatch | None:
        """Samples of every complete 0x61 frame now buffered, or None; 0x71 replies update `registers`.

        Raises `WitMotionResyncError` (carrying the valid frames as `.batch`) when bytes had to be skipped.
        """
        if not _is_uuid(characteristic_uuid, ("0000ffe4",)):
            raise MalformedPacketError(PROFILE_NAME, payload, f"notification from {characteristic_uuid}, which is "
                                       f"not the WitMotion data characteristic 0000ffe4 ({NOTIFY_UUID})")
        buf = np.frombuffer(self._tail + bytes(payload), dtype=np.uint8)
        framing = _Scanner(buf).cut()
        self._tail = buf[framing.tail_start:].tobytes()
        rows = buf[framing.starts[:, None] + _FRAME_OFFSETS]
        self._store_replies(rows[rows[:, 1] == FLAG_REGISTERS])
        batch = self._samples(rows[rows[:, 1] == FLAG_DATA])
        if framing.problems:
            raise WitMotionResyncError(payload, "; ".join(framing.problems), batch)
        return batch

    def _store_replies(self, rows: NDArray[np.uint8]) -> None:
        for reply in rows.view(_REPLY_FRAME)[:, 0]:          # replies are polled a few times a second
            start = int(reply["start_register"])
            self.registers.update(zip(range(start, start + 8), reply["values"].tolist(), strict=True))

    def _samples(self, rows: NDArray[np.uint8]) -> ImuBatch | None:
        if rows.shape[0] == 0:
            return None
        frames = rows.view(_DATA_FRAME)[:, 0]
        self.last_angle_deg = frames["angle"] * ANGLE_DEG_PER_LSB
        return ImuBatch(acc_mps2=frames["acc"] * ACC_MPS2_PER_LSB, gyr_radps=frames["gyr"] * GYR_RADPS_PER_LSB)


_ENCODE_ACC_G_PER_LSB = 16.0 / 32768.0                  # protocols.md §2, read again for the encoder
_ENCODE_GYR_DPS_PER_LSB = 2000.0 / 32768.0


def encode_witmotion(samples: ImuSamples, *, frames_per_notification: int = 1) -> list[Notification]:
    """20-byte ``55 61`` frames (acc g·32768/16, gyro °/s·32768/2000, angles 0), `frames_per_notification` each.

    The device has no timestamp; the notify characteristic is the vendor-base ``0000ffe4`` UUID.
    """
    if frames_per_notification < 1:
        raise ValueError(f"frames_per_notification must be ≥ 1, got {frames_per_notification}")
    frames = np.zeros(len(samples), dtype=_DATA_FRAME)
    frames["header"], frames["flag"] = HEADER, FLAG_DATA
    frames["acc"] = int16_counts(samples.acc_mps2 / STANDARD_GRAVITY_MPS2, _ENCODE_ACC_G_PER_LSB)
    frames["gyr"] = int16_counts(np.rad2deg(samples.gyr_radps), _ENCODE_GYR_DPS_PER_LSB)
    return split(frames.tobytes(), FRAME_BYTES, samples.time_s, frames_per_notification, NOTIFY_UUID)


@dataclass(frozen=True, slots=True)
class WitMotionProfile(SensorProfile):
    """The WitMotion profile; matches the data characteristic on either UUID base (protocols.md §2 caveat)."""

    def matches_uuid(self, uuid: str) -> bool:
        return _is_uuid(uuid, ("0000ffe4",))

    def same_characteristic(self, wanted: str, offered: str) -> bool:
        """ffe4/ffe9 on either base: units and clones differ in which one they serve."""
        return _is_uuid(wanted, (wanted.lower()[:8],)) and _is_uuid(offered, (wanted.lower()[:8],))


PROFILE = WitMotionProfile(
    name=PROFILE_NAME,
    service_uuid=SERVICE_UUID,
    notify_uuids=(NOTIFY_UUID,),
    decoder_factory=WitMotionDecoder,
    name_patterns=("WT",),
    default_rate_hz=10.0,
    display_name="WitMotion",
    # The SDK sample finds units by a name containing "WT" (protocols.md §2); units advertise "WT901BLE" plus two hex
    # digits (community bleak clients), WT9011DCL units "WT9011DCL…". No service UUID is relied on (base differs).
    advertisement=Advertisement("WT901BLE68"),
    encoder=Encoder(encode_witmotion),
    rate_commands=rate_commands,
    live_rate_hz=LIVE_RATE_HZ,
    command_gap_s=COMMAND_GAP_S,
    clock=Clock.ARRIVAL,
    notes=("Nothing to write to stream (default 10 Hz); rate_commands(rate_hz) sets 10/50/100/200 Hz. Commands go to "
           f"{WRITE_UUID} without response, about {COMMAND_GAP_S} s apart. Some units use the ...9b34fb base: "
           "resolve characteristics with is_witmotion_uuid(). No GATT battery: poll battery_read_command(); the "
           "decoder's battery_percent_approx is approximate. No device timestamps."),
)
