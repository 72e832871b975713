from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from support.answers import validated
from support.channel import Channel
from support.postgres import Server, session_server


@pytest.fixture
def state() -> str | None:
    """The state of a test's installation: None for a SQLite file in its folder (here), a
    `postgresql://` URL where a conftest parametrises it (tests/integration/conftest.py)."""
    return None


@pytest.fixture
def channel(tmp_path: Path, state: str | None) -> Iterator[Channel]:
    """A fresh installation: sample reference data, empty inbox and outbox, a new store.

    When the test ends, every answer it left in the outbox must be valid against its XSD.
    """
    installation = Channel(tmp_path, url=state)
    yield installation
    installation.close()
    for answer in installation.all_answers():
        if answer.name.startswith(("FO.ACRF", "FO.NOTI", "ERR.")) and not answer.name.endswith(".csv"):
            validated(answer)


@pytest.fixture(scope="session")
def postgresql_server() -> Iterator[Server]:
    """The session's PostgreSQL server (tests/support/postgres.py): skipped, or failed in CI, without one."""
    with session_server() as server:
        yield server


@pytest.fixture
def postgresql_url(postgresql_server: Server) -> Iterator[str]:
    """A fresh, empty database of the session's server, dropped when the test ends."""
    url = postgresql_server.fresh_database()
    yield url
    postgresql_server.drop_database(url)
