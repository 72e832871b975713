"""PostgreSQL's migrations bring a state an earlier release left up to date with its rows, as
SQLite's do (test_migrations.py): each test fills a database as the release that stopped at the
previous migration left it, then opens it with this release."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime

import psycopg

from flexibatch.domain.results import SubmissionOutcome
from flexibatch.report.data import read_period
from flexibatch.store.base import EmployerTally, ErrorTally, SubmissionRecord
from flexibatch.store.postgresql import PostgresStore
from flexibatch.store.postgresql.migrations import MIGRATIONS
from support.migrated import CALCULATIONS, SPAN, found_by_their_calculation_periods
from support.postgres import Server


@contextmanager
def _state_of_version(
    server: Server, version: int
) -> Iterator[tuple[str, psycopg.Connection[tuple[object, ...]]]]:
    """A new database as the release whose last migration was `version` left it, and a session on
    it to fill it in the test; its URL to open it with this release afterwards."""
    url = server.fresh_database(migrated=False)
    with psycopg.connect(url, autocommit=True) as db:
        db.execute(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        for number, name, script in MIGRATIONS:
            if number <= version:
                db.execute(script.encode())
                db.execute("INSERT INTO schema_migrations VALUES (%s, %s, '2026-11-01')", (number, name))
        yield url, db


def _recorded(url: str) -> list[int]:
    with psycopg.connect(url) as db:
        return [int(str(v)) for (v,) in db.execute("SELECT version FROM schema_migrations ORDER BY version")]


def test_migration_9_finds_situations_stored_before_it_by_their_calculation_periods(
    postgresql_server: Server,
) -> None:
    """As on SQLite: a situation stored at migration 8 has no day columns; the migration gives it
    the span of its calculation periods, and the wage run finds it there."""
    with _state_of_version(postgresql_server, 8) as (url, db):
        for relation, status in (("a", "ACTIVE"), ("c", "CANCELLED")):
            db.execute(
                "INSERT INTO situations (env, employer_key, insz, relation_id, status, version, calculations,"
                " sender, kind, declaration_ticket, submission_ticket, recorded_at) VALUES ('R', 'E',"
                " '85073003328', %s, %s, 1, %s, '123456', '0', '700000000138', 'FILE1', '2026-06-24T11:50:00')",
                (relation, status, CALCULATIONS),
            )
    PostgresStore(url).close()
    with psycopg.connect(url) as db:
        days = db.execute("SELECT DISTINCT first_day, last_day FROM situations").fetchall()
    assert days == [SPAN]
    assert _recorded(url) == [version for version, _, _ in MIGRATIONS]
    store = PostgresStore(url, "read")
    try:
        found_by_their_calculation_periods(store)
        by_worker = store.situations.active_between(
            "R", date(2026, 5, 1), date(2026, 5, 1), insz="85073003328"
        )
        assert [s.relation_id for s in by_worker] == ["a"], "and by its worker (situations_worker)"
    finally:
        store.close()


def _submission(ticket: str, day: int) -> SubmissionRecord:
    return SubmissionRecord(
        ticket=ticket,
        folder="123456",
        file_name=f"FI.DIMN.123456.2026060{day}.00001.R.1.1",
        purpose="DIMN",
        sender="123456",
        file_date=f"2026060{day}",
        sequence="00001",
        env="R",
        sha256=ticket * 4,
        reception_time=datetime(2026, 6, day, 10, 0),
        outcome=SubmissionOutcome.ACCEPTED,
        error_ids=(),
        declarations=3,
        accepted=2,
        warnings=0,
        refused=1,
    )


def test_migration_10_counts_submissions_decided_before_it_in_the_totals_only(
    postgresql_server: Server,
) -> None:
    """A submission recorded at migration 9 has no tallies: after migration 10 the report counts it
    among the period's submissions but not by ErrorID or employer (docs/decisions.md 75), and the
    submissions decided afterwards record their tallies beside it."""
    before = _submission("700000000138", 2)
    with _state_of_version(postgresql_server, 9) as (url, db):
        db.execute(
            "INSERT INTO submissions (ticket, folder, file_name, purpose, sender, file_date, sequence, env,"
            " sha256, reception_time, outcome, error_ids, declarations, accepted, warnings, refused)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 'ACCEPTED', '', 3, 2, 0, 1)",
            (
                before.ticket,
                before.folder,
                before.file_name,
                before.purpose,
                before.sender,
                before.file_date,
                before.sequence,
                before.env,
                before.sha256,
                before.reception_time.isoformat(timespec="milliseconds"),
            ),
        )
    after = _submission("700000000239", 3)
    store = PostgresStore(url, "write")
    with store.transaction():
        store.submissions.record(after)
        store.tallies.record(
            [ErrorTally(after.ticket, "00024-042", "B", 1)],
            [EmployerTally(after.ticket, "197000001", 2, 0, 1)],
        )
    period = read_period(store, date(2026, 6, 1), date(2026, 6, 30), {})
    store.close()
    assert list(period.submissions["ticket"]) == [before.ticket, after.ticket]
    assert list(period.submissions["declarations"]) == [3, 3]
    assert list(period.errors["ticket"]) == [after.ticket], "the earlier one has no tallies to count"
    assert list(period.employers["ticket"]) == [after.ticket]
    assert _recorded(url) == [version for version, _, _ in MIGRATIONS]
