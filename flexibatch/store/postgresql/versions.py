"""How the PostgreSQL tables keep versions: a batch's changes by COPY, then four set-based statements.

Every change of a batch, in document order (`n`), is copied into a temporary table of the table's
columns plus `first` (a row's first version) and `n`. Per row (its key), the change with the highest
`n` is the row's new current version, and every earlier one a version it replaced; a row that had
no `first` change existed before the batch, and its current version is replaced too. So four
statements, whatever the number of changes: the rows' replaced current versions copied into the
history, the new rows inserted, the batch's own replaced versions copied into the history (after
their rows, which the history refers to), the changed rows updated. A row changed twice in a batch keeps both versions (docs/decisions.md, "State"), as the
SQLite backend's runs do (store/sqlite/versions.py), without a round trip per run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flexibatch.store.postgresql.connection import Session
from flexibatch.store.sqlite.versions import Version


@dataclass(frozen=True)
class PgVersionedTable:
    table: str
    history_table: str
    key: tuple[str, ...]
    columns: tuple[str, ...]  # every column of a row, in the order of the rows given
    updated: tuple[str, ...]  # the columns a new version changes
    history: tuple[str, ...]  # the history table's columns, each a column of the table too

    @property
    def changes(self) -> str:
        return f"{self.table}_changes"

    def statements(self) -> list[str]:
        key = ", ".join(self.key)
        on_key = " AND ".join(f"t.{column} = c.{column}" for column in self.key)
        history = ", ".join(self.history)
        ranked = (
            f"(SELECT *, max(n) OVER w AS last_n, bool_or(first) OVER w AS fresh FROM {self.changes} "
            f"WINDOW w AS (PARTITION BY {key})) c"
        )
        return [
            f"INSERT INTO {self.history_table} ({history}) SELECT "
            + ", ".join(f"t.{column}" for column in self.history)
            + f" FROM {self.table} t JOIN (SELECT {key} FROM {self.changes} GROUP BY {key} "
            f"HAVING NOT bool_or(first)) c ON {on_key}",
            f"INSERT INTO {self.table} ({', '.join(self.columns)}) SELECT {', '.join(self.columns)} "
            f"FROM {ranked} WHERE fresh AND n = last_n",
            f"INSERT INTO {self.history_table} ({history}) SELECT {history} FROM {ranked} WHERE n < last_n",
            f"UPDATE {self.table} t SET "
            + ", ".join(f"{column} = c.{column}" for column in self.updated)
            + f" FROM {ranked} WHERE NOT c.fresh AND c.n = c.last_n AND {on_key}",
        ]


def save_versions(db: Session, table: PgVersionedTable, versions: Iterable[Version]) -> None:
    with db.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {table.changes} (LIKE {table.table} INCLUDING DEFAULTS, "
            "first BOOLEAN NOT NULL, n INTEGER NOT NULL) ON COMMIT DELETE ROWS"
        )
        cursor.execute(f"TRUNCATE {table.changes}")  # an earlier batch's changes
        copied = 0
        with cursor.copy(f"COPY {table.changes} ({', '.join(table.columns)}, first, n) FROM STDIN") as copy:
            for _, first, row in versions:
                copied += 1
                copy.write_row((*row, first, copied))
        if copied:
            for statement in table.statements():
                cursor.execute(statement.encode())
