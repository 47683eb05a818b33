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
    def __init__(self, session_id: int) -> None:
        super().__init__(f"no session with id {session_id} in this database")


class DatabaseError(HiptrackError):
    """The database could not be opened or written; the message never includes credentials."""
