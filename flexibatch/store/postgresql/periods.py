"""The Dimona periods and their history, in PostgreSQL: a batch's lookups as one `unnest()` join
each, after its workers' lock rows are held (locks.py); its changes by COPY (versions.py).

Each join is LATERAL, kept from being flattened into a plain join by `OFFSET 0`: one index search
per key on every column of the key. A plain join was
planned, for a table that grows inside a monthly file's one transaction (no statistics yet), as a
scan of the environment's every period per batch: quadratic (docs/performance.md, "PostgreSQL")."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time

from flexibatch.domain.dimona import Period, PeriodChange, hhmm, iso_day
from flexibatch.store.postgresql.connection import Session
from flexibatch.store.postgresql.locks import WorkerLocks
from flexibatch.store.postgresql.versions import PgVersionedTable, save_versions
from flexibatch.store.reads import PERIOD_COLUMNS, PeriodReads
from flexibatch.store.sqlite.rows import period_from_row
from flexibatch.store.sqlite.versions import Version

_SELECTED = ", ".join(f"t.{column}" for column in PERIOD_COLUMNS.split(", "))
_HISTORY = (
    "version, action, declaration_ticket, submission_ticket, start_date, start_hour, end_date, end_hour, "
    "status, recorded_at"
)
PERIODS = PgVersionedTable(
    table="periods",
    history_table="period_history",
    key=("period_id",),
    columns=(
        *PERIOD_COLUMNS.split(", "),
        *("last_day", "sender", "action", "declaration_ticket", "submission_ticket", "recorded_at"),
    ),
    updated=(
        *("start_date", "start_hour", "end_date", "end_hour", "last_day", "status", "version"),
        *("action", "declaration_ticket", "submission_ticket", "recorded_at"),
    ),
    history=("period_id", *_HISTORY.split(", ")),
)


def _hour(value: time | None) -> str | None:
    return None if value is None else hhmm(value)


def period_row(change: PeriodChange, stamp: str) -> Version:
    """A period's every column, NULL where it has none (`PERIODS.columns`)."""
    p = change.period
    s = p.schedule
    row = (
        *(p.period_id, p.env, p.employer_key, p.noss, p.company_id, p.worker_key, p.insz),
        *(iso_day(s.start_date), _hour(s.start_hour), iso_day(s.end_date) if s.end_date else None),
        *(_hour(s.end_hour), str(p.status), p.version, iso_day(s.last_day), change.sender),
        *(str(change.action), change.declaration_ticket, change.submission_ticket, stamp),
    )
    return ((p.period_id,), p.version == 1, row)


class PostgresPeriods(PeriodReads):
    def __init__(self, db: Session, locks: WorkerLocks) -> None:
        super().__init__(db, "%s")
        self._db = db
        self._locks = locks

    def by_id(self, env: str, period_ids: Iterable[str]) -> list[Period]:
        wanted = list(dict.fromkeys(period_ids))
        if not wanted:
            return []
        # A period's worker never changes: read without a lock, then lock the workers, then read.
        workers = self._db.execute(
            "SELECT DISTINCT worker_key FROM periods WHERE env = %s AND period_id = ANY(%s)", (env, wanted)
        ).fetchall()
        self._locks.lock(env, (str(row[0]) for row in workers))
        rows = self._db.execute(
            f"SELECT {_SELECTED} FROM unnest(%s::text[]) WITH ORDINALITY AS w (period_id, n) "
            "CROSS JOIN LATERAL (SELECT * FROM periods p WHERE p.period_id = w.period_id AND p.env = %s OFFSET 0) t "
            "ORDER BY w.n",
            (wanted, env),
        )
        return [period_from_row(row) for row in rows]

    def by_pair(
        self, env: str, pairs: Iterable[tuple[str, str]], running_on: date | None = None
    ) -> list[Period]:
        wanted = list(dict.fromkeys(pairs))
        if not wanted:
            return []
        self._locks.lock(env, (worker for _, worker in wanted))
        rows = self._db.execute(
            f"SELECT {_SELECTED} FROM unnest(%s::text[], %s::text[]) WITH ORDINALITY AS w (employer_key, worker_key, n) "
            "CROSS JOIN LATERAL (SELECT * FROM periods p WHERE p.env = %s AND p.employer_key = w.employer_key "
            "AND p.worker_key = w.worker_key AND (%s::text IS NULL OR p.last_day >= %s::text) OFFSET 0) t "
            "ORDER BY w.n, t.last_day, t.period_id",
            (
                [employer for employer, _ in wanted],
                [worker for _, worker in wanted],
                env,
                *(2 * [None if running_on is None else running_on.isoformat()]),
            ),
        )
        return [period_from_row(row) for row in rows]

    def save_changes(self, changes: Iterable[PeriodChange], recorded_at: datetime) -> None:
        stamp = recorded_at.isoformat(timespec="milliseconds")
        save_versions(self._db, PERIODS, (period_row(change, stamp) for change in changes))

    def count(self, env: str | None = None) -> int:
        row = self._db.execute(
            "SELECT count(*) FROM periods WHERE %s::text IS NULL OR env = %s", (env, env)
        ).fetchone()
        return 0 if row is None else int(str(row[0]))
