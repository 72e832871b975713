"""State: a unit of work over small repositories (`ports.py`), SQLite now, PostgreSQL next."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flexibatch.errors import ConfigError, StoreError
from flexibatch.store.ports import Store
from flexibatch.store.sqlite import OpenMode, SqliteStore

__all__ = ["OpenMode", "Store", "open_store", "opened"]


def open_store(state: str, mode: OpenMode, busy_timeout: float) -> Store:
    """The store a `--state` value names: a SQLite file path, or a `postgresql://` URL later.

    `mode` says what the command may do to it (`OpenMode`): the read-only commands open it with
    `read`, so they never create, migrate or wait for the writer of a state (SPEC 10).
    """
    if state.startswith(("postgresql://", "postgres://")):
        raise ConfigError("the PostgreSQL backend is not available yet: use a SQLite file path for --state")
    return SqliteStore(state, mode, busy_timeout)


@contextmanager
def opened(state: str, mode: OpenMode, busy_timeout: float) -> Iterator[Store]:
    """The store for one command, closed when it ends; an error of the backend's driver that
    escapes its work (a page gone bad after the state was opened) becomes a StoreError naming the
    state."""
    store = open_store(state, mode, busy_timeout)
    try:
        yield store
    except store.driver_errors as exc:
        raise StoreError(f"the state {state} failed: {exc}") from exc
    finally:
        store.close()
