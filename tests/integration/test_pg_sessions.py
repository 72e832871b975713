"""A PostgreSQL worker whose session the server ends (`pg_terminate_backend`, a restart) loses the
transaction it was in, whole, and goes on with a new session: it does not die with it."""

from __future__ import annotations

from datetime import datetime

import psycopg
import pytest

from flexibatch.errors import StoreConflict
from flexibatch.store.postgresql import PostgresStore


def _terminate(url: str, pid: int) -> None:
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s, 10000)", (pid,))


def test_a_session_ended_between_transactions_is_opened_again(postgresql_url: str) -> None:
    store = PostgresStore(postgresql_url, busy_timeout=5.0)
    first = store.db.live.info.backend_pid
    _terminate(postgresql_url, first)
    with pytest.raises(psycopg.OperationalError):
        store.refdata.version()  # the statement that finds the session gone fails...
    assert store.refdata.version() == 0, "...and the next one runs on a new session"
    assert store.db.live.info.backend_pid != first
    store.close()


def test_a_session_ended_inside_a_transaction_rolls_it_back_whole(postgresql_url: str) -> None:
    store = PostgresStore(postgresql_url, busy_timeout=5.0)
    store.db.execute("SELECT 1")
    with pytest.raises(StoreConflict, match="lost its session"), store.transaction():
        store.failures.forget("CLAIM", "nothing")
        store.db.execute(
            "INSERT INTO refdata_loads (loaded_at, source, counts) VALUES (%s, 'cut', '{}')",
            (datetime(2026, 6, 1).isoformat(),),
        )
        _terminate(postgresql_url, store.db.live.info.backend_pid)
        store.failures.forget("CLAIM", "after the cut")  # never runs outside the transaction
    assert store.refdata.version() == 0, "the load of the cut transaction never committed"
    store.close()


def test_the_side_session_of_the_counters_ended_is_opened_again(postgresql_url: str) -> None:
    store = PostgresStore(postgresql_url, busy_timeout=5.0)
    first = store.counters.reserve("dimona_period", 3)
    _terminate(postgresql_url, store.side.info.backend_pid)
    with pytest.raises(psycopg.OperationalError):
        store.counters.reserve("dimona_period", 1)
    assert store.counters.reserve("dimona_period", 1) == first + 3, "nothing was issued twice"
    store.close()
