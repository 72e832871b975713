"""The Dimona periods and their history, in SQLite."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import date, datetime

from flexibatch.domain.dimona import Period, PeriodChange
from flexibatch.store.reads import PERIOD_COLUMNS, PeriodReads
from flexibatch.store.sqlite.lookup import rows_by_keys
from flexibatch.store.sqlite.rows import assignments, period_from_row, period_version, values
from flexibatch.store.sqlite.versions import VersionedTable, save_versions

_VERSION_COLUMNS = "action, declaration_ticket, submission_ticket, recorded_at"
#: `Schedule.last_day`, kept with each version: the last column of the `periods_pair` index
#: (migration 6), so that a batch's lookup reads only the periods that can still run.
_INSERTED = (*PERIOD_COLUMNS.split(", "), "last_day", "sender", *_VERSION_COLUMNS.split(", "))
_UPDATED = (
    "start_date",
    "start_hour",
    "end_date",
    "end_hour",
    "last_day",
    "status",
    "version",
    *_VERSION_COLUMNS.split(", "),
)

#: What `SqlitePeriods.save_changes` runs (benchmarks/sqlite_floor.py too). A new period (an IN's) is
#: inserted with who declared it; a change to one first copies the version it replaces into
#: `period_history`, then updates the row (migration 4). An IN so writes one row, not two.
PERIODS = VersionedTable(
    insert=f"INSERT INTO periods ({', '.join(_INSERTED)}) VALUES ({values(_INSERTED)})",
    keep_replaced=(
        "INSERT INTO period_history SELECT period_id, version, action, declaration_ticket, "
        "submission_ticket, start_date, start_hour, end_date, end_hour, status, recorded_at "
        "FROM periods WHERE period_id = ?"
    ),
    update=f"UPDATE periods SET {assignments(_UPDATED)} WHERE period_id = ?",
)


class SqlitePeriods(PeriodReads):
    def __init__(self, db: sqlite3.Connection) -> None:
        super().__init__(db, "?")
        self._db = db

    def by_id(self, env: str, period_ids: Iterable[str]) -> list[Period]:
        keys = ((period_id,) for period_id in period_ids)
        return [
            period_from_row(row)
            for row in rows_by_keys(self._db, PERIOD_COLUMNS, "periods", ("period_id",), env=env, keys=keys)
        ]

    def by_pair(
        self, env: str, pairs: Iterable[tuple[str, str]], running_on: date | None = None
    ) -> list[Period]:
        condition, values = ("", ()) if running_on is None else ("t.last_day >= ?", (running_on.isoformat(),))
        rows = rows_by_keys(
            self._db,
            PERIOD_COLUMNS,
            "periods",
            ("employer_key", "worker_key"),
            env=env,
            keys=pairs,
            condition=condition,
            values=values,
        )
        return [period_from_row(row) for row in rows]

    def save_changes(self, changes: Iterable[PeriodChange], recorded_at: datetime) -> None:
        stamp = recorded_at.isoformat(timespec="milliseconds")
        save_versions(self._db, PERIODS, (period_version(change, stamp) for change in changes))

    def count(self, env: str | None = None) -> int:
        if env is None:
            return int(self._db.execute("SELECT count(*) FROM periods").fetchone()[0])
        return int(self._db.execute("SELECT count(*) FROM periods WHERE env = ?", (env,)).fetchone()[0])
