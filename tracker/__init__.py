"""hiptrack's domain, storage, recording path and command line."""

from typing import Any


def __getattr__(name: str) -> Any:
    """`__version__`, read from the installed metadata on first use: only `--version` and exports need it."""
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("hiptrack")
    except PackageNotFoundError:  # running from a source tree that was never installed
        found = "0.0.0+unknown"
    globals()["__version__"] = found
    return found
