"""Write a simulator recording in each vendor's export layout, at the vendor's rate, in the vendor's units.

Written from the layouts documented in the readers' docstrings (tracker/importers/*), with their own unit
constants here, so a test compares two readings of the same facts. Used by the import tests and the
vendor-import benchmark.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sensors.samples import ImuSamples

G = 9.80665
DOT_RATE_HZ = 60.0
POLAR_RATE_HZ = 52.0
WITMOTION_RATE_HZ = 100.0
PHONE_RATE_HZ = 100.0
POLAR_EPOCH_UNIX_S = 946_684_800          # 2000-01-01T00:00:00Z
START_UNIX_S = 1_764_000_000              # 2025-11-24, a plausible recording day


def resampled(samples: ImuSamples, rate_hz: float, offset_s: float = 0.0) -> ImuSamples:
    """The recording on a uniform grid at `rate_hz` (linear interpolation, like a resampling export)."""
    time_s = np.arange(samples.time_s[0] + offset_s, samples.time_s[-1], 1.0 / rate_hz)
    acc = np.column_stack([np.interp(time_s, samples.time_s, samples.acc_mps2[:, k]) for k in range(3)])
    gyr = np.column_stack([np.interp(time_s, samples.time_s, samples.gyr_radps[:, k]) for k in range(3)])
    return ImuSamples(time_s, acc, gyr)


def _rows(columns: list[np.ndarray], formats: list[str], delimiter: str) -> str:
    table = np.column_stack(columns)
    row = delimiter.join(formats) + "\n"
    return "".join(row % tuple(values) for values in table.tolist())


def write_movella_dot(path: Path, samples: ImuSamples, *, mode: str = "custom5") -> Path:
    """DOT app CSV at 60 Hz: header block, then PacketCounter, SampleTimeFine (µs, wrapping), quat, acc, gyr."""
    s = resampled(samples, DOT_RATE_HZ)
    n = len(s)
    counter = (65_530 + np.arange(n)) % 65_536                      # crosses the u16 wrap
    ticks = (2**32 - 3_000_000 + np.round((s.time_s - s.time_s[0]) * 1e6).astype(np.int64)) % 2**32
    mode_name = "Orientation (Euler)" if mode == "euler" else "Custom Mode 5"
    header = ("sep=,\nDeviceTag: Left thigh\nFirmwareVersion: 2.6.0\nAppVersion: 2023.6.0\nOutputRate: 60Hz\n"
              f"FilterProfile: General\nMeasurement Mode: {mode_name}\nStartTime: 2025-11-24 16:00:00\n"
              "© Movella Technologies B. V. 2023\n\n")
    if mode == "euler":
        columns = "PacketCounter,SampleTimeFine,Euler_X,Euler_Y,Euler_Z\n"
        body = _rows([counter, ticks, np.zeros((n, 3))], ["%d", "%d", "%.6f", "%.6f", "%.6f"], ",")
    else:
        columns = ("PacketCounter,SampleTimeFine,Quat_W,Quat_X,Quat_Y,Quat_Z,Acc_X,Acc_Y,Acc_Z,"
                   "Gyr_X,Gyr_Y,Gyr_Z,\n")
        quat = np.tile([1.0, 0.0, 0.0, 0.0], (n, 1))
        body = _rows([counter, ticks, quat, s.acc_mps2, np.rad2deg(s.gyr_radps)],
                     ["%d", "%d"] + ["%.6f"] * 10 + [""], ",")
    path.write_text(header + columns + body, encoding="utf-8")
    return path


def write_polar_sensor_logger(folder: Path, samples: ImuSamples) -> Path:
    """A Polar Sensor Logger folder at 52 Hz: ACC (mg, integers) and GYRO (dps) files, plus an HR file."""
    folder.mkdir(parents=True, exist_ok=True)
    s = resampled(samples, POLAR_RATE_HZ)
    ns = (START_UNIX_S - POLAR_EPOCH_UNIX_S) * 10**9 + np.round(s.time_s * 1e9).astype(np.int64)
    phone = np.array(["2025-11-24T16:00:00.000"] * len(s))
    acc_mg = np.round(s.acc_mps2 / G * 1000.0)
    gyr_dps = np.rad2deg(s.gyr_radps)
    acc_body = "".join(f"{p};{t};{x:.0f};{y:.0f};{z:.0f}\n" for p, t, (x, y, z) in
                       zip(phone.tolist(), ns.tolist(), acc_mg.tolist(), strict=True))
    gyr_body = "".join(f"{p};{t};{x:.3f};{y:.3f};{z:.3f}\n" for p, t, (x, y, z) in
                       zip(phone.tolist(), ns.tolist(), gyr_dps.tolist(), strict=True))
    (folder / "Polar_Sense_B5A7_20251124_160000_ACC.txt").write_text(
        "Phone timestamp;sensor timestamp [ns];X [mg];Y [mg];Z [mg]\n" + acc_body)
    (folder / "Polar_Sense_B5A7_20251124_160000_GYRO.txt").write_text(
        "Phone timestamp;sensor timestamp [ns];X [dps];Y [dps];Z [dps] \n" + gyr_body)
    (folder / "Polar_Sense_B5A7_20251124_160000_HR.txt").write_text("Phone timestamp;HR [bpm]\n"
                                                                     "2025-11-24T16:00:01.000;72\n")
    return folder


WITMOTION_HEADER = ("Time\tDevice name\tChip Time()\tAcceleration X(g)\tAcceleration Y(g)\tAcceleration Z(g)\t"
                    "Angular velocity X(°/s)\tAngular velocity Y(°/s)\tAngular velocity Z(°/s)\t"
                    "Angle X(°)\tAngle Y(°)\tAngle Z(°)\tTemperature(℃)\n")


def write_witmotion(path: Path, samples: ImuSamples, *, other: ImuSamples | None = None,
                    encoding: str = "gbk") -> Path:
    """A WitMotion tab-separated export at 100 Hz (g, °/s); `other` interleaves a second device row by row."""
    devices = [("WT901BLE67(d6:a8:b9:ee:a0:b7)", resampled(samples, WITMOTION_RATE_HZ))]
    if other is not None:
        devices.append(("WT901BLE67(c1:22:33:44:55:66)", resampled(other, WITMOTION_RATE_HZ)))
    n = min(len(s) for _, s in devices)
    lines: list[str] = []
    for i in range(n):
        for name, s in devices:
            stamp = START_UNIX_S + s.time_s[i] + 8 * 3600           # local clock: crosses no midnight
            day_s = stamp % 86_400
            clock = f"{int(day_s // 3600):02d}:{int(day_s % 3600 // 60):02d}:{day_s % 60:06.3f}"
            acc, gyr = s.acc_mps2[i] / G, np.rad2deg(s.gyr_radps[i])
            lines.append(f"{clock}\t{name}\t2025-11-25 {clock}\t{acc[0]:.4f}\t{acc[1]:.4f}\t{acc[2]:.4f}\t"
                         f"{gyr[0]:.3f}\t{gyr[1]:.3f}\t{gyr[2]:.3f}\t0.000\t0.000\t0.000\t31.20\n")
    path.write_bytes((WITMOTION_HEADER + "".join(lines)).encode(encoding))
    return path


def write_witmotion_legacy(path: Path, samples: ImuSamples) -> Path:
    """The older PC export: numeric time in seconds, `ax(g)` / `wx(deg/s)` columns."""
    s = resampled(samples, WITMOTION_RATE_HZ)
    header = "time(s)\tax(g)\tay(g)\taz(g)\twx(deg/s)\twy(deg/s)\twz(deg/s)\tAngleX(deg)\tAngleY(deg)\tAngleZ(deg)\n"
    body = _rows([s.time_s, s.acc_mps2 / G, np.rad2deg(s.gyr_radps), np.zeros((len(s), 3))],
                 ["%.3f"] + ["%.4f"] * 3 + ["%.3f"] * 6, "\t")
    path.write_text(header + body, encoding="ascii")
    return path


def write_sensor_logger(folder: Path, samples: ImuSamples, *, total: bool = True) -> Path:
    """A Sensor Logger (Android) folder at 100 Hz; gyro ticks half a sample after the accelerometer."""
    folder.mkdir(parents=True, exist_ok=True)
    acc = resampled(samples, PHONE_RATE_HZ)
    gyr = resampled(samples, PHONE_RATE_HZ, offset_s=0.5 / PHONE_RATE_HZ)

    def stream(s: ImuSamples, values: np.ndarray) -> str:
        ns = START_UNIX_S * 10**9 + np.round(s.time_s * 1e9).astype(np.int64)
        body = "".join(f"{t},{e:.9f},{z:.9g},{y:.9g},{x:.9g}\n" for t, e, (x, y, z) in
                       zip(ns.tolist(), (s.time_s - 0.25).tolist(), values.tolist(), strict=True))
        return "time,seconds_elapsed,z,y,x\n" + body

    if total:
        (folder / "TotalAcceleration.csv").write_text(stream(acc, acc.acc_mps2))
    gravity = np.tile([0.0, 0.0, G], (len(acc), 1))
    (folder / "Accelerometer.csv").write_text(stream(acc, acc.acc_mps2 - gravity))   # gravity removed (roughly)
    (folder / "Gravity.csv").write_text(stream(acc, gravity))
    (folder / "Gyroscope.csv").write_text(stream(gyr, gyr.gyr_radps))
    (folder / "Metadata.csv").write_text("version,device name,recording time,platform\n3,Pixel,2025-11-24,android\n")
    return folder
