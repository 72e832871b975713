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
