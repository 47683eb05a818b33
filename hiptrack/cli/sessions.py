"""Commands over stored sessions: the dashboard, the demo, listing, import/export, results."""

import json
import shlex
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from hiptrack.cli.common import (
    MAX_ID,
    DbOption,
    ExerciseOption,
    JsonOption,
    NoTuiOption,
    PelvisOption,
    PersonOption,
    SessionIdArgument,
    SideOption,
    app,
    heap_for_long_recordings,
    local_time,
    parse_datetime,
    read_pelvis,
    services_module,
    session_line,
    sessions_table,
    user_errors,
    version_callback,
)
from hiptrack.cli.dashboard import open_dashboard
from tracker import catalog
from tracker.domain import AnalysedSession, Gap, Motion, SessionStatus
from tracker.errors import BadInputError

if TYPE_CHECKING:
    from analysis.results import SessionResult


@app.callback()
def main_callback(
    ctx: typer.Context,
    version: Annotated[bool, typer.Option("--version", callback=version_callback, is_eager=True,
                                          help="Show the version and exit.")] = False,
    db: DbOption = None,
    person: PersonOption = None,
) -> None:
    """Track hip mobility with wearable IMUs. With no command, opens the dashboard."""
    if ctx.invoked_subcommand is None:
        dashboard(db, person)
        return
    find = getattr(ctx.command, "get_command", None)
    command = find(ctx, ctx.invoked_subcommand) if find is not None else None
    if db is not None and command is not None and not _uses_database(command):
        raise typer.BadParameter(f"`{ctx.invoked_subcommand}` uses no database; leave --db out", param_hint="'--db'")


def _uses_database(command: Any) -> bool:
    """Whether the command (or any command of a group) takes --db: the top-level --db is passed down to it."""
    commands = getattr(command, "commands", None)
    if commands:
        return any(_uses_database(sub) for sub in commands.values())
    return any(param.name == "db" for param in command.params)


@app.command()
def dashboard(db: DbOption = None, person: PersonOption = None) -> None:
    """Open the terminal dashboard."""
    with user_errors():
        status = open_dashboard(db, person)
    if status:
        raise typer.Exit(status)


@app.command()
def demo(db: DbOption = None, no_tui: NoTuiOption = False) -> None:
    """Record a few simulated sessions (no hardware needed) into a demo database, then open the dashboard.

    Without --db the demo has a database of its own (hiptrack-demo.db beside your real one), started
    afresh on every run: simulated sessions never feed your trends, adherence or alerts.
    """
    with user_errors():
        from tracker.demo import DEMO_PROGRAM, demo_options  # the simulator loads for the demo only
        from tracker.storage.database import demo_url

        svc = services_module().build_services(db or demo_url())
        if db is None:
            services_module().delete_sessions(svc, svc.store.sessions.ids())     # the last demo's sessions
        where = svc.database.engine.url.database if db is None else svc.database.display_url
        typer.echo(f"Recording {len(DEMO_PROGRAM)} simulated sessions into the demo database {where}"
                   if db is None else f"Recording {len(DEMO_PROGRAM)} simulated sessions into {where} ...")
        import asyncio  # recording commands only: listing and showing start without the event loop

        ids = [asyncio.run(services_module().record_simulated(svc, exercise, side, seed,
                                                              options=demo_options(exercise)))
               for exercise, side, seed in DEMO_PROGRAM]
        recorded = [svc.store.sessions.get(i) for i in ids]
        again = f"hiptrack dashboard --db {shlex.quote(db or str(where))}"
        crashed = 0
        if no_tui:
            from tracker.report import render_assessment

            typer.echo(sessions_table(recorded, _best_labels(svc.store.results.analysed())))
            for session_id in ids:
                result = services_module().session_result(svc, session_id)
                typer.echo(f"\nSession {session_id}: " + render_assessment(result) if result else "")
            typer.echo(f"Open the dashboard on these sessions with: {again}")
        else:
            from tui.app import HiptrackApp

            app = HiptrackApp(svc)
            app.run()
            crashed = app.return_code or 0      # Textual printed why; the exit status says so too
        svc.close()
        if crashed:
            raise typer.Exit(crashed)
        if db is None:
            typer.echo("Your own sessions (hiptrack record, hiptrack import) go to your database, not the demo's.")


@app.command("sessions")
def list_sessions(db: DbOption = None, json_output: JsonOption = False, person: PersonOption = None) -> None:
    """List recorded sessions."""
    with user_errors():
        from tracker.reader import open_reader  # Core reads: listing loads neither the ORM nor NumPy

        reader = open_reader(db, person=person)
        rows = reader.summaries()
        best = _best_labels(reader.analysed()) if rows and not json_output else {}
        reader.close()
        if json_output:
            typer.echo(json.dumps([row.to_json() for row in rows], indent=2))
        else:
            typer.echo(sessions_table(rows, best) if rows else _no_sessions(db))


