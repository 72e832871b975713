"""`flexibatch backup DEST` while `watch` decides a big file, restored later: the channel carries on
with every submission answered and recorded exactly once, and no number issued twice."""

from __future__ import annotations

import json
import shutil
import signal
import sqlite3
from contextlib import closing
from pathlib import Path

from support.answers import read_acrf, read_noti
from support.builders import dimona, dimona_in
from support.channel import SAMPLES
from support.cli import FORMS, cli, flexibatch, install_with_two_submissions, json_lines, workers
from support.hostile import wait_for

SENDER = "123456"


def _deciding(root: Path) -> bool:
    return any(p.stat().st_size > 0 for p in (root / "state.work" / "claims").glob("*/answers/noti.xml"))


def _answered(root: Path, seq: str) -> bool:
    return (root / "outbox" / SENDER / f"GO.NOTI.{SENDER}.20260624.{seq}.R.DIMN").exists()


def _drop(root: Path, seq: str, insz: str, start: str = "2026-06-25") -> None:
    inbox = root / "inbox" / SENDER
    (inbox / f"FI.DIMN.{SENDER}.20260624.{seq}.R.1.1.xml").write_bytes(
        dimona(dimona_in(start, insz=insz, reference=seq))
    )
    (inbox / f"GO.DIMN.{SENDER}.20260624.{seq}.R.1").write_bytes(b"")


def _outbox(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (root / "outbox" / SENDER).iterdir()}


def _state(path: Path) -> tuple[list[tuple[str, ...]], list[str], dict[str, int]]:
    with closing(sqlite3.connect(path)) as db:
        periods = db.execute(
            "SELECT period_id, worker_key, start_date, status FROM periods ORDER BY 1"
        ).fetchall()
        tickets = [row[0] for row in db.execute("SELECT ticket FROM submissions ORDER BY ticket")]
        counters = dict(db.execute("SELECT name, value FROM counters").fetchall())
    return periods, tickets, counters


def test_a_backup_taken_mid_batch_restored_later_carries_on_exactly_once(tmp_path: Path) -> None:
    root = tmp_path
    install_with_two_submissions(root)  # 00001: a big file, 00002: one declaration
    big = dimona(*(dimona_in(insz=insz, reference=f"R{i}") for i, insz in enumerate(workers(4 * FORMS))))
    (root / "inbox" / SENDER / f"FI.DIMN.{SENDER}.20260624.00001.R.1.1.xml").write_bytes(big)  # bigger
    _drop(root, "00003", "80111405125")
    watching = cli(root, "watch")
    try:
        assert wait_for(lambda: _deciding(root), 60), "watch never reached the big file"
        # Held where it is, in the middle of the big file's transaction, whatever the machine's
        # speed: the backup sees what was committed before it.
        watching.send_signal(signal.SIGSTOP)
        try:
            backup = flexibatch(root, "backup", str(root / "backup.db"))
        finally:
            watching.send_signal(signal.SIGCONT)
        assert backup.returncode == 0, backup.stderr
        assert wait_for(lambda: all(_answered(root, seq) for seq in ("00001", "00002", "00003")), 120)
    finally:
        watching.send_signal(signal.SIGTERM)
        assert watching.wait(timeout=60) == 0
    assert not (root / "backup.db-wal").exists() and not (root / "backup.db-journal").exists(), "one file"
    in_backup = _state(root / "backup.db")[1]
    answered, state = _outbox(root), _state(root / "state.db")
    assert len(state[1]) == 3
    big_ticket = json.loads(flexibatch(root, "status", "--json", "--outcome", "ACCEPTED").stdout)
    (big_one,) = [r["ticket"] for r in big_ticket["submissions"] if r["declarations"] == 4 * FORMS]
    assert big_one not in in_backup, "the backup was taken while the big file was being decided"

    shutil.copyfile(root / "backup.db", root / "state.db")  # restoring is copying it back
    restored = flexibatch(root, "run")

    assert restored.returncode == 0, restored.stderr
    again = [e for e in json_lines(restored.stderr) if "recorded again" in str(e["event"])]
    assert len(again) == 3 - len(in_backup)
    assert not [e for e in json_lines(restored.stderr) if e["level"] == "error"]
    assert _outbox(root) == answered, "nothing answered twice, nothing answered anew"
    assert _state(root / "state.db") == state, "the same periods, submissions and counters as before"
    for archived in (root / "state.work" / "archive").glob("*/*/answers/FO.*"):
        assert archived.samefile(root / "outbox" / SENDER / archived.name), "archive and outbox: one file"

    _drop(root, "00004", "93051822361", start="2026-06-26")
    assert flexibatch(root, "run").returncode == 0
    (new,) = read_noti(root / "outbox" / SENDER / f"FO.NOTI.{SENDER}.20260624.00004.R.DIMN")
    earlier = {
        d.period_id
        for name in answered
        if name.startswith("FO.NOTI.") and not name.endswith(".csv")
        for d in read_noti(root / "outbox" / SENDER / name)
    }
    assert new.accepted and new.period_id not in earlier, "no period id issued twice"
    statuses = json.loads(flexibatch(root, "status", "--json").stdout)["submissions"]
    assert len(statuses) == 4


def test_backup_refuses_a_folder_or_the_state_itself(tmp_path: Path) -> None:
    install_with_two_submissions(tmp_path)
    for dest in (tmp_path, tmp_path / "state.db"):
        result = flexibatch(tmp_path, "backup", str(dest))
        assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr


def test_a_submission_decided_otherwise_after_a_restore_is_reported_and_its_answers_left_alone(
    tmp_path: Path,
) -> None:
    """Reference data loaded between the backup and the restore: the sender keeps the answer it has."""
    root = tmp_path
    (root / "inbox" / SENDER).mkdir(parents=True)
    assert flexibatch(root, "refdata", "load", str(SAMPLES / "refdata")).returncode == 0
    assert flexibatch(root, "backup", str(root / "backup.db")).returncode == 0
    _drop(root, "00001", "93051822361")
    assert flexibatch(root, "run").returncode == 0
    answered = _outbox(root)
    receipt = root / "outbox" / SENDER / f"FO.ACRF.{SENDER}.20260624.00001.R.DIMN"
    assert read_acrf(receipt).accepted

    shutil.copyfile(root / "backup.db", root / "state.db")
    partial = root / "refdata"
    shutil.copytree(SAMPLES / "refdata", partial)
    senders = (partial / "senders.csv").read_text(encoding="utf-8").splitlines()
    (partial / "senders.csv").write_text(
        "\n".join(line for line in senders if not line.startswith(SENDER)) + "\n", encoding="utf-8"
    )
    assert flexibatch(root, "refdata", "load", str(partial)).returncode == 0
    restored = flexibatch(root, "run")

    assert restored.returncode == 0, restored.stderr
    (error,) = [e for e in json_lines(restored.stderr) if e["level"] == "error"]
    assert "decided otherwise than the sender was told" in str(error["event"])
    assert receipt.name in error["changed"]  # now refused: no NOTI either
    assert _outbox(root) == answered, "the sender's answers are not touched"
    assert read_acrf(Path(str(error["told"])) / receipt.name).accepted, "what the sender was told is kept"
