"""A real PostgreSQL server for the tests: one per test session, a fresh database per test.

`FLEXIBATCH_TEST_POSTGRESQL` names a server to use (a `postgresql://` URL whose role may create
databases). Without it, a throwaway server is started from the installed binaries (Debian's
`/usr/lib/postgresql/<version>/bin`, or `pg_config --bindir`) in a temporary folder, on a unix
socket only; as root it runs as the `postgres` user, which owns its data folder. When neither is
possible the PostgreSQL tests are skipped, unless `FLEXIBATCH_REQUIRE_POSTGRESQL=1` (CI sets it):
then a missing server fails them. A test of a deployment's authentication starts a throwaway server
of its own whose roles must give their passwords (`session_server(passwords=True)`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

from flexibatch.store.postgresql import PostgresStore

SERVER_ENV = "FLEXIBATCH_TEST_POSTGRESQL"
REQUIRE_ENV = "FLEXIBATCH_REQUIRE_POSTGRESQL"
#: The database every test's database is copied from (CREATE DATABASE ... TEMPLATE is a file copy).
TEMPLATE = "flexibatch_template"


def _bindir() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), reverse=True)
    if found:
        return found[0].parent
    if pg_config := shutil.which("pg_config"):
        bindir = Path(
            subprocess.run([pg_config, "--bindir"], check=True, capture_output=True, text=True).stdout.strip()
        )
        if (bindir / "initdb").exists():
            return bindir
    return None


def _as_server_user(argv: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: run them as `postgres` then."""
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


@dataclass
class Server:
    """A server the tests may create databases on: `url(db)` names one of them."""

    base_url: str
    bindir: Path | None = None
    folder: Path | None = None
    _count: int = field(default=0)

    def url(self, database: str) -> str:
        """The `postgresql://` URL of one database of the server, as `--state` takes it."""
        return urlunsplit(urlsplit(self.base_url)._replace(path=f"/{database}"))

    def admin(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(self.url("postgres"), autocommit=True)

    def fresh_database(self, *, migrated: bool = True) -> str:
        """A new database and its URL: a copy of the template, which holds this release's empty
        schema (as `refdata load` leaves it before loading), or without `migrated` an empty one."""
        self._count += 1
        name = f"test_{os.getpid()}_{self._count}"
        with self.admin() as db:
            db.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
            db.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {} STRATEGY FILE_COPY").format(
                    sql.Identifier(name), sql.Identifier(TEMPLATE if migrated else "template0")
                )
            )
        return self.url(name)

    def drop_database(self, url: str) -> None:
        name = urlsplit(url).path.lstrip("/")
        with self.admin() as db:
            db.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(str(name))))

    def stop(self) -> None:
        if self.bindir is not None and self.folder is not None:
            pg_ctl = [str(self.bindir / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate", "stop"]
            subprocess.run(_as_server_user(pg_ctl), check=False, capture_output=True)
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)


#: pg_hba.conf of a server whose roles but `postgres` give a password, as a deployment's do.
PASSWORD_HBA = "local all postgres trust\nlocal all all scram-sha-256\n"  # noqa: S105 - no password in it


@dataclass(frozen=True)
class Listen:
    """TCP for a throwaway server: these addresses, this port, and a pg_hba line trusting `network`."""

    addresses: tuple[str, ...]
    port: int
    network: str


def _start_throwaway(
    bindir: Path, *, durable: bool = False, passwords: bool = False, tcp: Listen | None = None
) -> Server:
    folder = Path(tempfile.mkdtemp(prefix="flexibatch-pg-"))
    data, sockets = folder / "data", folder / "run"
    data.mkdir()
    sockets.mkdir()
    if os.geteuid() == 0:
        for path in (folder, data, sockets):
            shutil.chown(path, "postgres", "postgres")
    initdb = [str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8"]
    subprocess.run(_as_server_user([*initdb, "--no-locale", "--no-sync"]), check=True, capture_output=True)
    if passwords:  # reached by other accounts too (a service's), each role with its password
        (data / "pg_hba.conf").write_text(PASSWORD_HBA)
        folder.chmod(0o755)
        sockets.chmod(0o755)
    # No TCP unless asked: the socket folder is the only way in. fsync off: a test's database dies
    # with the server.
    options = f"-k {sockets} -c listen_addresses= -c max_connections=300"
    if tcp is not None:
        options = (
            f"-k {sockets} -c listen_addresses={','.join(tcp.addresses)} -p {tcp.port} -c max_connections=300"
        )
        with (data / "pg_hba.conf").open("a") as hba:
            hba.write(f"host all all {tcp.network} trust\n")
    if not durable:
        options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c deadlock_timeout=50ms"
    pg_ctl = [str(bindir / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"), "-o", options]
    try:
        subprocess.run(
            _as_server_user([*pg_ctl, "-w", "-t", "120", "start"]), check=True, capture_output=True
        )
    except subprocess.CalledProcessError as exc:
        log = (folder / "server.log").read_text(errors="replace") if (folder / "server.log").exists() else ""
        raise RuntimeError(f"the test server did not start: {exc.stderr!r} {log}") from exc
    port = "" if tcp is None else f"&port={tcp.port}"
    return Server(
        f"postgresql://postgres@/postgres?host={quote(str(sockets), safe='')}{port}", bindir, folder
    )


def _missing(reason: str) -> None:
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"PostgreSQL is required here ({REQUIRE_ENV}=1) but {reason}")
    pytest.skip(f"no PostgreSQL: {reason} (set {SERVER_ENV}, or install postgresql)")


@contextlib.contextmanager
def session_server(*, durable: bool = False, passwords: bool = False) -> Iterator[Server]:
    """The server of a test session, with the template database made; `durable` keeps fsync and
    synchronous commits on, as a benchmark against SQLite's `synchronous=FULL` must; `passwords`
    starts a throwaway one (never the named server, whose authentication is not the test's) on
    which every role but `postgres` must give its password (PASSWORD_HBA)."""
    if (url := os.environ.get(SERVER_ENV)) and not passwords:
        server = Server(url)
    elif (bindir := _bindir()) is not None:
        server = _start_throwaway(bindir, durable=durable, passwords=passwords)
    else:
        _missing("no initdb was found")
        raise AssertionError  # unreachable: _missing raises
    with _prepared(server):
        yield server


@contextlib.contextmanager
def networked_server(tcp: Listen) -> Iterator[Server]:
    """A throwaway server of its own that listens on TCP too (a named server cannot be made to):
    for workers that reach it only through a network, as other hosts do."""
    bindir = _bindir()
    if bindir is None:
        _missing("no initdb was found")
        raise AssertionError  # unreachable: _missing raises
    with _prepared(_start_throwaway(bindir, tcp=tcp)) as server:
        yield server


@contextlib.contextmanager
def _prepared(server: Server) -> Iterator[Server]:
    """The template database made; the server stopped at the end."""
    try:
        with server.admin() as db:
            db.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(TEMPLATE)))
            db.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(TEMPLATE)))
        PostgresStore(server.url(TEMPLATE)).close()  # migrated once: each test's copy is ready
        yield server
    finally:
        server.stop()
