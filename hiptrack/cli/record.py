"""`hiptrack record`: a session from live Bluetooth sensors, the simulator or a replayed log."""

import contextlib
import importlib
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperOption

from hiptrack.cli.common import DbOption, ExerciseOption, PersonOption, SideOption, app, services_module, user_errors
from tracker import catalog
from tracker.domain import Placement, Side, Source, thigh_of
from tracker.errors import BadInputError
from tracker.sensor_families import SIMULATOR_OWN_PROFILE, simulator_profile_names

FAMILIES = "{simulator families}"
"""Stands in the help text for the families the simulator speaks, until the help is shown."""


class FamiliesInHelp(TyperCommand):
    """`record`'s help names the simulator's families when it is shown, not when the CLI loads.

    Why: finding the families imports every sensor profile and NumPy, which every other command
    (`hiptrack sessions`, `show`) would otherwise pay for at start-up.
    """

    def format_help(self, ctx: Any, formatter: Any) -> None:
        for param in self.params:
            if isinstance(param, TyperOption) and param.help and FAMILIES in param.help:
                param.help = param.help.replace(FAMILIES, ", ".join(simulator_profile_names()))
        super().format_help(ctx, formatter)

SensorOption = Annotated[str | None, typer.Option(metavar="ADDR_OR_NAME", show_default=False, help=(
    "Record from this Bluetooth sensor on the --side thigh: its address, or part of its name (see `hiptrack scan`)."))]


@app.command(cls=FamiliesInHelp)
def record(
    exercise: ExerciseOption,
    side: SideOption,
    sensor: SensorOption = None,
    pelvis: Annotated[str | None, typer.Option(metavar="ADDR_OR_NAME", show_default=False,
                                               help="With --sensor: a second sensor on the sacrum.")] = None,
    other_thigh: Annotated[str | None, typer.Option(metavar="ADDR_OR_NAME", show_default=False,
                                                    help="With --sensor: a sensor on the other thigh.")] = None,
    scan_timeout: Annotated[float, typer.Option(metavar="S", help="With --sensor: how long to look for the "
                                                "sensors.")] = 5.0,
    simulate: Annotated[bool, typer.Option("--simulate", help="Use the simulated sensor (no hardware).")] = False,
    replay: Annotated[Path | None, typer.Option("--replay", metavar="LOG",
                                                help="Play a raw notification log back instead.")] = None,
    log: Annotated[Path | None, typer.Option("--log", metavar="FILE",
                                             help="Write every notification to a raw log as it arrives.")] = None,
    fast: Annotated[bool, typer.Option("--fast", help="Simulate or replay as fast as possible.")] = False,
    seed: Annotated[int, typer.Option(help="Simulator seed.", min=0)] = 1,
    profile: Annotated[str, typer.Option(help="With --simulate: speak this device family's bytes "
                                         f"({FAMILIES}).")] = SIMULATOR_OWN_PROFILE,
    ble_replay: Annotated[Path | None, typer.Option("--ble-replay", metavar="LOG", hidden=True,
                                                    envvar="HIPTRACK_BLE_REPLAY",
                                                    help="Replayed sensors instead of the radio.")] = None,
    ble_replay_drop: Annotated[str | None, typer.Option("--ble-replay-drop", metavar="AT_S:DOWN_S", hidden=True,
                                                        envvar="HIPTRACK_BLE_REPLAY_DROP")] = None,
    no_tui: Annotated[bool, typer.Option("--no-tui", help="Print progress lines (calibration steps, the angle "
                                         "every second, holds, reps and sets) instead of opening the live screen; "
                                         "also when the output is not a terminal.")] = False,
    db: DbOption = None,
    person: PersonOption = None,
) -> None:
    """Record a session: calibrate (stand still, 3 leg swings, stand still), then exercise; Ctrl-C ends it."""
    with user_errors():
        catalog.get(exercise)                 # a typo is refused before any database file is created
        svc_module = services_module()
        _check_choice(sensor, simulate, replay, pelvis, other_thigh)
        if sensor is not None:
            _record_live(svc_module, exercise, side, _placements(side, sensor, pelvis, other_thigh), scan_timeout,
                         log, fast, ble_replay, ble_replay_drop, db, person,
                         on_screen=not no_tui and sys.stdout.isatty())
            return
        svc = svc_module.build_services(db, person=person)
        source = _notification_source(svc_module, exercise, side, replay, simulate, log, fast, seed, profile)
        stopped_by: list[int | None] = []
        session_id = _record_with_preview(exercise, side, svc, source, Source.REPLAY if replay else Source.SIMULATED,
                                          not no_tui and sys.stdout.isatty(), stopped_by)
        if session_id is not None and replay is not None:
            _refuse_if_nothing_decoded(svc, session_id, replay, sum(source.stats.malformed_by_device.values()))
        if session_id is not None:
            _report(svc_module, svc, session_id)
        else:                                   # discarded on the live screen, or stopped before anything arrived
            _tell("Nothing was saved.")
        dropped = sum(source.stats.malformed_by_device.values())
        if dropped:
            _tell(f"{dropped} malformed notification(s) skipped.", err=True)
        svc.close()
        _exit_if_signalled(stopped_by[0] if stopped_by else None)


def _refuse_if_nothing_decoded(svc: Any, session_id: int, replay: Path, malformed: int) -> None:
    """A log whose every sample notification was malformed is bad input, not an empty `complete` session."""
    if malformed == 0 or svc.store.sessions.get(session_id).samples > 0:
        return
    svc.store.sessions.delete(session_id)
    svc.close()
    raise BadInputError(f"{replay}: all {malformed} sample notification(s) were malformed (not one sample could be "
                        "decoded); nothing was recorded")


