"""Issue #13's twelve "What broke" items, reproduced by hand through the real CLI; prints one table.

Each row runs `python -m hiptrack.cli ...` as a user would (a temporary HOME and --db), and reports what
happened (exit status, whether stderr was one line, no traceback) and how many samples were kept. The
24-hour memory figure (Deliver 5) is measured elsewhere (benchmarks/bench_memory.py).

    PYTHONPATH=. python benchmarks/repro_issue13.py
"""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CSV = ROOT / "tests" / "data" / "hamstring_right.csv"
CSV_SAMPLES = 5829
EXERCISE = "hamstring_strap_stretch"
ROWS: list[tuple[str, str, str]] = []


class Run:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    @property
    def clean(self) -> bool:
        """No traceback, no abort, and any error is one line."""
        return "Traceback" not in self.err and self.code not in (134, -6) and \
            (self.code == 0 or self.err.strip().count("\n") == 0 or "hiptrack: error" in self.err)

    def summary(self) -> str:
        last = self.err.strip().splitlines()[-1] if self.err.strip() else ""
        return f"exit {self.code}" + (f": {last[:90]}" if last else "")


def cli(home: Path, *args: str, timeout: float = 600, limit_bytes: int | None = None) -> Run:
    def limit() -> None:
        if limit_bytes is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))
    env = os.environ | {"HOME": str(home), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "hiptrack.cli", *args], capture_output=True, text=True,
                          timeout=timeout, env=env, cwd=home, preexec_fn=limit)
    return Run(done.returncode, done.stdout, done.stderr)


def sessions(db: Path) -> list[tuple[int, str, int]]:
    """(id, status, samples) of every session in an SQLite file, read directly (nothing hidden)."""
    if not db.exists():
        return []
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as con:
        return [(int(i), str(s), int(n or 0)) for i, s, n in con.execute(
            "SELECT s.id, s.status, (SELECT sum(c.n_samples) FROM streams t JOIN sample_chunks c "
            "ON c.stream_id = t.id WHERE t.session_id = s.id) FROM sessions s ORDER BY s.id")]


def row(item: str, outcome: str, kept: str) -> None:
    ROWS.append((item, outcome, kept))
    print(f"{item:<6} {outcome:<110} {kept}", flush=True)


def judged(ok: bool, run: Run, what: str) -> str:
    return f"{'ok' if ok and run.clean else 'BAD'}: {what} ({run.summary()})"


# -- helpers that make the damaged inputs ---------------------------------------------------------------
def csv_with(tmp: Path, name: str, change: Callable[[list[str]], None]) -> Path:
    lines = CSV.read_text().splitlines()
    change(lines)
    path = tmp / name
    path.write_text("\n".join(lines) + "\n")
    return path


def set_cell(row_index: int, column: int, value: str) -> Callable[[list[str]], None]:
    def change(lines: list[str]) -> None:
        cells = lines[row_index].split(",")
        cells[column] = value
        lines[row_index] = ",".join(cells)
    return change


def time_jump(after_row: int, jump_s: float) -> Callable[[list[str]], None]:
    def change(lines: list[str]) -> None:
        for i in range(after_row, len(lines)):
            if lines[i][:1].isdigit() or lines[i][:1] == "-":
                cells = lines[i].split(",")
                cells[0] = repr(float(cells[0]) + jump_s)
                lines[i] = ",".join(cells)
    return change


def log_with(tmp: Path, log: Path, name: str, change: Callable[[list[str], list[int]], None]) -> Path:
    lines = log.read_text().splitlines()
    body = [i for i, line in enumerate(lines) if line[:1].isdigit()]
    change(lines, body)
    path = tmp / name
    path.write_text("\n".join(lines) + "\n")
    return path


def dot_acc_x(value: float) -> Callable[[list[str], list[int]], None]:
    def change(lines: list[str], body: list[int]) -> None:
        cells = lines[body[2000]].split(",")
        payload = bytearray.fromhex(cells[4])
        payload[20:24] = np.array([value], dtype="<f4").tobytes()
        lines[body[2000]] = ",".join([*cells[:4], payload.hex()])
    return change


