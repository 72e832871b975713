"""A PostgreSQL worker whose session the server ends (`pg_terminate_backend`, a restart) loses the
transaction it was in, whole, and goes on with a new session: it does not die with it."""

from __future__ import annotations

import threading
from datetime import datetime

import psycopg
import pytest

from flexibatch.errors import StoreConflict
from flexibatch.store.postgresql import PostgresStore
from support.hostile import wait_for


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


def _waiting_for_a_lock(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as admin:
        row = admin.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        ).fetchone()
    return int(str(row[0])) if row else 0


def test_a_deadlock_is_a_conflict_named_so_and_the_other_transaction_goes_on(postgresql_url: str) -> None:
    """Two transactions each waiting for the other's row: the server ends the store's, the one that
    waits past the server's deadlock_timeout (the other session set its own far longer), and its
    StoreConflict says `deadlock`, the reason `flexibatch_conflicts_total` counts (decision 90)."""
    store = PostgresStore(postgresql_url, busy_timeout=30.0)
    store.db.execute("INSERT INTO worker_locks VALUES ('R', 'X'), ('R', 'Y')")
    lock = "SELECT 1 FROM worker_locks WHERE env = 'R' AND worker = %s FOR UPDATE"
    with psycopg.connect(postgresql_url) as other:
        other.execute("SET deadlock_timeout = '60s'")
        other.execute(lock, ("Y",))
        with pytest.raises(StoreConflict) as lost, store.transaction():
            store.db.execute(lock, ("X",))
            behind = threading.Thread(target=other.execute, args=(lock, ("X",)))
            behind.start()
            assert wait_for(lambda: _waiting_for_a_lock(postgresql_url) == 1, 30), "the other waits for X"
            store.db.execute(lock, ("Y",))
        behind.join(timeout=30)
        other.commit()
    store.close()
    assert lost.value.reason == "deadlock", lost.value
    assert not behind.is_alive(), "the other transaction was granted X once the store's rolled back"


def test_a_busy_timeout_of_0_never_waits_for_a_lock_on_postgresql_either(postgresql_url: str) -> None:
    """0 is "never wait" on SQLite, and what /healthz opens the state with; PostgreSQL reads a
    `lock_timeout` of 0 as "wait for ever", so a check behind a migration's lock would hang."""
    PostgresStore(postgresql_url, busy_timeout=5.0).close()  # the schema, made
    with psycopg.connect(postgresql_url) as migrating:
        migrating.execute("LOCK TABLE refdata_loads IN ACCESS EXCLUSIVE MODE")
        checking: list[BaseException] = []

        def check() -> None:
            try:
                store = PostgresStore(postgresql_url, "read", busy_timeout=0.0)
                try:
                    store.refdata.version()
                finally:
                    store.close()
            except BaseException as exc:  # what the check met is the result
                checking.append(exc)

        thread = threading.Thread(target=check, daemon=True)
        thread.start()
        thread.join(timeout=30)
        alive = thread.is_alive()
        migrating.rollback()
    thread.join(timeout=30)
    assert not alive, "the check waited behind the lock"
    assert checking and isinstance(checking[0], StoreConflict | psycopg.errors.LockNotAvailable), checking
