"""One SQLite state file opened for a command: its checks, its migrations, its transactions.

`SqliteStore` (store.py) is this connection with the repositories over it.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Literal

from flexibatch.errors import ConfigError, StoreError
from flexibatch.store.schema import CREATE_SCHEMA_MIGRATIONS, applied_migrations, check_current
from flexibatch.store.sqlite.migrations import MIGRATIONS

#: How a command opens the state (SPEC 10). `read`: an existing state of this release, read-only,
#: never migrated and never waiting for the writer; `write`: an existing state, migrated;
#: `create`: the same, created when missing (`refdata load`).
OpenMode = Literal["read", "write", "create"]

#: How often a long-lived writer (`watch`) runs `PRAGMA optimize` after a commit: SQLite advises
#: every few hours.
OPTIMIZE_EVERY_SECONDS = 3 * 3600.0


class SqliteConnection:
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
                check_current(self.path, applied, MIGRATIONS)
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
        tables = "SELECT name FROM sqlite_master WHERE type = 'table'"
        return applied_migrations(self._db, self.path, tables, MIGRATIONS)

    def _migrate(self) -> None:
        with self.transaction():
            self._db.execute(CREATE_SCHEMA_MIGRATIONS)
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
        # Statistics from a sample of each index, as SQLite advises with optimize: a full ANALYZE
        # of a million periods took 0.7 s at the end of every run, this takes none.
        self._db.execute("PRAGMA analysis_limit = 1000")
        try:
            with contextlib.suppress(sqlite3.OperationalError):
                self._db.execute("PRAGMA optimize")
        finally:
            self._db.execute(f"PRAGMA busy_timeout = {round(self._busy_timeout * 1000)}")
        self._optimized = time.monotonic()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE: the write lock from the start, so a submission never fails half-way for
        want of it. Inside a transaction, a repository's own (`reserve`, `replace`) joins it."""
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
