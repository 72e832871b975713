"""The reference data and the counters in PostgreSQL.

A load replaces the tables by COPY in one transaction: a reader sees the load before or the load
after. The counters advance on the side session, each `reserve` committed at once, as a sequence's
`nextval` is: a counter's row is locked for one statement, not for a submission, so workers never
queue behind each other's numbers. A sequence cannot hand out `count` consecutive values in one call,
which a batch's period ids and tickets are; values a rolled-back submission reserved are not issued
again (the counters' contract allows it): its numbers leave a gap (docs/decisions.md, "PostgreSQL").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from flexibatch.domain.refdata import RefData
from flexibatch.store.postgresql.connection import PostgresConnection
from flexibatch.store.sqlite.refdata import load_record, refdata_from, refdata_rows


class PostgresReferenceData:
    def __init__(self, connection: PostgresConnection) -> None:
        self._connection = connection
        self._db = connection._db

    def replace(self, refdata: RefData, source: str, loaded_at: datetime) -> None:
        with self._connection.transaction(), self._db.cursor() as cursor:
            for table, rows in refdata_rows(refdata).items():
                cursor.execute(f"DELETE FROM {table}")
                with cursor.copy(f"COPY {table} FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            cursor.execute(
                "INSERT INTO refdata_loads (loaded_at, source, counts) VALUES (%s, %s, %s)",
                load_record(refdata, source, loaded_at),
            )

    def version(self) -> int:
        row = self._db.execute("SELECT coalesce(max(id), 0) FROM refdata_loads").fetchone()
        return 0 if row is None else int(str(row[0]))

    def current(self) -> RefData:
        # One snapshot for the four tables: a load committed between two of them is not mixed in
        # (inside a submission's transaction, the worker's refdata version check came first).
        if self._connection.in_transaction:
            return refdata_from(self._rows)
        with self._db.transaction():
            self._db.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            current = refdata_from(self._rows)
        return current  # noqa: RET504 - once the snapshot is closed

    def _rows(self, statement: str) -> Iterable[Sequence[Any]]:
        return self._db.execute(statement.encode()).fetchall()


class PostgresCounters:
    def __init__(self, connection: PostgresConnection) -> None:
        self._connection = connection

    def reserve(self, counter: str, count: int) -> int:
        row = self._connection.side.execute(
            "INSERT INTO counters (name, value) VALUES (%s, %s) "
            "ON CONFLICT (name) DO UPDATE SET value = counters.value + excluded.value RETURNING value",
            (counter, count),
        ).fetchone()
        assert row is not None
        return int(str(row[0])) - count + 1

    def release(self, counter: str, first: int, count: int) -> None:
        """Given back only when no worker reserved after: otherwise they stay a gap."""
        self._connection.side.execute(
            "UPDATE counters SET value = value - %s WHERE name = %s AND value = %s",
            (count, counter, first + count - 1),
        )

    def next_value(self, counter: str) -> int:
        row = self._connection.side.execute(
            "SELECT value FROM counters WHERE name = %s", (counter,)
        ).fetchone()
        return (0 if row is None else int(str(row[0]))) + 1
