"""How the SQLite tables keep versions: a row holds the current one, a history table the replaced.

A batch's accepted changes are written in runs that touch each row once, so the rows of a run can go
in any order (new rows in one `executemany`, replaced versions copied, then the rows changed), and a
row changed twice in one batch keeps both of the versions it had (docs/decisions.md, "State").
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def runs_touching_each_once(changes: Iterable[T], key: Callable[[T], Hashable]) -> Iterator[list[T]]:
    """The changes in document order, cut wherever one touches a row the current run touched."""
    run: list[T] = []
    touched: set[Hashable] = set()
    for change in changes:
        row = key(change)
        if row in touched:
            yield run
            run, touched = [], set()
        run.append(change)
        touched.add(row)
    if run:
        yield run
