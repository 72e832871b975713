"""The SQLite state store: the embedded default (`--state flexibatch.db`)."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from flexibatch.domain.refdata import EmployerRecord, Mandate, RefData, WorkerStatus
from flexibatch.domain.results import SubmissionOutcome
from flexibatch.errors import ConfigError, StoreError
from flexibatch.store.base import AnswerRecord, FailureRecord, SubmissionRecord
from flexibatch.store.migrations import MIGRATIONS
from flexibatch.store.sqlite_dimona import DimonaTables
from flexibatch.store.sqlite_flexi import FlexiTables
from flexibatch.store.sqlite_rows import parse_date

_FAILURE_COLUMNS = (
    "stage, subject, folder, file_name, attempts, reason, failed_at, next_attempt, fingerprint, quarantined"
)
_SUBMISSION_COLUMNS = (
    "ticket, folder, file_name, purpose, sender, file_date, sequence, env, sha256, reception_time, "
    "outcome, error_ids, declarations, accepted, warnings, refused"
)


#: How a command opens the state (SPEC 10). `read`: an existing state of this release, read-only,
#: never migrated and never waiting for the writer; `write`: an existing state, migrated;
#: `create`: the same, created when missing (`refdata load`).
OpenMode = Literal["read", "write", "create"]

#: How often a long-lived writer (`watch`) runs `PRAGMA optimize` after a commit: SQLite advises
#: every few hours.
OPTIMIZE_EVERY_SECONDS = 3 * 3600.0


class SqliteStore(DimonaTables, FlexiTables):
    """State in one SQLite file, in WAL mode, with one writing transaction per submission."""

    def __init__(self, path: str, mode: OpenMode = "create", busy_timeout: float = 60.0) -> None:
        """Open the state at `path`: see `OpenMode`. `busy_timeout` is how long, in seconds, a write
        waits for another process's write lock before it fails."""
        self.path = path
        self._writes = mode != "read"
        self._busy_timeout = busy_timeout
        self._optimized = time.monotonic()
        self._in_transaction = False
        if Path(path).is_dir():
            raise ConfigError(f"the state {path} is a folder, not a SQLite file")
        new_file = not Path(path).exists()
        if new_file and mode != "create":
            raise ConfigError(
                f"the state {path} does not exist: `flexibatch refdata load DIR` creates it, "
                "or give --state the one it created"
            )
        try:
            if mode == "read":
                # A reader in WAL mode reads the last commit while the writer works: it never waits.
                uri = f"{Path(path).resolve().as_uri()}?mode=ro"
                self._db = sqlite3.connect(
                    uri, uri=True, timeout=busy_timeout, isolation_level=None, check_same_thread=False
                )
            else:
                self._db = sqlite3.connect(
                    path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
                )
        except sqlite3.Error as exc:
            raise ConfigError(f"cannot open the state {path}: {exc}") from None
        if new_file:
            Path(path).chmod(0o600)
        try:
            applied = self._applied_migrations()
            if mode == "read":
                self._check_current(applied)
            else:
                self._configure()
                self._migrate()
        except sqlite3.OperationalError as exc:
            self._db.close()
            if exc.sqlite_errorcode not in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                raise ConfigError(f"cannot open the state {path}: {exc}") from None
            raise StoreError(
                f"the state {path} is busy: another process held its write lock longer than "
                f"the busy timeout of {busy_timeout:g} s (FLEXIBATCH_BUSY_TIMEOUT)"
            ) from None
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise ConfigError(f"the state {path} is not a flexibatch state: {exc}") from None
        except BaseException:
            self._db.close()
            raise

    def _configure(self) -> None:
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = FULL")
        self._db.execute("PRAGMA foreign_keys = ON")
        # 64 MiB of pages instead of 2: a monthly batch inserts into indexes keyed by worker, in no
        # order, and with the default every insert read and spilled a page (docs/performance.md).
        self._db.execute("PRAGMA cache_size = -65536")

    def _applied_migrations(self) -> set[int]:
        """The migrations the state records, read without writing; refused when the file holds
        another application's tables or a migration of a later release (SPEC 10)."""
        tables = {row[0] for row in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "schema_migrations" not in tables:
            if tables:
                raise ConfigError(f"the state {self.path} is not a flexibatch state: it holds other tables")
            return set()
        applied = {int(row[0]) for row in self._db.execute("SELECT version FROM schema_migrations")}
        later = applied - {version for version, _, _ in MIGRATIONS}
        if later:
            raise ConfigError(
                f"the state {self.path} was written by a later release of flexibatch (migration "
                f"{max(later)}, this one knows up to {MIGRATIONS[-1][0]}): run it with that release"
            )
        return applied

    def _check_current(self, applied: set[int]) -> None:
        """A reader reads only a state this release wrote: it never migrates one."""
        if not applied:
            raise ConfigError(
                f"the state {self.path} holds no flexibatch state yet: `flexibatch refdata load DIR` creates it"
            )
        if len(applied) < len(MIGRATIONS):
            raise ConfigError(
                f"the state {self.path} was written by an earlier release: a command that writes "
                "(`flexibatch run`, `watch` or `refdata load`) brings it up to date first"
            )

    def _migrate(self) -> None:
        with self.transaction():
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations "
                "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            # Again under the write lock: a later release may have migrated since the first look.
            applied = self._applied_migrations()
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
        if self._writes:
            self._optimize()
        self._db.close()

    def _optimize(self) -> None:
        """SQLite's advice for a connection that ran queries, when it closes and every few hours
        while it lives (`watch`): gather the statistics the planner lacks (a table's first ANALYZE,
        or again once it has grown many times). The plans of a long-lived store are then the plans
        of every test that opens one twice (decisions.md 29). Never waited for: while another
        process writes, that one gathers them."""
        self._db.execute("PRAGMA busy_timeout = 0")
        try:
            with contextlib.suppress(sqlite3.OperationalError):
                self._db.execute("PRAGMA optimize")
        finally:
            self._db.execute(f"PRAGMA busy_timeout = {round(self._busy_timeout * 1000)}")
        self._optimized = time.monotonic()

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
            if time.monotonic() - self._optimized > OPTIMIZE_EVERY_SECONDS:
                self._optimize()
        finally:
            self._in_transaction = False

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

    def refdata_version(self) -> int:
        return int(self._db.execute("SELECT coalesce(max(id), 0) FROM refdata_loads").fetchone()[0])

    def refdata(self) -> RefData:
        db = self._db
        return RefData.build(
            senders=dict(db.execute("SELECT sender, name FROM ref_senders").fetchall()),
            employers=[
                EmployerRecord(noss, company_id, name)
                for noss, company_id, name in db.execute("SELECT noss, company_id, name FROM ref_employers")
            ],
            mandates=[
                Mandate(sender, noss, company_id, purpose, date.fromisoformat(vf), parse_date(vt))
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
            ",".join(record.error_ids),
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
        values[10] = SubmissionOutcome(values[10])
        values[11] = tuple(code for code in values[11].split(",") if code)
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

    def content_received(self, sha256: str, env: str) -> str | None:
        # The partial index on sha256 finds the one or two rows of these bytes; env is then a filter.
        row = self._db.execute(
            "SELECT file_name FROM submissions WHERE outcome = 'ACCEPTED' AND sha256 = ? AND env = ? LIMIT 1",
            (sha256, env),
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

    def unpublished_answers(self, ticket: str) -> list[AnswerRecord]:
        """A submission's answers not yet published, in publication order."""
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

    # submissions that failed for a reason of the processor's own --------------------------------

    @staticmethod
    def _failure(row: Sequence[Any]) -> FailureRecord:
        values = list(row)
        values[6] = datetime.fromisoformat(values[6])
        values[7] = datetime.fromisoformat(values[7])
        return FailureRecord(*values)

    def failure(self, stage: str, subject: str) -> FailureRecord | None:
        row = self._db.execute(
            f"SELECT {_FAILURE_COLUMNS} FROM failures WHERE stage = ? AND subject = ?", (stage, subject)
        ).fetchone()
        return None if row is None else self._failure(row)

    def failures(self) -> list[FailureRecord]:
        rows = self._db.execute(f"SELECT {_FAILURE_COLUMNS} FROM failures ORDER BY failed_at, subject")
        return [self._failure(row) for row in rows]

    def record_failure(self, record: FailureRecord) -> None:
        values = (
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
        self._db.execute(
            f"INSERT OR REPLACE INTO failures ({_FAILURE_COLUMNS}) VALUES ({', '.join('?' * 10)})", values
        )

    def forget_failure(self, stage: str, subject: str) -> None:
        self._db.execute("DELETE FROM failures WHERE stage = ? AND subject = ?", (stage, subject))

    # issued numbers -----------------------------------------------------------------------------

    def reserve(self, counter: str, count: int) -> int:
        with self.transaction():
            row = self._db.execute(
                "INSERT INTO counters (name, value) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = value + excluded.value RETURNING value",
                (counter, count),
            ).fetchone()
        return int(row[0]) - count + 1
