"""A submission the processor cannot claim or finish fails alone (issue 17, items 2 and 5).

Real faults, the real CLI: a sender folder bind-mounted read-only, an immutable file, the work
folder's disk full, an outbox that fills up. The delay before a new attempt is shown by the recorded
retry time, and passes by setting that time back (never by sleeping).
"""

from __future__ import annotations

import json
import shutil
import signal
import sqlite3
import subprocess
from contextlib import closing
from datetime import datetime
from pathlib import Path

import pytest

from support.answers import read_acrf, read_noti
from support.builders import NOSS_AURORA, NOSS_BRASSERIE, dimona, dimona_in
from support.channel import SAMPLES
from support.cli import cli, flexibatch, json_lines, workers
from support.hostile import wait_for
from support.mounts import fill, read_only, resize, tmpfs

RETRIED = "submission failed: tried again later"
GIVEN_UP = "submission failed too often: given up"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "inbox").mkdir()
    (tmp_path / "outbox").mkdir()
    loaded = flexibatch(tmp_path, "refdata", "load", str(SAMPLES / "refdata"))
    assert loaded.returncode == 0, loaded.stderr
    return tmp_path


def _submit(inbox: Path, sender: str, seq: str, content: bytes | None = None) -> str:
    """One single-part Dimona submission, ready; returns its key."""
    folder = inbox / sender
    folder.mkdir(exist_ok=True)
    key = f"{sender}.20260624.{seq}.R"
    noss = NOSS_AURORA if sender == "654321" else NOSS_BRASSERIE
    body = content or dimona(dimona_in(noss=noss, reference=seq))  # its own content (ACRF-134)
    (folder / f"FI.DIMN.{key}.1.1.xml").write_bytes(body)
    (folder / f"GO.DIMN.{key}.1").write_bytes(b"")
    return key


def _errors(stderr: str) -> list[dict[str, object]]:
    """The error lines of a run's JSON log (a traceback, which is not JSON, fails the test)."""
    return [line for line in json_lines(stderr) if line["level"] == "error"]


def _failed(root: Path, **env: str) -> list[dict[str, object]]:
    result = flexibatch(root, "status", "--json", **env)
    assert result.returncode == 0, result.stderr
    failed: list[dict[str, object]] = json.loads(result.stdout)["failed"]
    return failed


def _delay(failure: dict[str, object]) -> float:
    """Seconds between the failure and its next attempt, as recorded."""
    retry_at = datetime.fromisoformat(str(failure["retry_at"]))
    return (retry_at - datetime.fromisoformat(str(failure["failed_at"]))).total_seconds()


def _retry_due(root: Path) -> None:
    """The recorded retry time reached, as if the delay had passed."""
    with closing(sqlite3.connect(root / "state.db")) as db, db:
        db.execute("UPDATE failures SET next_attempt = '2000-01-01T00:00:00+00:00'")


def _answered(outbox: Path, key: str) -> bool:
    return (outbox / key.split(".", maxsplit=1)[0] / f"GO.NOTI.{key}.DIMN").exists()


def test_a_sender_folder_that_cannot_be_written_fails_alone_then_is_given_up(root: Path) -> None:
    broken = _submit(root / "inbox", "654321", "00001")  # taken first: its name's sequence is lower
    healthy = _submit(root / "inbox", "123456", "00002")
    attempts = {"FLEXIBATCH_FAILURE_ATTEMPTS": "3"}
    with read_only(root / "inbox" / "654321"):
        first = flexibatch(root, "run", **attempts)
        assert first.returncode == 1, "a submission failed this run"
        assert "1 submission(s) answered" in first.stdout
        assert read_acrf(root / "outbox" / "123456" / f"FO.ACRF.{healthy}.DIMN").accepted
        assert _answered(root / "outbox", healthy), "the other sender is answered in the same run"
        (line,) = _errors(first.stderr)
        assert line["event"] == RETRIED
        assert (line["stage"], line["folder"], line["file"]) == (
            "CLAIM",
            "654321",
            f"FI.DIMN.{broken}.1.1.xml",
        )
        assert line["attempts"] == 1
        assert "Errno" in str(line["reason"]) and "654321" in str(line["reason"])
        (failure,) = _failed(root)
        assert (failure["attempts"], failure["quarantined"], _delay(failure)) == (1, None, 60.0)

        again = flexibatch(root, "run", **attempts)
        assert (again.returncode, _errors(again.stderr)) == (0, []), "not tried again before its time"
        assert _failed(root)[0]["attempts"] == 1

        _retry_due(root)
        second = flexibatch(root, "run", **attempts)
        assert second.returncode == 1
        (failure,) = _failed(root)
        assert (failure["attempts"], _delay(failure)) == (2, 120.0), "the delay doubles"

        _retry_due(root)
        third = flexibatch(root, "run", **attempts)
        assert third.returncode == 1
        (line,) = _errors(third.stderr)
        assert (line["event"], line["attempts"], line["quarantined"]) == (GIVEN_UP, 3, "inbox")
        (failure,) = _failed(root)
        assert (failure["attempts"], failure["quarantined"], failure["retry_at"]) == (3, "inbox", None)
        status = flexibatch(root, "status").stdout
        assert f"failed 3 time(s), given up, left in the inbox: 654321/FI.DIMN.{broken}.1.1.xml: " in status
        assert str(failure["reason"]) in status

        _retry_due(root)
        after = flexibatch(root, "run", **attempts)
        assert (after.returncode, _errors(after.stderr)) == (0, []), "given up: left alone"
    # mended; the operator touches the file (or the sender uploads it again) to have it tried again
    (root / "inbox" / "654321" / f"FI.DIMN.{broken}.1.1.xml").touch()
    mended = flexibatch(root, "run", **attempts)
    assert mended.returncode == 0, mended.stderr
    assert _answered(root / "outbox", broken)
    assert not any((root / "inbox" / "654321").iterdir())
    assert _failed(root) == []


