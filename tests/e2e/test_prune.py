"""`flexibatch prune --older-than DAYS`: what goes (archived and quarantined files of old
submissions) and what stays (their records, recent ones, given-up ones, claims, inbox, outbox)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from support.builders import NOSS_AURORA, NOSS_BRASSERIE, dimona, dimona_in
from support.channel import SAMPLES
from support.cli import flexibatch
from support.mounts import read_only


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "inbox").mkdir()
    (tmp_path / "outbox").mkdir()
    assert flexibatch(tmp_path, "refdata", "load", str(SAMPLES / "refdata")).returncode == 0
    return tmp_path


def _days_ago(days: int) -> datetime:
    """A reception `days` before now on the real clock, in Belgian time as FLEXIBATCH_NOW takes it."""
    return (datetime.now(ZoneInfo("Europe/Brussels")) - timedelta(days=days)).replace(
        tzinfo=None, microsecond=0
    )


def _submit(root: Path, sender: str, seq: str, when: datetime) -> None:
    folder = root / "inbox" / sender
    folder.mkdir(exist_ok=True)
    key = f"{sender}.{when:%Y%m%d}.{seq}.R"
    noss = NOSS_AURORA if sender == "654321" else NOSS_BRASSERIE
    body = dimona(dimona_in(noss=noss, reference=seq, start=when.date().isoformat()))
    (folder / f"FI.DIMN.{key}.1.1.xml").write_bytes(body)
    (folder / f"GO.DIMN.{key}.1").write_bytes(b"")


def _tickets(root: Path) -> dict[str, str]:
    rows = json.loads(flexibatch(root, "status", "--json").stdout)["submissions"]
    return {row["file"]: row["ticket"] for row in rows}


def _filed(root: Path) -> set[str]:
    work = root / "state.work"
    return {p.name for shelf in ("archive", "quarantine") for p in (work / shelf).glob("*/*")}


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_prune_removes_old_filed_submissions_and_keeps_everything_else(root: Path) -> None:
    old, recent = _days_ago(40), _days_ago(5)
    _submit(root, "123456", "00001", old)  # accepted: archived
    (root / "inbox" / "junk.txt").write_bytes(b"not a channel name")  # refused: quarantined
    run = {"FLEXIBATCH_NOW": old.isoformat(), "FLEXIBATCH_SETTLE": "0"}
    assert flexibatch(root, "run", **run).returncode == 0
    _submit(root, "654321", "00002", old)  # its answers cannot be published: given up
    (root / "outbox" / "654321").mkdir()
    with read_only(root / "outbox" / "654321"):
        assert flexibatch(root, "run", FLEXIBATCH_FAILURE_ATTEMPTS="1", **run).returncode == 1
    _submit(root, "123456", "00003", recent)
    assert flexibatch(root, "run", FLEXIBATCH_NOW=recent.isoformat()).returncode == 0
    tickets = _tickets(root)
    (failed,) = (root / "state.work" / "quarantine").glob("*/*/FAILED.txt")
    given_up = failed.parent.name
    assert len(tickets) == 4 and given_up in tickets.values(), "decided, then its answers failed"
    interrupted = root / "state.work" / "claims" / "INTERRUPTED00"
    interrupted.mkdir()
    (interrupted / "FI.DIMN.123456.20200101.00009.R.1.1.xml").write_bytes(b"<Dimona/>")
    outbox, inbox = _tree(root / "outbox"), _tree(root / "inbox")
    (root / "inbox" / "123456" / "FI.DIMN.123456.20200101.00008.R.1.1.xml").write_bytes(b"waiting for its GO")
    inbox = _tree(root / "inbox")
    old_ones = {tickets[f"FI.DIMN.123456.{old:%Y%m%d}.00001.R.1.1.xml"], tickets["junk.txt"]}
    before = _filed(root)

    dry = flexibatch(root, "prune", "--older-than", "30", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert _filed(root) == before, "a dry run removes nothing"
    assert all(ticket in dry.stdout for ticket in old_ones)

    pruned = flexibatch(root, "prune", "--older-than", "30")

    assert pruned.returncode == 0, pruned.stderr
    assert _filed(root) == before - old_ones, "the old archived and quarantined submissions went"
    assert given_up in _filed(root) and f"kept {root}" in pruned.stdout and "given up" in pruned.stdout
    assert _tickets(root) == tickets, "their records stay in the state"
    assert sorted(p.name for p in interrupted.iterdir()) == ["FI.DIMN.123456.20200101.00009.R.1.1.xml"]
    assert _tree(root / "outbox") == outbox and _tree(root / "inbox") == inbox
    assert "2 submission(s)" in pruned.stdout

    assert flexibatch(root, "prune", "--older-than", "3").returncode == 0
    assert _filed(root) == {given_up}, "the recent one goes once it is old enough"


def test_prune_without_days_or_with_zero_is_a_usage_error(root: Path) -> None:
    for args in ([], ["--older-than", "0"], ["--older-than", "a week"]):
        result = flexibatch(root, "prune", *args)
        assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
