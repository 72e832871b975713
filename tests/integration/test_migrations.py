"""Schema migrations are recorded in the database and applied once."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from flexibatch.store.migrations import MIGRATIONS
from flexibatch.store.sqlite import SqliteStore


def _recorded(path: Path) -> list[tuple[int, str]]:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT version, name FROM schema_migrations ORDER BY version").fetchall()


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
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT, applied_at TEXT)")
        for version, name, script in MIGRATIONS[:2]:
            db.executescript(script)
            db.execute("INSERT INTO schema_migrations VALUES (?, ?, '2026-11-01')", (version, name))
        db.execute(
            "INSERT INTO periods VALUES ('200000000112', 'R', 'E', 'E', NULL, 'W', 'W', '2026-07-02', NULL,"
            " NULL, NULL, 'ACTIVE', 1, '123456')"
        )
    store = SqliteStore(str(path))
    open_in_quarter = store.periods_by_pair("R", [("E", "W")], date(2026, 9, 30))
    next_quarter = store.periods_by_pair("R", [("E", "W")], date(2026, 10, 1))
    store.close()
    assert [p.period_id for p in open_in_quarter] == ["200000000112"]
    assert next_quarter == []
    assert [version for version, _ in _recorded(path)] == [version for version, _, _ in MIGRATIONS]
