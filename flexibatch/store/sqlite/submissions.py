"""The submission log in SQLite: submissions, their answers, and the processor's own failures."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from flexibatch.domain.results import FileOutcome, SubmissionOutcome
from flexibatch.store.base import (
    EVERY_SUBMISSION,
    AnswerRecord,
    SubmissionQuery,
    SubmissionRecord,
)
from flexibatch.store.ports import NameKey

SUBMISSION_COLUMNS = (
    "ticket, folder, file_name, purpose, sender, file_date, sequence, env, sha256, reception_time, "
    "outcome, error_ids, declarations, accepted, warnings, refused"
)

#: Each file outcome as a condition on a row: `domain/results.file_outcome` in SQL (a contract
#: test holds the two together, on both backends).
_FILE_OUTCOME: dict[FileOutcome, str] = {
    FileOutcome.REFUSED: "outcome = 'REFUSED'",
    FileOutcome.ALL_DECLARATIONS_REFUSED: "outcome = 'ACCEPTED' AND refused > 0 AND refused >= declarations",
    FileOutcome.PARTLY_REFUSED: "outcome = 'ACCEPTED' AND refused > 0 AND refused < declarations",
    FileOutcome.ACCEPTED_WITH_WARNINGS: "outcome = 'ACCEPTED' AND refused = 0 AND warnings > 0",
    FileOutcome.ACCEPTED: "outcome = 'ACCEPTED' AND refused = 0 AND warnings = 0",
}


def submission_filter(query: SubmissionQuery, placeholder: str) -> tuple[str, list[object]]:
    """The WHERE condition of `Submissions.latest` and its values, with the backend's placeholder
    (`?` or `%s`)."""
    terms, values = ["1 = 1"], list[object]()
    if query.sender is not None:
        terms.append(f"sender = {placeholder}")
        values.append(query.sender)
    if query.since is not None:
        terms.append(f"reception_time >= {placeholder}")  # ISO text: its order is the time's
        values.append(datetime.combine(query.since, time()).isoformat(timespec="milliseconds"))
    if query.outcome is not None:
        terms.append(_FILE_OUTCOME[query.outcome])
    return " AND ".join(terms), values


def received_between(since: date, until: date) -> tuple[str, str]:
    """The bounds of `reception_time` (ISO text, Belgian time) for these days, both included."""
    return since.isoformat(), (until + timedelta(days=1)).isoformat()


def submission_from_row(row: Sequence[Any]) -> SubmissionRecord:
    values = list(row)
    values[9] = datetime.fromisoformat(values[9])
    values[10] = SubmissionOutcome(values[10])
    values[11] = tuple(code for code in values[11].split(",") if code)  # joined in one column
    return SubmissionRecord(*values)


def submission_values(record: SubmissionRecord) -> tuple[object, ...]:
    return (
        record.ticket,
        record.folder,
        record.file_name,
        record.purpose,
        record.sender,
        record.file_date,
        record.sequence,
        record.env,
        record.sha256,
        record.reception_time.isoformat(timespec="milliseconds"),
        str(record.outcome),
        ",".join(record.error_ids),
        record.declarations,
        record.accepted,
        record.warnings,
        record.refused,
    )


class SqliteSubmissions:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def record(self, record: SubmissionRecord) -> None:
        self._db.execute(
            f"INSERT INTO submissions ({SUBMISSION_COLUMNS}) VALUES ({', '.join('?' * 16)})",
            submission_values(record),
        )

    def by_ticket(self, ticket: str) -> SubmissionRecord | None:
        row = self._db.execute(
            f"SELECT {SUBMISSION_COLUMNS} FROM submissions WHERE ticket = ?",
            (ticket,),
        ).fetchone()
        return None if row is None else submission_from_row(row)

    def latest(self, limit: int, query: SubmissionQuery = EVERY_SUBMISSION) -> list[SubmissionRecord]:
        where, values = submission_filter(query, "?")
        rows = self._db.execute(
            f"SELECT {SUBMISSION_COLUMNS} FROM submissions WHERE {where} "
            "ORDER BY reception_time DESC, rowid DESC LIMIT ?",
            (*values, limit),
        )
        return [submission_from_row(row) for row in rows]

    def name_used(self, key: NameKey) -> bool:
        row = self._db.execute(
            "SELECT 1 FROM submissions WHERE outcome = 'ACCEPTED' AND purpose = ? AND sender = ? "
            "AND file_date = ? AND sequence = ? AND env = ? LIMIT 1",
            key,
        ).fetchone()
        return row is not None

    def content_received(self, sha256: str, env: str) -> str | None:
        # The partial index on sha256 finds the one or two rows of these bytes; env is then a filter.
        row = self._db.execute(
            "SELECT file_name FROM submissions WHERE outcome = 'ACCEPTED' AND sha256 = ? AND env = ? LIMIT 1",
            (sha256, env),
        ).fetchone()
        return None if row is None else str(row[0])

    def received(self, since: date, until: date) -> list[SubmissionRecord]:
        rows = self._db.execute(
            f"SELECT {SUBMISSION_COLUMNS} FROM submissions "
            "WHERE reception_time >= ? AND reception_time < ? ORDER BY reception_time, rowid",
            received_between(since, until),
        )
        return [submission_from_row(row) for row in rows]


class SqliteAnswers:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def name_taken(self, folder: str, name: str) -> bool:
        row = self._db.execute(
            "SELECT 1 FROM answers WHERE folder = ? AND name = ?", (folder, name)
        ).fetchone()
        return row is not None

    def record(self, answers: Iterable[AnswerRecord]) -> None:
        self._db.executemany(
            "INSERT INTO answers (ticket, position, folder, name, published) VALUES (?, ?, ?, ?, ?)",
            ((a.ticket, a.order, a.folder, a.name, int(a.published)) for a in answers),
        )

    def unpublished(self, ticket: str) -> list[AnswerRecord]:
        rows = self._db.execute(
            "SELECT ticket, position, folder, name, published FROM answers "
            "WHERE ticket = ? AND published = 0 ORDER BY position",
            (ticket,),
        )
        return [AnswerRecord(t, p, f, n, bool(pub)) for t, p, f, n, pub in rows]

    def mark_published(self, ticket: str, order: int) -> None:
        self._db.execute(
            "UPDATE answers SET published = 1 WHERE ticket = ? AND position = ?", (ticket, order)
        )
