"""Value records are never changed once made, and a record's written-out `__init__` takes its fields.

A declaration's records (`@dataclass(unsafe_hash=True)`) are shared between the rules' book, the
NOTI and caches keyed by them: a field changed after the fact would change an answer already
decided. They are plain dataclasses so that mypyc compiles them to native classes (a frozen one
sets every field through `object.__setattr__`); this test holds the package to what `frozen=True`
would enforce: a field is set only in its record's own `__init__` or `__post_init__`.

The hottest records write their `__init__` out, since mypyc compiles that and not the one a
dataclass generates (docs/performance.md): it must then take exactly the fields the dataclass would,
in order, with the same defaults (None for a `default_factory`), and set each of them.
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


def _init_fields(record: ast.ClassDef) -> list[tuple[str, str, str | None]]:
    """(name, annotation, default) of each field a generated `__init__` would take."""
    found = []
    for statement in record.body:
        if not (isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)):
            continue
        annotation, value = ast.unparse(statement.annotation), statement.value
        default = None if value is None else ast.unparse(value)
        if isinstance(value, ast.Call) and ast.unparse(value.func) == "field":
            options = {k.arg: k.value for k in value.keywords}
            if ast.unparse(options.get("init", ast.Constant(True))) == "False":
                continue
            if "default_factory" in options:
                annotation, default = f"{annotation} | None", "None"
            else:
                default = ast.unparse(options["default"]) if "default" in options else None
        found.append((statement.target.id, annotation, default))
    return found


def _written_inits() -> Iterator[tuple[str, ast.ClassDef, ast.FunctionDef]]:
    for path, tree in _trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and _is_record(node):
                for method in node.body:
                    if isinstance(method, ast.FunctionDef) and method.name == "__init__":
                        yield f"{path.name}:{node.name}", node, method


def _init_problems(record: ast.ClassDef, init: ast.FunctionDef) -> list[str]:
    arguments = init.args.args[1:]
    defaults = [None] * (len(arguments) - len(init.args.defaults)) + list(init.args.defaults)
    taken = [
        (a.arg, ast.unparse(a.annotation) if a.annotation else "", None if d is None else ast.unparse(d))
        for a, d in zip(arguments, defaults, strict=True)
    ]
    problems = [] if taken == _init_fields(record) else [f"takes {taken}, not {_init_fields(record)}"]
    assigned = {
        target.attr
        for node in ast.walk(init)
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Attribute) and ast.unparse(target.value) == "self"
    }
    fields = {
        s.target.id for s in record.body if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)
    }
    return problems + [f"never sets {name}" for name in sorted(fields - assigned)]


def test_a_written_out_init_takes_and_sets_every_field() -> None:
    written = list(_written_inits())
    assert {"DimonaDeclaration", "Decided", "Schedule"} <= {name.split(":")[1] for name, _, _ in written}
    problems = [
        f"{name}: {problem}" for name, record, init in written for problem in _init_problems(record, init)
    ]
    assert problems == []


def test_the_init_check_sees_a_field_left_out_or_reordered() -> None:
    tree = ast.parse(
        "@dataclass(unsafe_hash=True)\n"
        "class P:\n"
        "    insz: str\n"
        "    line: int = 0\n"
        "    def __init__(self, line: int = 0, insz: str = '') -> None:\n"
        "        self.insz = insz\n"
    )
    (record,) = [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]
    (init,) = [n for n in record.body if isinstance(n, ast.FunctionDef)]
    problems = _init_problems(record, init)
    assert len(problems) == 2 and problems[1] == "never sets line", problems
