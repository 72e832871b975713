"""A processor killed with SIGKILL anywhere in a submission, then restarted, answers it exactly once.

The kill points are observed from outside, the way an operator would see them: the claim folder
exists; the NOTI is being written in it; the receipt has appeared in the outbox; and plain delays.
Each point is tried with the big file read in place and read by the read-ahead child, which must
not outlive the processor it read for. With the inbox on a file system of its own (a tmpfs), the
claim goes through its hidden spot beside the files and copies them: the kills then also land
while the files wait in the spot and while they are being copied into the claim folder.
"""

from __future__ import annotations

import signal
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from flexibatch.channel.claims import CLAIM_FILE, LOCK_FILE, SPOT_PREFIX
from support.answers import read_acrf, read_noti
from support.cli import FORMS, cli, install_with_two_submissions
from support.hostile import wait_for
from support.mounts import tmpfs


def _claimed(root: Path) -> bool:
    return any((root / "state.work" / "claims").glob("*/claim.json"))


def _deciding(root: Path) -> bool:
    return any(p.stat().st_size > 0 for p in (root / "state.work" / "claims").glob("*/answers/noti.xml"))


def _publishing(root: Path) -> bool:
    return any((root / "outbox" / "123456").glob("FO.ACRF.*"))


def _in_the_spot(root: Path) -> bool:
    return any(any(spot.iterdir()) for spot in (root / "inbox" / "123456").glob(f"{SPOT_PREFIX}*"))


def _copying(root: Path) -> bool:
    return any((root / "state.work" / "claims").glob("*/.FI.*.tmp"))


def _after(seconds: float) -> Callable[[Path], bool]:
    started = time.monotonic()
    return lambda _root: time.monotonic() - started >= seconds


POINTS: dict[str, Callable[[], Callable[[Path], bool]]] = {
    "once-claimed": lambda: _claimed,
    "while-deciding": lambda: _deciding,
    "while-publishing": lambda: _publishing,
    "after-0.2s": lambda: _after(0.2),
    "after-0.6s": lambda: _after(0.6),
}


def _readers_of(root: Path) -> list[str]:
    """Read-ahead children still running for this installation (found by their environment)."""
    state = f"FLEXIBATCH_STATE={root / 'state.db'}".encode()
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if b"spawn_main" in (proc / "cmdline").read_bytes() and state in (proc / "environ").read_bytes():
                found.append(proc.name)
        except OSError:
            continue  # gone meanwhile, or not ours to read
    return found


def _holds_no_file(folder: Path) -> bool:
    """Nothing of a sender's: its lock and (being) its record, no more."""
    return {p.name for p in folder.iterdir()} <= {LOCK_FILE, CLAIM_FILE, CLAIM_FILE + ".tmp"}


ACROSS: dict[str, Callable[[], Callable[[Path], bool]]] = {
    "once-claimed": lambda: _claimed,
    "in-the-spot": lambda: _in_the_spot,
    "while-copying": lambda: _copying,
    "while-deciding": lambda: _deciding,
    "after-0.2s": lambda: _after(0.2),
}


@pytest.mark.slow
@pytest.mark.parametrize("read_ahead", [False, True], ids=["in-place", "read-ahead"])
@pytest.mark.parametrize("point", list(POINTS))
def test_killed_and_restarted_answers_each_submission_exactly_once(
    tmp_path: Path, point: str, read_ahead: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if read_ahead:
        monkeypatch.setenv("FLEXIBATCH_READ_AHEAD_BYTES", "1")
    install_with_two_submissions(tmp_path)
    _killed_at_then_restarted(tmp_path, point, POINTS[point]())


@pytest.mark.slow
@pytest.mark.parametrize("point", list(ACROSS))
def test_killed_while_claiming_across_file_systems_answers_each_submission_exactly_once(
    tmp_path: Path, point: str
) -> None:
    with tmpfs(tmp_path / "inbox"):
        install_with_two_submissions(tmp_path)
        _killed_at_then_restarted(tmp_path, point, ACROSS[point]())
        assert not list((tmp_path / "inbox").rglob(f"{SPOT_PREFIX}*")), "no claim spot left in the inbox"


def _killed_at_then_restarted(tmp_path: Path, point: str, reached: Callable[[Path], bool]) -> None:
    process = cli(tmp_path, "run")
    deadline = time.monotonic() + 60
    while process.poll() is None and not reached(tmp_path) and time.monotonic() < deadline:
        time.sleep(0.0005)  # polling the file system for the kill point, not waiting for a result
    interrupted = process.poll() is None
    if interrupted:
        process.send_signal(signal.SIGKILL)
    process.wait()
    if not point.startswith("after-"):
        assert interrupted, f"the run ended before the kill point {point}: make the file bigger"

    assert wait_for(lambda: not _readers_of(tmp_path)), "a reading child outlived its processor"

    restarted = cli(tmp_path, "run")
    assert restarted.wait(timeout=120) == 0, (tmp_path / "flexibatch.log").read_text()

    answers = sorted(p.name for p in (tmp_path / "outbox" / "123456").iterdir())
    expected = []
    for seq in ("00001", "00002"):
        stem = f"123456.20260624.{seq}.R.DIMN"
        expected += [
            f"FO.ACRF.{stem}",
            f"FO.NOTI.{stem}",
            f"FO.NOTI.{stem}.csv",
            f"GO.ACRF.{stem}",
            f"GO.NOTI.{stem}",
        ]
    assert answers == sorted(expected), "each answer exactly once, no .2, no temporary file"

    outbox = tmp_path / "outbox" / "123456"
    assert read_acrf(outbox / "FO.ACRF.123456.20260624.00001.R.DIMN").accepted
    decisions = read_noti(outbox / "FO.NOTI.123456.20260624.00001.R.DIMN")
    decisions += read_noti(outbox / "FO.NOTI.123456.20260624.00002.R.DIMN")
    assert len(decisions) == FORMS + 1 and all(d.accepted for d in decisions)
    announced = [d.period_id for d in decisions]
    assert len(set(announced)) == len(announced)

    with sqlite3.connect(tmp_path / "state.db") as db:
        stored = [row[0] for row in db.execute("SELECT period_id FROM periods")]
        versions = db.execute(
            "SELECT count(*) FROM (SELECT declaration_ticket FROM periods"
            " UNION ALL SELECT declaration_ticket FROM period_history)"
        ).fetchone()[0]
        submissions = db.execute("SELECT count(*) FROM submissions").fetchone()[0]
    assert sorted(stored) == sorted(announced), "the state holds each accepted period once"
    assert versions == len(announced), "each accepted declaration is one version of a period, once"
    assert submissions == 2
    assert not any((tmp_path / "inbox").rglob("FI.*")), "nothing left in the inbox"
    # A run killed between preparing a claim folder and renaming it into place leaves the prepared
    # `.new-<ticket>` folder, which holds nothing but its lock and record (the files never left the
    # inbox); a later run removes it once it is an hour old, since a live process may be preparing it.
    claims = (tmp_path / "state.work" / "claims").iterdir()
    unfinished = [p.name for p in claims if not (p.name.startswith(".new-") and _holds_no_file(p))]
    assert unfinished == [], "no claim left unfinished"
