"""Claiming step by step (channel/claims.py): a stale scan, and each point a claim can be cut at.

The crash points are the states a claim across file systems leaves on disk (the inbox on a real
tmpfs, the work folder on the disk): the record alone; the first file in the hidden spot and the
rest in the inbox; every file in the spot; a copy cut short; a copy finished whose source was not
unlinked; files being put back. Whatever the point, the next run answers the submission exactly
once and leaves nothing in the inbox or in the claims folder.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest

from flexibatch.channel.claims import CLAIM_FILE, SPOT_PREFIX, claim, claims_dir
from flexibatch.channel.inbox import scan
from support.builders import INSZ_A, INSZ_B, SENDER, dimona, dimona_in
from support.channel import Channel
from support.mounts import bound, device, tmpfs

KEY = f"{SENDER}.20260624.00001.R"
PART_1, PART_2, GO = f"FI.DIMN.{KEY}.2.1.xml", f"FI.DIMN.{KEY}.2.2.xml", f"GO.DIMN.{KEY}.2"
FILES = [PART_1, PART_2, GO]
TICKET = "0CUTCLAIM0001"


@pytest.fixture
def apart(channel: Channel) -> Iterator[Channel]:
    """The channel with its inbox on a tmpfs of its own: claims cross file systems."""
    with tmpfs(channel.inbox):
        assert device(channel.inbox) != device(channel.work.parent)
        yield channel


def _drop_two_parts(channel: Channel) -> dict[str, bytes]:
    content = dimona(dimona_in(insz=INSZ_A), dimona_in(insz=INSZ_B))
    half = len(content) // 2
    files = {PART_1: content[:half], PART_2: content[half:], GO: b""}
    for name, data in files.items():
        channel.drop(name, data, SENDER)
    return files


def _left(channel: Channel) -> list[str]:
    inbox = sorted(str(p.relative_to(channel.inbox)) for p in channel.inbox.rglob("*") if p.name != SENDER)
    claims = claims_dir(channel.work)
    return inbox + sorted(str(p.relative_to(claims.parent)) for p in claims.rglob("*"))


def _answered_once(channel: Channel) -> None:
    receipts = sorted(p.name for p in channel.folder_of(SENDER).glob("FO.ACRF.*"))
    assert receipts == [f"FO.ACRF.{KEY}.DIMN"], "answered exactly once"
    receipt = channel.receipt(KEY)
    assert receipt.accepted, receipt.diagnostics
    assert [d.accepted for d in channel.decisions(KEY)] == [True, True]
    assert channel.store.periods.count() == 2
    assert _left(channel) == [], "nothing left in the inbox, its hidden spots or the claims folder"


# a part withdrawn after the scan ---------------------------------------------------------------


def test_a_part_withdrawn_after_the_scan_is_not_claimed(channel: Channel) -> None:
    _drop_two_parts(channel)
    (ready,) = scan(channel.inbox, 0.0, 3600.0).ready
    (channel.inbox / SENDER / PART_2).unlink()  # after the scan, before the claim

    taken = claim(
        [drop for _, drop in ready.drops],
        channel.work,
        ticket=TICKET,
        reception=channel.now,
        kind="SUBMISSION",
    )

    assert taken is None, "a submission no longer complete is not claimed"
    assert _left(channel) == [f"{SENDER}/{PART_1}", f"{SENDER}/{GO}"], "its files are back, nothing else"
    view = scan(channel.inbox, 0.0, 3600.0)
    assert (len(view.ready), len(view.waiting)) == (0, 1), "it waits for its part again"


def test_a_part_withdrawn_after_the_scan_times_out_as_acrf_130(channel: Channel) -> None:
    _drop_two_parts(channel)
    (ready,) = scan(channel.inbox, 0.0, 3600.0).ready
    (channel.inbox / SENDER / PART_2).unlink()
    drops = [drop for _, drop in ready.drops]
    assert claim(drops, channel.work, ticket=TICKET, reception=channel.now, kind="SUBMISSION") is None
    assert channel.run(go_timeout_seconds=3600.0) == [], "it waits, and nothing fails"
    hour_ago = time.time() - 3601  # file ages use the real clock
    for name in (PART_1, GO):
        os.utime(channel.inbox / SENDER / name, (hour_ago, hour_ago))

    (outcome,) = channel.run(go_timeout_seconds=3600.0)

    assert outcome.error_ids == ("ACRF-130",)
    assert channel.receipt(KEY).codes == {"ACRF-130"}


# each point a claim across file systems can be cut at -------------------------------------------


def _record(channel: Channel, spot: Path) -> Path:
    """The claim folder and its record, as step 1 leaves them."""
    folder = claims_dir(channel.work) / TICKET
    folder.mkdir()
    record = {
        "ticket": TICKET,
        "folder": SENDER,
        "reception": "2026-06-24T11:50:00.000000",
        "kind": "SUBMISSION",
        "files": FILES,
        "sources": [str(channel.inbox / SENDER / name) for name in FILES],
        "diagnostics": [],
        "spot": str(spot),
    }
    (folder / CLAIM_FILE).write_text(json.dumps(record))
    return folder


def _into(spot: Path, channel: Channel, *names: str) -> None:
    spot.mkdir(exist_ok=True)
    for name in names:
        (channel.inbox / SENDER / name).rename(spot / name)


def _record_only(channel: Channel, spot: Path, folder: Path) -> None:
    pass


def _record_and_empty_spot(channel: Channel, spot: Path, folder: Path) -> None:
    spot.mkdir()


def _first_owned(channel: Channel, spot: Path, folder: Path) -> None:
    _into(spot, channel, PART_1)


def _all_owned(channel: Channel, spot: Path, folder: Path) -> None:
    _into(spot, channel, *FILES)


def _copy_cut_short(channel: Channel, spot: Path, folder: Path) -> None:
    _into(spot, channel, *FILES)
    (folder / f".{PART_1}.tmp").write_bytes((spot / PART_1).read_bytes()[:10])


def _copied_not_unlinked(channel: Channel, spot: Path, folder: Path) -> None:
    _into(spot, channel, *FILES)
    (folder / PART_1).write_bytes((spot / PART_1).read_bytes())


def _half_moved(channel: Channel, spot: Path, folder: Path) -> None:
    _into(spot, channel, *FILES)
    for name in (PART_1, PART_2):
        (folder / name).write_bytes((spot / name).read_bytes())
        (spot / name).unlink()


def _being_put_back(channel: Channel, spot: Path, folder: Path) -> None:
    """The GO was back already, part 1 linked back but not unlinked; part 2 came back meanwhile."""
    _into(spot, channel, PART_1)
    os.link(spot / PART_1, channel.inbox / SENDER / PART_1)


CUTS: dict[str, Callable[[Channel, Path, Path], None]] = {
    "record-only": _record_only,
    "record-and-empty-spot": _record_and_empty_spot,
    "first-file-owned": _first_owned,
    "all-files-owned": _all_owned,
    "copy-cut-short": _copy_cut_short,
    "copied-not-unlinked": _copied_not_unlinked,
    "half-moved": _half_moved,
    "being-put-back": _being_put_back,
}


@pytest.mark.parametrize("cut", list(CUTS))
def test_a_claim_cut_at_any_point_is_answered_exactly_once(apart: Channel, cut: str) -> None:
    files = _drop_two_parts(apart)
    spot = apart.inbox / SENDER / f"{SPOT_PREFIX}{TICKET}"
    folder = _record(apart, spot)
    CUTS[cut](apart, spot, folder)

    apart.run()

    _answered_once(apart)
    (archived,) = (apart.work / "archive").glob("*/*")
    assert {name: (archived / name).read_bytes() for name in FILES} == files, "every file whole, once"
    assert apart.run() == []


def test_a_claim_across_file_systems_keeps_modes_and_times(apart: Channel) -> None:
    _drop_two_parts(apart)
    made = time.time() - 600
    os.utime(apart.inbox / SENDER / PART_1, (made, made))

    apart.run()

    _answered_once(apart)
    (archived,) = (apart.work / "archive").glob("*/*")
    assert abs((archived / PART_1).stat().st_mtime - made) < 1
    assert (archived / PART_1).stat().st_mode & 0o077 == 0, "the processor's copies are owner-only"


def test_a_put_back_cut_short_is_finished(apart: Channel) -> None:
    """Cut while putting back a submission whose part 2 was withdrawn: it goes on waiting."""
    _drop_two_parts(apart)
    (apart.inbox / SENDER / PART_2).unlink()
    spot = apart.inbox / SENDER / f"{SPOT_PREFIX}{TICKET}"
    _record(apart, spot)
    _being_put_back(apart, spot, spot)

    assert apart.run() == []

    assert _left(apart) == [f"{SENDER}/{PART_1}", f"{SENDER}/{GO}"], "back in the inbox, once each"
    assert apart.all_answers() == []


def test_a_committed_claim_that_lost_its_record_is_only_published(channel: Channel) -> None:
    """Committed, then stopped before publishing (a read-only outbox here), then the record lost: the
    store's folder and reception time are used and nothing is decided twice (no ACRF-133)."""
    (channel.inbox / SENDER).mkdir()  # a sender folder exists, but this file came in the inbox root
    key = channel.submit(dimona(dimona_in(insz=INSZ_A)), folder=None)
    with bound(channel.outbox, channel.outbox):
        subprocess.run(["mount", "-o", "remount,bind,ro", str(channel.outbox)], check=True)
        processor = channel.processor(retry_seconds=0)  # tried again at the next run
        assert processor.run_once() == [] and processor.failures == 1
    (folder,) = claims_dir(channel.work).iterdir()
    (folder / CLAIM_FILE).write_bytes(b"")

    (outcome,) = channel.run(now=datetime(2026, 6, 30, 9, 0))

    assert outcome.outcome == "ACCEPTED" and outcome.folder is None
    published = [f"{kind}.{key}.DIMN" for kind in ("FO.ACRF", "FO.NOTI", "GO.ACRF", "GO.NOTI")]
    assert sorted(p.name for p in channel.all_answers()) == sorted([*published, f"FO.NOTI.{key}.DIMN.csv"]), (
        "published once, to the folder the store recorded"
    )
    assert channel.receipt(key, folder=None).accepted
    assert list((channel.work / "archive").glob(f"2026-06-24/{folder.name}")), "its recorded reception date"
    assert channel.store.periods.count() == 1


