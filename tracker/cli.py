"""The `hiptrack` command: thin commands over tracker.services; errors become one line and an exit code.

Commands import the storage stack on first use, so `analyze` starts fast.

Exit codes: 0 ok, 2 bad input (file, argument, URL), 1 any other failure.
"""

from __future__ import annotations

import asyncio
import importlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Annotated, Any

import typer

from tracker import __version__, catalog
from tracker.assessment import angles_table, assess
from tracker.domain import SessionSummary, Side, Source
from tracker.errors import BadInputError, HiptrackError
from tracker.imu_csv import read_imu_csv, write_angles_csv
from tracker.report import render_assessment, render_exercise

app = typer.Typer(
    name="hiptrack",
    help="Track hip mobility with wearable IMUs: record sessions, analyse range of motion, watch trends.",
    add_completion=False,
    invoke_without_command=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

DbOption = Annotated[str | None, typer.Option(
    "--db", metavar="URL", show_default=False,
    help="SQLAlchemy database URL (default: $HIPTRACK_DB, else an SQLite file in your user data folder).")]
NoTuiOption = Annotated[bool, typer.Option("--no-tui", help="Print a text summary instead of opening the dashboard.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]

DEMO_PROGRAM: tuple[tuple[str, Side, int], ...] = (
    ("seated_hip_internal_rotation", Side.LEFT, 11),
    ("seated_hip_internal_rotation", Side.RIGHT, 12),
    ("hamstring_strap_stretch", Side.LEFT, 13),
    ("ride", Side.RIGHT, 14),
)
"""What `hiptrack demo` records: a short mobility session on both sides and a ride."""


def _services() -> ModuleType:
    """The storage-backed use cases, imported on first use: `analyze` needs no database stack."""
    return importlib.import_module("tracker.services")


@contextmanager
def _user_errors() -> Iterator[None]:
    """Known errors: one line on stderr and the error's exit code, never a traceback."""
    try:
        yield
    except HiptrackError as err:
        typer.echo(f"hiptrack: error: {err}", err=True)
        raise typer.Exit(err.exit_code) from None
    except KeyError as err:                 # an unknown sensor profile names the known ones
        typer.echo(f"hiptrack: error: {err.args[0] if err.args else err}", err=True)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        typer.echo("hiptrack: interrupted", err=True)
        raise typer.Exit(130) from None


def _version(value: bool) -> None:
    if value:
        typer.echo(f"hiptrack {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    ctx: typer.Context,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
    db: DbOption = None,
) -> None:
    """Track hip mobility with wearable IMUs. With no command, opens the dashboard."""
    if ctx.invoked_subcommand is None:
        dashboard(db)


@app.command()
def dashboard(db: DbOption = None) -> None:
    """Open the terminal dashboard."""
    with _user_errors():
        svc = _services().build_services(db)
        from tui.app import HiptrackApp  # deferred: commands that print need not load Textual

        HiptrackApp(svc).run()
        svc.close()


@app.command()
def demo(db: DbOption = None, no_tui: NoTuiOption = False) -> None:
    """Record a few simulated sessions (no hardware needed), then open the dashboard."""
    with _user_errors():
        svc = _services().build_services(db)
        typer.echo(f"Recording {len(DEMO_PROGRAM)} simulated sessions into {svc.database.display_url} ...")
        ids = [asyncio.run(_services().record_simulated(svc, exercise, side, seed))
               for exercise, side, seed in DEMO_PROGRAM]
        recorded = [svc.store.get_session(i) for i in ids]
        if no_tui:
            typer.echo(_table(recorded))
            for session_id in ids:
                document = _services().session_result(svc, session_id)
                typer.echo(f"\nSession {session_id}: " + render_assessment(document) if document else "")
            typer.echo("Open the dashboard with: hiptrack dashboard" + (f" --db {db}" if db else ""))
        else:
            from tui.app import HiptrackApp

            HiptrackApp(svc).run()
        svc.close()


@app.command("sessions")
def list_sessions(db: DbOption = None, json_output: JsonOption = False) -> None:
    """List recorded sessions."""
    with _user_errors():
        svc = _services().build_services(db)
        rows = svc.store.list_sessions()
        svc.close()
        if json_output:
            typer.echo(json.dumps([row.to_json() for row in rows], indent=2))
        else:
            typer.echo(_table(rows) if rows else "No sessions yet. Try: hiptrack demo")


@app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(help="Plain IMU CSV: time,acc_x..z,gyr_x..z[,mag_x..z] (SI units).",
                                         show_default=False)],
    side: Annotated[Side, typer.Option(help="Which thigh the sensor was on.", show_default=False)],
    exercise: Annotated[str, typer.Option(help="Exercise id (see SPEC §7).", show_default=False)],
    at: Annotated[str | None, typer.Option(
        metavar="ISO-DATETIME", help="When the session started (default: the file's modification time).")] = None,
    db: DbOption = None,
) -> None:
    """Store a recording made with another tool as a session."""
    with _user_errors():
        started_at = _parse_datetime(at) if at else None
        if not file.is_file():
            raise BadInputError(f"{file}: no such file")
        svc = _services().build_services(db)
        session_id = asyncio.run(_services().import_csv(svc, file, exercise, side, started_at))
        summary = svc.store.get_session(session_id)
        svc.close()
        typer.echo(f"Imported {file} as session {session_id}: {summary.samples} samples, "
                   f"{summary.duration_s:.1f} s at {summary.rate_hz:.1f} Hz.")


@app.command("export")
def export(
    session_id: Annotated[int, typer.Argument(help="Session id (see `hiptrack sessions`).", show_default=False)],
    out: Annotated[Path, typer.Option("--out", help="Folder to write into.", show_default=False)],
    db: DbOption = None,
) -> None:
    """Write a session's raw samples as plain IMU CSV (one file per sensor) plus a JSON sidecar."""
    with _user_errors():
        svc = _services().build_services(db)
        paths = _services().export_session(svc, session_id, out)
        svc.close()
        for path in paths:
            typer.echo(str(path))


@app.command()
def analyze(
    file: Annotated[Path, typer.Argument(help="Plain IMU CSV of the thigh sensor (SPEC §4).", show_default=False)],
    side: Annotated[Side, typer.Option(help="Which thigh the sensor was on.", show_default=False)],
    exercise: Annotated[str, typer.Option(help="Exercise id (see SPEC §7).", show_default=False)],
    json_output: JsonOption = False,
    angles: Annotated[Path | None, typer.Option(
        "--angles", metavar="OUT.csv", help="Also write per-sample angles: time,flexion_deg,abduction_deg,rotation_deg."
    )] = None,
    other_thigh: Annotated[Path | None, typer.Option(
        "--other-thigh", metavar="FILE", help="The other thigh's recording, if both were instrumented (rides: "
        "left/right asymmetry).")] = None,
) -> None:
    """Analyse a recording (hip angles, holds, reps, sets, ride) without touching the database."""
    with _user_errors():
        catalog.get(exercise)
        other = read_imu_csv(other_thigh) if other_thigh is not None else None
        assessment = assess(read_imu_csv(file), exercise, side, other)
        document = assessment.to_json()
        if angles is not None:
            write_angles_csv(angles, angles_table(assessment))
        typer.echo(json.dumps(document, indent=2) if json_output else render_assessment(document))
        if not assessment.calibrated:
            raise BadInputError(f"{file}: no usable calibration: {assessment.result.calibration_problem}")


@app.command()
def record(
    exercise: Annotated[str, typer.Option(help="Exercise id (see `hiptrack exercises`).", show_default=False)],
    side: Annotated[Side, typer.Option(help="Which thigh the sensor is on.", show_default=False)],
    simulate: Annotated[bool, typer.Option("--simulate", help="Use the simulated sensor (no hardware).")] = False,
    replay: Annotated[Path | None, typer.Option("--replay", metavar="LOG",
                                                help="Play a raw notification log back instead.")] = None,
    log: Annotated[Path | None, typer.Option("--log", metavar="FILE",
                                             help="Write every notification to a raw log as it arrives.")] = None,
    fast: Annotated[bool, typer.Option("--fast", help="Simulate or replay as fast as possible.")] = False,
    seed: Annotated[int, typer.Option(help="Simulator seed.")] = 1,
    profile: Annotated[str, typer.Option(help="With --simulate: speak this device family's bytes "
                                         "(simulated, witmotion, movella-dot, thingy52, polar-verity).")] = "simulated",
    no_tui: NoTuiOption = True,
    db: DbOption = None,
) -> None:
    """Record a session: calibrate (stand still, 3 leg swings, stand still), then exercise; Ctrl-C ends it."""
    with _user_errors():
        svc_module = _services()
        if simulate == (replay is not None):
            raise BadInputError("choose --simulate or --replay LOG (live Bluetooth recording is not in this "
                                "version yet)")
        svc = svc_module.build_services(db)
        if replay is not None:
            source = svc_module.replay_source(replay, realtime=not fast, log=log)
        else:
            source = svc_module.simulated_notification_source(exercise, side, seed, realtime=not fast, log=log,
                                                              profile=profile)
        typer.echo(f"Recording {exercise} ({side.value}) into {svc.database.display_url}. Stand still for 3 s, "
                   "swing the leg forward 3 times, stand still, then exercise. Ctrl-C stops.")
        seen: list[int] = []
        try:
            asyncio.run(svc_module.record_notifications(
                svc, source, exercise, side, Source.REPLAY if replay else Source.SIMULATED,
                on_progress=_progress_printer(seen)))
        except KeyboardInterrupt:
            typer.echo("Stopped; analysing what was recorded.")
            if seen:
                svc_module.analyze_session(svc, seen[-1])
        if seen:
            document = svc_module.session_result(svc, seen[-1])
            typer.echo(f"Session {seen[-1]}: " + render_assessment(document) if document else "")
        dropped = sum(source.stats.malformed_by_device.values())
        if dropped:
            typer.echo(f"{dropped} malformed notification(s) skipped.", err=True)
        svc.close()


def _progress_printer(seen: list[int]) -> Callable[[Any], None]:
    """A progress line about once a second (the recorder reports every commit, twice a second)."""
    last = [-1.0]

    def show(progress: Any) -> None:
        if not seen or seen[-1] != progress.session_id:
            seen.append(progress.session_id)
        if progress.duration_s - last[0] >= 1.0:
            last[0] = progress.duration_s
            samples = sum(progress.samples_by_placement.values())
            typer.echo(f"  {progress.duration_s:6.1f} s recorded, {samples:,} samples stored")

    return show


@app.command()
def exercises(json_output: JsonOption = False) -> None:
    """The exercise catalogue: what each exercise measures, its prescription, cues and mistakes."""
    if json_output:
        typer.echo(json.dumps([e.to_json() for e in catalog.EXERCISES], indent=2))
        return
    for exercise in catalog.EXERCISES:
        typer.echo(render_exercise(exercise))
    typer.echo("\n" + "\n".join(f"- {line}" for line in catalog.GENERAL_ADVICE))
    typer.echo("\nSee a doctor soon if you have any of these (rare, but important):\n"
               + "\n".join(f"  ! {flag}" for flag in catalog.RED_FLAGS))


@app.command()
def show(
    session_id: Annotated[int, typer.Argument(help="Session id (see `hiptrack sessions`).", show_default=False)],
    json_output: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Show a stored session's results (range, holds, reps, sets)."""
    with _user_errors():
        svc = _services().build_services(db)
        document = _services().session_result(svc, session_id)
        svc.close()
        if document is None:
            raise BadInputError(f"session {session_id} has not been analysed; run: hiptrack reanalyze {session_id}")
        typer.echo(json.dumps(document, indent=2) if json_output else render_assessment(document))


@app.command()
def reanalyze(
    session_id: Annotated[int | None, typer.Argument(help="Session id; or use --all.", show_default=False)] = None,
    all_sessions: Annotated[bool, typer.Option("--all", help="Re-analyse every stored session.")] = False,
    db: DbOption = None,
) -> None:
    """Re-run the analysis on stored raw samples (after an algorithm update) and store the results."""
    with _user_errors():
        if (session_id is None) == (not all_sessions):
            raise BadInputError("give a SESSION_ID or --all (not both)")
        svc = _services().build_services(db)
        ids = svc.store.session_ids() if all_sessions else [session_id]
        for one in ids:
            document = _services().analyze_session(svc, one)  # type: ignore[arg-type]
            typer.echo(f"session {one}: {_one_line(document)}")
        svc.close()


def _one_line(document: dict) -> str:
    if not document["calibration"]["ok"]:
        return f"not analysed: {document['calibration']['problem']}"
    return f"{len(document['reps'])} reps, {len(document['holds'])} holds, {len(document['sets'])} sets"


def _parse_datetime(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise BadInputError(f"--at {text!r} is not an ISO date-time (example: 2026-03-01T18:30)") from None
    return (value if value.tzinfo else value.astimezone()).astimezone(UTC)


def _table(rows: list[SessionSummary]) -> str:
    header = f"{'id':>4}  {'started (UTC)':16}  {'exercise':30}  {'side':5}  {'source':9}  {'status':11}  " \
             f"{'duration':>8}  {'samples':>8}  {'rate':>7}"
    lines = [header, "-" * len(header)]
    for r in rows:
        lines.append(f"{r.id:>4}  {r.started_at:%Y-%m-%d %H:%M}  {r.exercise:30}  {r.side.value:5}  "
                     f"{r.source.value:9}  {r.status.value:11}  {r.duration_s:7.1f}s  {r.samples:>8}  "
                     f"{r.rate_hz:5.1f}Hz")
    return "\n".join(lines)


def main() -> None:
    app(prog_name="hiptrack")


if __name__ == "__main__":
    main()