def _record_with_preview(exercise: str, side: Side, svc: Any, source: Any, origin: Source,
                         on_screen: bool, stopped_by: list[int | None]) -> int | None:
    """Record with the live screen, or with printed progress lines; returns the session id."""
    live = importlib.import_module("tracker.live_session")       # deferred: the analysis stack loads on first use
    live.thigh_stream(source, side)                     # a log without this thigh fails before the screen opens
    session_id, signum = _run_request(live.LiveRequest(exercise, side, lambda: source, origin), svc, on_screen)
    stopped_by.append(signum)
    return session_id


def _run_request(request: Any, svc: Any, on_screen: bool) -> tuple[int | None, int | None]:
    """Record on the live screen or with printed lines: (session id, the signal that stopped it or None)."""
    if on_screen:
        from tui.record_app import RecordApp  # deferred: commands that print need not load Textual

        record_app = RecordApp(svc, request)
        session_id: int | None = record_app.run()
        if record_app.failure is not None:          # shown on the screen; the exit status and stderr say it too
            raise record_app.failure
        if record_app.return_code:                  # the screen crashed: Textual printed why; the status says so
            raise typer.Exit(record_app.return_code)
        return session_id, record_app.stopped_by
    from hiptrack.cli.record_lines import record_printing

    _announce(request.exercise_id, request.side, svc)
    return record_printing(svc, request, typer.echo)


def _exit_if_signalled(signum: int | None) -> None:
    """Stored and analysed, but ended by SIGTERM or SIGHUP: the status says so (128 + the signal), as a shell's
    would, so a service manager or script can tell it from a recording that ran its course or was stopped."""
    if signum is not None:
        raise typer.Exit(128 + signum)


def _record_live(svc_module: ModuleType, exercise: str, side: Side, wanted: dict[Placement, str], scan_timeout: float,
                 log: Path | None, fast: bool, ble_replay: Path | None, ble_replay_drop: str | None,
                 db: str | None, person: str | None, on_screen: bool) -> None:
    """Find, connect and record Bluetooth sensors until Ctrl-C or Stop (or until every sensor is gone)."""
    from tracker import ble_recording  # deferred: bleak loads only for the commands that use it

    backends = ble_recording.choose_backends(ble_replay, ble_replay_drop, realtime=not fast)
    request, connected = ble_recording.live_request(exercise, side, wanted, scan_timeout_s=scan_timeout,
                                                    backends=backends, log=log,
                                                    on_status=(lambda _line: None) if on_screen else typer.echo)
    svc = svc_module.build_services(db, person=person)
    session_id, signum = _run_request(request, svc, on_screen)
    if connected:
        _report_links({p: link.report for p, link in connected[0].links.items()})
    if session_id is not None:
        _report(svc_module, svc, session_id)
    svc.close()
    _exit_if_signalled(signum)


def _check_choice(sensor: str | None, simulate: bool, replay: Path | None, pelvis: str | None,
                  other_thigh: str | None) -> None:
    if sum([sensor is not None, simulate, replay is not None]) != 1:
        raise BadInputError("choose one of --sensor ADDR_OR_NAME (a Bluetooth sensor; `hiptrack scan` lists them), "
                            "--simulate or --replay LOG")
    if sensor is None and (pelvis is not None or other_thigh is not None):
        raise BadInputError("--pelvis and --other-thigh go with --sensor (Bluetooth sensors)")


def _placements(side: Side, sensor: str, pelvis: str | None, other_thigh: str | None) -> dict[Placement, str]:
    other = Placement.RIGHT_THIGH if side is Side.LEFT else Placement.LEFT_THIGH
    wanted = {thigh_of(side): sensor, Placement.PELVIS: pelvis, other: other_thigh}
    return {placement: query for placement, query in wanted.items() if query is not None}


def _notification_source(svc_module: ModuleType, exercise: str, side: Side, replay: Path | None, simulate: bool,
                         log: Path | None, fast: bool, seed: int, profile: str) -> Any:
    """The simulator's or a replayed log's notifications, decoded (a NotificationSource)."""
    if replay is not None:
        return svc_module.replay_source(replay, realtime=not fast, log=log)
    return svc_module.simulated_notification_source(exercise, side, seed, realtime=not fast, log=log, profile=profile)


def _announce(exercise: str, side: Side, svc: Any) -> None:
    typer.echo(f"Recording {catalog.display_name(exercise)} ({side.value}) into {svc.database.display_url}. "
               "Stand still for 3 s, "
               "swing the leg forward 3 times, stand still, then exercise. Ctrl-C stops.")


def _report(svc_module: ModuleType, svc: Any, session_id: int) -> None:
    from tracker.report import render_assessment

    result = svc_module.session_result(svc, session_id)
    _tell(f"Session {session_id}: " + render_assessment(result) if result else "")


def _report_links(links: dict[Placement, Any]) -> None:
    for placement, report in links.items():
        if report.drops or report.gave_up:
            lost = sum(end - start for start, end in report.gaps_s)
            ending = "; it did not come back" if report.gave_up else ""
            _tell(f"{placement.value.replace('_', ' ')} sensor: link lost {report.drops} time(s), "
                       f"{lost:.1f} s without data (stored as gaps){ending}.", err=True)


def _tell(text: str, err: bool = False) -> None:
    """Print the report of a stored session; a terminal that is gone (closed: SIGHUP) is no error any more.

    Why silence it: the session is stored and analysed by now; failing here would turn a clean stop into
    exit 1, and Python would fail again flushing the dead terminal at exit, so the stream goes to null.
    """
    try:
        typer.echo(text, err=err)
    except OSError:
        stream = sys.stderr if err else sys.stdout
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