def test_a_claim_that_cannot_take_its_files_leaves_no_claim_behind(channel: Channel) -> None:
    _drop_two_parts(channel)
    (ready,) = scan(channel.inbox, 0.0, 3600.0).ready
    sender_folder = channel.inbox / SENDER
    with bound(sender_folder, sender_folder):
        subprocess.run(["mount", "-o", "remount,bind,ro", str(sender_folder)], check=True)
        with pytest.raises(OSError, match="Read-only file system"):
            claim(
                [drop for _, drop in ready.drops],
                channel.work,
                ticket=TICKET,
                reception=channel.now,
                kind="SUBMISSION",
            )

    assert _left(channel) == [f"{SENDER}/{name}" for name in sorted(FILES)], "nothing taken, no claim left"
    (outcome,) = channel.run()
    assert outcome.outcome == "ACCEPTED"


def _without_record(channel: Channel, files: dict[str, bytes]) -> Path:
    folder = claims_dir(channel.work) / TICKET
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    (folder / CLAIM_FILE).write_bytes(b'{"ticket": "0CUT')
    return folder


def test_a_foreign_file_whose_claim_lost_its_record_gets_its_err_answer(channel: Channel) -> None:
    _without_record(channel, {"notes.txt": b"hello"})

    (outcome,) = channel.run()

    assert outcome.outcome == "REFUSED" and outcome.folder is None
    assert (channel.outbox / "ERR.notes.txt").exists()
    assert [p.name for p in (channel.work / "quarantine").rglob("notes.txt")] == ["notes.txt"]


