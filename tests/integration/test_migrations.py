"""Schema migrations are recorded in the database and applied once."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from flexibatch.errors import ConfigError
from flexibatch.store.sqlite import OpenMode, SqliteStore
from flexibatch.store.sqlite.migrations import MIGRATIONS
from support.migrated import CALCULATIONS, SPAN, found_by_their_calculation_periods


def _recorded(path: Path) -> list[tuple[int, str]]:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT version, name FROM schema_migrations ORDER BY version").fetchall()


@contextmanager
def _store_of_version(path: Path, version: int) -> Iterator[sqlite3.Connection]:
    """A store as the release that stopped at migration `version` left it, to fill in the test."""
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT, applied_at TEXT)")
        for number, name, script in MIGRATIONS[:version]:
            db.executescript(script)
            db.execute("INSERT INTO schema_migrations VALUES (?, ?, '2026-11-01')", (number, name))
        yield db


def test_every_migration_is_recorded_once_and_reopening_applies_nothing_again(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    SqliteStore(str(path)).close()
    first = _recorded(path)
    assert first == [(version, name) for version, name, _ in MIGRATIONS]
    SqliteStore(str(path)).close()  # would fail on CREATE TABLE if it ran the scripts again
    assert _recorded(path) == first


def test_a_store_of_the_previous_version_is_brought_up_to_date_with_its_periods(tmp_path: Path) -> None:
    """Migration 3 rebuilds the pair index on a store that already holds periods."""
    from datetime import date

    path = tmp_path / "state.db"
    with _store_of_version(path, 2) as db:
        db.execute(
            "INSERT INTO periods VALUES ('200000000112', 'R', 'E', 'E', NULL, 'W', 'W', '2026-07-02', NULL,"
            " NULL, NULL, 'ACTIVE', 1, '123456')"
        )
    store = SqliteStore(str(path))
    open_in_quarter = store.periods.by_pair("R", [("E", "W")], date(2026, 9, 30))
    next_quarter = store.periods.by_pair("R", [("E", "W")], date(2026, 10, 1))
    store.close()
    assert [p.period_id for p in open_in_quarter] == ["200000000112"]
    assert next_quarter == []
    assert [version for version, _ in _recorded(path)] == [version for version, _, _ in MIGRATIONS]


def test_migration_4_moves_each_current_version_from_the_history_into_its_period(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with _store_of_version(path, 3) as db:
        db.execute(
            "INSERT INTO periods VALUES ('200000000112', 'R', 'E', 'E', NULL, 'W', 'W', '2026-07-02', '1000',"
            " NULL, '1300', 'ACTIVE', 2, '123456')"
        )
        for version, action, ticket, end_hour in (
            (1, "IN", "700000000138", "1400"),
            (2, "UPDATE", "700000000239", "1300"),
        ):
            db.execute(
                "INSERT INTO period_history VALUES ('200000000112', ?, ?, ?, 'FILE1', '2026-07-02', '1000', NULL,"
                " ?, 'ACTIVE', '2026-06-24T11:50:00.000')",
                (version, action, ticket, end_hour),
            )
    SqliteStore(str(path)).close()
    with sqlite3.connect(path) as db:
        current = db.execute("SELECT version, action, declaration_ticket, end_hour FROM periods").fetchall()
        replaced = db.execute(
            "SELECT version, action, declaration_ticket, end_hour FROM period_history"
        ).fetchall()
    assert current == [(2, "UPDATE", "700000000239", "1300")]
    assert replaced == [(1, "IN", "700000000138", "1400")]


def test_migration_5_moves_each_current_situation_version_from_the_history_into_its_row(
    tmp_path: Path,
) -> None:
    path = tmp_path / "state.db"
    key = "'R', 'E', '85073003328', 'f1e0'"
    with _store_of_version(path, 4) as db:
        db.execute(f"INSERT INTO situations VALUES ({key}, 'E', NULL, 'CANCELLED', 2, '[]', '123456')")
        for version, status, kind, ticket in (
            (1, "ACTIVE", "0", "700000000138"),
            (2, "CANCELLED", "3", "700000000239"),
        ):
            db.execute(
                f"INSERT INTO situation_history VALUES ({key}, ?, ?, ?, '[]', ?, 'FILE1', '2026-06-24T11:50:00.000')",
                (version, status, kind, ticket),
            )
    SqliteStore(str(path)).close()
    with sqlite3.connect(path) as db:
        current = db.execute("SELECT version, kind, declaration_ticket FROM situations").fetchall()
        replaced = db.execute("SELECT version, kind, declaration_ticket FROM situation_history").fetchall()
    assert current == [(2, "3", "700000000239")]
    assert replaced == [(1, "0", "700000000138")]


def test_migration_6_gives_every_stored_period_its_last_day(tmp_path: Path) -> None:
    """The column the pair index ends with holds `Schedule.last_day` for periods stored before it:
    an end date; the start day of one with hours; the end of the quarter of one without."""
    from datetime import date, time

    from flexibatch.domain.dimona import Schedule

    schedules = [Schedule(date(2026, month, 14)) for month in range(1, 13)]
    schedules += [
        Schedule(date(2026, 6, 30), time(22, 0), date(2026, 7, 1), time(6, 0)),
        Schedule(date(2026, 6, 30), time(8, 0), None, time(12, 0)),
        Schedule(date(2026, 6, 3), None, date(2026, 6, 20)),
    ]
    path = tmp_path / "state.db"
    with _store_of_version(path, 5) as db:
        for number, s in enumerate(schedules):
            db.execute(
                "INSERT INTO periods (period_id, env, employer_key, worker_key, start_date, start_hour,"
                " end_date, end_hour, status, version, sender) VALUES (?, 'R', 'E', 'W', ?, ?, ?, ?,"
                " 'ACTIVE', 1, '123456')",
                (
                    f"P{number}",
                    s.start_date.isoformat(),
                    s.start_hour and s.start_hour.strftime("%H%M"),
                    s.end_date and s.end_date.isoformat(),
                    s.end_hour and s.end_hour.strftime("%H%M"),
                ),
            )
    SqliteStore(str(path)).close()
    with sqlite3.connect(path) as db:
        stored = dict(db.execute("SELECT period_id, last_day FROM periods").fetchall())
    assert stored == {f"P{number}": s.last_day.isoformat() for number, s in enumerate(schedules)}


def test_migration_9_finds_situations_stored_before_it_by_their_calculation_periods(tmp_path: Path) -> None:
    """A situation stored before migration 9 has no day columns and no validity in its calculations:
    the migration gives it the span of its calculation periods, and the wage run finds it there,
    its calculation period standing in for its validity."""
    path = tmp_path / "state.db"
    with _store_of_version(path, 8) as db:
        for relation, status in (("a", "ACTIVE"), ("c", "CANCELLED")):
            db.execute(
                "INSERT INTO situations (env, employer_key, insz, relation_id, status, version, calculations,"
                " sender) VALUES ('R', 'E', '85073003328', ?, ?, 1, ?, '123456')",
                (relation, status, CALCULATIONS),
            )
    SqliteStore(str(path)).close()
    with sqlite3.connect(path) as db:
        days = db.execute("SELECT DISTINCT first_day, last_day FROM situations").fetchall()
    assert days == [SPAN]
    store = SqliteStore(str(path), "read")
    try:
        found_by_their_calculation_periods(store)
    finally:
        store.close()


def _dump(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        return list(db.iterdump())


@pytest.mark.parametrize("mode", ["read", "write", "create"])
def test_a_state_with_a_migration_this_release_does_not_know_is_refused_and_left_as_it_was(
    tmp_path: Path, mode: OpenMode
) -> None:
    path = tmp_path / "state.db"
    with _store_of_version(path, len(MIGRATIONS)) as db:
        db.execute(
            "INSERT INTO schema_migrations VALUES (?, 'a later release', '2027-01-01')",
            (len(MIGRATIONS) + 1,),
        )
    before = _dump(path)

    with pytest.raises(ConfigError, match="later release"):
        SqliteStore(str(path), mode)

    assert _dump(path) == before


def test_a_reader_refuses_a_state_of_an_earlier_release_without_migrating_it(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with _store_of_version(path, 3):
        pass

    with pytest.raises(ConfigError, match="earlier release"):
        SqliteStore(str(path), "read")

    assert [version for version, _ in _recorded(path)] == [1, 2, 3]


@pytest.mark.parametrize("mode", ["read", "write"])
def test_only_create_makes_a_state_that_does_not_exist(tmp_path: Path, mode: OpenMode) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        SqliteStore(str(tmp_path / "typo.db"), mode)

    assert not list(tmp_path.iterdir())


def test_a_file_of_another_application_is_not_migrated(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")

    with pytest.raises(ConfigError, match="not a flexibatch state"):
        SqliteStore(str(path), "create")

    with sqlite3.connect(path) as db:
        assert db.execute("SELECT name FROM sqlite_master").fetchall() == [("invoices",)]


def test_a_reader_cannot_write(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    SqliteStore(str(path)).close()
    reader = SqliteStore(str(path), "read")
    try:
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            reader.counters.reserve("ticket", 1)
    finally:
        reader.close()
