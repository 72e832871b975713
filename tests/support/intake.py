"""An intake host and decide workers over one PostgreSQL state, compared with one SQLite `run`."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import psycopg

from support.builders import NOSS_AURORA, dimona, dimona_in
from support.channel import SAMPLES
from support.cli import cli, workers
from support.hostile import (
    Drop,
    answer_names,
    decisions_of,
    drop_files,
    expected_answer_names,
    mixed_stream,
    state_facts,
    suffixed,
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


def install(root: Path, **env: str) -> None:
    (root / "inbox").mkdir(parents=True)
    (root / "outbox").mkdir()
    assert cli(root, "refdata", "load", str(SAMPLES / "refdata"), **env).wait(timeout=60) == 0


def calm_run(root: Path, stream: list[list[Drop]]) -> None:
    """The reference: the whole stream in the inbox, one `flexibatch run` on SQLite."""
    install(root)
    for files in stream:
        drop_files(root / "inbox", files)
    assert cli(root, "run").wait(timeout=300) == 0, (root / "flexibatch.log").read_text()


def markers(outbox: Path) -> int:
    """How many submissions the outbox holds an answer of (their receipts' GO markers)."""
    return sum(1 for p in outbox.rglob("GO.*") if p.name.startswith(("GO.ACRF.", "GO.ERR.")))


def unfinished_claims(work: Path) -> list[str]:
    """What the claim folders still hold of senders' files (their own records and locks left out);
    read while the intake files claims away, so a folder that vanishes is skipped (os.walk, where
    `rglob` raises FileNotFoundError)."""
    claims = work / "claims"
    return sorted(
        str(Path(folder, name).relative_to(claims))
        for folder, _, files in os.walk(claims)
        for name in files
        if name not in ("claim.json", ".lock", "claim.json.tmp")
    )


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
    names = answer_names(remote / "outbox")
    assert len(names) == len(set(names)), "no answer twice"
    assert expected_answer_names(stream) <= set(names), "every submission has its receipt"
    assert names == answer_names(calm / "outbox"), "the same answers, each once, none missing"
    assert not [n for n in names if suffixed(n)], "no answer took a .2 suffix"
    assert decisions_of(remote / "outbox") == decisions_of(calm / "outbox"), "the same decision on every form"
    calm_state, remote_state = state_facts(calm / "state.db"), state_facts(url)
    assert all(n == 1 for n in remote_state.periods.values()), "no period exists twice"
    assert all(n == 1 for n in remote_state.situations.values()), "no situation exists twice"
    assert remote_state == calm_state, "the state equals that of the SQLite run"
    assert remote_state.submissions == len(stream) == remote_state.distinct_submission_files
    assert not [p for p in (remote / "inbox").rglob("*") if p.is_file()], "nothing left in the inbox"
    assert not unfinished_claims(remote / "flexibatch.work"), "no claim left"
    with psycopg.connect(url, autocommit=True) as db:
        left = db.execute("SELECT count(*) FROM intake_queue").fetchone()
    assert left == (0,), "the queue forgot every published submission, and its bytes"