def test_files_of_two_submissions_without_record_are_kept_for_the_operator(
    channel: Channel, capsys: pytest.CaptureFixture[str]
) -> None:
    one = dimona(dimona_in(insz=INSZ_A))
    folder = _without_record(
        channel,
        {f"FI.DIMN.{KEY}.1.1.xml": one, f"FI.DIMN.{SENDER}.20260624.00009.R.1.1.xml": one},
    )

    assert channel.run() == []
    assert channel.run() == []

    assert sorted(p.name for p in folder.iterdir() if p.name.startswith("FI.")) == [
        f"FI.DIMN.{KEY}.1.1.xml",
        f"FI.DIMN.{SENDER}.20260624.00009.R.1.1.xml",
    ], "never deleted"
    assert "left for the operator" in capsys.readouterr().out
    assert channel.all_answers() == []


def test_the_record_is_on_disk_before_the_first_file_leaves_its_place(
    apart: Channel, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The order of the flushes and renames a claim makes, watched at the system calls."""
    _drop_two_parts(apart)
    (ready,) = scan(apart.inbox, 0.0, 3600.0).ready
    events: list[tuple[str, str]] = []
    fsync, rename = os.fsync, os.rename

    def flushed(fd: int) -> None:
        events.append(("fsync", str(Path(f"/proc/self/fd/{fd}").readlink())))
        fsync(fd)

    def renamed(source: str | Path, target: str | Path) -> None:
        events.append(("rename", f"{Path(source).name} -> {target}"))
        rename(source, target)

    monkeypatch.setattr(os, "fsync", flushed)
    monkeypatch.setattr(os, "rename", renamed)
    drops = [drop for _, drop in ready.drops]
    taken = claim(drops, apart.work, ticket=TICKET, reception=apart.now, kind="SUBMISSION")
    monkeypatch.undo()
    assert taken is not None
    taken.release()

    claims = claims_dir(apart.work)
    staging = str(claims / f".new-{TICKET}")

    def first(event: tuple[str, str]) -> int:
        return events.index(event)

    record_flushed = first(("fsync", f"{staging}/{CLAIM_FILE}.tmp"))
    folder_flushed = first(("fsync", staging))
    claims_flushed = first(("fsync", str(claims)))
    owned = first(("rename", f"{PART_1} -> {apart.inbox / SENDER / f'{SPOT_PREFIX}{TICKET}' / PART_1}"))
    assert record_flushed < folder_flushed < claims_flushed < owned, events
    copied_flushed = first(("fsync", str(claims / TICKET / f".{PART_1}.tmp")))
    folder_of_copies = max(i for i, e in enumerate(events) if e == ("fsync", str(claims / TICKET)))
    assert owned < copied_flushed < folder_of_copies, "copies flushed, then their folder"
    assert not (apart.inbox / SENDER / f"{SPOT_PREFIX}{TICKET}").exists(), "then the spot's copies went"
