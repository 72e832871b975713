"""State: a unit of work over small repositories (`ports.py`), in SQLite or PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flexibatch.errors import ConfigError, StoreError
from flexibatch.store.ports import Queue, Store
from flexibatch.store.postgresql import PostgresStore
from flexibatch.store.postgresql.connection import PEER_TIMEOUT, redacted
from flexibatch.store.sqlite import OpenMode, SqliteStore
from flexibatch.store.sqlite.backup import backup

__all__ = ["OpenMode", "Queue", "Store", "backup_state", "open_store", "opened", "queue_of"]


def open_store(state: str, mode: OpenMode, busy_timeout: float, peer_timeout: float = PEER_TIMEOUT) -> Store:
    """The store a `--state` value names: a SQLite file path, or a `postgresql://` URL.

    `mode` says what the command may do to it (`OpenMode`): the read-only commands open it with
    `read`, so they never create, migrate or wait for the writer of a state (SPEC 10).
    `peer_timeout` is how long a PostgreSQL server or worker may stay silent before the other
    end ends its session (docs/decisions.md, decision 87).
    """
    if is_postgresql(state):
        return PostgresStore(state, mode, busy_timeout, peer_timeout=peer_timeout)
    return SqliteStore(state, mode, busy_timeout)


def queue_of(store: Store, role: str) -> Queue:
    """The queue between an intake and its decide workers (decision 89), which only a PostgreSQL
    state holds: `role` names what was asked for, in the one sentence a SQLite state gets."""
    if not isinstance(store, PostgresStore):
        raise ConfigError(
            f"{role} needs a PostgreSQL state shared with workers on other hosts "
            "(--state postgresql://...): a SQLite state is one host's alone"
        )
    return store.queue


def is_postgresql(state: str) -> bool:
    return state.startswith(("postgresql://", "postgres://"))


@contextmanager
def opened(
    state: str, mode: OpenMode, busy_timeout: float, peer_timeout: float = PEER_TIMEOUT
) -> Iterator[Store]:
    """The store for one command, closed when it ends; an error of the backend's driver that
    escapes its work (a page gone bad after the state was opened) becomes a StoreError naming the
    state."""
    store = open_store(state, mode, busy_timeout, peer_timeout)
    try:
        yield store
    except store.driver_errors as exc:
        raise StoreError(f"the state {redacted(state)} failed: {exc}") from exc
    finally:
        store.close()


def backup_state(state: str, dest: Path) -> None:
    """`flexibatch backup DEST`: a consistent copy of the state, taken while the channel runs."""
    if is_postgresql(state):
        raise ConfigError("backup copies a SQLite state: back up a PostgreSQL state with pg_dump")
    backup(state, dest)
