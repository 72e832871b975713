"""How the PostgreSQL tables keep versions: a batch's changes by COPY, then three set-based statements.

The changes of a run (one that touches each row once, store/sqlite/versions.py) are copied into a
temporary table of the same columns plus `first` (a row's first version); from there one INSERT
makes the new rows, one INSERT ... SELECT copies the versions being replaced into the history, and
one UPDATE ... FROM writes the new versions. A thousand changes cost four round trips, not a
thousand.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flexibatch.store.postgresql.connection import Session
from flexibatch.store.sqlite.versions import Version, runs_touching_each_once


@dataclass(frozen=True)
class PgVersionedTable:
    table: str
    key: tuple[str, ...]
    columns: tuple[str, ...]  # every column of a row, in the order of the rows given
    updated: tuple[str, ...]  # the columns a new version changes
    history: (
        str  # INSERT INTO <history> SELECT ... FROM <table> t JOIN <changes> c ON <key> WHERE NOT c.first
    )

    @property
    def changes(self) -> str:
        return f"{self.table}_changes"

    @property
    def on_key(self) -> str:
        return " AND ".join(f"t.{column} = c.{column}" for column in self.key)


def save_versions(db: Session, table: PgVersionedTable, versions: Iterable[Version]) -> None:
    names = ", ".join(table.columns)
    with db.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {table.changes} "
            f"(LIKE {table.table} INCLUDING DEFAULTS, first BOOLEAN NOT NULL) ON COMMIT DELETE ROWS"
        )
        for run in runs_touching_each_once(versions):
            cursor.execute(f"TRUNCATE {table.changes}")  # an earlier batch's or run's changes
            with cursor.copy(f"COPY {table.changes} ({names}, first) FROM STDIN") as copy:
                for _, first, row in run:
                    copy.write_row((*row, first))
            cursor.execute(
                f"INSERT INTO {table.table} ({names}) SELECT {names} FROM {table.changes} WHERE first"
            )
            cursor.execute(table.history)
            assignments = ", ".join(f"{column} = c.{column}" for column in table.updated)
            cursor.execute(
                f"UPDATE {table.table} t SET {assignments} FROM {table.changes} c WHERE NOT c.first AND {table.on_key}"
            )