def _no_sessions(db: str | None) -> str:
    """Why the list is empty: right after `hiptrack demo`, its sessions are in the demo's own database."""
    if db is None:
        from tracker.storage.database import demo_path

        demo_file = demo_path()
        if demo_file.exists():
            return ("No sessions of yours yet. The demo's simulated sessions are in their own database: "
                    f"hiptrack sessions --db {shlex.quote(str(demo_file))}")
    return "No sessions yet. Try: hiptrack demo"


def _best_labels(analysed: list[AnalysedSession]) -> dict[int, str]:
    """'IR 34°' per analysed session: its best angle in the exercise's motion, as the dashboard lists it."""
    from tracker.reader import best_angle

    labels: dict[int, str] = {}
    for row in analysed:
        best = best_angle(row) if row.calibrated else None
        labels[row.session_id] = "no calib." if not row.calibrated else \
            "" if best is None else f"{Motion(best[0].motion).facts.short} {best[1]:.0f}°"
    return labels


@app.command()
def delete(
    session_ids: Annotated[list[int], typer.Argument(metavar="SESSION_ID...", min=1, max=MAX_ID, show_default=False,
                                                     help="Ids of the sessions to delete (see `hiptrack sessions`).")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Delete without asking.")] = False,
    db: DbOption = None,
    person: PersonOption = None,
) -> None:
    """Delete sessions: their raw samples, results and pain ratings. Asks first unless --yes."""
    with user_errors():
        svc = services_module().build_services(db, person=person)
        try:
            doomed = [svc.store.sessions.get(session_id) for session_id in dict.fromkeys(session_ids)]
            live = [s.id for s in doomed if s.status is SessionStatus.RECORDING]
            if live:
                raise BadInputError(f"session {live[0]} is still being recorded; stop the recording first")
            if not yes:
                typer.echo("\n".join(session_line(s) for s in doomed))
                if not typer.confirm(f"Delete {_sessions_word(len(doomed))} for good?", default=False):
                    typer.echo("Nothing deleted.")
                    return
            for summary in services_module().delete_sessions(svc, [s.id for s in doomed]):
                typer.echo(f"Deleted {session_line(summary)}")
        finally:
            svc.close()


def _sessions_word(count: int) -> str:
    return "this session" if count == 1 else f"these {count} sessions"


FORMAT_HELP = ("auto (from the header), csv, movella-dot (DOT app CSV), polar-sensor-logger (ACC + GYRO files or "
               "their folder), witmotion (PC or app export), sensor-logger (phone folder: TotalAcceleration.csv + "
               "Gyroscope.csv).")


@app.command("import")
def import_file(
    paths: Annotated[list[Path], typer.Argument(
        metavar="PATH...", show_default=False,
        help="One recording: a plain IMU CSV (time,acc_x..z,gyr_x..z[,mag_x..z], SI units), a vendor export, "
             "or the files/folder of a two-file export.")],
    side: SideOption,
    exercise: ExerciseOption,
    format: Annotated[str, typer.Option(
        "--format", metavar="FORMAT", help=FORMAT_HELP)] = "auto",
    device: Annotated[str | None, typer.Option(
        metavar="NAME", help="The device to import from a WitMotion export that holds several.",
        show_default=False)] = None,
    at: Annotated[str | None, typer.Option(
        metavar="ISO-DATETIME",
        help="When the session started (default: the vendor export's own clock, or the JSON file `hiptrack export` "
             "wrote beside the CSV, else the file's modification time).")] = None,
    pelvis: PelvisOption = None,
    db: DbOption = None,
    person: PersonOption = None,
) -> None:
    """Store a recording made with another tool (plain CSV or a vendor's export) as a session."""
    heap_for_long_recordings()
    with user_errors():
        started_at = parse_datetime(at) if at else None
        catalog.get(exercise)                       # a typo must not create or touch the database
        import asyncio

        from tracker.importers import read_recording
        from tracker.sidecar import exported_start
        recording = read_recording(paths, format, device)   # a bad file is refused before a database is created
        pelvis_samples = read_pelvis(pelvis, recording.samples)
        first = paths[0]
        exported = None if started_at or recording.started_at else exported_start(first)   # an export's sidecar
        started_at = (started_at or recording.started_at or (exported[0] if exported else None)
                      or datetime.fromtimestamp(first.stat().st_mtime, UTC))
        svc = services_module().build_services(db, person=person)
        name = ", ".join(path.name for path in paths)
        label = "" if recording.format == "csv" else f" ({recording.format})"
        work = services_module().import_samples(
            svc, recording.samples, name, exercise, side, started_at, device_name=recording.device_name,
            profile=recording.format, details=recording.notes, pelvis=pelvis_samples)
        del recording, pelvis_samples   # the import owns the samples now: it lets them go once stored (memory)
        session_id = asyncio.run(work)
        summary = svc.store.sessions.get(session_id)
        result = services_module().session_result(svc, session_id)
        svc.close()
        typer.echo(f"Imported {name}{label} as session {session_id}: {summary.samples} samples, "
                   f"{summary.duration_s:.1f} s at {summary.rate_hz:.1f} Hz, started {local_time(summary.started_at)}"
                   + (f" (from {exported[1].name})." if exported else "."))
        if result is None or not result.calibrated:     # stored (raw data are kept), but say what `analyze` says
            problem = result.calibration.problem if result is not None else "no result"
            typer.echo(f"hiptrack: warning: session {session_id} is stored but not analysed: {problem}", err=True)


@app.command("export")
def export(
    session_id: SessionIdArgument,
    out: Annotated[str, typer.Option("--out", metavar="FOLDER", help="Folder to write into (created private).",
                                     show_default=False)],
    formats: Annotated[list[str] | None, typer.Option(
        "--format", metavar="csv|opensim|fit[,…]",
        help="csv: plain IMU CSV per sensor + JSON sidecar; opensim: OpenSense orientations (.sto) and hip "
             "angles (.mot); fit: a FIT activity (rides). Comma-separated or repeated.")] = None,
    db: DbOption = None,
    person: PersonOption = None,
) -> None:
    """Write a session for other tools: plain IMU CSV (default), OpenSim/OpenSense files, a FIT ride."""
    with user_errors():
        if not out.strip():                # an empty --out would otherwise mean the current folder
            raise BadInputError("--out needs a folder name")
        from tracker.exports import export_formats

        chosen = export_formats(formats or ["csv"])     # a typo is refused before the database is opened
        svc = services_module().build_services(db, person=person)
        damaged: list[Gap] = []
        try:
            paths = services_module().export_session(svc, session_id, Path(out), chosen, damaged)
        finally:
            svc.close()
        for path in paths:
            typer.echo(str(path))
        _warn_damaged(session_id, damaged)


@app.command()
def show(
    session_id: SessionIdArgument,
    json_output: JsonOption = False,
    db: DbOption = None,
    person: PersonOption = None,
) -> None:
    """Show a stored session's results (range, holds, reps, sets)."""
    with user_errors():
        from tracker.reader import open_reader  # Core reads: showing loads neither the ORM nor NumPy

        reader = open_reader(db, person=person)
        try:
            shown = reader.show(session_id)
        finally:
            reader.close()
        summary, result, pain = shown.summary, shown.result, shown.pain
        if result is None:
            raise BadInputError(f"session {session_id} has not been analysed; run: hiptrack reanalyze {session_id}")
        if json_output:
            from tracker.result_json import result_json

            typer.echo(json.dumps(result_json(result, session_id), indent=2))
            return
        from tracker.report import pain_words, render_assessment

        line = session_line(summary)
        typer.echo(f"{line[0].upper()}{line[1:]}\n  {summary.status.value}, {summary.source.value}; "
                   f"{pain_words(pain)}" + (f"; notes: {summary.notes}" if summary.notes else "") + "\n"
                   + render_assessment(result))


@app.command()
def reanalyze(
    session_id: Annotated[int | None, typer.Argument(min=1, max=MAX_ID, help="Session id; or use --all.",
                                                     show_default=False)] = None,
    all_sessions: Annotated[bool, typer.Option("--all", help="Re-analyse every stored session.")] = False,
    db: DbOption = None,
    person: PersonOption = None,
) -> None:
    """Re-run the analysis on stored raw samples (after an algorithm update) and store the results."""
    heap_for_long_recordings()
    with user_errors():
        if (session_id is None) == (not all_sessions):
            raise BadInputError("give a SESSION_ID or --all (not both)")
        svc = services_module().build_services(db, person=person)
        ids = svc.store.sessions.ids() if all_sessions else [session_id]
        for one in ids:
            damaged: list[Gap] = []
            result = services_module().analyze_session(svc, one, damaged)  # type: ignore[arg-type]
            typer.echo(f"session {one}: {_one_line(result)}")
            _warn_damaged(one, damaged)  # type: ignore[arg-type]
        svc.close()


def _warn_damaged(session_id: int, damaged: list[Gap]) -> None:
    """One line per damaged chunk on stderr: the command succeeded, but not with every sample."""
    for gap in damaged:
        typer.echo(f"hiptrack: warning: session {session_id}: {gap.reason} "
                   f"({gap.start_s:.3f}–{gap.end_s:.3f} s), skipped as a gap", err=True)


def _one_line(result: "SessionResult") -> str:
    if not result.calibrated:
        return f"not analysed: {result.calibration.problem}"
    return f"{len(result.reps)} reps, {len(result.holds)} holds, {len(result.sets)} sets"


