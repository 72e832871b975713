"""The locks that make concurrent workers decide as if one after another.

A submission's transaction takes, before it reads what it decides on, the lock row of every
(environment, worker) its batch touches: Dimona periods by their worker, Flexi at work situations
and yearly totals by the INSZ (the same key, so a wage transfer waits for the Dimona of its worker).
The rows are made (committed at once, by the side session) when missing, then locked `FOR UPDATE`
in key order, so two batches wait for each other rather than deadlock; a deadlock between two
batches of long submissions is still possible, and is retried whole (errors.StoreConflict).

Row locks, not advisory ones: a transaction holding 250 000 of them costs the lock table nothing
(they live in the rows), where one advisory lock each runs out of shared memory past a few thousand.
A name key, a content hash or an answer name, a few per submission, take a transaction-scoped
advisory lock on their hash: two submissions of one name are then checked one after the other.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flexibatch.store.postgresql.connection import PostgresConnection


class WorkerLocks:
    """The lock rows a transaction holds, taken once each."""

    def __init__(self, connection: PostgresConnection, *, enabled: bool = True) -> None:
        self._connection = connection
        #: Off only in the test that shows what they prevent (tests/integration/test_pg_workers.py).
        self.enabled = enabled
        self._held: set[tuple[str, str]] = set()

    def lock(self, env: str, workers: Iterable[str]) -> None:
        """Hold these workers' lock rows until the transaction ends; outside one, nothing to hold."""
        if not self.enabled or not self._connection.in_transaction:
            return
        wanted = sorted({w for w in workers if (env, w) not in self._held})
        if not wanted:
            return
        self._connection.side.execute(
            "INSERT INTO worker_locks (env, worker) SELECT %s, unnest(%s::text[]) ON CONFLICT DO NOTHING",
            (env, wanted),
        )
        # In the order of the sorted keys, one index search each (a plain `worker = ANY(...)` was
        # planned as a scan of the environment's every lock row per batch).
        self._connection.db.execute(
            "SELECT 1 FROM unnest(%s::text[]) WITH ORDINALITY AS w (worker, n) CROSS JOIN LATERAL "
            "(SELECT 1 FROM worker_locks l WHERE l.env = %s AND l.worker = w.worker FOR UPDATE) l ORDER BY w.n",
            (wanted, env),
        )
        self._held.update((env, w) for w in wanted)

    def lock_key(self, *parts: str) -> None:
        """Hold a transaction-scoped advisory lock on a key's hash (a name key, a content hash)."""
        if self._connection.in_transaction:
            self._connection.db.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", ("\x1f".join(parts),)
            )

    def released(self) -> None:
        self._held.clear()
