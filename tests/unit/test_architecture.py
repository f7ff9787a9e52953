"""The shape of the code that the design relies on, checked on the source itself: the wiring sits at the
top, front ends hold the Tally service and nothing below it, and no module grows past what one person
reads in one go."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAX_LINES = 300


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function (TYPE_CHECKING blocks included)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _offenders(package: str, banned: tuple[str, ...]) -> list[str]:
    return [f"{path.relative_to(ROOT)} imports {name}" for path in _modules(package) for name in _imports(path)
            if name.split(".")[0] in banned]


def test_the_front_ends_reach_storage_and_settings_only_through_the_service():
    assert _offenders("bot", ("db", "sqlalchemy", "config")) == []


def test_the_evals_do_not_reach_into_the_front_ends():
    assert _offenders("evals", ("bot",)) == []


@pytest.mark.parametrize("package", ["tools", "core", "db"])
def test_the_layers_below_never_import_the_ones_above(package):
    assert _offenders(package, ("bot", "cli", "wiring", "evals", "config")) == []
def test_no_module_grows_past_three_hundred_lines():
    long = [f"{path.relative_to(ROOT)}: {n}" for package in ("bot", "core", "db", "tools", "evals")
            for path in _modules(package) if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES]
    assert long == []
