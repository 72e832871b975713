"""The SQLite state store: the embedded default (`--state flexibatch.db`)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from flexibatch.domain.dimona import Period, PeriodStatus, Schedule
from flexibatch.domain.refdata import EmployerRecord, Mandate, RefData, WorkerStatus
from flexibatch.errors import FlexibatchError
from flexibatch.store.base import AnswerRecord, PeriodChange, SubmissionRecord
from flexibatch.store.migrations import MIGRATIONS

#: Values bound per `IN (...)` query: well under SQLite's variable limit.
_CHUNK = 500

_PERIOD_COLUMNS = (
    "period_id, env, employer_key, noss, company_id, worker_key, insz, "
    "start_date, start_hour, end_date, end_hour, status, version"
)
_SUBMISSION_COLUMNS = (
    "ticket, folder, file_name, purpose, sender, file_date, sequence, env, sha256, reception_time, "
    "outcome, error_ids, declarations, accepted, warnings, refused"
)


def _hour(value: time | None) -> str | None:
    return None if value is None else f"{value:%H%M}"


def _parse_hour(value: str | None) -> time | None:
    return None if value is None else time(int(value[:2]), int(value[2:]))


def _parse_date(value: str | None) -> date | None:
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
        schedule=Schedule(start_date, _parse_hour(row[8]), _parse_date(row[9]), _parse_hour(row[10])),
        status=PeriodStatus(row[11]),
        version=row[12],
    )


def _chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


class SqliteStore:
    """State in one SQLite file, in WAL mode, with one writing transaction per submission."""

    def __init__(self, path: str) -> None:
        self.path = path
        new_file = not Path(path).exists()
        try:
            self._db = sqlite3.connect(path, timeout=60.0, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise FlexibatchError(f"cannot open the state store {path}: {exc}") from exc
        if new_file:
            Path(path).chmod(0o600)
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = FULL")
        self._db.execute("PRAGMA foreign_keys = ON")
        self._in_transaction = False
        self._migrate()

    def _migrate(self) -> None:
        with self.transaction():
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations "
                "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            applied = {row[0] for row in self._db.execute("SELECT version FROM schema_migrations")}
            for version, name, script in MIGRATIONS:
                if version in applied:
                    continue
                for statement in script.split(";"):
                    if statement.strip():
                        self._db.execute(statement)
                self._db.execute(
                    "INSERT INTO schema_migrations VALUES (?, ?, ?)",
                    (version, name, datetime.now().isoformat(timespec="seconds")),
                )

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self._in_transaction:
            yield
            return
        self._db.execute("BEGIN IMMEDIATE")
        self._in_transaction = True
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        else:
            self._db.execute("COMMIT")
        finally:
            self._in_transaction = False

    def schema_versions(self) -> list[int]:
        return [row[0] for row in self._db.execute("SELECT version FROM schema_migrations ORDER BY 1")]

    # reference data -----------------------------------------------------------------------------

    def replace_refdata(self, refdata: RefData, source: str, loaded_at: datetime) -> None:
        with self.transaction():
            for table in ("ref_senders", "ref_employers", "ref_mandates", "ref_workers"):
                self._db.execute(f"DELETE FROM {table}")
            self._db.executemany("INSERT INTO ref_senders VALUES (?, ?)", refdata.senders.items())
            self._db.executemany(
                "INSERT INTO ref_employers VALUES (?, ?, ?)",
                ((e.noss, e.company_id, e.name) for e in refdata.employers),
            )
            self._db.executemany(
                "INSERT INTO ref_mandates VALUES (?, ?, ?, ?, ?, ?)",
                (
                    (
                        m.sender,
                        m.noss,
                        m.company_id,
                        m.purpose,
                        m.valid_from.isoformat(),
                        m.valid_to.isoformat() if m.valid_to else None,
                    )
                    for m in refdata.mandates
                ),
            )
            self._db.executemany(
                "INSERT INTO ref_workers VALUES (?, ?, ?)",
                ((insz, quarter, status.value) for (insz, quarter), status in refdata.workers.items()),
            )
            counts = {
                "senders": len(refdata.senders),
                "employers": len(refdata.employers),
                "mandates": len(refdata.mandates),
                "workers": len(refdata.workers),
            }
            self._db.execute(
                "INSERT INTO refdata_loads (loaded_at, source, counts) VALUES (?, ?, ?)",
                (loaded_at.isoformat(timespec="seconds"), source, json.dumps(counts)),
            )

    def refdata(self) -> RefData:
        db = self._db
        return RefData.build(
            senders=dict(db.execute("SELECT sender, name FROM ref_senders").fetchall()),
            employers=[
                EmployerRecord(noss, company_id, name)
                for noss, company_id, name in db.execute("SELECT noss, company_id, name FROM ref_employers")
            ],
            mandates=[
                Mandate(sender, noss, company_id, purpose, date.fromisoformat(vf), _parse_date(vt))
                for sender, noss, company_id, purpose, vf, vt in db.execute("SELECT * FROM ref_mandates")
            ],
            workers={
                (insz, quarter): WorkerStatus(status)
                for insz, quarter, status in db.execute("SELECT insz, quarter, status FROM ref_workers")
            },
        )

    # submissions and answers --------------------------------------------------------------------

    def record_submission(self, record: SubmissionRecord) -> None:
        values = (
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
            record.outcome,
            record.error_ids,
            record.declarations,
            record.accepted,
            record.warnings,
            record.refused,
        )
        self._db.execute(
            f"INSERT INTO submissions ({_SUBMISSION_COLUMNS}) VALUES ({', '.join('?' * 16)})", values
        )

    @staticmethod
    def _submission(row: Sequence[Any]) -> SubmissionRecord:
        values = list(row)
        values[9] = datetime.fromisoformat(values[9])
        return SubmissionRecord(*values)

    def submission(self, ticket: str) -> SubmissionRecord | None:
        row = self._db.execute(
            f"SELECT {_SUBMISSION_COLUMNS} FROM submissions WHERE ticket = ?",
            (ticket,),
        ).fetchone()
        return None if row is None else self._submission(row)

    def submissions(self, limit: int) -> list[SubmissionRecord]:
        rows = self._db.execute(
            f"SELECT {_SUBMISSION_COLUMNS} FROM submissions ORDER BY reception_time DESC, rowid DESC LIMIT ?",
            (limit,),
        )
        return [self._submission(row) for row in rows]

    def name_used(self, folder: str, file_name_key: tuple[str, str, str, str, str]) -> bool:
        row = self._db.execute(
            "SELECT 1 FROM submissions WHERE outcome = 'ACCEPTED' AND purpose = ? AND sender = ? "
            "AND file_date = ? AND sequence = ? AND env = ? LIMIT 1",
            file_name_key,
        ).fetchone()
        return row is not None

    def content_received(self, sha256: str) -> str | None:
        row = self._db.execute(
            "SELECT file_name FROM submissions WHERE outcome = 'ACCEPTED' AND sha256 = ? LIMIT 1", (sha256,)
        ).fetchone()
        return None if row is None else str(row[0])

    def answer_name_taken(self, folder: str, name: str) -> bool:
        row = self._db.execute(
            "SELECT 1 FROM answers WHERE folder = ? AND name = ?", (folder, name)
        ).fetchone()
        return row is not None

    def record_answers(self, answers: Iterable[AnswerRecord]) -> None:
        self._db.executemany(
            "INSERT INTO answers (ticket, position, folder, name, published) VALUES (?, ?, ?, ?, ?)",
            ((a.ticket, a.order, a.folder, a.name, int(a.published)) for a in answers),
        )

    def unpublished_answers(self) -> list[AnswerRecord]:
        rows = self._db.execute(
            "SELECT ticket, position, folder, name, published FROM answers WHERE published = 0 ORDER BY rowid"
        )
        return [AnswerRecord(t, p, f, n, bool(pub)) for t, p, f, n, pub in rows]

    def mark_published(self, ticket: str) -> None:
        self._db.execute("UPDATE answers SET published = 1 WHERE ticket = ?", (ticket,))

    # issued numbers -----------------------------------------------------------------------------

    def reserve(self, counter: str, count: int) -> int:
        with self.transaction():
            row = self._db.execute(
                "INSERT INTO counters (name, value) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = value + excluded.value RETURNING value",
                (counter, count),
            ).fetchone()
        return int(row[0]) - count + 1

    # Dimona periods -----------------------------------------------------------------------------

    def periods_by_id(self, env: str, period_ids: Iterable[str]) -> list[Period]:
        ids = sorted(set(period_ids))
        found: list[Period] = []
        for chunk in _chunks(ids):
            rows = self._db.execute(
                f"SELECT {_PERIOD_COLUMNS} FROM periods WHERE env = ? "
                f"AND period_id IN ({', '.join('?' * len(chunk))})",
                (env, *chunk),
            )
            found.extend(_period(row) for row in rows)
        return found

    def periods_by_pair(self, env: str, pairs: Iterable[tuple[str, str]]) -> list[Period]:
        wanted = sorted(set(pairs))
        found: list[Period] = []
        for chunk in _chunks(wanted):
            values = ", ".join("(?, ?)" for _ in chunk)
            rows = self._db.execute(
                f"SELECT {_PERIOD_COLUMNS} FROM periods WHERE env = ? "
                f"AND (employer_key, worker_key) IN (VALUES {values})",
                (env, *(value for pair in chunk for value in pair)),
            )
            found.extend(_period(row) for row in rows)
        return found

    def save_period_changes(self, changes: Iterable[PeriodChange], recorded_at: datetime) -> None:
        stamp = recorded_at.isoformat(timespec="milliseconds")
        period_rows = []
        history_rows = []
        for change in changes:
            p = change.period
            s = p.schedule
            end_date = s.end_date.isoformat() if s.end_date else None
            schedule = (s.start_date.isoformat(), _hour(s.start_hour), end_date, _hour(s.end_hour))
            period_rows.append(
                (
                    p.period_id,
                    p.env,
                    p.employer_key,
                    p.noss,
                    p.company_id,
                    p.worker_key,
                    p.insz,
                    *schedule,
                    p.status.value,
                    p.version,
                    change.sender,
                )
            )
            history_rows.append(
                (
                    p.period_id,
                    p.version,
                    change.action,
                    change.declaration_ticket,
                    change.submission_ticket,
                    *schedule,
                    p.status.value,
                    stamp,
                )
            )
        self._db.executemany(
            f"INSERT INTO periods ({_PERIOD_COLUMNS}, sender) VALUES ({', '.join('?' * 14)}) "
            "ON CONFLICT (period_id) DO UPDATE SET start_date = excluded.start_date, "
            "start_hour = excluded.start_hour, end_date = excluded.end_date, end_hour = excluded.end_hour, "
            "status = excluded.status, version = excluded.version",
            period_rows,
        )
        self._db.executemany(
            f"INSERT INTO period_history VALUES ({', '.join('?' * 11)})",
            history_rows,
        )

    def period_history(self, period_id: str) -> Iterator[tuple[int, str, str]]:
        yield from self._db.execute(
            "SELECT version, action, status FROM period_history WHERE period_id = ? ORDER BY version",
            (period_id,),
        )

    def count_periods(self, env: str | None = None) -> int:
        if env is None:
            return int(self._db.execute("SELECT count(*) FROM periods").fetchone()[0])
        return int(self._db.execute("SELECT count(*) FROM periods WHERE env = ?", (env,)).fetchone()[0])
