"""The report's tallies in SQLite: per submission, its declarations per ErrorID and per employer."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import date

from flexibatch.store.base import EmployerTally, ErrorTally
from flexibatch.store.sqlite.submissions import received_between

#: The tickets of the submissions received between two bounds (`received_between`).
_RECEIVED = "SELECT ticket FROM submissions WHERE reception_time >= ? AND reception_time < ?"


class SqliteTallies:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def record(self, errors: Iterable[ErrorTally], employers: Iterable[EmployerTally]) -> None:
        self._db.executemany(
            "INSERT INTO error_tallies (ticket, error_id, class, declarations) VALUES (?, ?, ?, ?)",
            ((e.ticket, e.error_id, e.cls, e.declarations) for e in errors),
        )
        self._db.executemany(
            "INSERT INTO employer_tallies (ticket, employer, accepted, warnings, refused) "
            "VALUES (?, ?, ?, ?, ?)",
            ((e.ticket, e.employer, e.accepted, e.warnings, e.refused) for e in employers),
        )

    def errors(self, since: date, until: date) -> list[ErrorTally]:
        rows = self._db.execute(
            "SELECT ticket, error_id, class, declarations FROM error_tallies "
            f"WHERE ticket IN ({_RECEIVED}) ORDER BY ticket, error_id, class",
            received_between(since, until),
        )
        return [ErrorTally(*row) for row in rows]

    def employers(self, since: date, until: date) -> list[EmployerTally]:
        rows = self._db.execute(
            "SELECT ticket, employer, accepted, warnings, refused FROM employer_tallies "
            f"WHERE ticket IN ({_RECEIVED}) ORDER BY ticket, employer",
            received_between(since, until),
        )
        return [EmployerTally(*row) for row in rows]
