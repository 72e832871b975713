"""One PostgreSQL state opened for a command: its session settings, its migrations, its transactions.

`PostgresStore` (store.py) is this connection with the repositories over it. Two sessions: the
main one holds a submission's transaction; a side one, always in autocommit, advances the counters
and makes the workers' lock rows, so that neither waits for, nor rolls back with, a submission
(store/postgresql/locks.py, refdata.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import Cursor, Transaction, errors
from psycopg.abc import Params

from flexibatch.errors import ConfigError, StoreConflict, StoreError
from flexibatch.store.postgresql.locks import WorkerLocks
from flexibatch.store.postgresql.migrations import MIGRATIONS
from flexibatch.store.schema import CREATE_SCHEMA_MIGRATIONS, applied_migrations, check_current, unmade
from flexibatch.store.sqlite.connection import OpenMode

#: How a worker's sessions show in `pg_stat_activity`.
APPLICATION = "flexibatch"
#: Every flexibatch migrates under this advisory lock, so workers that start together migrate once.
MIGRATION_LOCK = 0x666C6578  # "flex"
#: A session idle inside a transaction this long is ended by the server: its locks are freed.
IDLE_IN_TRANSACTION_SECONDS = 300
#: How long a peer may stay silent before its session is ended, at both ends (the setting
#: peer_timeout_seconds): without it a dead peer holds its locks for two hours.
PEER_TIMEOUT = 30.0
#: How many keepalive probes go unanswered before the peer is taken for dead.
KEEPALIVE_COUNT = 3
#: The errors that mean a transaction lost a race with another worker, deciding again the cure,
#: with the reason `flexibatch_conflicts_total` counts them under (monitoring/metrics.py).
CONFLICTS: dict[type[psycopg.Error], str] = {
    errors.DeadlockDetected: "deadlock",
    errors.SerializationFailure: "serialization_failure",
    errors.LockNotAvailable: "lock_timeout",
}

Connection = psycopg.Connection[tuple[object, ...]]


class Session:
    """The main session, opened again when the server ended it (`pg_terminate_backend`, a restart)
    while no transaction was open, so a worker outlives the loss of its session; inside a
    transaction a lost session fails the transaction, never carries on outside it."""

    def __init__(self, open_session: Callable[[], Connection]) -> None:
        self._open = open_session
        self.live = open_session()
        self.in_transaction = False

    def _current(self) -> Connection:
        if self.live.broken and not self.in_transaction:
            self.live.close()
            try:
                self.live = self._open()
            except psycopg.OperationalError as exc:  # the server down, a host cut off: no race to retry
                raise StoreError(f"cannot reach the state again: {_sentence(exc)}") from None
        return self.live

    def execute(self, query: str | bytes, params: Params | None = None) -> Cursor[tuple[object, ...]]:
        return self._current().execute(query, params)

    def cursor(self) -> Cursor[tuple[object, ...]]:
        return self._current().cursor()

    def transaction(self) -> AbstractContextManager[Transaction]:
        return self._current().transaction()

    @property
    def broken(self) -> bool:
        return self.live.broken

    def close(self) -> None:
        self.live.close()


def redacted(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc}"))


def _keepalives(peer_timeout: float) -> tuple[int, int, int]:
    """Idle seconds before the first probe, seconds between probes, and the TCP user timeout (ms)
    that find a peer dead in about `peer_timeout`: 30 s gives 10 s, then 3 probes 5 s apart."""
    return max(1, round(peer_timeout / 3)), max(1, round(peer_timeout / 6)), round(peer_timeout * 1000)


def connect(
    url: str,
    busy_timeout: float,
    *,
    read_only: bool = False,
    side: bool = False,
    peer_timeout: float = PEER_TIMEOUT,
) -> Connection:
    """A session with the settings every flexibatch session has: a lock waited for at most the busy
    timeout, a transaction left idle ended, keepalives and a TCP user timeout on the client's
    socket and the server's (unacknowledged data, as a query sent into a cut link, counts too).

    The side session commits without waiting for its WAL flush: what it commits (a counter's
    reservation, a lock row) is used only by a submission whose own commit is flushed later in the
    same WAL, so it is durable before anything that depends on it; flushing each reservation cost
    a monthly file most of its time (docs/performance.md, "PostgreSQL")."""
    timeout_ms = max(1, round(busy_timeout * 1000))  # 0 is 'never wait' here, 'for ever' to PostgreSQL
    idle, interval, user_timeout = _keepalives(peer_timeout)
    settings = {
        "lock_timeout": timeout_ms,
        "idle_in_transaction_session_timeout": IDLE_IN_TRANSACTION_SECONDS * 1000,
        "tcp_keepalives_idle": idle,
        "tcp_keepalives_interval": interval,
        "tcp_keepalives_count": KEEPALIVE_COUNT,
        "tcp_user_timeout": user_timeout,
        "default_transaction_read_only": "on" if read_only else "off",
        "synchronous_commit": "off" if side else "on",
    }
    given = psycopg.conninfo.conninfo_to_dict(url).get("options") or ""
    options = " ".join([str(given), *(f"-c {name}={value}" for name, value in settings.items())]).strip()
    return psycopg.connect(
        url,
        autocommit=True,
        options=options,
        application_name=APPLICATION,
        connect_timeout=max(1, round(busy_timeout)),
        keepalives=1,
        keepalives_idle=idle,
        keepalives_interval=interval,
        keepalives_count=KEEPALIVE_COUNT,
        tcp_user_timeout=user_timeout,
    )


class PostgresConnection:
    """State in one PostgreSQL database, shared by any number of workers."""

    def __init__(
        self,
        url: str,
        mode: OpenMode = "create",
        busy_timeout: float = 60.0,
        *,
        worker_locks: bool = True,
        peer_timeout: float = PEER_TIMEOUT,
    ) -> None:
        """Open the state at `url` (see `OpenMode`); `busy_timeout` is how long, in seconds, a
        lock is waited for, `peer_timeout` how long a silent peer lives. `worker_locks=False`
        only in the test that shows what they prevent."""
        self.path = redacted(url)
        self.locks = WorkerLocks(self, enabled=worker_locks)
        self._url = url
        self._busy_timeout = busy_timeout
        self._peer_timeout = peer_timeout
        self._in_transaction = False
        try:
            self._db = Session(
                lambda: connect(url, busy_timeout, read_only=mode == "read", peer_timeout=peer_timeout)
            )
        except psycopg.ProgrammingError as exc:
            raise ConfigError(f"the state {self.path} is not a PostgreSQL URL libpq reads: {exc}") from None
        except psycopg.Error as exc:
            raise StoreError(f"cannot reach the state {self.path}: {_sentence(exc)}") from None
        self._side: Connection | None = None
        try:
            applied = self._applied_migrations(self._db)
            if mode == "read":
                check_current(self.path, applied, MIGRATIONS)
            elif mode == "write" and not applied:
                raise unmade(self.path)
            else:
                self._migrate()
        except psycopg.Error as exc:
            self._db.close()
            raise StoreError(f"cannot open the state {self.path}: {_sentence(exc)}") from None
        except BaseException:
            self._db.close()
            raise
        self._open_repositories()

    def _open_repositories(self) -> None:
        """What a store built on this connection puts over it, once it is open (store.py)."""

    @property
    def side(self) -> Connection:
        """The autocommit session of the counters and the lock rows, opened when first needed."""
        if self._side is None or self._side.broken:  # opened again when the server ended it
            self._side = connect(self._url, self._busy_timeout, side=True, peer_timeout=self._peer_timeout)
        return self._side

    def _applied_migrations(self, db: Session) -> set[int]:
        tables = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        return applied_migrations(db, self.path, tables, MIGRATIONS)

    def _migrate(self) -> None:
        """Under the migration lock, held until the migrations commit: a worker that starts while
        another migrates waits, then finds the migrations applied."""
        with self.transaction():
            self._db.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            self._db.execute(CREATE_SCHEMA_MIGRATIONS)
            applied = self._applied_migrations(self._db)
            for version, name, script in MIGRATIONS:
                if version not in applied:
                    self._db.execute(script.encode())
                    self._db.execute(
                        "INSERT INTO schema_migrations VALUES (%s, %s, %s)",
                        (version, name, datetime.now().isoformat(timespec="seconds")),
                    )

    def close(self) -> None:
        if self._side is not None:
            self._side.close()
        self._db.close()

    @property
    def db(self) -> Session:
        """The main session, whose transactions hold a submission's writes."""
        return self._db

    @property
    def in_transaction(self) -> bool:
        return self._in_transaction

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction of the main session (READ COMMITTED: the locks serialise what must be,
        store/postgresql/locks.py); a nested `transaction()` is a savepoint of the open one, so a
        refusal found late rolls back the decisions before it and keeps what the outer one holds
        (a decide worker's turn, service/deciding.py). A lost race (deadlock, a lock waited for
        past the busy timeout) is a StoreConflict: decided again."""
        if self._in_transaction:
            try:
                with self._db.transaction():
                    yield
            except BaseException:
                self.locks.released()  # rows locked after the savepoint are let go with it
                raise
            return
        self._in_transaction = True
        try:
            with self._db.transaction():
                self._db.in_transaction = True
                yield
        except tuple(CONFLICTS) as exc:
            reason = next(name for kind, name in CONFLICTS.items() if isinstance(exc, kind))
            raise StoreConflict(f"the state {self.path}: {_sentence(exc)}; deciding again", reason) from exc
        except psycopg.Error as exc:
            if self._db.broken:  # the session ended under it (terminated, a server restart): all rolled back
                message = f"the state {self.path} lost its session: {_sentence(exc)}"
                raise StoreConflict(message, "session_lost") from exc
            raise StoreError(f"the state {self.path} failed: {_sentence(exc)}") from exc
        finally:
            self._in_transaction = self._db.in_transaction = False
            self.locks.released()


def _sentence(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
