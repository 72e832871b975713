"""State: a small interface (`Store`), SQLite now, PostgreSQL next."""

from __future__ import annotations

from flexibatch.errors import ConfigError
from flexibatch.store.base import Store
from flexibatch.store.sqlite import SqliteStore


def open_store(state: str) -> Store:
    """The store a `--state` value names: a SQLite file path, or a `postgresql://` URL later."""
    if state.startswith(("postgresql://", "postgres://")):
        raise ConfigError("the PostgreSQL backend is not available yet: use a SQLite file path for --state")
    return SqliteStore(state)
