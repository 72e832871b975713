"""Flexi at work situations, their history and the yearly totals, in PostgreSQL: each lookup one
`unnest()` join after the workers' lock rows are held (locks.py), the changes by COPY (versions.py);
each join LATERAL, one index search per key, as in periods.py."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from flexibatch.domain.flexi import Situation, SituationChange, SituationKey, TotalKey
from flexibatch.store.postgresql.connection import Session
from flexibatch.store.postgresql.locks import WorkerLocks
from flexibatch.store.postgresql.versions import PgVersionedTable, save_versions
from flexibatch.store.reads import SITUATION_COLUMNS, SituationReads
from flexibatch.store.sqlite.rows import dump_calculations, situation_from_row, situation_span
from flexibatch.store.sqlite.versions import Version

_KEY = ("env", "employer_key", "insz", "relation_id")
_COLUMNS = tuple(SITUATION_COLUMNS.split(", "))
_SELECTED = ", ".join(f"t.{column}" for column in _COLUMNS)
_DECLARED = ("kind", "declaration_ticket", "submission_ticket", "recorded_at")
#: The span of its calculation periods (migration 9), by which a wage run finds the situations of
#: a range (`active_between`).
_DAYS = ("first_day", "last_day")
_HISTORY = (
    *_KEY,
    "version",
    "status",
    "kind",
    "calculations",
    "declaration_ticket",
    "submission_ticket",
    "recorded_at",
)
SITUATIONS = PgVersionedTable(
    table="situations",
    history_table="situation_history",
    key=_KEY,
    columns=(*_COLUMNS, *_DAYS, "sender", *_DECLARED),
    updated=("noss", "company_id", "status", "version", "calculations", *_DAYS, "sender", *_DECLARED),
    history=_HISTORY,
)


def situation_row(change: SituationChange, stamp: str) -> Version:
    s = change.situation
    key = (s.env, s.employer_key, s.insz, s.relation_id)
    first_day, last_day = situation_span(s.calculations)
    row = (
        *(*key, s.noss, s.company_id, str(s.status), s.version, dump_calculations(s.calculations)),
        *(first_day or None, last_day or None, change.sender, change.action),
        *(change.declaration_ticket, change.submission_ticket, stamp),
    )
    return (key, s.version == 1, row)


class PostgresSituations(SituationReads):
    def __init__(self, db: Session, locks: WorkerLocks) -> None:
        super().__init__(db, "%s")
        self._db = db
        self._locks = locks

    def by_key(self, env: str, keys: Iterable[SituationKey]) -> list[Situation]:
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return []
        self._locks.lock(env, (insz for _, insz, _ in wanted))
        employers, inszs, relations = (list(column) for column in zip(*wanted, strict=True))
        rows = self._db.execute(
            f"SELECT {_SELECTED} FROM unnest(%s::text[], %s::text[], %s::text[]) WITH ORDINALITY "
            "AS w (employer_key, insz, relation_id, n) CROSS JOIN LATERAL (SELECT * FROM situations s "
            "WHERE s.env = %s AND s.employer_key = w.employer_key AND s.insz = w.insz "
            "AND s.relation_id = w.relation_id OFFSET 0) t ORDER BY w.n",
            (employers, inszs, relations, env),
        )
        return [situation_from_row(row) for row in rows]

    def totals(self, env: str, keys: Iterable[TotalKey]) -> dict[TotalKey, int]:
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return {}
        self._locks.lock(env, (insz for insz, _ in wanted))
        rows = self._db.execute(
            "SELECT t.insz, t.year, t.amount FROM unnest(%s::text[], %s::int[]) AS w (insz, year) "
            "CROSS JOIN LATERAL (SELECT * FROM flexi_totals f WHERE f.env = %s AND f.insz = w.insz "
            "AND f.year = w.year OFFSET 0) t",
            ([insz for insz, _ in wanted], [year for _, year in wanted], env),
        )
        return {(str(insz), int(str(year))): int(str(amount)) for insz, year, amount in rows}

    def save_changes(
        self,
        env: str,
        changes: Iterable[SituationChange],
        totals: Mapping[TotalKey, int],
        recorded_at: datetime,
    ) -> None:
        stamp = recorded_at.isoformat(timespec="milliseconds")
        save_versions(self._db, SITUATIONS, (situation_row(change, stamp) for change in changes))
        if totals:
            self._db.execute(
                "INSERT INTO flexi_totals (env, insz, year, amount) "
                "SELECT %s, * FROM unnest(%s::text[], %s::int[], %s::bigint[]) "
                "ON CONFLICT (env, insz, year) DO UPDATE SET amount = excluded.amount",
                (env, [insz for insz, _ in totals], [year for _, year in totals], list(totals.values())),
            )
