"""Errors users can act on. Each says what went wrong and where; the CLI maps them to exit codes."""

from __future__ import annotations

from pathlib import Path


class HiptrackError(Exception):
    """Root of hiptrack's own errors: the CLI prints these as one line, without a traceback."""

    exit_code = 1


class BadInputError(HiptrackError):
    """The user gave us something we cannot use (file, argument, URL): exit status 2."""

    exit_code = 2


class ImportFormatError(BadInputError):
    """A data file is malformed; names the file, the 1-based line and the problem."""

    def __init__(self, path: Path | str, line: int | None, problem: str) -> None:
        self.path = Path(path)
        self.line = line
        self.problem = problem
        where = f"{self.path}:{line}" if line is not None else f"{self.path}"
        super().__init__(f"{where}: {problem}")


class UnknownExerciseError(BadInputError):
    def __init__(self, exercise_id: str, known: list[str], close: list[str] | None = None) -> None:
        """`close`: the likely meant ids, best first; without any, every known id is listed."""
        hint = f"did you mean {' or '.join(close)}?" if close else \
            f"known: {', '.join(sorted(known))}"
        super().__init__(f"unknown exercise {exercise_id!r}; {hint}")


class SessionNotFoundError(BadInputError):
    def __init__(self, session_id: int, another_persons: bool = False) -> None:
        super().__init__(f"session {session_id} is another person's; give their --person NAME (see: hiptrack people)"
                         if another_persons else f"no session with id {session_id} in this database")


class DatabaseError(HiptrackError):
    """The database could not be opened or written; the message never includes credentials."""


class RecordingFailedError(HiptrackError):
    """A recording stopped because something failed (a database write, the sensor source, the display).

    Says which session, what failed, how many samples were kept and the session's state, so the
    one line a user sees is the whole story. The exit code is the cause's where it is one of ours.
    """

    def __init__(self, session_id: int, problem: str, kept_samples: int, state: str, exit_code: int = 1) -> None:
        self.session_id = session_id
        self.problem = problem
        self.kept_samples = kept_samples
        self.exit_code = exit_code
        super().__init__(f"recording stopped: {problem}; session {session_id} keeps the {kept_samples:,} samples "
                         f"committed before, {state}")


class SessionTakenError(HiptrackError):
    """A recorder's session is no longer its own: finished, deleted or written by another process."""

    def __init__(self, session_id: int) -> None:
        self.session_id = session_id
        super().__init__(f"session {session_id} was finished, deleted or taken over by another process "
                         "while this recording was paused")


class DamagedStorageError(HiptrackError):
    """A stored chunk of samples no longer decodes (a damaged disk or database file)."""

    def __init__(self, stream_id: int, seq: int, problem: str) -> None:
        super().__init__(f"stream {stream_id}: stored chunk {seq} is damaged ({problem}); "
                         "export or reanalyze the session to keep the rest")
