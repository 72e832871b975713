"""Two PostgreSQL workers on the inbox host, each run as the shipped template unit says
(`flexibatch-worker@PORT.service`: its account, its settings file, its EnvironmentFile, libpq's
passfile, `--metrics 127.0.0.1:PORT`), on a server that asks the role for its password: the
password is read from the passfile alone, never from the unit or the environment, and both workers
answer the senders' submissions from the one state (docs/operations.md, "PostgreSQL: one state for
several workers")."""

from __future__ import annotations

import secrets
import shutil
import subprocess
import urllib.request
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from support.channel import SAMPLES
from support.hostile import state_facts, wait_for
from support.network import free_port
from support.postgres import Server, session_server
from support.sftp_host import SENDERS, WORKER_UNIT, SftpHost

ROLE = "fbworker"
SUBMISSIONS = {"123456": "123456.20260624.00001.R", "654321": "654321.20260624.00001.R"}


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    """A server of its own on which the role must give its password (a deployment's)."""
    with session_server(passwords=True) as started:
        yield started


@pytest.fixture(scope="module")
def host() -> Iterator[SftpHost]:
    deployed = SftpHost(Path("/srv") / f"flexibatch-e2e-{secrets.token_hex(3)}")
    try:
        deployed.deploy()
        yield deployed
    finally:
        deployed.remove()


def _worker_state(server: Server, host: SftpHost) -> tuple[str, str]:
    """The role, its database and password, set up as docs/operations.md says: the state's URL
    (without the password) in postgresql.env, the password in the service account's passfile."""
    password = secrets.token_urlsafe(16)
    database = f"fb_{secrets.token_hex(3)}"
    with server.admin() as admin:
        admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(ROLE)))
        admin.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(ROLE), password))
        admin.execute(
            sql.SQL("CREATE DATABASE {} OWNER {} TEMPLATE template0").format(
                sql.Identifier(database), sql.Identifier(ROLE)
            )
        )
    url = server.url(database).replace("postgresql://postgres@", f"postgresql://{ROLE}@")
    etc = Path(host.vars["ETC_DIR"])
    (etc / "postgresql.env").write_text(f"FLEXIBATCH_STATE={url}\n")
    passfile = etc / "pgpass"
    passfile.write_text(f"*:*:{database}:{ROLE}:{password}\n")
    shutil.chown(passfile, host.vars["SERVICE_USER"], host.vars["SERVICE_USER"])
    passfile.chmod(0o600)
    return server.url(database), password


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


def test_workers_run_as_the_template_unit_says_share_the_state_with_the_password_from_the_passfile(
    server: Server, host: SftpHost
) -> None:
    admin_url, password = _worker_state(server, host)
    unit = (host.root / "etc" / "systemd" / WORKER_UNIT).read_text()
    assert password not in unit and "PGPASSWORD" not in unit

    # the passfile readable by others is ignored by libpq: then there is no password to give
    passfile = Path(host.vars["ETC_DIR"]) / "pgpass"
    passfile.chmod(0o644)
    with pytest.raises(subprocess.CalledProcessError) as refused:
        host.as_service("refdata", "load", str(host.root / "refdata"), unit_name=WORKER_UNIT)
    assert refused.value.returncode == 1, refused.value.stderr
    assert "no password supplied" in refused.value.stderr.splitlines()[-1], refused.value.stderr
    assert "Traceback" not in refused.value.stderr
    passfile.chmod(0o600)

    host.as_service("refdata", "load", str(host.root / "refdata"), unit_name=WORKER_UNIT)
    ports = [free_port(), free_port()]
    workers = [host.start_worker(str(port)) for port in ports]
    for sender, key in SUBMISSIONS.items():
        inbox = host.data / "inbox" / sender
        for sample in sorted((SAMPLES / "inbox" / sender).glob(f"*.{key}.*")):
            shutil.copy(sample, inbox / sample.name)
    for sender, key in SUBMISSIONS.items():
        host.answered(sender, f"FO.NOTI.{key}.DIMN")
    for port in ports:
        assert wait_for(partial(_healthy, port), 60), "each worker serves on its instance's port"

    facts = state_facts(admin_url)
    assert facts.submissions == len(SENDERS), "both submissions decided in the one PostgreSQL state"
    for worker in workers:
        environment = Path(f"/proc/{worker.pid}/environ").read_bytes()
        assert password.encode() not in environment, "the password is in no worker's environment"
    with psycopg.connect(admin_url) as db:
        roles = {
            str(r)
            for (r,) in db.execute(
                "SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'flexibatch'"
            )
        }
    assert roles == {ROLE}, "the workers connect as the role of postgresql.env"
    assert passfile.stat().st_mode & 0o077 == 0
