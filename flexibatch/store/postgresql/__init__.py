"""The PostgreSQL backend of the store (`store/ports.py`): the shared state of several workers."""

from __future__ import annotations

from flexibatch.store.postgresql.store import PostgresStore

__all__ = ["PostgresStore"]