def dot_stamps(shift_us: int, only_one: bool) -> Callable[[list[str], list[int]], None]:
    def change(lines: list[str], body: list[int]) -> None:
        for i in body[3000:3001] if only_one else body[3000:]:
            cells = lines[i].split(",")
            payload = bytearray.fromhex(cells[4])
            stamp = int.from_bytes(payload[0:4], "little")
            payload[0:4] = ((stamp + shift_us) % 2**32).to_bytes(4, "little")
            lines[i] = ",".join([*cells[:4], payload.hex()])
    return change


def device_line(field: str, value: str) -> Callable[[list[str], list[int]], None]:
    def change(lines: list[str], body: list[int]) -> None:
        if field == "host_time":
            cells = lines[body[0]].split(",")
            lines[body[0]] = ",".join([value, *cells[1:]])
            return
        i = next(i for i, line in enumerate(lines) if line.startswith("# device"))
        lines[i] = " ".join(f"{field}={value}" if p.startswith(f"{field}=") else p for p in lines[i].split(" "))
    return change


def replay(home: Path, log: Path, db: Path) -> tuple[Run, list[tuple[int, str, int]]]:
    before = {s[0] for s in sessions(db)}
    run = cli(home, "record", "--exercise", "seated_hip_internal_rotation", "--side", "left", "--replay", str(log),
              "--fast", "--no-tui", "--db", str(db))
    return run, [s for s in sessions(db) if s[0] not in before]


