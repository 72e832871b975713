"""The failures of submissions and files (docs/decisions.md "When a submission fails"), kept the
same way by both backends: one statement each, written with `?` placeholders, the driver's own
(psycopg's `%s`) given by its store, as store/reads.py does."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from flexibatch.store.base import FailureRecord
from flexibatch.store.statements import Executes, marked

FAILURE_COLUMNS = (
    "stage, subject, folder, file_name, attempts, reason, failed_at, next_attempt, fingerprint, quarantined"
)
#: What a failure recorded again replaces: all but its key (stage, subject).
_REPLACED = ", ".join(f"{column} = excluded.{column}" for column in FAILURE_COLUMNS.split(", ")[2:])


def failure_from_row(row: Sequence[Any]) -> FailureRecord:
    values = list(row)
    values[6] = datetime.fromisoformat(values[6])
    values[7] = datetime.fromisoformat(values[7])
    return FailureRecord(*values)


def failure_values(record: FailureRecord) -> tuple[object, ...]:
    return (
        record.stage,
        record.subject,
        record.folder,
        record.file_name,
        record.attempts,
        record.reason,
        record.failed_at.isoformat(timespec="seconds"),
        record.next_attempt.isoformat(timespec="seconds"),
        record.fingerprint,
        record.quarantined,
    )


class FailureLog:
    """The failures table over `db`, its placeholders `mark`."""

    def __init__(self, db: Executes, mark: str) -> None:
        self._db = db
        self._mark = mark

    def _rows(self, sql: str, params: Sequence[Any]) -> Iterable[Sequence[Any]]:
        return self._db.execute(marked(sql, self._mark), params)

    def by_subject(self, stage: str, subject: str) -> FailureRecord | None:
        rows = self._rows(
            f"SELECT {FAILURE_COLUMNS} FROM failures WHERE stage = ? AND subject = ?", (stage, subject)
        )
        row = next(iter(rows), None)
        return None if row is None else failure_from_row(row)

    def all(self) -> list[FailureRecord]:
        rows = self._rows(f"SELECT {FAILURE_COLUMNS} FROM failures ORDER BY failed_at, subject", ())
        return [failure_from_row(row) for row in rows]

    def record(self, record: FailureRecord) -> None:
        self._rows(
            f"INSERT INTO failures ({FAILURE_COLUMNS}) VALUES ({', '.join('?' * 10)}) "
            f"ON CONFLICT (stage, subject) DO UPDATE SET {_REPLACED}",
            failure_values(record),
        )

    def forget(self, stage: str, subject: str) -> None:
        self._rows("DELETE FROM failures WHERE stage = ? AND subject = ?", (stage, subject))
