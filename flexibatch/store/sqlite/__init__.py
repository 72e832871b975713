"""The SQLite backend of the store (`store/ports.py`): the connection, the repositories, the schema."""

from __future__ import annotations

from flexibatch.store.sqlite.connection import OPTIMIZE_EVERY_SECONDS, OpenMode
from flexibatch.store.sqlite.store import SqliteStore

__all__ = ["OPTIMIZE_EVERY_SECONDS", "OpenMode", "SqliteStore"]
