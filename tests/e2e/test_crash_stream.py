"""`flexibatch watch` over a stream of 200 mixed submissions, killed with SIGKILL at random moments
and restarted each time, ends exactly where an undisturbed `flexibatch run` over the same files ends:
every submission answered exactly once, the same decisions, the same state, nothing doubled.

Period ids and tickets are issued in the order submissions are taken, which the stream changes, so
the state is compared by its facts (employer, worker, start, end, status), not by its ids.
"""

from __future__ import annotations

import random
import signal
from pathlib import Path

import pytest

from support.cli import cli
from support.hostile import (
    Drop,
    a_moment_in_the_work,
    answer_names,
    answered,
    arriving,
    assert_answered_as_undisturbed,
    assert_state_as_undisturbed,
    drop_files,
    installed,
    mixed_stream,
    state_facts,
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

    arrivals = arriving(root / "inbox", stream)
    rng = random.Random(SEED)  # noqa: S311 - reproducible kill moments
    kills = 0
    process = cli(root, "watch")
    arrivals.start()
    try:
        while kills < KILLS:
            if not a_moment_in_the_work(outbox, rng):
                break  # nothing left to do: every answer is out
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
    assert_answered_as_undisturbed(stormy, calm, stream)
    stormy_names = answer_names(stormy / "outbox")
    assert not [n for n in stormy_names if n.rsplit("/", 1)[-1].startswith(".")], "no temporary file"
    assert_state_as_undisturbed(state_facts(stormy / "state.db"), state_facts(calm / "state.db"), stream)
    assert not [p for p in (stormy / "inbox").rglob("*") if p.is_file()], "nothing left in the inbox"
