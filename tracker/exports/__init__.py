"""Exports for other tools: the formats `hiptrack export --format` knows and the files each one makes.

The analysis-based formats (opensim, fit) are built whole in memory before anything is written, so
a session that cannot give them (no calibration, not a ride) is refused with nothing on disk.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from analysis.orientation import estimate_orientation
from analysis.pipeline import AnalysisParams
from analysis.resample import is_uniform, resample, uniform_grid
from sensors.samples import ImuSamples, Placement
from tracker import catalog
from tracker.assessment import Assessment, assess
from tracker.domain import SessionSummary, thigh_of
from tracker.errors import BadInputError
from tracker.exports import fit, opensim

FORMATS = ("csv", "opensim", "fit")
"""What `--format` takes (comma-separated); csv is the plain IMU CSV with its JSON sidecar."""


def export_formats(requested: Iterable[str]) -> tuple[str, ...]:
    """Each of `requested` split on commas, checked and de-duplicated in order ('csv,fit' → ('csv', 'fit'))."""
    names = [part.strip().lower() for text in requested for part in text.split(",") if part.strip()]
    unknown = [name for name in names if name not in FORMATS]
    if unknown or not names:
        raise BadInputError(f"unknown export format {unknown[0]!r}; known: {', '.join(FORMATS)}" if unknown
                            else f"no export format given; known: {', '.join(FORMATS)}")
    return tuple(dict.fromkeys(names))


def analysed_files(summary: SessionSummary, samples: Mapping[Placement, ImuSamples],
                   formats: tuple[str, ...]) -> dict[str, str | bytes]:
    """File name → contents for the formats that need the analysis (opensim, fit); {} for csv alone."""
    wanted = [f for f in formats if f != "csv"]
    if not wanted:
        return {}
    thigh = samples.get(thigh_of(summary.side))
    if thigh is None or len(thigh) < 2:
        raise BadInputError(f"session {summary.id}: no samples from the {summary.side} thigh sensor to analyse")
    other_placement = thigh_of(summary.side.other)
    other = samples.get(other_placement)
    assessment = assess(thigh, summary.exercise, summary.side, other if other is not None and len(other) > 1
                        else None)
    files: dict[str, str | bytes] = {}
    if "opensim" in wanted:
        files.update(_opensim_files(summary, samples, assessment))
    if "fit" in wanted:
        files[f"session-{summary.id}.fit"] = _fit_file(summary, assessment)
    return files


def _opensim_files(summary: SessionSummary, samples: Mapping[Placement, ImuSamples],
                   assessment: Assessment) -> dict[str, str]:
    angles = assessment.result.angles
    if angles is None:
        raise BadInputError(f"session {summary.id}: no hip angles for the .mot "
                            f"({assessment.result.calibration_problem or 'no calibration found'})")
    by_side = {str(summary.side): angles.angles_deg}
    if assessment.other is not None and assessment.other.angles is not None:
        theirs = assessment.other.angles
        by_side[str(summary.side.other)] = resample(theirs.time_s, theirs.angles_deg, angles.time_s)
    kinematics = opensim.hip_kinematics(angles.time_s, dict(sorted(by_side.items())))
    start_s = float(samples[thigh_of(summary.side)].time_s[0])
    rate_hz = float(1.0 / np.median(np.diff(angles.time_s)))
    streams = {str(p): _orientation(s, start_s) for p, s in sorted(samples.items()) if len(s) > 1}
    try:
        orientations = opensim.common_orientations(streams, rate_hz)
    except ValueError as err:
        raise BadInputError(f"session {summary.id}: {err}") from err
    return {f"session-{summary.id}.mot": opensim.mot_text(kinematics, f"hiptrack session {summary.id} hip angles"),
            f"session-{summary.id}_orientations.sto": opensim.sto_text(orientations, rate_hz)}


def _orientation(samples: ImuSamples, start_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Sensor → earth quaternions of a stream (times from the session thigh's first sample): VQF from gyroscope
    and accelerometer with the analysis' parameters, on a uniform grid. 6D, so the heading is relative
    (OpenSense aligns it to the base IMU's); a recorded magnetometer is left out of the .sto."""
    time_s, acc, gyr = samples.time_s - start_s, samples.acc_mps2, samples.gyr_radps
    if not is_uniform(time_s):
        grid = uniform_grid(time_s)
        acc, gyr, time_s = resample(time_s, acc, grid), resample(time_s, gyr, grid), grid
    rate_hz = float(1.0 / np.median(np.diff(time_s)))
    return time_s, estimate_orientation(gyr, acc, rate_hz, params=AnalysisParams().vqf)


def _fit_file(summary: SessionSummary, assessment: Assessment) -> bytes:
    exercise = catalog.get(summary.exercise)
    if exercise.counting != "ride":
        raise BadInputError(f"session {summary.id} is not a ride ({summary.exercise}); fit is for rides")
    ride = assessment.result.ride
    if ride is None or not len(ride.revolutions):
        raise BadInputError(f"session {summary.id}: no pedalling found, so no ride to write as FIT "
                            f"({assessment.result.calibration_problem or 'no revolutions'})")
    records = fit.ride_records(ride, assessment.result.duration_s)
    return fit.fit_activity(records, summary.started_at, assessment.result.duration_s,
                            ride.summary["cadence_rpm_mean"], len(ride.revolutions), serial_number=summary.id)
