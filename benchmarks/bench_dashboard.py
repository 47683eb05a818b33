"""Time until the dashboard's home screen is populated, on years of daily sessions (SPEC §10: under 1 s).

The history is built through the store's own API: each session is created and given an analysis result
(what the home screen reads), without raw samples — the trend, calendar and alert queries never touch them.
Building 3 years takes a while the first time; the database is kept and reused (`--db` to choose where).

Run: python benchmarks/bench_dashboard.py [--years 3] [--runs 5] [--db PATH] [--size 140x40]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from analysis.peaks import Peaks
from analysis.results import CalibrationOutcome, HoldEvent, RepEvent, SessionResult, SetEvent
from tracker.domain import SessionStatus, Side, Source
from tracker.plans import default_item
from tracker.services import Services, build_services
from tracker.storage.session_repository import NewSession
from tui.app import HiptrackApp
from tui.screens.home import HomeScreen
from tui.widgets.adherence_calendar import AdherenceCalendar
from tui.widgets.trend_chart import TrendChart

NOW = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)

def build_history(services: Services, days: int, now: datetime = NOW, seed: int = 7) -> int:
    """Daily internal-rotation sessions on both sides, hamstring stretches three times a week, daily pain.

    Ranges improve over the first months and then plateau, the right side a few degrees behind: a history
    that draws real trends, alerts and a full calendar. Returns the number of sessions stored.
    """
    rng = np.random.default_rng(seed)
    store = services.store
    start = now - timedelta(days=days)
    for exercise in ("seated_hip_internal_rotation", "hamstring_strap_stretch"):
        store.plans.add(default_item(exercise, "both", start))
    count = 0
    for day in range(days):
        at = start + timedelta(days=day, hours=18)
        progress = min(day / 180.0, 1.0)
        todo = [("seated_hip_internal_rotation", side, 26.0 + 12.0 * progress - (4.0 if side is Side.RIGHT else 0.0))
                for side in Side]
        if day % 7 in (0, 2, 4):
            todo += [("hamstring_strap_stretch", side, 66.0 + 14.0 * progress) for side in Side]
        for exercise, side, level in todo:
            session_id = _stored_session(services, exercise, side, at, level + rng.normal(0.0, 1.5))
            at += timedelta(minutes=4)
            count += 1
        store.pain.add(session_id, int(np.clip(round(5 - 3 * progress + rng.normal(0, 0.7)), 0, 10)), at)
    return count


def _stored_session(services: Services, exercise: str, side: Side, at: datetime, best_deg: float) -> int:
    store = services.store
    session_id = store.sessions.create(NewSession(exercise, side, Source.SIMULATED, at, "benchmark history"), (),
                                      at)["session"]
    rotation = exercise == "seated_hip_internal_rotation"
    motion = "internal_rotation" if rotation else "flexion"
    peaks = Peaks(flexion_deg=88.0 if rotation else best_deg, extension_deg=0.0, abduction_deg=0.0,
                  adduction_deg=0.0, internal_rotation_deg=best_deg if rotation else 2.0, external_rotation_deg=0.0)
    reps = tuple(RepEvent(motion, 20.0 + 8 * i, 26.0 + 8 * i, best_deg - 0.5 * (i % 3))
                 for i in range(6 if rotation else 1))
    holds = tuple(HoldEvent(motion, r.start_s + 1, r.end_s - 1, r.peak_deg - 1, 0.4) for r in reps)
    sets = (SetEvent(20.0, 44.0, 3), SetEvent(44.0, 70.0, 3)) if rotation else (SetEvent(20.0, 90.0, 1),)
    store.results.save(session_id, SessionResult(side, exercise, 90.0, CalibrationOutcome(0.0, 12.0), peaks, holds,
                                                 reps, sets, algorithm_version="benchmark"))
    store.sessions.finish(session_id, SessionStatus.COMPLETE, 90.0)
    return session_id


async def time_to_home(db_url: str, size: tuple[int, int]) -> tuple[float, float, float]:
    """Seconds from opening the database to the home screen drawn with its data, of that the app alone, and
    from opening the database to the home screen's first frame (its panels, before the data arrive)."""
    started = time.perf_counter()
    services = build_services(db_url)
    app = HiptrackApp(services, clock=lambda: NOW)
    app_started = time.perf_counter()
    first_frame = None
    async with app.run_test(size=size) as pilot:
        while not _populated(app):
            if first_frame is None and isinstance(app.screen, HomeScreen) and app.screen.is_mounted:
                first_frame = time.perf_counter() - started
            await pilot.pause(0.005)
        elapsed = time.perf_counter() - started, time.perf_counter() - app_started
    services.close()
    return elapsed[0], elapsed[1], first_frame if first_frame is not None else elapsed[0]


def _populated(app: HiptrackApp) -> bool:
    try:
        chart = app.screen.query_one(TrendChart)
        calendar = app.screen.query_one(AdherenceCalendar)
    except Exception:
        return False
    return chart.trend is not None and calendar.weeks_shown() > 1 and bool(calendar.render())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=float, default=3.0)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--db", type=Path, default=Path(tempfile.gettempdir()) / "hiptrack-bench-dashboard.db")
    parser.add_argument("--size", default="140x40", help="terminal size, COLSxROWS")
    args = parser.parse_args()
    size = tuple(int(v) for v in args.size.split("x"))
    url = f"sqlite:///{args.db}"
    days = round(args.years * 365)
    if not args.db.exists():
        started = time.perf_counter()
        services = build_services(url)
        count = build_history(services, days)
        services.close()
        print(f"built {count} sessions over {days} days in {time.perf_counter() - started:.0f} s: {args.db}")
    services = build_services(url)
    print(f"{len(services.store.results.analysed())} analysed sessions in {args.db}")
    services.close()
    runs = [asyncio.run(time_to_home(url, (size[0], size[1]))) for _ in range(args.runs)]
    total = statistics.median(r[0] for r in runs)
    app_only = statistics.median(r[1] for r in runs)
    first = statistics.median(r[2] for r in runs)
    print(f"home screen's first frame (panels, data loading): median {first:.3f} s")
    print(f"home screen populated at {size[0]}x{size[1]}: median {total:.3f} s over {args.runs} runs "
          f"(database open {total - app_only:.3f} s, app start to drawn data {app_only:.3f} s)")
    imports = import_seconds()
    print(f"plus importing the app in a fresh process: {imports:.3f} s; "
          f"total {total + imports:.3f} s (SPEC §10 target: under 1 s)")


def import_seconds() -> float:
    """What a fresh `hiptrack dashboard` pays before any of the above: importing Textual, NumPy, SciPy, SQLAlchemy."""
    code = "import time; t = time.perf_counter(); import tui.app; print(time.perf_counter() - t)"
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
            for _ in range(3)]
    return statistics.median(runs)


if __name__ == "__main__":
    main()
