"""Value records are never changed once made.

A declaration's records (`@dataclass(unsafe_hash=True)`) are shared between the rules' book, the
NOTI and caches keyed by them: a field changed after the fact would change an answer already
decided. They are plain dataclasses so that mypyc compiles them to native classes (a frozen one
sets every field through `object.__setattr__`); this test holds the package to what `frozen=True`
would enforce: a field is set only in its record's own `__init__` or `__post_init__`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import flexibatch

#: The sources of the package under test (the wheel ships them beside its compiled modules).
PACKAGE = Path(flexibatch.__file__).resolve().parent


def _is_record(node: ast.ClassDef) -> bool:
    return any(
        isinstance(d, ast.Call)
        and getattr(d.func, "id", None) == "dataclass"
        and any(k.arg == "unsafe_hash" for k in d.keywords)
        for d in node.decorator_list
    )


def _trees() -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _fields(*, records: bool) -> set[str]:
    return {
        statement.target.id
        for _, tree in _trees()
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef) and _is_record(node) is records
        for statement in node.body
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)
    }


def _record_fields() -> set[str]:
    """The names of the records' fields that no mutable class of the package shares (`accepted` is
    also a counter's): an assignment to one of them can only be to a record."""
    return _fields(records=True) - _fields(records=False)


def _field_writes(tree: ast.Module, fields: set[str]) -> Iterator[tuple[int, str]]:
    """(line, what) of every assignment to a record field outside its record's `__init__` or
    `__post_init__`."""
    allowed: set[int] = set()  # ids of the nodes inside those methods of a record
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and _is_record(node):
            for method in node.body:
                if isinstance(method, ast.FunctionDef) and method.name in ("__init__", "__post_init__"):
                    allowed.update(id(inner) for inner in ast.walk(method))
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        elif isinstance(node, ast.Call) and ast.unparse(node.func) in ("setattr", "object.__setattr__"):
            yield node.lineno, ast.unparse(node)
        for target in targets:
            if isinstance(target, ast.Attribute) and target.attr in fields and id(target) not in allowed:
                owner = ast.unparse(target.value)
                if owner != "self" or _in_record_method(tree, target):
                    yield node.lineno, ast.unparse(target)


def _in_record_method(tree: ast.Module, target: ast.Attribute) -> bool:
    return any(
        isinstance(node, ast.ClassDef) and _is_record(node) and target in ast.walk(node)
        for node in ast.walk(tree)
    )


def test_the_package_has_value_records_to_check() -> None:
    assert {"insz", "start_date", "anomalies", "period_id"} <= _record_fields()


def test_no_record_field_is_assigned_after_the_record_is_made() -> None:
    fields = _record_fields()
    writes = [
        f"{path.relative_to(PACKAGE.parent)}:{line}: {what}"
        for path, tree in _trees()
        for line, what in _field_writes(tree, fields)
    ]
    assert writes == []


def test_the_check_sees_a_field_changed_after_the_fact() -> None:
    tree = ast.parse(
        "@dataclass(unsafe_hash=True)\n"
        "class P:\n"
        "    insz: str\n"
        "    def __post_init__(self) -> None:\n"
        "        self.insz = self.insz.strip()\n"
        "    def renamed(self) -> None:\n"
        "        self.insz = ''\n"
        "def f(p: P) -> None:\n"
        "    p.insz = 'x'\n"
        "    object.__setattr__(p, 'insz', 'y')\n"
    )
    assert sorted(line for line, _ in _field_writes(tree, {"insz"})) == [7, 9, 10]
