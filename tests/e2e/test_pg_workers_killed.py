"""Four `flexibatch watch` workers on one PostgreSQL state, over a stream of 200 mixed submissions,
killed with SIGKILL and their sessions ended with `pg_terminate_backend` at random moments (each
killed worker restarted), end exactly where an undisturbed `flexibatch run` on SQLite ends: every
submission answered exactly once, the same decisions, the same state facts, nothing doubled.
"""

from __future__ import annotations

import random
import signal
import subprocess
import threading
import time
from pathlib import Path

import psycopg
import pytest

from support.channel import SAMPLES
from support.cli import cli
from support.hostile import (
    Drop,
    answer_names,
    decisions_of,
    drop_files,
    expected_answer_names,
    mixed_stream,
    state_facts,
    suffixed,
    wait_for,
)
from support.postgres import Server

SUBMISSIONS = 200
SEED = 20261207
WORKERS = 4
EVENTS = 8


def _install(root: Path, **env: str) -> None:
    (root / "inbox").mkdir(parents=True)
    (root / "outbox").mkdir()
    assert cli(root, "refdata", "load", str(SAMPLES / "refdata"), **env).wait(timeout=60) == 0


def _markers(outbox: Path) -> int:
    return sum(1 for p in outbox.rglob("GO.*") if p.name.startswith(("GO.ACRF.", "GO.ERR.")))


def _unfinished_claims(work: Path) -> list[str]:
    claims = work / "claims"
    return [
        str(p.relative_to(claims))
        for p in claims.rglob("*")
        if p.is_file() and p.name not in ("claim.json", ".lock", "claim.json.tmp")
    ]


def _terminate_one(url: str, rng: random.Random) -> bool:
    """End one worker session the server holds, as an operator or a failover would."""
    with psycopg.connect(url, autocommit=True) as admin:
        pids = [
            int(str(row[0]))
            for row in admin.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND application_name = 'flexibatch' AND pid <> pg_backend_pid() ORDER BY pid"
            )
        ]
        if not pids:
            return False
        admin.execute("SELECT pg_terminate_backend(%s)", (rng.choice(pids),))
    return True


def _disturbed(root: Path, url: str, stream: list[list[Drop]]) -> tuple[int, int]:
    env = {"FLEXIBATCH_STATE": url}
    _install(root, **env)
    outbox = root / "outbox"

    def sender() -> None:
        for files in stream:
            drop_files(root / "inbox", files)
            time.sleep(0.01)  # the pace of the stream, not a wait for a result

    arrivals = threading.Thread(target=sender, daemon=True)
    rng = random.Random(SEED)  # noqa: S311 - reproducible moments
    kills = terminations = 0
    processes: list[subprocess.Popen[bytes]] = [cli(root, "watch", **env) for _ in range(WORKERS)]
    arrivals.start()
    try:
        for _ in range(EVENTS):
            before = _markers(outbox)
            if not wait_for(lambda before=before: _markers(outbox) > before, 30):
                break
            time.sleep(rng.uniform(0.0, 0.15))  # a random moment inside the work
            if rng.random() < 0.5:
                victim = rng.randrange(WORKERS)
                processes[victim].send_signal(signal.SIGKILL)
                processes[victim].wait(timeout=30)
                processes[victim] = cli(root, "watch", **env)
                kills += 1
            elif _terminate_one(url, rng):
                terminations += 1
        arrivals.join(timeout=60)
        assert wait_for(lambda: _markers(outbox) >= len(stream), 120), "every submission is answered"
        assert wait_for(lambda: not _unfinished_claims(root / "flexibatch.work"), 60), "no claim left"
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        codes = [process.wait(timeout=60) for process in processes]
    assert codes == [0] * WORKERS, (root / "flexibatch.log").read_text(errors="replace")[-3000:]
    return kills, terminations


@pytest.mark.slow
def test_four_workers_killed_and_cut_off_answer_every_submission_once_like_sqlite_undisturbed(
    tmp_path: Path, postgresql_server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLEXIBATCH_SETTLE", "0")  # foreign names are answered at once
    monkeypatch.setenv("FLEXIBATCH_RESCAN", "0.2")
    stream = mixed_stream(SUBMISSIONS, SEED)
    calm, stormy = tmp_path / "calm", tmp_path / "stormy"
    _install(calm)
    for files in stream:
        drop_files(calm / "inbox", files)
    assert cli(calm, "run").wait(timeout=180) == 0, (calm / "flexibatch.log").read_text()
    url = postgresql_server.fresh_database(migrated=False)

    kills, terminations = _disturbed(stormy, url, stream)

    assert kills + terminations >= 4, f"the stream ended before enough faults ({kills}, {terminations})"
    stormy_names = answer_names(stormy / "outbox")
    assert len(stormy_names) == len(set(stormy_names))
    assert expected_answer_names(stream) <= set(stormy_names), "every submission has its receipt"
    assert stormy_names == answer_names(calm / "outbox"), "the same answers, each once, none missing"
    assert not [n for n in stormy_names if suffixed(n)], "no answer took a .2 suffix"
    assert decisions_of(stormy / "outbox") == decisions_of(calm / "outbox"), "the same decision on every form"
    calm_state, stormy_state = state_facts(calm / "state.db"), state_facts(url)
    assert all(n == 1 for n in stormy_state.periods.values()), "no period exists twice"
    assert all(n == 1 for n in stormy_state.situations.values()), "no situation exists twice"
    assert stormy_state == calm_state, "the state equals that of the undisturbed SQLite run"
    assert stormy_state.submissions == len(stream) == stormy_state.distinct_submission_files
    assert not [p for p in (stormy / "inbox").rglob("*") if p.is_file()], "nothing left in the inbox"
