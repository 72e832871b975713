"""State: a unit of work over small repositories (`ports.py`), SQLite now, PostgreSQL next."""

from __future__ import annotations

from flexibatch.errors import ConfigError
from flexibatch.store.ports import Store
from flexibatch.store.sqlite import OpenMode, SqliteStore

__all__ = ["OpenMode", "Store", "open_store"]


def open_store(state: str, mode: OpenMode, busy_timeout: float) -> Store:
    """The store a `--state` value names: a SQLite file path, or a `postgresql://` URL later.

    `mode` says what the command may do to it (`OpenMode`): the read-only commands open it with
    `read`, so they never create, migrate or wait for the writer of a state (SPEC 10).
    """
    if state.startswith(("postgresql://", "postgres://")):
        raise ConfigError("the PostgreSQL backend is not available yet: use a SQLite file path for --state")
    return SqliteStore(state, mode, busy_timeout)
