"""Commands that need no database: analyse a file, show the exercise catalogue."""

import json
from pathlib import Path
from typing import Annotated

import typer

from hiptrack.cli.common import (
    ExerciseOption,
    JsonOption,
    PelvisOption,
    SideOption,
    app,
    heap_for_long_recordings,
    read_pelvis,
    user_errors,
)
from tracker import catalog
from tracker.errors import BadInputError


@app.command()
def analyze(
    file: Annotated[Path, typer.Argument(help="The thigh sensor's recording as plain IMU CSV: "
                                         "time,acc_x..z,gyr_x..z[,mag_x..z] (s, m/s², rad/s, µT).",
                                         show_default=False)],
    side: SideOption,
    exercise: ExerciseOption,
    json_output: JsonOption = False,
    angles: Annotated[Path | None, typer.Option(
        "--angles", metavar="OUT.csv", help="Also write per-sample angles: time,flexion_deg,abduction_deg,rotation_deg."
    )] = None,
    other_thigh: Annotated[Path | None, typer.Option(
        "--other-thigh", metavar="FILE", help="The other thigh's recording, if both were instrumented (rides: "
        "left/right asymmetry).")] = None,
    pelvis: PelvisOption = None,
) -> None:
    """Analyse a recording (hip angles, holds, reps, sets, ride) without touching the database."""
    from tracker.assessment import angles_table, assess  # the analysis stack (SciPy, VQF) only for this command
    from tracker.imu_csv import read_imu_csv, write_angles_csv
    from tracker.report import render_assessment
    from tracker.result_json import result_json

    heap_for_long_recordings()
    with user_errors():
        catalog.get(exercise)
        # compact (float32 values): a day-long recording's samples then fit beside its analysis
        other = read_imu_csv(other_thigh, compact=True) if other_thigh is not None else None
        thigh = read_imu_csv(file, compact=True)
        assessment = assess(thigh, exercise, side, other, read_pelvis(pelvis, thigh))
        result = assessment.session_result()
        if angles is not None:
            write_angles_csv(angles, angles_table(assessment))
        typer.echo(json.dumps(result_json(result), indent=2) if json_output else render_assessment(result))
        if not assessment.calibrated:
            raise BadInputError(f"{file}: no usable calibration: {assessment.result.calibration_problem}")



@app.command()
def exercises(json_output: JsonOption = False) -> None:
    """The exercise catalogue: what each exercise measures, its prescription, cues and mistakes."""
    if json_output:
        typer.echo(json.dumps([e.to_json() for e in catalog.EXERCISES], indent=2))
        return
    from tracker.report import render_exercise  # the report texts load only for commands that print one

    for exercise in catalog.EXERCISES:
        typer.echo(render_exercise(exercise))
    typer.echo("\n" + "\n".join(f"- {line}" for line in catalog.GENERAL_ADVICE))
    typer.echo("\nSee a doctor soon if you have any of these (rare, but important):\n"
               + "\n".join(f"  ! {flag}" for flag in catalog.RED_FLAGS))


