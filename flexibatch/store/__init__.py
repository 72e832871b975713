"""State: a unit of work over small repositories (`ports.py`), in SQLite or PostgreSQL."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from flexibatch.errors import StoreError
from flexibatch.store.ports import Store
from flexibatch.store.postgresql import PostgresStore
from flexibatch.store.postgresql.connection import redacted
from flexibatch.store.sqlite import OpenMode, SqliteStore

__all__ = ["OpenMode", "Store", "open_store", "opened"]


def open_store(state: str, mode: OpenMode, busy_timeout: float) -> Store:
    """The store a `--state` value names: a SQLite file path, or a `postgresql://` URL.

    `mode` says what the command may do to it (`OpenMode`): the read-only commands open it with
    `read`, so they never create, migrate or wait for the writer of a state (SPEC 10).
    """
    if is_postgresql(state):
        return PostgresStore(state, mode, busy_timeout)
    return SqliteStore(state, mode, busy_timeout)


def is_postgresql(state: str) -> bool:
    return state.startswith(("postgresql://", "postgres://"))


@contextmanager
def opened(state: str, mode: OpenMode, busy_timeout: float) -> Iterator[Store]:
    """The store for one command, closed when it ends; a SQLite error that escapes its work (a
    page gone bad after the state was opened) becomes a StoreError naming the state."""
    store = open_store(state, mode, busy_timeout)
    try:
        yield store
    except (sqlite3.Error, psycopg.Error) as exc:
        raise StoreError(f"the state {redacted(state)} failed: {exc}") from exc
    finally:
        store.close()
