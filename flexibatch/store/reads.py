"""The reads of periods and situations that both backends answer with one SQL: the views' (`of`),
the wage run's (`active_between`), the totals and the histories (`versions`).

Each backend's repository (store/sqlite/, store/postgresql/) is one of these classes with its own
lookups and writes: the batch's keyed lookups and their locks, the writes of versions and totals.
The statements are written with `?` placeholders; a driver with another (psycopg's `%s`) gives
its own, and `NULLS FIRST` says where a period without a start hour sorts on both (SQLite has it
since 3.30; the counters' `RETURNING` already needs 3.35)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from flexibatch.domain.dimona import Period
from flexibatch.domain.flexi import Situation, SituationKey
from flexibatch.store.base import VersionRecord, YearTotal
from flexibatch.store.sqlite.rows import period_from_row, situation_from_row, version_record
from flexibatch.store.statements import Executes, marked

#: A period's columns, in the order `period_from_row` reads them.
PERIOD_COLUMNS = (
    "period_id, env, employer_key, noss, company_id, worker_key, insz, "
    "start_date, start_hour, end_date, end_hour, status, version"
)
#: A situation's columns, in the order `situation_from_row` reads them.
SITUATION_COLUMNS = "env, employer_key, insz, relation_id, noss, company_id, status, version, calculations"
#: A period's or a situation's version, as `version_record` reads it.
_PERIOD_VERSION = "version, action, status, declaration_ticket, submission_ticket, recorded_at"
_SITUATION_VERSION = "version, kind, status, declaration_ticket, submission_ticket, recorded_at"
_WHERE_KEY = "WHERE env = ? AND employer_key = ? AND insz = ? AND relation_id = ?"


R = TypeVar("R")


@dataclass(frozen=True)
class Owned(Generic[R]):
    """A table of rows that each belong to a worker (`insz`) and an employer, each row a record."""

    table: str
    columns: str
    order: str
    #: The column of the first day a row runs on; `last_day` holds its last.
    first_day: str
    record: Callable[[Sequence[Any]], R]


class Reads(Generic[R]):
    """Statements over `db`, its placeholders `mark`, and the reads of `owned` by its owners."""

    def __init__(self, db: Executes, mark: str, owned: Owned[R]) -> None:
        self._reader = db
        self._mark = mark
        self._owned = owned

    def _rows(self, sql: str, params: Sequence[Any]) -> Iterable[Sequence[Any]]:
        return self._reader.execute(marked(sql, self._mark), params)

    def of(self, env: str, *, insz: str | None = None, employer_key: str | None = None) -> list[R]:
        return self._whose(env, insz, employer_key)

    def active_between(
        self, env: str, first: date, last: date, *, insz: str | None = None, employer_key: str | None = None
    ) -> list[R]:
        o = self._owned
        running = f" AND last_day >= ? AND {o.first_day} <= ? AND status = 'ACTIVE'"
        return self._whose(env, insz, employer_key, running, (first.isoformat(), last.isoformat()))

    def _whose(
        self,
        env: str,
        insz: str | None,
        employer_key: str | None,
        running: str = "",
        days: Sequence[str] = (),
    ) -> list[R]:
        """The records of a worker (`insz`), else of an employer, that meet `running` (its values
        `days`), in order."""
        o = self._owned
        column, value = ("insz", insz) if insz is not None else ("employer_key", employer_key)
        rows = self._rows(
            f"SELECT {o.columns} FROM {o.table} WHERE env = ? AND {column} = ?{running} ORDER BY {o.order}",
            (env, value, *days),
        )
        return [o.record(row) for row in rows]


_PERIODS = Owned(
    "periods", PERIOD_COLUMNS, "start_date, start_hour NULLS FIRST, period_id", "start_date", period_from_row
)
_SITUATIONS = Owned(
    "situations", SITUATION_COLUMNS, "employer_key, insz, relation_id", "first_day", situation_from_row
)


class PeriodReads(Reads[Period]):
    """`Periods.of`, `active_between` and `versions` (store/ports.py)."""

    def __init__(self, db: Executes, mark: str) -> None:
        super().__init__(db, mark, _PERIODS)

    def versions(self, env: str, period_id: str) -> list[VersionRecord]:
        rows = self._rows(
            f"SELECT {_PERIOD_VERSION} FROM period_history WHERE period_id = ? "
            "AND EXISTS (SELECT 1 FROM periods WHERE period_id = ? AND env = ?) "
            f"UNION ALL SELECT {_PERIOD_VERSION} FROM periods WHERE period_id = ? AND env = ? ORDER BY version",
            (period_id, period_id, env, period_id, env),
        )
        return [version_record(row) for row in rows]


class SituationReads(Reads[Situation]):
    """`Situations.of`, `active_between`, `totals_of`, `totals_above` and `versions` (store/ports.py)."""

    def __init__(self, db: Executes, mark: str) -> None:
        super().__init__(db, mark, _SITUATIONS)

    def totals_of(self, env: str, insz: str) -> dict[int, int]:
        rows = self._rows("SELECT year, amount FROM flexi_totals WHERE env = ? AND insz = ?", (env, insz))
        return {int(year): int(amount) for year, amount in rows}

    def totals_above(self, year: int, amount: int) -> list[YearTotal]:
        rows = self._rows(
            "SELECT env, insz, year, amount FROM flexi_totals WHERE year = ? AND amount > ? "
            "ORDER BY env, amount DESC, insz",
            (year, amount),
        )
        return [YearTotal(str(e), str(i), int(y), int(a)) for e, i, y, a in rows]

    def versions(self, env: str, key: SituationKey) -> list[VersionRecord]:
        rows = self._rows(
            f"SELECT {_SITUATION_VERSION} FROM situation_history {_WHERE_KEY} "
            f"UNION ALL SELECT {_SITUATION_VERSION} FROM situations {_WHERE_KEY} ORDER BY version",
            (env, *key, env, *key),
        )
        return [version_record(row) for row in rows]
