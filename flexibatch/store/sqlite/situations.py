"""Flexi at work situations, their history and the yearly totals, in SQLite."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from datetime import datetime

from flexibatch.domain.flexi import Situation, SituationChange, SituationKey, TotalKey
from flexibatch.store.reads import SITUATION_COLUMNS, SituationReads
from flexibatch.store.sqlite.lookup import rows_by_keys
from flexibatch.store.sqlite.rows import assignments, situation_from_row, situation_version, values
from flexibatch.store.sqlite.versions import VersionedTable, save_versions

_DECLARED = "kind, declaration_ticket, submission_ticket, recorded_at"
#: `first_day` and `last_day` (migration 9): the span of its calculation periods, by which a wage
#: run finds the situations of a range (`active_between`).
_DAYS = ("first_day", "last_day")
_INSERTED = (*SITUATION_COLUMNS.split(", "), *_DAYS, "sender", *_DECLARED.split(", "))
_UPDATED = (
    "noss",
    "company_id",
    "status",
    "version",
    "calculations",
    *_DAYS,
    "sender",
    *_DECLARED.split(", "),
)
_WHERE_KEY = "WHERE env = ? AND employer_key = ? AND insz = ? AND relation_id = ?"
#: A new situation is inserted with who declared it; a change to one first copies the version it
#: replaces into `situation_history`, then updates the row (migration 5, store/sqlite/versions.py).
_SITUATIONS = VersionedTable(
    insert=f"INSERT INTO situations ({', '.join(_INSERTED)}) VALUES ({values(_INSERTED)})",
    keep_replaced=(
        "INSERT INTO situation_history SELECT env, employer_key, insz, relation_id, version, status, "
        f"kind, calculations, declaration_ticket, submission_ticket, recorded_at FROM situations {_WHERE_KEY}"
    ),
    update=f"UPDATE situations SET {assignments(_UPDATED)} {_WHERE_KEY}",
)


class SqliteSituations(SituationReads):
    def __init__(self, db: sqlite3.Connection) -> None:
        super().__init__(db, "?")
        self._db = db

    def by_key(self, env: str, keys: Iterable[SituationKey]) -> list[Situation]:
        rows = rows_by_keys(
            self._db,
            SITUATION_COLUMNS,
            "situations",
            ("employer_key", "insz", "relation_id"),
            env=env,
            keys=keys,
        )
        return [situation_from_row(row) for row in rows]

    def totals(self, env: str, keys: Iterable[TotalKey]) -> dict[TotalKey, int]:
        rows = rows_by_keys(
            self._db, "insz, year, amount", "flexi_totals", ("insz", "year"), env=env, keys=keys
        )
        return {(insz, year): amount for insz, year, amount in rows}

    def save_changes(
        self,
        env: str,
        changes: Iterable[SituationChange],
        totals: Mapping[TotalKey, int],
        recorded_at: datetime,
    ) -> None:
        stamp = recorded_at.isoformat(timespec="milliseconds")
        save_versions(self._db, _SITUATIONS, (situation_version(change, stamp) for change in changes))
        self._db.executemany(
            "INSERT INTO flexi_totals VALUES (?, ?, ?, ?) "
            "ON CONFLICT (env, insz, year) DO UPDATE SET amount = excluded.amount",
            ((env, insz, year, amount) for (insz, year), amount in totals.items()),
        )