def test_a_claim_whose_answers_cannot_be_published_is_quarantined_then_put_back(root: Path) -> None:
    """A failure after the claim: today's code tried it again at every run, forever."""
    broken = _submit(root / "inbox", "654321", "00001")
    healthy = _submit(root / "inbox", "123456", "00002")
    outbox = root / "outbox" / "654321"
    outbox.mkdir()
    attempts = {"FLEXIBATCH_FAILURE_ATTEMPTS": "2"}
    with read_only(outbox):
        first = flexibatch(root, "run", **attempts)
        assert first.returncode == 1
        assert _answered(root / "outbox", healthy)
        (line,) = _errors(first.stderr)
        assert (line["event"], line["stage"], line["folder"]) == (RETRIED, "FINISH", "654321")
        assert "Read-only file system" in str(line["reason"])
        ticket = str(line["ticket"])
        claim = root / "state.work" / "claims" / ticket
        assert (claim / f"FI.DIMN.{broken}.1.1.xml").exists(), "the file waits in its claim folder"

        again = flexibatch(root, "run", **attempts)
        assert (again.returncode, _errors(again.stderr)) == (0, []), "not tried again at every run"

        _retry_due(root)
        second = flexibatch(root, "run", **attempts)
        assert second.returncode == 1
        (line,) = _errors(second.stderr)
        assert (line["event"], line["ticket"], line["attempts"]) == (GIVEN_UP, ticket, 2)
        quarantined = Path(str(line["quarantined"]))
        assert quarantined == root / "state.work" / "quarantine" / "2026-06-24" / ticket
        assert not claim.exists()
        assert (quarantined / f"FI.DIMN.{broken}.1.1.xml").exists()
        note = (quarantined / "FAILED.txt").read_text(encoding="utf-8")
        assert "Given up after 2 failures" in note and "Read-only file system" in note
        assert f"given up, in {quarantined}" in flexibatch(root, "status").stdout
    assert not any(outbox.iterdir())
    # mended; the operator moves the folder back into claims/, as FAILED.txt says
    shutil.move(quarantined, claim)
    mended = flexibatch(root, "run", **attempts)
    assert mended.returncode == 0, mended.stderr
    assert read_acrf(outbox / f"FO.ACRF.{broken}.DIMN").accepted
    assert len(read_noti(outbox / f"FO.NOTI.{broken}.DIMN")) == 1
    assert sorted(p.name for p in outbox.iterdir()) == sorted(
        f"{kind}.{broken}.DIMN{tail}"
        for kind, tail in (
            ("FO.ACRF", ""),
            ("GO.ACRF", ""),
            ("FO.NOTI", ""),
            ("FO.NOTI", ".csv"),
            ("GO.NOTI", ""),
        )
    )
    assert (root / "state.work" / "archive" / "2026-06-24" / ticket).is_dir()
    assert _failed(root) == []


def test_a_file_that_cannot_be_moved_fails_its_claim_alone(root: Path) -> None:
    """The FI is taken, its GO is immutable: the claim holds one file (in its hidden spot beside the
    inbox files, channel/claims.py), the GO waits in the inbox."""
    broken = _submit(root / "inbox", "123456", "00001")
    healthy = _submit(root / "inbox", "123456", "00002")
    go = root / "inbox" / "123456" / f"GO.DIMN.{broken}.1"
    subprocess.run(["chattr", "+i", str(go)], check=True)
    try:
        first = flexibatch(root, "run")
        assert first.returncode == 1
        assert _answered(root / "outbox", healthy)
        (line,) = _errors(first.stderr)
        assert (line["event"], line["stage"]) == (RETRIED, "FINISH")
        assert "Operation not permitted" in str(line["reason"])
        spot = root / "inbox" / "123456" / f".flexibatch-{line['ticket']}"
        assert sorted(p.name for p in spot.glob("*.DIMN.*")) == [f"FI.DIMN.{broken}.1.1.xml"]

        _retry_due(root)
        second = flexibatch(root, "run")
        assert second.returncode == 1, "the recovery cannot take the GO either: this claim's failure"
        assert _answered(root / "outbox", healthy)
        assert _failed(root)[0]["attempts"] == 2
    finally:
        subprocess.run(["chattr", "-i", str(go)], check=True)
    _retry_due(root)
    mended = flexibatch(root, "run")
    assert mended.returncode == 0, mended.stderr
    assert read_acrf(root / "outbox" / "123456" / f"FO.ACRF.{broken}.DIMN").accepted
    assert not go.exists() and not any((root / "state.work" / "claims").iterdir())
    assert _failed(root) == []


