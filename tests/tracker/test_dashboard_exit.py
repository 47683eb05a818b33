"""The dashboard's exit status: 0 when the person quits, non-zero when the app crashed.

Why: Textual prints a crash's traceback and returns from run(); `hiptrack` exiting 0 after that told a
script (or a service manager) that all went well."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import tui.app
from hiptrack.cli import app as cli_app
from hiptrack.cli.dashboard import open_dashboard, run_bare


class _Headless(tui.app.HiptrackApp):
    CSS_PATH = Path(tui.app.__file__).with_name("hiptrack.tcss")     # a relative path would be this file's

    def run(self, *args: Any, **kwargs: Any) -> Any:
        return super().run(*args, headless=True, size=(100, 30), **kwargs)


class QuittingApp(_Headless):
    def on_mount(self) -> None:
        self.set_timer(0.3, self.exit)


class CrashingApp(_Headless):
    def on_mount(self) -> None:
        raise RuntimeError("a bug in the home screen")


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'hiptrack.db'}"


def test_quitting_the_dashboard_exits_zero(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tui.app, "HiptrackApp", QuittingApp)
    assert open_dashboard(db_url, None) == 0


def test_a_dashboard_that_crashed_exits_non_zero(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tui.app, "HiptrackApp", CrashingApp)
    assert open_dashboard(db_url, None) == 1


def test_bare_hiptrack_and_the_dashboard_command_give_the_crash_status(
        db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tui.app, "HiptrackApp", CrashingApp)
    monkeypatch.setenv("HIPTRACK_DB", db_url)
    assert run_bare() == 1
    assert CliRunner().invoke(cli_app, ["dashboard", "--db", db_url]).exit_code == 1
