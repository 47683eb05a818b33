"""A throwaway PostgreSQL server for the tests that claim PostgreSQL support (SPEC §9).

initdb + pg_ctl on a free localhost port in a temporary folder; stopped and deleted afterwards.
As root (CI), the server runs as the `postgres` system user, since PostgreSQL refuses root.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from helpers import free_port


def find_binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextmanager
def postgres_cluster() -> Iterator[str]:
    """Yield an SQLAlchemy URL of a fresh, empty database on a private server."""
    initdb, pg_ctl = find_binary("initdb"), find_binary("pg_ctl")
    if initdb is None or pg_ctl is None:
        raise RuntimeError("PostgreSQL server binaries not found (Debian package: postgresql)")
    folder = Path(tempfile.mkdtemp(prefix="hiptrack-pg-"))
    data, port = folder / "data", free_port()
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    run = lambda *cmd: subprocess.run(_as_server_user(list(cmd)), check=True, capture_output=True)  # noqa: E731
    try:
        run(initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        run(pg_ctl, "-D", str(data), "-w", "-l", str(folder / "log"),
            "-o", f"-p {port} -h 127.0.0.1 -k {folder} -F", "start")
        run(find_binary("createdb") or "createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "hiptrack")
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/hiptrack"
    finally:
        subprocess.run(_as_server_user([pg_ctl, "-D", str(data), "-m", "immediate", "stop"]), capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)
