"""What every `hiptrack` command shares: the Typer app, common options, and error handling.

Commands import the storage stack on first use (`services_module`), so `analyze` starts fast.

Exit codes: 0 ok, 2 bad input (file, argument, URL), 1 any other failure (e.g. a database server
that cannot be reached). Either way one line on stderr, `hiptrack: error: ...`, never a traceback.
"""

import importlib
import shutil
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from hiptrack.cli.dashboard import PERSON_ENV_VAR
from hiptrack.cli.problems import problem
from tracker import catalog
from tracker.domain import SessionSummary, Side
from tracker.errors import BadInputError

if TYPE_CHECKING:
    from sensors.samples import ImuSamples

MAX_ID = 2**31 - 1
"""Ids are 32-bit integers in every supported database; a larger one is a typo, not a lookup."""


USAGE_ERROR: type[Exception] = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")
"""Click's base error, which Typer may vendor: found from a public name rather than a private module."""


class OneLineErrors(TyperGroup):
    """Usage errors (unknown option, bad --side, missing argument) as one line, like every other error.

    Why: Click's default is a usage block and a boxed message; scripts and people reading a log
    should see `hiptrack: error: ...` and exit status 2 whatever was wrong with the input.
    """

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True, windows_expand_args: bool = True,
             **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, windows_expand_args, **extra)
        try:
            outcome = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except USAGE_ERROR as err:
            typer.echo(f"hiptrack: error: {usage_problem(err)}", err=True)
            sys.exit(getattr(err, "exit_code", 2))
        except typer.Abort:
            typer.echo("hiptrack: aborted", err=True)
            sys.exit(1)
        sys.exit(outcome if isinstance(outcome, int) else 0)


def usage_problem(err: Exception) -> str:
    """Click's message on one line, with where to read more."""
    message = " ".join(getattr(err, "format_message", err.__str__)().replace("Value error, ", "").split())
    context = getattr(err, "ctx", None)
    return f"{message} (see: {context.command_path} --help)" if context is not None else message


def plain_metavars() -> None:
    """Help that reads like the README: `FILE`, `SESSION_ID`, `--yes`, not `{file}`, `<path>`, `--yes <bool>`.

    Why a patch: Typer labels every parameter with its Python type (`<bool>` on each flag,
    `<int range> [1<=x<=2147483647]` on an id) and offers no setting to turn that off. Parameters
    are named instead (their metavar, else the argument's name in capitals), flags get no label,
    and the 32-bit limit of ids is left to the error message. Skipped if Typer's internals move;
    tests/test_day_one.py reads every command's help and fails if the labels come back.
    """
    from typer import core

    parameter, argument = getattr(core, "_TyperParameter", None), getattr(core, "TyperArgument", None)
    if parameter is None or argument is None or not hasattr(parameter, "display_type"):
        return

    def display_type(self: Any, ctx: Any) -> str:
        if getattr(self, "is_flag", False):
            return ""
        if self.type_descriptor.is_choice:
            return "|".join(str(getattr(c, "value", c)) for c in self.type_descriptor.choices or ())
        return "" if isinstance(self, argument) else str(self.name).upper()

    def number_range(self: Any) -> str | None:
        if self.max == MAX_ID or getattr(self, "is_flag", False):
            return None
        return core.describe_number_range(self.min, self.max) if hasattr(core, "describe_number_range") else None

    def usage_name(self: Any) -> str:
        name = self.display_name_raw + ("..." if self.nargs != 1 and not self.display_name_raw.endswith("...") else "")
        return name if self.required else f"[{name}]"

    parameter.display_type = display_type
    for cls in (parameter, argument, getattr(core, "TyperOption", parameter)):
        if "_get_number_range_help_str" in vars(cls):
            cls._get_number_range_help_str = number_range
    argument.display_name_raw = property(lambda self: self.metavar or str(self.name).upper())
    argument._usage_display_name = usage_name


