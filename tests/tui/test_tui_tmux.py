"""Smoke test of the real `hiptrack dashboard` command in a real terminal (tmux): keys in, screen text out."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

TMUX = shutil.which("tmux")


class Terminal:
    """One tmux session on a private server socket, so no one's own tmux is touched."""

    def __init__(self, socket: str, name: str) -> None:
        self.socket = socket
        self.name = name

    def tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        assert TMUX is not None
        return subprocess.run([TMUX, "-L", self.socket, *args], capture_output=True, text=True, check=check)

    def send(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", self.name, *keys)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.name).stdout

    def wait_for(self, *texts: str, timeout_s: float = 20.0) -> str:
        """The screen once it shows all the texts: what a worker draws arrives after the frame around it."""
        return self.wait_until(lambda screen: all(text in screen for text in texts), f"{texts!r}", timeout_s)

    def wait_until(self, condition: Callable[[str], bool], what: str, timeout_s: float = 20.0) -> str:
        deadline = time.monotonic() + timeout_s
        while True:
            screen = self.screen()
            if condition(screen):
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"{what} did not appear within {timeout_s} s; the screen:\n{screen}")
            time.sleep(0.1)

    def alive(self) -> bool:
        return self.tmux("has-session", "-t", self.name, check=False).returncode == 0


@pytest.fixture(params=["dashboard", "alone"])
def terminal(request: pytest.FixtureRequest, history_url: str, tmp_path: Path) -> Iterator[tuple[Terminal, Path]]:
    """`hiptrack dashboard --db URL`, and `hiptrack` alone (which opens it without Typer) with $HIPTRACK_DB."""
    if TMUX is None:
        pytest.skip("tmux is not installed: this smoke test drives the dashboard in a real terminal through it")
    hiptrack = Path(sys.executable).with_name("hiptrack")
    argv = ["dashboard", "--db", history_url] if request.param == "dashboard" else []
    command = shlex.join([str(hiptrack), *argv]) if hiptrack.exists() else \
        shlex.join([sys.executable, "-m", "hiptrack.cli", *argv])
    if request.param == "alone":
        command = f"HIPTRACK_DB={shlex.quote(history_url)} {command}"
    status = tmp_path / "exit-status"
    term = Terminal(f"hiptrack-test-{os.getpid()}", "dash")
    term.tmux("new-session", "-d", "-s", term.name, "-x", "100", "-y", "30",
              f"TZ=UTC {command}; echo $? > {shlex.quote(str(status))}")
    yield term, status
    term.tmux("kill-server", check=False)


def test_dashboard_command_opens_navigates_and_quits(terminal: tuple[Terminal, Path]) -> None:
    term, status = terminal
    # The frame and the border titles are drawn on mount; the motions come from a worker later.
    term.wait_for("Tracked motions", "Seated hip internal rotation", "r Record")
    term.send("s")
    # The status line and the rows are filled by the same call; wait for both all the same.
    term.wait_until(lambda screen: "12 sessions in hiptrack.db" in screen and len(screen.splitlines()) > 3
                    and "Bike ride" in screen.splitlines()[3],                # newest first, under filters and header
                    "the 12 sessions, newest (the ride) first")
    term.send("Enter")
    term.wait_for("Ride: ")
    term.send("Escape")
    term.wait_for("12 sessions in hiptrack.db")
    term.send("e")
    term.wait_for("Your plan")
    term.send("q")
    deadline = time.monotonic() + 10
    while term.alive() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not term.alive()
    assert status.read_text().strip() == "0"
