"""Claims that keep every file and answer every submission (flexibatch issue 17), through the CLI.

- A claim folder whose `claim.json` is empty or cut short (what a power cut could leave before the
  record was flushed) still holds the sender's files: they are answered and archived, never deleted.
- An inbox on its own file system, or a sender folder bind-mounted from another one (the SFTP chroot
  layout), is claimed like any other: every submission answered, nothing left in the inbox.
- A part withdrawn while an earlier big file is decided leaves its submission waiting, and the run
  ends well; it is refused with ACRF-130 once the GO timeout has passed.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from flexibatch.channel.claims import SPOT_PREFIX
from support.answers import read_acrf, read_noti
from support.builders import INSZ_A, INSZ_B, SENDER, dimona, dimona_in
from support.channel import SAMPLES
from support.cli import FORMS, cli, workers
from support.hostile import wait_for
from support.mounts import bound, device, tmpfs

STEM = f"{SENDER}.20260624"
TICKET = "0RECLAIMED001"


def _install(root: Path) -> None:
    (root / "inbox").mkdir(exist_ok=True)
    (root / "inbox" / SENDER).mkdir(exist_ok=True)
    (root / "outbox").mkdir()
    assert cli(root, "refdata", "load", str(SAMPLES / "refdata")).wait(timeout=60) == 0


def _run(root: Path, **env: str) -> int:
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        return cli(root, "run").wait(timeout=120)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name)
            else:
                os.environ[name] = value


def _log(root: Path) -> str:
    return (root / "flexibatch.log").read_text(errors="replace")


def _kept(root: Path, shelf: str = "archive") -> set[str]:
    return {p.name for p in (root / "state.work" / shelf).rglob("*") if p.is_file()}


def _left_in_inbox(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root / "inbox")) for p in (root / "inbox").rglob("*") if p.name != SENDER)


# 1. a claim record that cannot be read --------------------------------------------------------------


@pytest.mark.parametrize("record", [b"", b'{"ticket": "0RECLAIMED001", "fol'], ids=["empty", "truncated"])
def test_a_claim_whose_record_was_lost_is_answered_and_its_files_kept(tmp_path: Path, record: bytes) -> None:
    _install(tmp_path)
    fi, go = f"FI.DIMN.{STEM}.00001.R.1.1.xml", f"GO.DIMN.{STEM}.00001.R.1"
    folder = tmp_path / "state.work" / "claims" / TICKET
    folder.mkdir(parents=True)
    (folder / fi).write_bytes(dimona(dimona_in(insz=INSZ_A)))
    (folder / go).write_bytes(b"")
    (folder / "claim.json").write_bytes(record)

    assert _run(tmp_path) == 0, _log(tmp_path)

    receipt = read_acrf(tmp_path / "outbox" / SENDER / f"FO.ACRF.{STEM}.00001.R.DIMN")
    assert receipt.accepted, receipt.diagnostics
    assert receipt.ticket == TICKET, "the claim folder's name is its ticket"
    assert [d.accepted for d in read_noti(tmp_path / "outbox" / SENDER / f"FO.NOTI.{STEM}.00001.R.DIMN")] == [
        True
    ]
    assert {fi, go} <= _kept(tmp_path), "the sender's files are archived, not deleted"
    assert not (tmp_path / "state.work" / "claims" / TICKET).exists()
    assert "claim record unreadable" in _log(tmp_path) and str(folder) in _log(tmp_path)

    assert _run(tmp_path) == 0
    assert len(list((tmp_path / "outbox" / SENDER).glob("FO.ACRF.*"))) == 1, "answered exactly once"


def test_a_lost_record_of_an_incomplete_claim_is_answered_acrf_130(tmp_path: Path) -> None:
    """An FI claimed because its GO never came (or a folder missing a part): refused, not lost."""
    _install(tmp_path)
    fi = f"FI.DIMN.{STEM}.00002.R.2.1.xml"
    folder = tmp_path / "state.work" / "claims" / TICKET
    folder.mkdir(parents=True)
    (folder / fi).write_bytes(dimona(dimona_in(insz=INSZ_A)))
    (folder / "claim.json").write_bytes(b"")

    assert _run(tmp_path) == 0, _log(tmp_path)

    receipt = read_acrf(tmp_path / "outbox" / SENDER / f"FO.ACRF.{STEM}.00002.R.DIMN")
    assert not receipt.accepted and receipt.codes == {"ACRF-130"}
    assert fi in _kept(tmp_path, "quarantine")


# 3. another file system ----------------------------------------------------------------------------


def _drop_three(inbox: Path) -> None:
    """A two-part submission, a one-part one and a foreign file, in the sender folder."""
    content = dimona(dimona_in(insz=INSZ_A), dimona_in(insz=INSZ_B))
    half = len(content) // 2
    here = inbox / SENDER
    (here / f"FI.DIMN.{STEM}.00001.R.2.1.xml").write_bytes(content[:half])
    (here / f"FI.DIMN.{STEM}.00001.R.2.2.xml").write_bytes(content[half:])
    (here / f"GO.DIMN.{STEM}.00001.R.2").write_bytes(b"")
    (here / f"FI.DIMN.{STEM}.00002.R.1.1.xml").write_bytes(dimona(dimona_in(insz="80111405125")))
    (here / f"GO.DIMN.{STEM}.00002.R.1").write_bytes(b"")
    (here / "notes.txt").write_bytes(b"not a channel file")
    os.utime(here / "notes.txt", (time.time() - 60, time.time() - 60))  # settled: answered now


def _all_answered(root: Path) -> None:
    outbox = root / "outbox" / SENDER
    first = read_acrf(outbox / f"FO.ACRF.{STEM}.00001.R.DIMN")
    assert first.accepted and first.file_name == f"FI.DIMN.{STEM}.00001.R.2.1.xml"
    assert len(read_noti(outbox / f"FO.NOTI.{STEM}.00001.R.DIMN")) == 2
    assert read_acrf(outbox / f"FO.ACRF.{STEM}.00002.R.DIMN").accepted
    assert not read_acrf(outbox / "ERR.notes.txt").accepted
    archived = _kept(root)
    assert {f"FI.DIMN.{STEM}.00001.R.2.1.xml", f"FI.DIMN.{STEM}.00001.R.2.2.xml"} <= archived
    assert {f"GO.DIMN.{STEM}.00001.R.2", f"FI.DIMN.{STEM}.00002.R.1.1.xml"} <= archived
    assert "notes.txt" in _kept(root, "quarantine")
    assert _left_in_inbox(root) == [], "nothing left in the inbox, no hidden claim spot either"
    assert list((root / "state.work" / "claims").iterdir()) == []


def test_an_inbox_on_its_own_file_system_is_claimed(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "inbox") as inbox:
        _install(tmp_path)
        assert device(inbox) != device(tmp_path)
        _drop_three(inbox)

        assert _run(tmp_path) == 0, _log(tmp_path)

        _all_answered(tmp_path)


def test_a_sender_folder_bind_mounted_from_another_file_system_is_claimed(tmp_path: Path) -> None:
    _install(tmp_path)
    with tmpfs(tmp_path / "sftp") as sftp, bound(sftp, tmp_path / "inbox" / SENDER):
        _drop_three(tmp_path / "inbox")

        assert _run(tmp_path) == 0, _log(tmp_path)

        _all_answered(tmp_path)
        assert list(sftp.iterdir()) == []


# 6. a part withdrawn after the scan ---------------------------------------------------------------


def _deciding(root: Path) -> bool:
    return any(p.stat().st_size > 0 for p in (root / "state.work" / "claims").glob("*/answers/noti.xml"))


def test_a_part_withdrawn_while_an_earlier_file_is_decided_waits_then_times_out(tmp_path: Path) -> None:
    _install(tmp_path)
    here = tmp_path / "inbox" / SENDER
    big = dimona(*(dimona_in(insz=insz, reference=f"R{i}") for i, insz in enumerate(workers(FORMS))))
    (here / f"FI.DIMN.{STEM}.00001.R.1.1.xml").write_bytes(big)
    (here / f"GO.DIMN.{STEM}.00001.R.1").write_bytes(b"")
    content = dimona(dimona_in(insz=INSZ_A), dimona_in(insz=INSZ_B))
    part_1, part_2 = here / f"FI.DIMN.{STEM}.00002.R.2.1.xml", here / f"FI.DIMN.{STEM}.00002.R.2.2.xml"
    part_1.write_bytes(content[:100])
    part_2.write_bytes(content[100:])
    go = here / f"GO.DIMN.{STEM}.00002.R.2"
    go.write_bytes(b"")

    process = cli(tmp_path, "run")  # scans once, then decides the big file first (its sequence)
    assert wait_for(lambda: _deciding(tmp_path) or process.poll() is not None, 60)
    assert process.poll() is None, "the big file was decided before the part could be withdrawn"
    part_2.unlink()  # the sender withdraws it: the run's scan is now stale
    assert process.wait(timeout=120) == 0, _log(tmp_path)

    outbox = tmp_path / "outbox" / SENDER
    assert read_acrf(outbox / f"FO.ACRF.{STEM}.00001.R.DIMN").accepted
    assert not (outbox / f"FO.ACRF.{STEM}.00002.R.DIMN").exists(), "an incomplete submission waits"
    assert _left_in_inbox(tmp_path) == sorted([f"{SENDER}/{go.name}", f"{SENDER}/{part_1.name}"])
    assert list((tmp_path / "state.work" / "claims").iterdir()) == []

    assert _run(tmp_path, FLEXIBATCH_GO_TIMEOUT="3600") == 0, "still waiting, and nothing fails"
    assert not (outbox / f"FO.ACRF.{STEM}.00002.R.DIMN").exists()

    an_hour_ago = time.time() - 3601
    for path in (part_1, go):
        os.utime(path, (an_hour_ago, an_hour_ago))
    assert _run(tmp_path, FLEXIBATCH_GO_TIMEOUT="3600") == 0, _log(tmp_path)

    receipt = read_acrf(outbox / f"FO.ACRF.{STEM}.00002.R.DIMN")
    assert not receipt.accepted and receipt.codes == {"ACRF-130"}
    assert {part_1.name, go.name} <= _kept(tmp_path, "quarantine")
    assert _left_in_inbox(tmp_path) == []


def test_no_claim_spot_is_ever_left_beside_the_files(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "inbox") as inbox:
        _install(tmp_path)
        _drop_three(inbox)
        assert _run(tmp_path) == 0
        assert not list(inbox.rglob(f"{SPOT_PREFIX}*"))
        assert json.loads(next((tmp_path / "state.work" / "archive").rglob("claim.json")).read_text())["spot"]
