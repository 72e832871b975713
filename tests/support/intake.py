"""An intake host and decide workers over one PostgreSQL state, compared with one SQLite `run`."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import psycopg

from support.builders import NOSS_AURORA, dimona, dimona_in
from support.cli import cli, workers
from support.hostile import (
    Drop,
    assert_answered_as_undisturbed,
    assert_state_as_undisturbed,
    drop_files,
    installed,
    mixed_stream,
    state_facts,
    unfinished_claims,
)

#: The big submission's sender: another folder than the stream's, so other workers go on with
#: the stream while one decides it.
BIG_SENDER = "654321"


def stream_with_big(count: int, seed: int, forms: int) -> list[list[Drop]]:
    """A big Dimona of `forms` one-day INs (distinct workers, all accepted), then a mixed stream."""
    people = workers(count + forms)[count:]
    big = dimona(
        *(dimona_in(insz=insz, reference=f"B{i}", noss=NOSS_AURORA) for i, insz in enumerate(people))
    )
    key = f"{BIG_SENDER}.20260624.00001.R"
    return [
        [Drop(f"{BIG_SENDER}/FI.DIMN.{key}.1.1.xml", big), Drop(f"{BIG_SENDER}/GO.DIMN.{key}.1", b"")],
        *mixed_stream(count, seed),
    ]


def calm_run(root: Path, stream: list[list[Drop]]) -> None:
    """The reference: the whole stream in the inbox, one `flexibatch run` on SQLite."""
    installed(root)
    for files in stream:
        drop_files(root / "inbox", files)
    assert cli(root, "run").wait(timeout=300) == 0, (root / "flexibatch.log").read_text()


def log_events(root: Path) -> list[dict[str, Any]]:
    """The JSON log lines of the processes logging to `root`'s log (their summaries left out)."""
    log = root / "flexibatch.log"
    text = log.read_text(errors="replace") if log.exists() else ""
    return [json.loads(line) for line in text.splitlines() if line.startswith("{") and line.endswith("}")]


def stop(processes: list[subprocess.Popen[bytes]]) -> list[int]:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    return [process.wait(timeout=60) for process in processes]


def decided_by(url: str) -> dict[str, str]:
    """Which worker decided each ticket the queue still holds (published ones are forgotten)."""
    with psycopg.connect(url, autocommit=True) as db:
        rows = db.execute("SELECT ticket, decided_by FROM intake_queue WHERE decided").fetchall()
    return {str(ticket): str(worker) for ticket, worker in rows}


def assert_like_calm(calm: Path, remote: Path, url: str, stream: list[list[Drop]]) -> None:
    """Every submission answered exactly once, as the undisturbed SQLite run answered it."""
    assert_answered_as_undisturbed(remote, calm, stream)
    assert_state_as_undisturbed(state_facts(url), state_facts(calm / "state.db"), stream)
    assert not [p for p in (remote / "inbox").rglob("*") if p.is_file()], "nothing left in the inbox"
    assert not unfinished_claims(remote / "flexibatch.work"), "no claim left"
    with psycopg.connect(url, autocommit=True) as db:
        left = db.execute("SELECT count(*) FROM intake_queue").fetchone()
    assert left == (0,), "the queue forgot every published submission, and its bytes"