def plain_values() -> None:
    """Absent options, text and in-range whole numbers taken as they are, without loading Pydantic.

    Why a patch: Typer builds a Pydantic TypeAdapter for every parameter it processes, even one that
    was not given, and importing Pydantic is about a fifth of what `hiptrack sessions` costs. Anything
    else (a malformed or out-of-range number, a choice, a path) still goes through Typer's own coercion,
    so its values and its error messages stay Typer's. Skipped if Typer's internals move; the lazy-import
    test (tests/test_lazy_imports.py) fails if listing or showing loads Pydantic again.
    """
    from typer import core

    parameter = getattr(core, "_TyperParameter", None)
    found = getattr(parameter, "get_runtime_param", None)
    if parameter is None or found is None:
        return
    typers: Any = found

    class Plain:
        """Coerces the plain cases itself and hands every other value to Typer's coercion."""

        def __init__(self, owner: Any) -> None:
            self.owner = owner

        def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
            if value is None and not (param.multiple or param.nargs == -1):
                return None
            described = param.type_descriptor
            info = described.parameter_info
            if described.file_annotation is None and getattr(info, "parser", None) is None and \
                    isinstance(value, str):
                if described.annotation is str:
                    return value
                if described.annotation is int and value.isascii() and value.isdecimal() and \
                        not getattr(info, "clamp", False) and (info.min is None or int(value) >= info.min) and \
                        (info.max is None or int(value) <= info.max):
                    return int(value)
            return typers(self.owner).coerce(value, param=param, ctx=ctx)

    def get_runtime_param(self: Any) -> Any:
        return typers(self) if getattr(self, "_runtime_param", None) is not None else Plain(self)

    parameter.get_runtime_param = get_runtime_param


plain_metavars()
plain_values()

