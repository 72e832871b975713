"""The intake role and `flexibatch decide` workers (docs/decisions.md, decision 89): an intake
host that claims and publishes, two workers that reach the submissions only through the
PostgreSQL state, answer a mixed stream exactly as one `flexibatch run` on SQLite does."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from support.builders import dimona, dimona_in
from support.channel import SAMPLES
from support.cli import cli, flexibatch, one_sentence, workers
from support.hostile import Drop, answered, drop_files, installed, state_facts, wait_for
from support.intake import assert_like_calm, calm_run, log_events, stop, stream_with_big
from support.postgres import Server

SUBMISSIONS = 60
SEED = 20261208
FORMS = 1500


@pytest.mark.slow
def test_an_intake_and_two_decide_workers_answer_like_one_sqlite_run(
    tmp_path: Path, postgresql_server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLEXIBATCH_SETTLE", "0")  # foreign names are answered at once
    monkeypatch.setenv("FLEXIBATCH_RESCAN", "0.1")
    stream = stream_with_big(SUBMISSIONS, SEED, FORMS)
    calm, remote = tmp_path / "calm", tmp_path / "remote"
    calm_run(calm, stream)
    url = postgresql_server.fresh_database(migrated=False)
    env = {"FLEXIBATCH_STATE": url}
    installed(remote, **env)
    elsewhere = tmp_path / "worker-host"  # the workers' own folders: no inbox, no outbox there
    elsewhere.mkdir()
    worker_env = {
        **env,
        "FLEXIBATCH_INBOX": "",
        "FLEXIBATCH_OUTBOX": "",
        "FLEXIBATCH_WORK": str(elsewhere / "work"),
    }
    deciders = [cli(elsewhere, "decide", "--name", f"w{n}", **worker_env) for n in (1, 2)]
    intake = cli(remote, "watch", "--role", "intake", **env)
    try:
        for files in stream:
            drop_files(remote / "inbox", files)
        assert wait_for(lambda: answered(remote / "outbox") >= len(stream), 240), (
            remote / "flexibatch.log"
        ).read_text()[-3000:]
    finally:
        codes = stop([intake, *deciders])
    assert codes == [0, 0, 0], (elsewhere / "flexibatch.log").read_text()[-3000:]
    assert_like_calm(calm, remote, url, stream)
    decided = [line for line in log_events(elsewhere) if line.get("ticket")]
    by_worker = Counter(
        str(line["worker"]) for line in decided if line["event"] == "submission decided for the intake"
    )
    assert sum(by_worker.values()) == len(stream), "each submission decided once, by one of the workers"
    assert set(by_worker) == {"w1", "w2"}, "both workers decided, at the same time (the big one took a while)"
    assert not (elsewhere / "inbox_dir").exists() and not (elsewhere / "outbox_dir").exists()


def test_the_remote_roles_refuse_a_sqlite_state_in_one_sentence(tmp_path: Path) -> None:
    (tmp_path / "inbox").mkdir()
    assert flexibatch(tmp_path, "refdata", "load", str(SAMPLES / "refdata")).returncode == 0
    for args in (("decide",), ("run", "--role", "intake"), ("watch", "--role", "intake")):
        result = flexibatch(tmp_path, *args)
        one_sentence(result, 2, "PostgreSQL state", "SQLite")


def test_a_file_a_decide_worker_refuses_late_leaves_no_decision_behind(
    tmp_path: Path, postgresql_server: Server
) -> None:
    """Batches of two: the schema error in the last batch is found after two batches were decided
    and written in the worker's transaction; the refusal rolls them back and keeps the turn."""
    (tmp_path / "settings.toml").write_text("batch_size = 2\n")
    people = workers(5)
    forms = [dimona_in(insz=insz, reference=f"L{n}") for n, insz in enumerate(people[:4])]
    late = dimona(*forms, dimona_in(insz=people[4], reference="L4", end_hour="2500"))
    key = "123456.20260624.00001.R"
    stream = [[Drop(f"123456/FI.DIMN.{key}.1.1.xml", late), Drop(f"123456/GO.DIMN.{key}.1", b"")]]
    calm, remote = tmp_path / "calm", tmp_path / "remote"
    calm_run(calm, stream)
    url = postgresql_server.fresh_database(migrated=False)
    env = {"FLEXIBATCH_STATE": url, "FLEXIBATCH_CONFIG": str(tmp_path / "settings.toml")}
    installed(remote, **env)
    drop_files(remote / "inbox", stream[0])
    handed = flexibatch(remote, "run", "--role", "intake", **env)
    assert "1 submission(s) handed on, waiting for a `flexibatch decide` worker" in handed.stdout, handed
    decided = flexibatch(tmp_path, "decide", "--once", **env)
    assert decided.returncode == 0 and "1 submission(s) decided" in decided.stdout, decided
    published = flexibatch(remote, "run", "--role", "intake", **env)
    assert published.returncode == 0 and "1 submission(s) answered: 1 REFUSED" in published.stdout, published
    assert state_facts(url).periods == {}, "no period of the refused file's first batches is left"
    assert_like_calm(calm, remote, url, stream)


def test_the_intake_refuses_a_too_large_file_itself_without_carrying_its_bytes(
    tmp_path: Path, postgresql_server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLEXIBATCH_MAX_FILE_BYTES", "200")
    stream = stream_with_big(0, SEED, 3)
    calm, remote = tmp_path / "calm", tmp_path / "remote"
    calm_run(calm, stream)
    url = postgresql_server.fresh_database(migrated=False)
    env = {"FLEXIBATCH_STATE": url, "FLEXIBATCH_MAX_FILE_BYTES": "200"}
    installed(remote, **env)
    drop_files(remote / "inbox", stream[0])
    answered = flexibatch(remote, "run", "--role", "intake", **env)
    assert answered.returncode == 0 and "1 submission(s) answered: 1 REFUSED" in answered.stdout, answered
    assert "waiting for a `flexibatch decide` worker" not in answered.stdout
    assert_like_calm(calm, remote, url, stream)
    assert "ACRF-184" in next((remote / "outbox").rglob("FO.ACRF.*")).read_text()
