"""Commands for following a program: the plan, pain ratings, and progress over the weeks."""

import json
from datetime import UTC, datetime
from typing import Annotated

import typer

from hiptrack.cli.common import (
    DbOption,
    JsonOption,
    PersonOption,
    SessionIdArgument,
    app,
    exercise_id,
    parse_datetime,
    services_module,
    user_errors,
)
from tracker import catalog
from tracker.errors import BadInputError

plan_app = typer.Typer(help="Your plan: which exercises, which side, what dose (by default the dose the "
                            "exercise's source article recommends).",
                       invoke_without_command=True, no_args_is_help=False)
app.add_typer(plan_app, name="plan")


@app.command()
def progress(
    json_output: JsonOption = False,
    mdc: Annotated[float, typer.Option("--mdc", metavar="DEG", min=0.5, max=30.0,
                                       help="Minimal detectable change: smaller changes are not called real.")] = 5.0,
    db: DbOption = None,
    person: PersonOption = None,
) -> None:
    """Range of motion over the weeks (robust trend, plateaus, asymmetry), plan adherence, pain, alerts."""
    from analysis.trends import TrendParams
    from tracker.progress import ProgressParams, load_report
    from tracker.report import render_progress

    with user_errors():
        svc = services_module().build_services(db, person=person)
        report = load_report(svc.store, datetime.now(UTC), ProgressParams(trend=TrendParams(mdc_deg=mdc)))
        svc.close()
        document = report.to_json()
        typer.echo(json.dumps(document, indent=2) if json_output else render_progress(document))


@app.command()
def pain(
    session_id: SessionIdArgument,
    score: Annotated[int, typer.Argument(help="Pain from 0 (none) to 10 (worst imaginable).", show_default=False)],
    set_number: Annotated[int | None, typer.Option("--set", metavar="N",
                                                   help="Rate one set (1 = first) instead of the session.")] = None,
    note: Annotated[str | None, typer.Option(help="Anything worth remembering (where, what kind of pain).")] = None,
    db: DbOption = None,
    person: PersonOption = None,
) -> None:
    """Log pain (0–10) for a session or one of its sets; shows the red flags that need a doctor."""
    with user_errors():
        if not 0 <= score <= 10:
            raise BadInputError(f"pain score {score} is outside 0–10")
        if set_number is not None and set_number < 1:
            raise BadInputError(f"--set {set_number}: sets are numbered from 1")
        from tracker.reader import open_reader  # Core: rating pain loads no ORM, as listing does not

        reader = open_reader(db, person=person)
        try:
            entry = reader.add_pain(session_id, score, None if set_number is None else set_number - 1, note)
        finally:
            reader.close()
        where = f"set {set_number} of session {session_id}" if set_number else f"session {session_id}"
        typer.echo(f"Pain {entry.score}/10 logged for {where}.")
        typer.echo(red_flags_text())


def red_flags_text() -> str:
    return ("Pain should stay controllable. See a doctor soon if you have any of these (rare, but important):\n"
            + "\n".join(f"  ! {flag}" for flag in catalog.RED_FLAGS))


@plan_app.callback()
def plan_show(ctx: typer.Context, json_output: JsonOption = False, db: DbOption = None,
              person: PersonOption = None) -> None:
    """Show the plan (with no subcommand)."""
    if ctx.invoked_subcommand is not None:
        return
    with user_errors():
        from tracker.reader import open_reader  # Core: showing the plan loads no ORM

        reader = open_reader(db, person=person)
        try:
            items = reader.plan()
        finally:
            reader.close()
        if json_output:
            typer.echo(json.dumps([item.to_json() for item in items], indent=2))
        elif not items:
            typer.echo("No plan yet. Add an exercise: hiptrack plan add seated_hip_internal_rotation --side both")
        else:
            from tracker.report import render_plan_item

            typer.echo("\n".join(render_plan_item(item) for item in items))


@plan_app.command("add")
def plan_add(
    exercise: Annotated[str, typer.Argument(metavar="EXERCISE", callback=exercise_id, show_default=False,
                                            help="Exercise id or name (see `hiptrack exercises`).")],
    side: Annotated[str, typer.Option(metavar="left|right|both", help="Which side.")] = "both",
    sets: Annotated[str | None, typer.Option(metavar="N|MIN-MAX", show_default=False, help="Sets per session.")] = None,
    reps: Annotated[str | None, typer.Option(metavar="N|MIN-MAX", show_default=False, help="Reps per set.")] = None,
    hold: Annotated[str | None, typer.Option(metavar="SECONDS|MIN-MAX", show_default=False,
                                             help="Hold time in seconds.")] = None,
    per_week: Annotated[str | None, typer.Option("--per-week", metavar="N|MIN-MAX", show_default=False,
                                                 help="Sessions per week.")] = None,
    target: Annotated[float | None, typer.Option(metavar="DEG", help="Angle to aim for, if any.")] = None,
    since: Annotated[str | None, typer.Option("--since", metavar="ISO-DATE",
                                              help="When you started doing it (default: now).")] = None,
    db: DbOption = None,
    person: PersonOption = None,
) -> None:
    """Add an exercise to the plan with its recommended dose (see `hiptrack exercises`), or your own dose.

    For example: hiptrack plan add couch_stretch --side left --hold 30-60 --per-week 3
    """
    from tracker.plans import default_item, edited
    from tracker.report import render_plan_item

    with user_errors():
        started = parse_datetime(since, "--since", future_ok=True) if since else datetime.now(UTC)
        item = edited(default_item(exercise, side.lower(), started), sets=sets, reps=reps, hold_s=hold,
                      per_week=per_week, target_deg=target)
        svc = services_module().build_services(db, person=person)
        stored = svc.store.plans.add(item)
        svc.close()
        typer.echo("Added: " + render_plan_item(stored))


@plan_app.command("remove")
def plan_remove(
    item_id: Annotated[int, typer.Argument(help="Plan item id (see `hiptrack plan`).", show_default=False)],
    db: DbOption = None,
    person: PersonOption = None,
) -> None:
    """Take an exercise off the plan (past weeks keep counting it)."""
    with user_errors():
        svc = services_module().build_services(db, person=person)
        svc.store.plans.deactivate(item_id)
        svc.close()
        typer.echo(f"Plan item {item_id} removed.")
