"""Two `flexibatch watch` processes on one inbox, one store and one outbox never process a
submission twice: each is answered exactly once, each accepted declaration exists once, and both
processes keep working and stop cleanly on SIGTERM.
"""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from support.answers import read_acrf
from support.cli import cli
from support.hostile import (
    answer_names,
    answered,
    drop_files,
    expected_answer_names,
    installed,
    mixed_stream,
    state_facts,
    suffixed,
    wait_for,
)

ROUNDS = 10
PER_ROUND = 20


@pytest.mark.slow
def test_two_watchers_on_one_inbox_answer_each_submission_exactly_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rounds of 20 submissions land at once, so both watchers wake on the same files each time."""
    monkeypatch.setenv("FLEXIBATCH_SETTLE", "0")
    monkeypatch.setenv("FLEXIBATCH_RESCAN", "0.05")  # both scan often: the races happen
    installed(tmp_path)
    stream = mixed_stream(ROUNDS * PER_ROUND, seed=50)
    outbox = tmp_path / "outbox"

    first, second = cli(tmp_path, "watch"), cli(tmp_path, "watch")
    all_answered = True
    try:
        for start in range(0, len(stream), PER_ROUND):
            for files in stream[start : start + PER_ROUND]:
                drop_files(tmp_path / "inbox", files)
            all_answered = wait_for(lambda start=start: answered(outbox) >= start + PER_ROUND, 60)
            if not all_answered or first.poll() is not None or second.poll() is not None:
                break
        still_running = [p.poll() is None for p in (first, second)]
    finally:
        for process in (first, second):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        codes = [process.wait(timeout=60) for process in (first, second)]
    log = (tmp_path / "flexibatch.log").read_text(errors="replace")
    assert still_running == [True, True], f"a watcher died while working:\n{log[-4000:]}"
    assert codes == [0, 0], f"both stop cleanly on SIGTERM:\n{log[-4000:]}"
    assert all_answered, "every submission is answered"

    names = answer_names(outbox)
    assert expected_answer_names(stream) <= set(names)
    assert not [n for n in names if suffixed(n)], "no answer took a .2 suffix"
    assert len(names) == len(set(names))
    for name in names:
        if name.rsplit("/", 1)[-1].startswith(("FO.ACRF.", "ERR.")):
            read_acrf(outbox / name)  # whole and valid
    receipts = [n for n in names if n.rsplit("/", 1)[-1].startswith(("FO.ACRF.", "ERR."))]
    assert len(receipts) == len(stream), "one receipt per submission"

    state = state_facts(tmp_path / "state.db")
    assert all(n == 1 for n in state.periods.values()), "no period declared twice"
    assert all(n == 1 for n in state.situations.values()), "no situation declared twice"
    assert state.submissions == len(stream) == state.distinct_submission_files, (
        "each submission recorded once"
    )
    accepted = [n for n in names if n.rsplit("/", 1)[-1].startswith("FO.NOTI.") and not n.endswith(".csv")]
    assert sum(state.periods.values()) + sum(state.situations.values()) == len(accepted)
    assert not [p for p in (tmp_path / "inbox").rglob("*") if p.is_file()]
