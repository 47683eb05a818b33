"""Import boundaries (STYLE §1): analysis is pure maths, sensors know no storage or UI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]


def _loaded_after_import(module: str) -> set[str]:
    code = f"import json, sys, {module}; print(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    return {name.split(".")[0] for name in json.loads(result.stdout)}


def test_analysis_pulls_in_no_ble_storage_or_ui() -> None:
    loaded = _loaded_after_import("analysis")
    assert not loaded & {"textual", "bleak", "sqlalchemy", "alembic", "sensors", "tracker", "tui"}


def test_sensors_pull_in_no_storage_or_ui() -> None:
    loaded = _loaded_after_import("sensors.simulator")
    assert not loaded & {"textual", "sqlalchemy", "alembic", "analysis", "tracker", "tui"}


def test_printing_commands_do_not_load_textual() -> None:
    assert "textual" not in _loaded_after_import("hiptrack.cli")
