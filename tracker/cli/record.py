"""`hiptrack record`: a session from the simulator, a replayed log or (soon) a live sensor."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from tracker.cli.common import DbOption, NoTuiOption, app, services_module, user_errors
from tracker.domain import Side, Source
from tracker.errors import BadInputError
from tracker.report import render_assessment


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
    with user_errors():
        svc_module = services_module()
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


