"""`--state postgresql://...` end to end through the real CLI: `refdata load` makes the schema,
`run` answers the samples as a SQLite state does (same answers, same decisions, same state facts),
the read-only views read it, and a server that cannot be reached is one sentence, exit 1.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from support.channel import SAMPLES
from support.cli import flexibatch, one_sentence
from support.hostile import answer_names, decisions_of, state_facts
from support.postgres import Server


def _answer_samples(root: Path, **env: str) -> None:
    shutil.copytree(SAMPLES / "inbox", root / "inbox", copy_function=shutil.copy)
    (root / "outbox").mkdir()
    loaded = flexibatch(root, "refdata", "load", str(SAMPLES / "refdata"), **env)
    assert loaded.returncode == 0, loaded.stderr
    ran = flexibatch(root, "run", **env)
    assert ran.returncode == 0, ran.stderr


def _without_tickets(status: str) -> list[str]:
    """status's lines, the file tickets (random, one per submission, SPEC 4) left out."""
    return [" ".join(line.split()[:1] + line.split()[2:]) for line in status.splitlines()]


def test_the_samples_on_postgresql_are_answered_as_on_sqlite(
    tmp_path: Path, postgresql_server: Server
) -> None:
    url = postgresql_server.fresh_database(migrated=False)  # refdata load creates the schema
    on_sqlite, on_postgresql = tmp_path / "sqlite", tmp_path / "postgresql"
    on_sqlite.mkdir()
    on_postgresql.mkdir()
    _answer_samples(on_sqlite)
    _answer_samples(on_postgresql, FLEXIBATCH_STATE=url)

    assert answer_names(on_postgresql / "outbox") == answer_names(on_sqlite / "outbox")
    assert decisions_of(on_postgresql / "outbox") == decisions_of(on_sqlite / "outbox")
    assert state_facts(url) == state_facts(on_sqlite / "state.db")
    assert (on_postgresql / "flexibatch.work" / "archive").is_dir(), (
        "claims beside the command, not in the inbox"
    )

    status = flexibatch(on_postgresql, "status", FLEXIBATCH_STATE=url)
    assert status.returncode == 0, status.stderr
    assert _without_tickets(status.stdout) == _without_tickets(flexibatch(on_sqlite, "status").stdout), (
        "the same submissions, the same counts"
    )
    worker = flexibatch(on_postgresql, "worker", "85073003328", FLEXIBATCH_STATE=url)
    assert worker.returncode == 0, worker.stderr
    assert worker.stdout == flexibatch(on_sqlite, "worker", "85073003328").stdout


def test_an_empty_database_is_not_a_state_for_the_views(tmp_path: Path, postgresql_server: Server) -> None:
    url = postgresql_server.fresh_database(migrated=False)
    (tmp_path / "inbox").mkdir()
    (tmp_path / "outbox").mkdir()
    line = one_sentence(flexibatch(tmp_path, "status", FLEXIBATCH_STATE=url), 2, "holds no flexibatch state")
    assert "refdata load" in line


def test_a_server_that_cannot_be_reached_is_one_sentence_without_the_password(tmp_path: Path) -> None:
    (tmp_path / "inbox").mkdir()
    (tmp_path / "outbox").mkdir()
    url = "postgresql://flexibatch:s3cret@127.0.0.1:1/flexibatch"
    line = one_sentence(flexibatch(tmp_path, "run", FLEXIBATCH_STATE=url), 1, "cannot reach the state")
    assert "s3cret" not in line and "flexibatch:***@127.0.0.1:1" in line
