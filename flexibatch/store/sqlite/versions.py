"""How the SQLite tables keep versions: a row holds the current one, a history table the replaced.

A batch's accepted changes are written in runs that touch each row once, so the rows of a run can go
in any order (new rows in one `executemany`, replaced versions copied, then the rows changed), and a
row changed twice in one batch keeps both of the versions it had (docs/decisions.md, "State").
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

Key = tuple[Any, ...]
#: One accepted change: the row's key, whether it makes the row (its first version), and the values
#: of `VersionedTable.insert` if so, else those of `VersionedTable.update` before the key.
Version = tuple[Key, bool, tuple[Any, ...]]


@dataclass(frozen=True)
class VersionedTable:
    """The statements of a table that keeps its current version in the row."""

    insert: str  # a row's first version, every column
    keep_replaced: str  # the row's current version copied into the history, by key
    update: str  # the row's new version: its values, then the key


def save_versions(db: sqlite3.Connection, table: VersionedTable, versions: Iterable[Version]) -> None:
    for run in runs_touching_each_once(versions):
        replaced = [(key, values) for key, first, values in run if not first]
        db.executemany(table.insert, [values for _, first, values in run if first])
        db.executemany(table.keep_replaced, [key for key, _ in replaced])
        db.executemany(table.update, [(*values, *key) for key, values in replaced])


def runs_touching_each_once(versions: Iterable[Version]) -> Iterator[list[Version]]:
    """The versions in document order, cut wherever one touches a row the current run touched."""
    run: list[Version] = []
    touched: set[Key] = set()
    for version in versions:
        if version[0] in touched:
            yield run
            run, touched = [], set()
        run.append(version)
        touched.add(version[0])
    if run:
        yield run
