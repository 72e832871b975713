"""The report's tallies in PostgreSQL: per submission, its declarations per ErrorID and per employer,
inserted with the submission's record (a few rows each, one statement per table)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from flexibatch.store.base import EmployerTally, ErrorTally
from flexibatch.store.postgresql.connection import Session
from flexibatch.store.sqlite.submissions import received_between

#: The submissions received between two bounds (`received_between`), joined to their tallies.
_RECEIVED = "JOIN submissions s USING (ticket) WHERE s.reception_time >= %s AND s.reception_time < %s"


class PostgresTallies:
    def __init__(self, db: Session) -> None:
        self._db = db

    def record(self, errors: Iterable[ErrorTally], employers: Iterable[EmployerTally]) -> None:
        with self._db.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO error_tallies (ticket, error_id, class, declarations) VALUES (%s, %s, %s, %s)",
                [(e.ticket, e.error_id, e.cls, e.declarations) for e in errors],
            )
            cursor.executemany(
                "INSERT INTO employer_tallies (ticket, employer, accepted, warnings, refused) "
                "VALUES (%s, %s, %s, %s, %s)",
                [(e.ticket, e.employer, e.accepted, e.warnings, e.refused) for e in employers],
            )

    def errors(self, since: date, until: date) -> list[ErrorTally]:
        rows = self._db.execute(
            f"SELECT t.ticket, t.error_id, t.class, t.declarations FROM error_tallies t {_RECEIVED} "
            "ORDER BY t.ticket, t.error_id, t.class",
            received_between(since, until),
        )
        return [ErrorTally(str(t), str(e), str(c), int(str(d))) for t, e, c, d in rows]

    def employers(self, since: date, until: date) -> list[EmployerTally]:
        rows = self._db.execute(
            "SELECT t.ticket, t.employer, t.accepted, t.warnings, t.refused "
            f"FROM employer_tallies t {_RECEIVED} ORDER BY t.ticket, t.employer",
            received_between(since, until),
        )
        return [
            EmployerTally(str(t), str(e), int(str(a)), int(str(w)), int(str(r))) for t, e, a, w, r in rows
        ]
