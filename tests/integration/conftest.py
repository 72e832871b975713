"""The integration tests' installations run on both backends: every test that takes the `channel`
(or `state`) fixture runs once on a SQLite file and once on a fresh PostgreSQL database.

A test about SQLite's own file, pragmas or planner says so with `@pytest.mark.sqlite_only`.
"""

from __future__ import annotations

import pytest

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(params=BACKENDS)
def state(request: pytest.FixtureRequest) -> str | None:
    """None for SQLite (a file in the test's folder), else a fresh PostgreSQL database's URL."""
    if request.param == "sqlite":
        return None
    url: str = request.getfixturevalue("postgresql_url")
    return url


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A SQLite-only test is not generated for PostgreSQL at all (never a skip)."""
    kept, dropped = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_postgresql = callspec is not None and callspec.params.get("state") == "postgresql"
        (dropped if on_postgresql and item.get_closest_marker("sqlite_only") else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
