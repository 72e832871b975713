"""The house rule a newcomer relies on: no module of flexibatch/ over 400 lines, no class over 200,
no function over 80 (docs/architecture.md)."""

from __future__ import annotations

import ast
from pathlib import Path

SOURCES = Path(__file__).resolve().parents[2] / "flexibatch"
LIMITS = {"module": 400, "class": 200, "function": 80}


def _oversized(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    found = []
    if (lines := len(text.splitlines())) > LIMITS["module"]:
        found.append(f"{path.name}: {lines} lines")
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ClassDef):
            limit, what = LIMITS["class"], "class"
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            limit, what = LIMITS["function"], "function"
        else:
            continue
        size = (node.end_lineno or node.lineno) - node.lineno + 1
        if size > limit:
            found.append(f"{path.name}: {what} {node.name} {size} lines")
    return found


def test_no_module_class_or_function_outgrows_the_house_rule() -> None:
    modules = sorted(SOURCES.rglob("*.py"))
    assert len(modules) > 40, "the sources were found"
    assert [problem for module in modules for problem in _oversized(module)] == []


def test_the_size_check_sees_a_long_function(tmp_path: Path) -> None:
    long = tmp_path / "long.py"
    long.write_text("def f():\n" + "    x = 1\n" * 80, encoding="utf-8")
    assert _oversized(long) == ["long.py: function f 81 lines"]
