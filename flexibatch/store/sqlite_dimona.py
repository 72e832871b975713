"""The Dimona periods and their history, in SQLite."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from typing import Any

from flexibatch.domain.dimona import Period, PeriodStatus, Schedule, hhmm, hour_of
from flexibatch.store.base import PeriodChange
from flexibatch.store.sqlite_lookup import rows_by_keys
from flexibatch.store.sqlite_versions import Version, VersionedTable, save_versions

_PERIOD_COLUMNS = (
    "period_id, env, employer_key, noss, company_id, worker_key, insz, "
    "start_date, start_hour, end_date, end_hour, status, version"
)


_STATUS = {status.value: status for status in PeriodStatus}
#: `Schedule.last_day` in SQL (ISO dates sort as text): EndingDate; else the start day of a period
#: with hours; else the last day of the start's quarter. The last column of the `periods_pair`
#: index (migration 3), which SQLite uses only for this very expression.
LAST_DAY = (
    "CASE WHEN end_date IS NOT NULL THEN end_date "
    "WHEN start_hour IS NOT NULL OR end_hour IS NOT NULL THEN start_date "
    "ELSE date(start_date, 'start of month', "
    "'+' || (2 - (CAST(strftime('%m', start_date) AS INTEGER) - 1) % 3) || ' months', '+1 month', '-1 day') END"
)

_VERSION_COLUMNS = "action, declaration_ticket, submission_ticket, recorded_at"
#: What `save_period_changes` runs (benchmarks/sqlite_floor.py too). A new period (an IN's) is
#: inserted with who declared it; a change to one first copies the version it replaces into
#: `period_history`, then updates the row (migration 4). An IN so writes one row, not two.
PERIODS = VersionedTable(
    insert=f"INSERT INTO periods ({_PERIOD_COLUMNS}, sender, {_VERSION_COLUMNS}) VALUES ({', '.join('?' * 18)})",
    keep_replaced=(
        "INSERT INTO period_history SELECT period_id, version, action, declaration_ticket, "
        "submission_ticket, start_date, start_hour, end_date, end_hour, status, recorded_at "
        "FROM periods WHERE period_id = ?"
    ),
    update=(
        "UPDATE periods SET start_date = ?, start_hour = ?, end_date = ?, end_hour = ?, status = ?, "
        "version = ?, action = ?, declaration_ticket = ?, submission_ticket = ?, recorded_at = ? "
        "WHERE period_id = ?"
    ),
)


def _hour(value: time | None) -> str | None:
    return None if value is None else hhmm(value)


def _parse_hour(value: str | None) -> time | None:
    return None if value is None else hour_of(value)


def parse_date(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _period(row: Sequence[Any]) -> Period:
    start_date = date.fromisoformat(row[7])
    return Period(
        period_id=row[0],
        env=row[1],
        employer_key=row[2],
        noss=row[3],
        company_id=row[4],
        worker_key=row[5],
        insz=row[6],
        schedule=Schedule(start_date, _parse_hour(row[8]), parse_date(row[9]), _parse_hour(row[10])),
        status=_STATUS[row[11]],
        version=row[12],
    )


def _version(change: PeriodChange, stamp: str) -> Version:
    p = change.period
    s = p.schedule
    end_date = s.end_date.isoformat() if s.end_date else None
    schedule = (s.start_date.isoformat(), _hour(s.start_hour), end_date, _hour(s.end_hour))
    version = (p.status.value, p.version)
    declared = (change.action, change.declaration_ticket, change.submission_ticket, stamp)
    if p.version > 1:
        return (p.period_id,), False, (*schedule, *version, *declared)
    identity = (p.period_id, p.env, p.employer_key, p.noss, p.company_id, p.worker_key, p.insz)
    return (p.period_id,), True, (*identity, *schedule, *version, change.sender, *declared)


class DimonaTables:
    _db: sqlite3.Connection

    # Dimona periods -----------------------------------------------------------------------------

    def periods_by_id(self, env: str, period_ids: Iterable[str]) -> list[Period]:
        keys = ((period_id,) for period_id in period_ids)
        return [
            _period(row)
            for row in rows_by_keys(self._db, _PERIOD_COLUMNS, "periods", ("period_id",), env=env, keys=keys)
        ]

    def periods_by_pair(
        self, env: str, pairs: Iterable[tuple[str, str]], running_on: date | None = None
    ) -> list[Period]:
        condition, values = (
            ("", ()) if running_on is None else (f"{LAST_DAY} >= ?", (running_on.isoformat(),))
        )
        rows = rows_by_keys(
            self._db,
            _PERIOD_COLUMNS,
            "periods",
            ("employer_key", "worker_key"),
            env=env,
            keys=pairs,
            condition=condition,
            values=values,
        )
        return [_period(row) for row in rows]

    def save_period_changes(self, changes: Iterable[PeriodChange], recorded_at: datetime) -> None:
        stamp = recorded_at.isoformat(timespec="milliseconds")
        save_versions(self._db, PERIODS, (_version(change, stamp) for change in changes))

    def count_periods(self, env: str | None = None) -> int:
        if env is None:
            return int(self._db.execute("SELECT count(*) FROM periods").fetchone()[0])
        return int(self._db.execute("SELECT count(*) FROM periods WHERE env = ?", (env,)).fetchone()[0])

    def periods_of(
        self, env: str, *, insz: str | None = None, employer_key: str | None = None
    ) -> list[Period]:
        """A worker's or an employer's periods, for the views, in start order."""
        column, value = ("insz", insz) if insz is not None else ("employer_key", employer_key)
        rows = self._db.execute(
            f"SELECT {_PERIOD_COLUMNS} FROM periods WHERE env = ? AND {column} = ? ORDER BY start_date, start_hour",
            (env, value),
        )
        return [_period(row) for row in rows]
