"""The SQLite state store: the embedded default (`--state flexibatch.db`), one file, one writer."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from flexibatch.store.failures import FailureLog
from flexibatch.store.sqlite.connection import OpenMode, SqliteConnection
from flexibatch.store.sqlite.periods import SqlitePeriods
from flexibatch.store.sqlite.refdata import SqliteCounters, SqliteReferenceData
from flexibatch.store.sqlite.situations import SqliteSituations
from flexibatch.store.sqlite.submissions import SqliteAnswers, SqliteSubmissions
from flexibatch.store.sqlite.tallies import SqliteTallies


class SqliteTurns:
    """Every sender's turn is free: the file's one writer decides one submission at a time."""

    @contextmanager
    def take(self, sender: str) -> Iterator[bool]:
        yield True


class SqliteStore(SqliteConnection):
    """The unit of work (`store.ports.Store`) over one SQLite file: its repositories share the
    connection, so `with store.transaction():` holds every write of a submission."""

    driver_errors: tuple[type[Exception], ...] = (sqlite3.Error,)

    def __init__(self, path: str, mode: OpenMode = "create", busy_timeout: float = 60.0) -> None:
        super().__init__(path, mode, busy_timeout)
        self.submissions = SqliteSubmissions(self._db)
        self.answers = SqliteAnswers(self._db)
        self.failures = FailureLog(self._db, "?")
        self.tallies = SqliteTallies(self._db)
        self.refdata = SqliteReferenceData(self)
        self.counters = SqliteCounters(self)
        self.periods = SqlitePeriods(self._db)
        self.situations = SqliteSituations(self._db)
        self.turns = SqliteTurns()
