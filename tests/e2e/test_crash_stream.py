"""`flexibatch watch` over a stream of 200 mixed submissions, killed with SIGKILL at random moments
and restarted each time, ends exactly where an undisturbed `flexibatch run` over the same files ends:
every submission answered exactly once, the same decisions, the same state, nothing doubled.

Period ids and tickets are issued in the order submissions are taken, which the stream changes, so
the state is compared by its facts (employer, worker, start, end, status), not by its ids.
"""

from __future__ import annotations

import random
import signal
import threading
import time
from pathlib import Path

import pytest

from support.cli import cli
from support.hostile import (
    Drop,
    answer_names,
    answered,
    decisions_of,
    drop_files,
    expected_answer_names,
    installed,
    mixed_stream,
    state_facts,
    suffixed,
    unfinished_claims,
    wait_for,
)

SUBMISSIONS = 200
SEED = 20260624
KILLS = 6


def _undisturbed(root: Path, stream: list[list[Drop]]) -> None:
    installed(root)
    for files in stream:
        drop_files(root / "inbox", files)
    assert cli(root, "run").wait(timeout=120) == 0, (root / "flexibatch.log").read_text()


def _disturbed(root: Path, stream: list[list[Drop]]) -> int:
    """The files arrive while watch runs, and watch is killed again and again; the number of kills."""
    installed(root)
    outbox = root / "outbox"

    def sender() -> None:
        for files in stream:
            drop_files(root / "inbox", files)
            time.sleep(0.01)  # the pace of the stream, not a wait for a result

    arrivals = threading.Thread(target=sender, daemon=True)
    rng = random.Random(SEED)  # noqa: S311 - reproducible kill moments
    kills = 0
    process = cli(root, "watch")
    arrivals.start()
    try:
        while kills < KILLS:
            before = answered(outbox)
            if not wait_for(lambda before=before: answered(outbox) > before, 30):
                break  # nothing left to do: every answer is out
            time.sleep(rng.uniform(0.0, 0.15))  # a random moment inside the work
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
            kills += 1
            process = cli(root, "watch")
        arrivals.join(timeout=60)
        assert wait_for(lambda: answered(outbox) >= len(stream), 60), "every submission is answered"
        assert wait_for(lambda: not unfinished_claims(root / "state.work"), 30), "no claim is left unfinished"
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=60)
    assert code == 0, (root / "flexibatch.log").read_text(errors="replace")[-3000:]
    return kills


@pytest.mark.slow
def test_watch_killed_at_random_moments_answers_every_submission_once_like_an_undisturbed_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLEXIBATCH_SETTLE", "0")  # foreign names are answered at once
    monkeypatch.setenv("FLEXIBATCH_RESCAN", "0.2")
    stream = mixed_stream(SUBMISSIONS, SEED)
    calm, stormy = tmp_path / "calm", tmp_path / "stormy"
    _undisturbed(calm, stream)

    kills = _disturbed(stormy, stream)

    assert kills >= 3, f"the stream ended before enough kills ({kills}): make it longer"
    stormy_names = answer_names(stormy / "outbox")
    assert len(stormy_names) == len(set(stormy_names))
    assert expected_answer_names(stream) <= set(stormy_names), "every submission has its receipt"
    assert stormy_names == answer_names(calm / "outbox"), "the same answers, each once, none missing"
    assert not [n for n in stormy_names if n.rsplit("/", 1)[-1].startswith(".")], "no temporary file"
    assert not [n for n in stormy_names if suffixed(n)], "no answer took a .2 suffix"

    assert decisions_of(stormy / "outbox") == decisions_of(calm / "outbox"), "the same decision on every form"

    calm_state = state_facts(calm / "state.db")
    stormy_state = state_facts(stormy / "state.db")
    assert all(n == 1 for n in stormy_state.periods.values()), "no period exists twice"
    assert all(n == 1 for n in stormy_state.situations.values()), "no situation exists twice"
    assert stormy_state == calm_state, "the state equals that of the undisturbed run"
    assert stormy_state.submissions == len(stream) == stormy_state.distinct_submission_files
    assert not [p for p in (stormy / "inbox").rglob("*") if p.is_file()], "nothing left in the inbox"
