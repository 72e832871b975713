"""Every backend of the store, for the contract tests: the same scenarios run against each.

SQLite on a file of the test's folder; PostgreSQL on a fresh database of the session's server
(tests/support/postgres.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from flexibatch.store import Store
from flexibatch.store.postgresql import PostgresStore
from flexibatch.store.sqlite import OpenMode, SqliteStore
from support.backends import Backend


def _sqlite(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[OpenMode], Store]:
    path = str(tmp_path / "state.db")
    return lambda mode: SqliteStore(path, mode, busy_timeout=5.0)


def _postgresql(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[OpenMode], Store]:
    url: str = request.getfixturevalue("postgresql_url")
    return lambda mode: PostgresStore(url, mode, busy_timeout=5.0)


BACKENDS = {"sqlite": _sqlite, "postgresql": _postgresql}


@pytest.fixture(params=sorted(BACKENDS))
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    backend = Backend(request.param, BACKENDS[request.param](request, tmp_path))
    yield backend
    backend.close()


@pytest.fixture
def store(backend: Backend) -> Store:
    """A new, empty state of the backend."""
    return backend.open()
