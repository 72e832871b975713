"""The submission log in PostgreSQL: submissions, their answers, and the processor's own failures.

The checks a concurrent worker could race for take an advisory lock on their key first (locks.py):
a name key (ACRF-133), a content hash (ACRF-134), an answer name.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from flexibatch.store.base import (
    EVERY_SUBMISSION,
    AnswerRecord,
    SubmissionQuery,
    SubmissionRecord,
)
from flexibatch.store.ports import NameKey
from flexibatch.store.postgresql.connection import Session
from flexibatch.store.postgresql.locks import WorkerLocks
from flexibatch.store.sqlite.submissions import (
    SUBMISSION_COLUMNS,
    received_between,
    submission_filter,
    submission_from_row,
    submission_values,
)


class PostgresSubmissions:
    def __init__(self, db: Session, locks: WorkerLocks) -> None:
        self._db = db
        self._locks = locks

    def record(self, record: SubmissionRecord) -> None:
        self._db.execute(
            f"INSERT INTO submissions ({SUBMISSION_COLUMNS}) VALUES ({', '.join(['%s'] * 16)})",
            submission_values(record),
        )

    def by_ticket(self, ticket: str) -> SubmissionRecord | None:
        row = self._db.execute(
            f"SELECT {SUBMISSION_COLUMNS} FROM submissions WHERE ticket = %s", (ticket,)
        ).fetchone()
        return None if row is None else submission_from_row(row)

    def latest(self, limit: int, query: SubmissionQuery = EVERY_SUBMISSION) -> list[SubmissionRecord]:
        where, values = submission_filter(query, "%s")
        rows = self._db.execute(
            f"SELECT {SUBMISSION_COLUMNS} FROM submissions WHERE {where} "
            "ORDER BY reception_time DESC, recorded DESC LIMIT %s",
            (*values, limit),
        )
        return [submission_from_row(row) for row in rows]

    def received(self, since: date, until: date) -> list[SubmissionRecord]:
        rows = self._db.execute(
            f"SELECT {SUBMISSION_COLUMNS} FROM submissions "
            "WHERE reception_time >= %s AND reception_time < %s ORDER BY reception_time, recorded",
            received_between(since, until),
        )
        return [submission_from_row(row) for row in rows]

    def name_used(self, key: NameKey) -> bool:
        self._locks.lock_key("name", *key)
        row = self._db.execute(
            "SELECT 1 FROM submissions WHERE outcome = 'ACCEPTED' AND purpose = %s AND sender = %s "
            "AND file_date = %s AND sequence = %s AND env = %s LIMIT 1",
            key,
        ).fetchone()
        return row is not None

    def content_received(self, sha256: str, env: str) -> str | None:
        self._locks.lock_key("content", env, sha256)
        row = self._db.execute(
            "SELECT file_name FROM submissions WHERE outcome = 'ACCEPTED' AND sha256 = %s AND env = %s LIMIT 1",
            (sha256, env),
        ).fetchone()
        return None if row is None else str(row[0])


class PostgresAnswers:
    def __init__(self, db: Session, locks: WorkerLocks) -> None:
        self._db = db
        self._locks = locks

    def name_taken(self, folder: str, name: str) -> bool:
        self._locks.lock_key("answer", folder, name)
        row = self._db.execute(
            "SELECT 1 FROM answers WHERE folder = %s AND name = %s", (folder, name)
        ).fetchone()
        return row is not None

    def record(self, answers: Iterable[AnswerRecord]) -> None:
        with self._db.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO answers (ticket, position, folder, name, published) VALUES (%s, %s, %s, %s, %s)",
                [(a.ticket, a.order, a.folder, a.name, a.published) for a in answers],
            )

    def unpublished(self, ticket: str) -> list[AnswerRecord]:
        rows = self._db.execute(
            "SELECT ticket, position, folder, name, published FROM answers "
            "WHERE ticket = %s AND NOT published ORDER BY position",
            (ticket,),
        )
        return [AnswerRecord(str(t), int(str(p)), str(f), str(n), bool(pub)) for t, p, f, n, pub in rows]

    def mark_published(self, ticket: str, order: int) -> None:
        self._db.execute(
            "UPDATE answers SET published = true WHERE ticket = %s AND position = %s", (ticket, order)
        )
