"""The state read the way an auditor would, whichever the backend: a SQLite file opened read-only,
or a PostgreSQL database by its `postgresql://` URL. Statements use `?` placeholders."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import psycopg


def state_rows(state: Path | str, sql: str, params: Sequence[object] = ()) -> list[tuple[object, ...]]:
    if str(state).startswith("postgresql://"):
        with psycopg.connect(str(state)) as db:
            return [tuple(row) for row in db.execute(sql.replace("?", "%s").encode(), params)]
    with contextlib.closing(sqlite3.connect(f"file:{state}?mode=ro", uri=True)) as connection:
        return [tuple(row) for row in connection.execute(sql, params)]
