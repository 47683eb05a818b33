"""Import boundaries (STYLE §1): analysis is pure maths, sensors know no storage or UI, nothing below the
command line (hiptrack) opens the TUI, and nothing imports the command line.

Two checks. A static one reads every source file of the packages (every `import`, at module level
or inside a function, and literal `importlib.import_module(...)` calls), so a deferred import
cannot hide. A runtime one imports the modules in a fresh interpreter and looks at `sys.modules`,
so an indirect pull (a module importing a module that imports textual) is caught too.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]


@dataclass(frozen=True)
class Rule:
    package: str
    forbidden: frozenset[str]


RULES = (
    Rule("analysis", frozenset({"bleak", "bleak_retry_connector", "sqlalchemy", "alembic", "textual", "asyncio",
                                "sensors", "tracker", "tui", "hiptrack"})),
    Rule("sensors", frozenset({"sqlalchemy", "alembic", "textual", "analysis", "tracker", "tui", "hiptrack"})),
    Rule("tracker", frozenset({"textual", "tui", "hiptrack"})),
    Rule("tui", frozenset({"hiptrack"})),
)
"""No exemptions: the command line (hiptrack) is the only package above the TUI."""


@dataclass(frozen=True)
class Violation:
    module: str
    line: int
    imported: str

    def __str__(self) -> str:
        return f"{self.module}:{self.line} imports {self.imported}"


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, module: str) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) of every import in the file, wherever it stands."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            yield node.lineno, name
        elif isinstance(node, ast.Call) and _is_dynamic_import(node.func) and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                yield node.lineno, first.value


def _is_dynamic_import(func: ast.expr) -> bool:
    if isinstance(func, ast.Name):
        return func.id in {"__import__", "import_module"}
    return isinstance(func, ast.Attribute) and func.attr == "import_module"


def violations(rule: Rule, root: Path = ROOT) -> list[Violation]:
    found = []
    for path in sorted((root / rule.package).rglob("*.py")):
        module = module_name(path, root)
        for line, imported in imports_of(path, module):
            if imported.split(".")[0] in rule.forbidden:
                found.append(Violation(module, line, imported))
    return found


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.package)
def test_no_module_imports_what_its_package_must_not(rule: Rule) -> None:
    assert [str(v) for v in violations(rule)] == []


def test_the_checker_finds_forbidden_imports_anywhere_in_a_module(tmp_path: Path) -> None:
    """The check above can fail: a fake tree with one forbidden import of each kind."""
    files = {
        "analysis/__init__.py": "",
        "analysis/clean.py": "import numpy as np\nfrom . import sibling\nfrom .sibling import thing\n",
        "analysis/sneaky.py": """
            import numpy
            from sqlalchemy.orm import Session

            def later():
                import textual.app
                from ..tracker import services
                return importlib.import_module("bleak")
            """,
        "analysis/deep/__init__.py": "from ...tui import app\n",
        "tracker/__init__.py": "",
        "tracker/live.py": "def show():\n    from tui.app import HiptrackApp\n",
        "tracker/services.py": "def run():\n    from hiptrack.cli import main\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(textwrap.dedent(text), encoding="utf-8")
    analysis, _, tracker, _ = RULES
    assert [str(v) for v in violations(analysis, tmp_path)] == [
        "analysis.deep:1 imports tui",
        "analysis.sneaky:3 imports sqlalchemy.orm",
        "analysis.sneaky:6 imports textual.app",
        "analysis.sneaky:7 imports tracker",
        "analysis.sneaky:8 imports bleak",
    ]
    assert [str(v) for v in violations(tracker, tmp_path)] == ["tracker.live:2 imports tui.app",
                                                               "tracker.services:2 imports hiptrack.cli"]


def test_the_rules_match_the_import_linter_contracts() -> None:
    """pyproject's contracts (lint-imports) and this test guard the same boundaries."""
    import tomllib

    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    forbidden = {tuple(c["source_modules"]): set(c["forbidden_modules"]) for c in contracts["contracts"]
                 if c["type"] == "forbidden"}
    for rule in RULES[:2]:
        assert forbidden[(rule.package,)] == rule.forbidden


LOADED_AFTER_EACH = """
import importlib, json, pkgutil, sys
package = importlib.import_module(sys.argv[1])
names = [sys.argv[1]] + [m.name for m in pkgutil.walk_packages(package.__path__, sys.argv[1] + ".")]
report = {}
for name in names:
    importlib.import_module(name)
    report[name] = sorted({loaded.split(".")[0] for loaded in sys.modules})
print(json.dumps(report))
"""


def _first_pulls(package: str, unwanted: set[str]) -> dict[str, list[str]]:
    """Import each module of the package in turn in a fresh interpreter; the first that pulls in unwanted ones."""
    result = subprocess.run([sys.executable, "-c", LOADED_AFTER_EACH, package], capture_output=True, text=True,
                            cwd=ROOT, check=True)
    report: dict[str, list[str]] = json.loads(result.stdout)
    assert len(report) > 1, f"no modules found under {package}"
    return {module: sorted(set(loaded) & unwanted) for module, loaded in report.items()
            if set(loaded) & unwanted}


def test_importing_analysis_loads_no_ble_storage_or_ui() -> None:
    assert _first_pulls("analysis", {"textual", "bleak", "bleak_retry_connector", "sqlalchemy", "alembic",
                                     "sensors", "tracker", "tui"}) == {}


def test_importing_sensors_loads_no_storage_or_ui() -> None:
    assert _first_pulls("sensors", {"textual", "sqlalchemy", "alembic", "analysis", "tracker", "tui"}) == {}


def test_printing_commands_do_not_load_textual() -> None:
    code = "import json, sys, hiptrack.cli; print(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert not {name.split(".")[0] for name in json.loads(result.stdout)} & {"textual", "tui"}
