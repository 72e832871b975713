"""Whose turn it is to claim a sender's submissions, among the workers of one PostgreSQL state.

A session-level advisory lock per sender, tried without waiting (a held turn is skipped, as
`FOR UPDATE SKIP LOCKED` skips a locked row): it spans the claim, the submission's transaction and
the publication after it, which a row lock could only do inside one long transaction, and it ends
with the session of a worker that dies. A handful are held at a time, one per sender being worked
on, far from the limits of the lock table.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from flexibatch.store.postgresql.connection import Session


class PostgresTurns:
    def __init__(self, db: Session) -> None:
        self._db = db

    @contextmanager
    def take(self, sender: str) -> Iterator[bool]:
        key = f"turn\x1f{sender}"
        row = self._db.execute("SELECT pg_try_advisory_lock(hashtextextended(%s, 0))", (key,)).fetchone()
        ours = row is not None and bool(row[0])
        try:
            yield ours
        finally:
            if ours:
                with contextlib.suppress(psycopg.OperationalError):  # a session gone has let go of it
                    self._db.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", (key,))
