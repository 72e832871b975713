"""What a state's `schema_migrations` table says of it, the same for both backends (SPEC 10): a
state of another application, or of a later release, is refused; a reader reads only a state this
release brought up to date. Each backend's connection.py applies its own migrations.py."""

from __future__ import annotations

from flexibatch.errors import ConfigError
from flexibatch.store.statements import Executes

#: A backend's migrations: number, name, script.
Migrations = tuple[tuple[int, str, str], ...]

#: The table every state records its applied migrations in.
CREATE_SCHEMA_MIGRATIONS = (
    "CREATE TABLE IF NOT EXISTS schema_migrations "
    "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
)


def applied_migrations(db: Executes, path: str, tables: str, migrations: Migrations) -> set[int]:
    """The migrations the state at `path` records, read without writing (`tables`: the query of
    the names of its tables); refused when it holds another application's tables or a migration
    of a later release."""
    names = {str(row[0]) for row in db.execute(tables, ())}
    if "schema_migrations" not in names:
        if names:
            raise ConfigError(f"the state {path} is not a flexibatch state: it holds other tables")
        return set()
    applied = {int(row[0]) for row in db.execute("SELECT version FROM schema_migrations", ())}
    later = applied - {version for version, _, _ in migrations}
    if later:
        raise ConfigError(
            f"the state {path} was written by a later release of flexibatch (migration "
            f"{max(later)}, this one knows up to {migrations[-1][0]}): run it with that release"
        )
    return applied


def check_current(path: str, applied: set[int], migrations: Migrations) -> None:
    """A reader reads only a state this release wrote: it never migrates one."""
    if not applied:
        raise unmade(path)
    if len(applied) < len(migrations):
        raise ConfigError(
            f"the state {path} was written by an earlier release: a command that writes "
            "(`flexibatch run`, `watch` or `refdata load`) brings it up to date first"
        )


def unmade(path: str) -> ConfigError:
    """The refusal of a command that needs a state where none is made yet (no migration applied)."""
    return ConfigError(
        f"the state {path} holds no flexibatch state yet: `flexibatch refdata load DIR` creates it"
    )
