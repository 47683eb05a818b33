"""Start-up: commands and the dashboard in fresh processes, each against a floor measured in the same run (issue 17).

Commands: `hiptrack sessions --json`, `show ID`, `--help`, `--version`, `plan`, `pain` and `exercises` (SPEC §10's
printing commands) on an existing database (a week of sessions) against `python -c "import sqlalchemy, typer"`
(Done when: ≤ 1.3×). Dashboard: from process start to the home screen drawn with its data on 3 years of daily
sessions, against a minimal Textual app painting one line (Done when: ≤ 2.5×); both headless through Textual's
own test driver at the same size, timed from the parent's launch to the moment the screen shows what it should.
The first frame of the home screen (its panels, before the data) is reported too, when its chart is plotted
(years of sessions are plotted in the frame after the rest of the data), and when everything has loaded (no
worker left: trends, pain, alerts).

Runs are interleaved (one of each per round) so a busy machine slows every candidate alike; medians.
`--tree DIR` runs another source tree's code (e.g. an export of main, for before/after figures).

The tree's bytecode is compiled first, as installing a package does (pip writes its .pyc files), so each
child starts as a user's would and as the floor's libraries do. Without that, a shell with
PYTHONDONTWRITEBYTECODE=1 (as some sandboxes and CI images set) compiles every hiptrack module from
source in every child, which measures the compiler; `--from-source` keeps that to show the difference.

Run: python benchmarks/bench_startup.py [--runs 7] [--tree DIR] [--years 3] [--dashboard-db PATH] [--from-source]
     [--skip-commands | --skip-dashboard]
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]     # run from a source tree, uninstalled

from bench_dashboard import NOW, build_history  # noqa: E402

from tracker.services import build_services  # noqa: E402

SIZE = (140, 40)
PACKAGES = ("hiptrack", "tui", "tracker", "sensors", "analysis")

DASHBOARD = """
import sys, time
launch, url, cols, rows = float(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
import asyncio
from datetime import UTC, datetime
from hiptrack import cli                              # what `hiptrack` (the dashboard) does before the app runs:
try:
    from hiptrack.cli.dashboard import prepare        # without Typer: open the database, load the app
    services = prepare(url, None)
except ModuleNotFoundError:                           # or, in a tree from before that (--tree), Typer's way
    cli.register(cli.modules_for([]))
    from tracker.services import build_services
    services = build_services(url)
from tui.app import HiptrackApp
from tui.screens.home import HomeScreen
from tui.widgets.adherence_calendar import AdherenceCalendar
from tui.widgets.trend_chart import TrendChart
NOW = datetime.fromisoformat(sys.argv[5])

def populated(app):
    try:
        chart, calendar = app.screen.query_one(TrendChart), app.screen.query_one(AdherenceCalendar)
    except Exception:
        return False
    return chart.trend is not None and calendar.weeks_shown() > 1 and bool(calendar.render())

async def main():
    app = HiptrackApp(services, clock=lambda: NOW)
    first = None
    async with app.run_test(size=(cols, rows)) as pilot:
        while not populated(app):
            if first is None and isinstance(app.screen, HomeScreen) and app.screen.is_mounted:
                first = time.time() - launch
            await pilot.pause(0.005)
        data, cpu = time.time() - launch, time.process_time()
        while not getattr(app.screen.query_one(TrendChart), "plotted", True):   # a large plot: its own frame
            await pilot.pause(0.005)
        plotted = time.time() - launch
        await app.workers.wait_for_complete()         # what fills in after the data: trends, pain, alerts
        await pilot.pause()
        whole = time.time() - launch
    return first if first is not None else data, data, cpu, plotted, whole

print(*asyncio.run(main()))
"""

MINIMAL = """
import sys, time
launch, cols, rows = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
import asyncio
from textual.app import App
from textual.widgets import Static

class One(App):
    def compose(self):
        yield Static("hiptrack", id="line")

async def main():
    app = One()
    async with app.run_test(size=(cols, rows)) as pilot:
        while not (app.screen.query_one("#line").is_mounted and app.screen.query_one("#line").render()):
            await pilot.pause(0.005)
        await pilot.pause()                           # one frame drawn with the line
        return time.time() - launch, time.process_time()

print(*asyncio.run(main()))
"""


def timed(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one fresh process, launch to exit; it must succeed.

    Why CPU time too: on a shared machine the wall time of a start-up is mostly waiting for a core; the
    CPU a process burns is what it costs, and its ratio to the floor's holds however busy the machine is.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(argv, env=env, cwd=cwd, capture_output=True, check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def reported(argv: list[str], env: dict[str, str], cwd: Path) -> list[float]:
    """The seconds a child prints (measured from the launch time it is given)."""
    done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, check=True)
    return [float(v) for v in done.stdout.split()]


def command_db(path: Path) -> tuple[str, int]:
    """A week of sessions with results: an existing database, as people list it."""
    url = f"sqlite:///{path}"
    services = build_services(url)
    if not services.store.sessions.ids():
        build_history(services, 7)
    session_id = services.store.results.analysed()[0].session_id
    services.close()
    return url, session_id


def dashboard_db(path: Path, years: float) -> str:
    url = f"sqlite:///{path}"
    if not path.exists():
        started = time.perf_counter()
        services = build_services(url)
        count = build_history(services, round(years * 365), now=NOW)
        services.close()
        print(f"built {count} sessions over {years:g} years in {time.perf_counter() - started:.0f} s: {path}")
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--tree", type=Path, default=ROOT, help="source tree whose code the children run")
    parser.add_argument("--years", type=float, default=3.0)
    parser.add_argument("--dashboard-db", type=Path,
                        default=Path(tempfile.gettempdir()) / "hiptrack-bench-dashboard.db")
    parser.add_argument("--skip-dashboard", action="store_true")
    parser.add_argument("--skip-commands", action="store_true", help="only the dashboard against its floor")
    parser.add_argument("--from-source", action="store_true",
                        help="do not compile the tree's bytecode first (with PYTHONDONTWRITEBYTECODE=1, every "
                             "child then compiles every module it imports)")
    args = parser.parse_args()
    tree = args.tree.resolve()
    if not args.from_source:
        for package in PACKAGES:
            compileall.compile_dir(tree / package, quiet=1)
    env = {**os.environ, "PYTHONPATH": str(tree)}   # and cwd=tree: `python -m`/`-c` put the cwd first
    figures: dict[str, object] = {}
    if not args.skip_commands:
        figures |= commands_against_floor(args.runs, env, tree)
    if not args.skip_dashboard:
        figures |= dashboard_against_floor(args, env, tree)
    print(json.dumps(figures))


def commands_against_floor(runs: int, env: dict[str, str], tree: Path) -> dict[str, object]:
    """SPEC §10's printing commands (`sessions --json`, `show`, `--help`, `--version`, `plan`, `pain`, `exercises`)
    on a week of sessions against importing SQLAlchemy and Typer."""
    py = sys.executable
    env = dict(env)
    with tempfile.TemporaryDirectory() as tmp:
        url, session_id = command_db(Path(tmp) / "week.db")
        env["HIPTRACK_DB"] = url
        commands = {
            "floor: python -c 'import sqlalchemy, typer'": [py, "-c", "import sqlalchemy, typer"],
            "hiptrack sessions --json": [py, "-m", "hiptrack", "sessions", "--json"],
            f"hiptrack show {session_id}": [py, "-m", "hiptrack", "show", str(session_id)],
            "hiptrack --help": [py, "-m", "hiptrack", "--help"],
            "hiptrack --version": [py, "-m", "hiptrack", "--version"],
            "hiptrack plan": [py, "-m", "hiptrack", "plan"],
            f"hiptrack pain {session_id} 2": [py, "-m", "hiptrack", "pain", str(session_id), "2"],   # a write each run
            "hiptrack exercises": [py, "-m", "hiptrack", "exercises"],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        cpu: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(runs):
            for name, argv in commands.items():
                wall, used = timed(argv, env, tree)
                times[name].append(wall)
                cpu[name].append(used)
    print(f"code: {tree}; {runs} interleaved runs, medians; a week of sessions in the database")
    print(f"  {'':44} {'wall':>8}  {'ratio':>6}  {'CPU':>8}  {'ratio':>6}")
    floor, floor_cpu = (statistics.median(v[next(iter(commands))]) for v in (times, cpu))
    for name in commands:
        wall, used = statistics.median(times[name]), statistics.median(cpu[name])
        print(f"  {name:44} {wall:6.3f} s  {wall / floor:5.2f}x  {used:6.3f} s  {used / floor_cpu:5.2f}x")
    return {"commands": {k: statistics.median(v) for k, v in times.items()},
            "commands_cpu": {k: statistics.median(v) for k, v in cpu.items()}}


def dashboard_against_floor(args: argparse.Namespace, env: dict[str, str], tree: Path) -> dict[str, object]:
    """The home screen's first frame and the home screen with its data, against a minimal Textual app."""
    py = sys.executable
    db = dashboard_db(args.dashboard_db, args.years)
    firsts, datas, plots, wholes, data_cpu, minimal, minimal_cpu = [], [], [], [], [], [], []
    cols, rows = str(SIZE[0]), str(SIZE[1])
    for _ in range(args.runs):
        first, data, used, plotted, whole = reported([py, "-c", DASHBOARD, repr(time.time()), db, cols, rows,
                                                      NOW.isoformat()], env, tree)
        firsts.append(first)
        datas.append(data)
        plots.append(plotted)
        wholes.append(whole)
        data_cpu.append(used)
        wall, used = reported([py, "-c", MINIMAL, repr(time.time()), cols, rows], env, tree)
        minimal.append(wall)
        minimal_cpu.append(used)
    floor, floor_cpu = statistics.median(minimal), statistics.median(minimal_cpu)
    print(f"dashboard at {cols}x{rows}, {args.years:g} years of daily sessions to {NOW:%Y-%m-%d}:")
    print(f"  floor: minimal Textual app, one line drawn   {floor:6.3f} s   1.00x")
    print(f"  home screen's first frame (panels)           {statistics.median(firsts):6.3f} s  "
          f"{statistics.median(firsts) / floor:5.2f}x")
    print(f"  home screen drawn with its data              {statistics.median(datas):6.3f} s  "
          f"{statistics.median(datas) / floor:5.2f}x  (p90 {_p90(datas):.3f} s)")
    print(f"  CPU until then: minimal app {floor_cpu:.3f} s, dashboard {statistics.median(data_cpu):.3f} s  "
          f"{statistics.median(data_cpu) / floor_cpu:5.2f}x")
    print(f"  its chart plotted                            {statistics.median(plots):6.3f} s  "
          f"{statistics.median(plots) / floor:5.2f}x")
    print(f"  everything loaded (trends, pain, alerts)     {statistics.median(wholes):6.3f} s  "
          f"{statistics.median(wholes) / floor:5.2f}x")
    return {"dashboard": {"floor": floor, "first_frame": statistics.median(firsts), "data": statistics.median(datas),
                          "plotted": statistics.median(plots), "whole": statistics.median(wholes),
                          "floor_cpu": floor_cpu, "data_cpu": statistics.median(data_cpu)}}


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


if __name__ == "__main__":
    main()
