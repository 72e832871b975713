"""Looking rows up by many composite keys at once, using the whole index.

`(a, b) IN (VALUES ...)` lets SQLite use only the index's first column and test every row of the
environment against the list, which turns one lookup per batch into a scan of the table: quadratic
over a monthly file. Joining the keys as a table makes it search the index on every column.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from typing import Any

#: Keys bound per query: well under SQLite's variable limit.
CHUNK = 500


def chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


@cache
def keyed_select(
    columns: str, table: str, key_columns: tuple[str, ...], count: int, condition: str = ""
) -> str:
    """SELECT `columns` of `table` for `count` keys of `key_columns` in one environment (bound after
    the keys), and only the rows of `table` (`t`) that meet `condition` (its values bound last)."""
    values = ", ".join("(" + ", ".join("?" * len(key_columns)) + ")" for _ in range(count))
    names = ", ".join(key_columns)
    joins = " AND ".join(f"t.{name} = wanted.{name}" for name in key_columns)
    selected = ", ".join(f"t.{column.strip()}" for column in columns.split(","))
    where = f" WHERE {condition}" if condition else ""
    return (
        f"WITH wanted ({names}) AS (VALUES {values}) "
        f"SELECT {selected} FROM wanted CROSS JOIN {table} AS t ON t.env = ? AND {joins}{where}"
    )


def rows_by_keys(
    db: sqlite3.Connection,
    columns: str,
    table: str,
    key_columns: tuple[str, ...],
    *,
    env: str,
    keys: Iterable[tuple[Any, ...]],
    condition: str = "",
    values: Sequence[Any] = (),
) -> Iterator[Sequence[Any]]:
    # Each key once, in the order first asked for (a batch's document order): as deterministic as
    # sorting them, which cost a FLEX batch 5 % of the processor (tuples of strings compared).
    for chunk in chunks(list(dict.fromkeys(keys))):
        sql = keyed_select(columns, table, key_columns, len(chunk), condition)
        yield from db.execute(sql, (*(part for key in chunk for part in key), env, *values))
