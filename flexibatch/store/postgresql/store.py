"""The PostgreSQL state store (`--state postgresql://...`): one database that any number of
workers on any number of hosts share."""

from __future__ import annotations

import psycopg

from flexibatch.store.failures import FailureLog
from flexibatch.store.postgresql.connection import PostgresConnection
from flexibatch.store.postgresql.periods import PostgresPeriods
from flexibatch.store.postgresql.queue import PostgresQueue
from flexibatch.store.postgresql.refdata import PostgresCounters, PostgresReferenceData
from flexibatch.store.postgresql.situations import PostgresSituations
from flexibatch.store.postgresql.submissions import PostgresAnswers, PostgresSubmissions
from flexibatch.store.postgresql.tallies import PostgresTallies
from flexibatch.store.postgresql.turns import PostgresTurns


class PostgresStore(PostgresConnection):
    """The unit of work (`store.ports.Store`) over one PostgreSQL database: its repositories share
    the main session, so `with store.transaction():` holds every write of a submission."""

    driver_errors: tuple[type[Exception], ...] = (psycopg.Error,)

    def _open_repositories(self) -> None:
        self.submissions = PostgresSubmissions(self._db, self.locks)
        self.answers = PostgresAnswers(self._db, self.locks)
        self.failures = FailureLog(self._db, "%s")
        self.tallies = PostgresTallies(self._db)
        self.refdata = PostgresReferenceData(self)
        self.counters = PostgresCounters(self)
        self.periods = PostgresPeriods(self._db, self.locks)
        self.situations = PostgresSituations(self._db, self.locks)
        self.turns = PostgresTurns(self._db)
        #: The intake's queue for decide workers on other hosts (not part of `Store`: PostgreSQL only).
        self.queue = PostgresQueue(self)