app = typer.Typer(
    cls=OneLineErrors,
    name="hiptrack",
    help="Track hip mobility with wearable IMUs: record sessions, analyse range of motion, watch trends.",
    add_completion=False,
    invoke_without_command=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

def _from_parents(ctx: typer.Context, name: str, value: str | None) -> str | None:
    """`value`, else the nearest option `name` given to a group above the command."""
    parent = ctx.parent
    while value is None and parent is not None:
        inherited = parent.params.get(name)
        value = inherited if isinstance(inherited, str) else None
        parent = parent.parent
    return value


def inherit_db(ctx: typer.Context, value: str | None) -> str | None:
    """A command's --db, else the nearest one given before it (`hiptrack --db x.db sessions`).

    Why: the top-level --db is advertised in `hiptrack --help`; ignoring it would list, import into
    or delete from the default database without a word. When both are given the command's wins.
    """
    return _from_parents(ctx, "db", value)


DbOption = Annotated[str | None, typer.Option(
    "--db", metavar="URL|FILE", show_default=False, callback=inherit_db,
    help="Database: an SQLite file path or a database URL such as postgresql://host/hiptrack "
         "(default: $HIPTRACK_DB, else hiptrack.db in your user data folder).")]


def inherit_person(ctx: typer.Context, value: str | None) -> str | None:
    """A command's --person, else one given to its group (`hiptrack plan --person p07 add ...`)."""
    return _from_parents(ctx, "person", value)


PersonOption = Annotated[str | None, typer.Option(
    "--person", metavar="NAME", show_default=False, envvar=PERSON_ENV_VAR, callback=inherit_person,
    help="Whose sessions (a pseudonym added with `hiptrack people add`; default: $HIPTRACK_PERSON, else the "
         "default person, the only one a single user has).")]


def exercise_id(value: str | None) -> str | None:
    """The id of the exercise typed as its id or its name, any case; a typo is told what was meant."""
    if value is None:
        return None
    try:
        return catalog.resolve(value).id
    except BadInputError as err:
        raise typer.BadParameter(str(err)) from None


ExerciseOption = Annotated[str, typer.Option(
    metavar="EXERCISE", show_default=False, callback=exercise_id,
    help="Exercise id or name, e.g. seated_hip_internal_rotation or \"Seated hip internal rotation\" "
         "(see `hiptrack exercises`).")]
SideOption = Annotated[Side, typer.Option(case_sensitive=False, show_default=False, metavar="left|right",
                                          help="Which thigh the sensor was on.")]
NoTuiOption = Annotated[bool, typer.Option("--no-tui", help="Print a text summary instead of opening the dashboard.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
PelvisOption = Annotated[Path | None, typer.Option(
    "--pelvis", metavar="PELVIS.csv", help="The pelvis (sacrum) sensor's recording, same time base and columns as "
    "the thigh's: hip angles are then against the measured pelvis, and each rep says how far it moved.")]


def read_pelvis(path: Path | None, thigh: "ImuSamples") -> "ImuSamples | None":
    """The --pelvis file, refused (naming it, exit 2) when it does not span the thigh's recording."""
    if path is None:
        return None
    from tracker.assessment import pelvis_coverage_problem  # the analysis stack loads only when needed
    from tracker.imu_csv import read_imu_csv

    pelvis = read_imu_csv(path)
    problem = pelvis_coverage_problem(thigh, pelvis)
    if problem is not None:
        raise BadInputError(f"{path}: {problem}")
    return pelvis
SessionIdArgument = Annotated[int, typer.Argument(min=1, max=MAX_ID, show_default=False,
                                                  help="Session id (see `hiptrack sessions`).")]


def services_module() -> ModuleType:
    """The storage-backed use cases, imported on first use: `analyze` needs no database stack."""
    return importlib.import_module("tracker.services")


@contextmanager
def user_errors() -> Iterator[None]:
    """Known errors (hiptrack.cli.problems): one line on stderr and the error's exit code, never a traceback."""
    try:
        yield
    except (Exception, KeyboardInterrupt) as err:
        found = problem(err)
        if found is None:
            raise
        typer.echo(found[0], err=True)
        raise typer.Exit(found[1]) from None


def version_callback(value: bool) -> None:
    if value:
        from tracker import __version__

        typer.echo(f"hiptrack {__version__}")
        raise typer.Exit()


def parse_datetime(text: str, option: str = "--at", *, future_ok: bool = False) -> datetime:
    """An ISO date or date-time; without a zone it is local time. Stored as UTC.

    A session cannot have started in the future (a typo'd year would sit at the end of every
    trend); a plan may (future_ok).
    """
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise BadInputError(f"{option} {text!r} is not an ISO date-time (example: 2026-03-01T18:30)") from None
    try:
        moment = (value if value.tzinfo else value.astimezone()).astimezone(UTC)
    except (ValueError, OverflowError):     # year 1 or 9999 pushed past the calendar by the time zone
        raise BadInputError(f"{option} {text!r} is out of range") from None
    if not future_ok and moment > datetime.now(UTC) + timedelta(minutes=1):
        raise BadInputError(f"{option} {text!r} is in the future (now it is {local_time(datetime.now(UTC))})")
    return moment


def local_time(moment: datetime) -> str:
    """A stored (UTC) time as the person reads it: local time with the zone, like the dashboard."""
    return f"{moment.astimezone():%Y-%m-%d %H:%M %Z}"


def session_line(summary: SessionSummary) -> str:
    """'session 3: Seated hip internal rotation, left, 2026-03-01 18:30 CET, 2:05'."""
    minutes, seconds = divmod(round(summary.duration_s), 60)
    return (f"session {summary.id}: {catalog.display_name(summary.exercise)}, {summary.side.value}, "
            f"{local_time(summary.started_at)}, {minutes}:{seconds:02d}")


def sessions_table(rows: list[SessionSummary], best: dict[int, str] | None = None, width: int | None = None) -> str:
    """Newest first, like the dashboard; `best` labels ('IR 34°') by session id.

    Fits the terminal (80 columns at least): the exercise's name takes what is left; a status column
    only when a session is not complete, the source and sample count when there is room.
    """
    best = best or {}
    width = width or shutil.get_terminal_size((80, 24)).columns
    statuses = {r.id: STATUS_WORDS.get(r.status.value, r.status.value) for r in rows}
    show_status, wide = any(statuses.values()), width >= 110
    fixed = 4 + 20 + 5 + 8 + 5 + 2 * 5 + (8 + 2 if show_status else 0) + (9 + 7 + 2 * 2 if wide else 0)
    name_width = max(16, min(30, width - fixed))
    status_head = f"  {'status':8}" if show_status else ""
    extra = f"  {'source':9}  {'samples':>7}" if wide else ""
    header = (f"{'id':>4}  {'started (local time)':20}  {'exercise':{name_width}}  {'side':5}  {'best':>8}  "
              f"{'time':>5}{status_head}{extra}")
    lines = [header, "-" * len(header)]
    for r in sorted(rows, key=lambda r: (r.started_at, r.id), reverse=True):
        minutes, seconds = divmod(round(r.duration_s), 60)
        status = f"  {statuses[r.id]:8}" if show_status else ""
        extra = f"  {r.source.value:9}  {r.samples:>7}" if wide else ""
        lines.append(f"{r.id:>4}  {local_time(r.started_at):20}  "
                     f"{catalog.display_name(r.exercise)[:name_width]:{name_width}}  {r.side.value:5}  "
                     f"{best.get(r.id, ''):>8}  {minutes:>2}:{seconds:02d}{status}{extra}")
    return "\n".join(line.rstrip() for line in lines)


STATUS_WORDS = {"complete": "", "recording": "live", "interrupted": "cut off"}
"""A session's status as the dashboard's list says it: nothing when all is well."""


_M_MMAP_THRESHOLD = -3
_MMAP_THRESHOLD_BYTES = 1 << 20


def heap_for_long_recordings() -> None:
    """Make glibc serve every allocation of 1 MB or more with its own mapping, returned when freed.

    Why: glibc raises its mmap threshold to the size of each large block freed (up to 32 MB), after
    which the analysis's many 2–32 MB temporaries come from the heap and stay there fragmented: a
    24-hour `analyze` peaked at 909 MiB this way and at 890 MiB with the threshold fixed
    (benchmarks/bench_memory.py). A no-op where libc is not glibc.
    """
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    if name is None:
        return
    try:
        mallopt = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError):
        return
    mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD_BYTES)