def stop_by_signal(home: Path, db: Path, signum: signal.Signals) -> tuple[Run, list[tuple[int, str, int]]]:
    env = os.environ | {"HOME": str(home), "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen([sys.executable, "-m", "hiptrack.cli", "record", "--exercise", EXERCISE, "--side",
                                "right", "--simulate", "--seed", "13", "--no-tui", "--db", str(db)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert process.stdout is not None
    for line in process.stdout:
        if "s recorded" in line and float(line.split()[0]) >= 3.0:
            process.send_signal(signum)
            break
    out, err = process.communicate(timeout=300)
    return Run(process.returncode, out, err), sessions(db)


# -- the items ---------------------------------------------------------------------------------------------
def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        home = tmp / "home"
        home.mkdir()
        print(f"{'item':<6} {'outcome':<110} samples kept")

        dot_db = tmp / "dot.db"
        dot_log = tmp / "dot.log"
        made = cli(home, "record", "--exercise", "seated_hip_internal_rotation", "--side", "left", "--simulate",
                   "--fast", "--no-tui", "--profile", "movella-dot", "--log", str(dot_log), "--db", str(dot_db))
        assert made.code == 0, made.err
        dot_total = sessions(dot_db)[0][2]

        def dot_case(name: str, change: Callable[[list[str], list[int]], None]) -> tuple[Run, int | None]:
            db = tmp / f"{name}.db"
            shutil.copy(dot_db, db)
            run, new = replay(home, log_with(tmp, dot_log, f"{name}.log", change), db)
            return run, (new[0][2] if new else None)

        # 1. one out-of-range sample
        bad = csv_with(tmp, "cell1e308.csv", set_cell(2000, 2, "1e308"))
        run = cli(home, "import", str(bad), "--side", "right", "--exercise", EXERCISE, "--db", str(tmp / "i1.db"))
        row("1a", judged(run.code == 2 and not sessions(tmp / "i1.db"), run, "CSV cell 1e308 → import refused at its "
                                                                             "line, nothing stored"), "0 (refused)")
        run, kept = dot_case("acc1e30", dot_acc_x(1e30))
        row("1b", judged(run.code == 0 and kept == dot_total - 1, run, "DOT acc 1e30 replayed: one packet skipped"),
            f"{kept} of {dot_total}")
        run, kept = dot_case("jump5000", dot_stamps(5_000_000_000, only_one=False))
        row("1c", judged(run.code == 0 and kept == dot_total, run, "DOT clock +5000 s from a packet on: a gap"),
            f"{kept} of {dot_total}")
        run, kept = dot_case("spike", dot_stamps(2**31 - 1, only_one=True))
        row("1d", judged(run.code == 0 and kept == dot_total - 1, run,
                         "one DOT stamp leaps 35.8 min: that packet only"), f"{kept} of {dot_total}")

        # 2. DOT float payloads
        for name, value in (("nan", float("nan")), ("inf", float("inf"))):
            run, kept = dot_case(f"acc{name}", dot_acc_x(value))
            row("2", judged(run.code == 0 and kept == dot_total - 1, run,
                            f"DOT acc {name}: one packet skipped, counted"), f"{kept} of {dot_total}")

        # 3. impossible rates and times in a replay log (VQF's SIGABRT)
        for field, value in (("rate_hz", "nan"), ("rate_hz", "inf"), ("rate_hz", "-5"), ("host_time", "-1e308")):
            run, kept = dot_case(f"{field}{value}", device_line(field, value))
            row("3", judged(run.code == 2 and kept is None, run, f"log {field}={value}: bad input, no SIGABRT"),
                "0 (refused)")

        # 4. disk full: an import under `ulimit -f` (a 20-minute CSV; files may grow 64 KiB past the empty db)
        long_csv = tmp / "long.csv"
        lines = CSV.read_text().splitlines()
        header, body = [line for line in lines if not line[:1].isdigit()], [line for line in lines if
                                                                           line[:1].isdigit()]
        period = 0.01
        rows = [header[-1]] if header else []
        for k in range(20):                                  # 20 copies back to back: ~20 minutes
            for line in body:
                cells = line.split(",")
                cells[0] = f"{float(cells[0]) + k * len(body) * period:.4f}"
                rows.append(",".join(cells))
        long_csv.write_text("\n".join([*header[:-1], *rows]) + "\n")
        big = long_csv
        db4 = tmp / "full.db"
        cli(home, "sessions", "--db", str(db4))
        run = cli(home, "import", str(big), "--side", "right", "--exercise", EXERCISE, "--db", str(db4),
                  limit_bytes=db4.stat().st_size + 64 * 1024)
        left = [s for s in sessions(db4) if s[1] == "complete"]
        row("4", judged(run.code != 0 and not left, run, "import under ulimit -f: one line, no complete session"),
            f"{sum(s[2] for s in left)} visible")

        # 5. one wrong timestamp: unbounded memory or time
        for jump in (1e6, 1e9):
            path = csv_with(tmp, f"jump{jump:g}.csv", time_jump(3001, jump))
            start = time.perf_counter()
            run = cli(home, "analyze", str(path), "--side", "right", "--exercise", EXERCISE, "--json", timeout=300)
            analyze_s = time.perf_counter() - start
            db = tmp / f"jump{jump:g}.db"
            imported = cli(home, "import", str(path), "--side", "right", "--exercise", EXERCISE, "--db", str(db),
                           timeout=300)
            kept5 = sum(s[2] for s in sessions(db))
            row("5", judged(run.code == 0 and imported.code == 0 and kept5 == CSV_SAMPLES, run,
                            f"CSV time jumps {jump:g} s: analyze {analyze_s:.1f} s, import exit {imported.code}"),
                f"{kept5} of {CSV_SAMPLES}")
        fifo = tmp / "pipe.csv"
        os.mkfifo(fifo)
        for special in ("/dev/zero", str(fifo), str(tmp)):
            run = cli(home, "analyze", special, "--side", "right", "--exercise", EXERCISE, timeout=60)
            row("5", judged(run.code == 2, run, f"analyze {Path(special).name or special}: refused before reading"),
                "-")

        # 6. another program's SQLite file
        for label, statements in (
                ("alembic app abc123", ["CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)",
                                        "INSERT INTO alembic_version VALUES ('abc123')",
                                        "CREATE TABLE users (id INTEGER PRIMARY KEY)"]),
                ("empty alembic_version + users", ["CREATE TABLE alembic_version (version_num VARCHAR(32))",
                                                   "CREATE TABLE users (id INTEGER)"]),
                ("only a view", ["CREATE VIEW answer AS SELECT 42"]),
                ("user_version=42", ["PRAGMA user_version = 42"])):
            other = tmp / "other.db"
            other.unlink(missing_ok=True)
            with contextlib.closing(sqlite3.connect(other)) as con:
                for statement in statements:
                    con.execute(statement)
                con.commit()
            before = other.read_bytes()
            run = cli(home, "sessions", "--db", str(other))
            untouched = other.read_bytes() == before and not Path(f"{other}-wal").exists()
            row("6", judged(run.code == 2 and untouched, run, f"{label}: refused, not a byte changed"), "-")

        # 7. export through a symlink, folder modes
        db7 = tmp / "x.db"
        cli(home, "import", str(CSV), "--side", "right", "--exercise", EXERCISE, "--db", str(db7))
        out = tmp / "out"
        out.mkdir()
        victim = tmp / "victim.txt"
        victim.write_text("precious\n")
        (out / "session-1-right_thigh.csv").symlink_to(victim)
        run = cli(home, "export", "1", "--out", str(out), "--db", str(db7))
        row("7", judged(victim.read_text() == "precious\n" and oct(victim.stat().st_mode & 0o777) == "0o644", run,
                        "export onto a symlink: the link is replaced, its target untouched (content, mode)"), "-")
        os.umask(0)
        run = cli(home, "export", "1", "--out", str(tmp / "new" / "folder"), "--db", str(db7))
        os.umask(0o022)
        mode = oct((tmp / "new" / "folder").stat().st_mode & 0o777) if (tmp / "new" / "folder").exists() else "-"
        row("7", judged(run.code == 0 and mode == "0o700", run, f"export folder under umask 000: mode {mode}"), "-")

        # 8. markup in a file name
        marked = tmp / 'b[link="http:]x.csv'
        shutil.copy(CSV, marked)
        db8 = tmp / "m.db"
        run = cli(home, "import", str(marked), "--side", "right", "--exercise", EXERCISE, "--db", str(db8))
        shown = cli(home, "show", "1", "--db", str(db8))
        row("8", judged(run.code == 0 and shown.code == 0 and '[link="http:]' in shown.out, shown,
                        "file name with markup: stored and shown as text (dashboard: tests/tui/test_tui.py)"),
            f"{sum(s[2] for s in sessions(db8))} of {CSV_SAMPLES}")

        # 9. a killed import is never visible
        db9 = tmp / "k.db"
        cli(home, "sessions", "--db", str(db9))
        env = os.environ | {"HOME": str(home), "PYTHONPATH": str(ROOT)}
        child = subprocess.Popen([sys.executable, "-m", "hiptrack.cli", "import", str(long_csv), "--side", "right",
                                  "--exercise", EXERCISE, "--db", str(db9)], env=env, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        seen_during: set[str] = set()
        deadline = time.monotonic() + 120
        while child.poll() is None and time.monotonic() < deadline:
            rows9 = sessions(db9)
            if rows9:
                child.send_signal(signal.SIGKILL)
                break
            time.sleep(0.05)
        child.wait()
        visible = cli(home, "sessions", "--json", "--db", str(db9))
        seen_during = {visible.out.strip()}
        row("9", judged(child.returncode == -9 and seen_during == {"[]"}, visible,
                        "import killed half-way: `sessions` shows nothing"), "0 visible")

        # 10. power loss: the main file alone (WAL lost) holds the schema and the committed samples
        db10 = tmp / "p.db"
        cli(home, "import", str(CSV), "--side", "right", "--exercise", EXERCISE, "--db", str(db10))
        alone = tmp / "alone.db"
        shutil.copy(db10, alone)
        run = cli(home, "sessions", "--db", str(alone))
        row("10", judged(run.code == 0 and sessions(alone)[:1] and sessions(alone)[0][2] == CSV_SAMPLES, run,
                         "database copied without its -wal: schema and samples there"),
            f"{sessions(alone)[0][2] if sessions(alone) else 0} of {CSV_SAMPLES}")

        # 11. one corrupt chunk
        db11 = tmp / "c.db"
        cli(home, "import", str(CSV), "--side", "right", "--exercise", EXERCISE, "--db", str(db11))
        with contextlib.closing(sqlite3.connect(db11)) as con:
            chunk_id, _, data = con.execute("select id, n_samples, data from sample_chunks where seq = 1").fetchone()
            damaged = bytearray(data)
            damaged[len(damaged) // 2: len(damaged) // 2 + 8] = bytes(8)
            con.execute("update sample_chunks set data = ? where id = ?", (bytes(damaged), chunk_id))
            con.commit()
        run = cli(home, "export", "1", "--out", str(tmp / "out11"), "--db", str(db11))
        exported = tmp / "out11" / "session-1-right_thigh.csv"
        kept11 = max(0, len(exported.read_text().splitlines()) - 1) if exported.exists() else 0
        again = cli(home, "reanalyze", "1", "--db", str(db11))
        row("11", judged(run.code == 0 and again.code == 0 and "damaged chunk" in run.err, run,
                         "one corrupt chunk: export and reanalyze exit 0 with a warning"),
            f"{kept11} of {CSV_SAMPLES} exported")

        # 12. inconsistent outcomes
        nocal = csv_with(tmp, "nocal.csv", lambda lines: lines.__delitem__(slice(2, 1500)))
        a = cli(home, "analyze", str(nocal), "--side", "right", "--exercise", EXERCISE)
        i = cli(home, "import", str(nocal), "--side", "right", "--exercise", EXERCISE, "--db", str(tmp / "nc.db"))
        row("12a", judged(a.code == 2 and i.code == 0 and "not analysed" in i.err, i,
                          f"no calibration: analyze exit {a.code}, import stores and says why"),
            f"{sum(s[2] for s in sessions(tmp / 'nc.db'))} stored")
        run, kept = dot_case("allbad", lambda lines, body: [lines.__setitem__(k, ",".join(
            [*lines[k].split(",")[:4], "00"])) for k in body])
        row("12b", judged(run.code == 2 and kept is None, run, "every packet malformed: refused, no empty session"),
            "0 (refused)")
        for signum in (signal.SIGTERM, signal.SIGHUP):
            db = tmp / f"sig{signum.name}.db"
            run, rows12 = stop_by_signal(home, db, signum)
            ok = run.code == 128 + signum and len(rows12) == 1 and rows12[0][1] == "complete"
            row("12c", judged(ok, run, f"{signum.name} during record --no-tui: complete, analysed, exit 128+n"),
                f"{rows12[0][2] if rows12 else 0} stored")
        row("12d", "covered: tests/tracker/test_supervised_recording.py::test_a_paused_recorder_takes_its_session_back "
                   "(SIGSTOP-like pause)", "-")
        run = cli(home, "import", str(bad), "--side", "right", "--exercise", EXERCISE, "--db", str(tmp / "new12.db"))
        row("12e", judged(run.code == 2 and not (tmp / "new12.db").exists(), run,
                          "bad CSV with a new --db: no database created"), "-")
        run = cli(home, "doctor", "--db", str(tmp / "doc.db"))
        row("12f", judged(not (tmp / "doc.db").exists(), run, "doctor --db NEW: not created"), "-")
        run = cli(home, "pain", "1", "3", "--set", "99999999999", "--db", str(db7))
        row("12g", judged(run.code == 2, run, "pain --set 99999999999: refused"), "-")
        run = cli(home, "export", "1", "--out", "", "--db", str(db7))
        row("12h", judged(run.code == 2, run, 'export --out "": refused'), "-")

    bad_rows = [r for r in ROWS if r[1].startswith("BAD")]
    print(f"\n{len(ROWS)} reproductions, {len(bad_rows)} still misbehaving")
    return 1 if bad_rows else 0


if __name__ == "__main__":
    sys.exit(main())