def test_a_full_work_disk_at_claim_time_keeps_the_files_in_the_inbox(root: Path) -> None:
    disk = root / "disk"
    with tmpfs(disk, "1m"):
        inbox = disk / "inbox"  # on the same disk as the work folder: claiming is a rename
        inbox.mkdir()
        env = {"FLEXIBATCH_INBOX": str(inbox), "FLEXIBATCH_WORK": str(disk / "work")}
        key = _submit(inbox, "123456", "00001")
        filler = fill(disk)
        first = flexibatch(root, "run", **env)
        assert first.returncode == 1
        (line,) = _errors(first.stderr)
        assert (line["event"], line["stage"]) == (RETRIED, "CLAIM")
        assert "No space left on device" in str(line["reason"])
        assert sorted(p.name for p in (inbox / "123456").iterdir()) == [
            f"FI.DIMN.{key}.1.1.xml",
            f"GO.DIMN.{key}.1",
        ]
        assert not any((disk / "work" / "claims").iterdir()), "the half-made claim is undone"

        again = flexibatch(root, "run", **env)
        assert (again.returncode, _errors(again.stderr)) == (0, [])

        filler.unlink()
        _retry_due(root)
        mended = flexibatch(root, "run", **env)
        assert mended.returncode == 0, mended.stderr
        assert read_acrf(root / "outbox" / "123456" / f"FO.ACRF.{key}.DIMN").accepted
        assert not any((inbox / "123456").iterdir())
        assert _failed(root, **env) == []


@pytest.mark.slow
def test_watch_keeps_answering_the_other_senders(root: Path) -> None:
    _submit(root / "inbox", "654321", "00001")  # taken first at every scan
    healthy = _submit(root / "inbox", "123456", "00002")
    with read_only(root / "inbox" / "654321"):
        process = cli(root, "watch", FLEXIBATCH_RESCAN="0.05")
        try:
            assert wait_for(lambda: _answered(root / "outbox", healthy))
            later = _submit(root / "inbox", "123456", "00003")
            assert wait_for(lambda: _answered(root / "outbox", later)), "and what arrives later"
        finally:
            process.send_signal(signal.SIGTERM)
            code = process.wait(timeout=60)
    assert code == 0
    log = (root / "flexibatch.log").read_text(encoding="utf-8").splitlines()
    # watchdog's own thread may print a plain line as it stops: only our JSON lines are read
    errors = [
        line
        for line in json_lines("\n".join(t for t in log if t.startswith("{")))
        if line["level"] == "error"
    ]
    assert [line["event"] for line in errors] == [RETRIED], "failed once, not at every rescan"


def test_answers_published_before_the_outbox_filled_are_not_published_again(root: Path) -> None:
    """Item 5: the receipt is in the outbox, the NOTI does not fit; the client fetches the receipt
    and deletes it; once the disk is mended, only the NOTI comes (SPEC 1.3, exactly once)."""
    forms = [dimona_in(insz=insz, reference=f"R{n}") for n, insz in enumerate(workers(40))]
    key = _submit(root / "inbox", "123456", "00001", dimona(*forms))
    outbox = root / "outbox"
    answers = outbox / "123456"
    at_once = {"FLEXIBATCH_RETRY": "0"}
    with tmpfs(outbox, "4k"):  # one page: the receipt fits, the NOTI does not
        first = flexibatch(root, "run", **at_once)
        assert first.returncode == 1
        assert "No space left on device" in str(_errors(first.stderr)[0]["reason"])
        receipt = answers / f"FO.ACRF.{key}.DIMN"
        assert sorted(p.name for p in answers.iterdir()) == [receipt.name, f"GO.ACRF.{key}.DIMN"]
        assert read_acrf(receipt).accepted
        for fetched in answers.iterdir():  # the client takes the receipt away
            fetched.unlink()
        resize(outbox, "10m")
        mended = flexibatch(root, "run", **at_once)
        assert mended.returncode == 0, mended.stderr
        published = sorted(p.name for p in answers.iterdir())
    assert published == [f"FO.NOTI.{key}.DIMN", f"FO.NOTI.{key}.DIMN.csv", f"GO.NOTI.{key}.DIMN"]
    (archived,) = (root / "state.work" / "archive").glob(f"*/*/answers/FO.ACRF.{key}.DIMN")
    assert read_acrf(archived).accepted, "kept with the archived claim"
