"""Answers reach the outbox as the very bytes kept with the archived claim, owner-only, linked or copied."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from support.builders import dimona, dimona_in
from support.channel import Channel


def _no_hard_links(*args: object, **kwargs: object) -> None:
    raise OSError(errno.EXDEV, "Invalid cross-device link")


@pytest.mark.parametrize("linked", [True, False], ids=["same-file-system", "outbox-on-another-file-system"])
def test_every_answer_in_the_outbox_is_the_archived_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, linked: bool
) -> None:
    if not linked:
        monkeypatch.setattr(os, "link", _no_hard_links)
    installation = Channel(tmp_path)
    try:
        installation.submit(dimona(dimona_in()))
        installation.run()
    finally:
        installation.close()
    published = sorted(installation.outbox.rglob("FO.*"))
    archived = {p.name: p for p in installation.work.rglob("FO.*") if "archive" in p.parts}
    assert [p.name for p in published] and sorted(archived) == [p.name for p in published]
    for answer in published:
        kept = archived[answer.name]
        assert answer.read_bytes() == kept.read_bytes()
        assert stat.S_IMODE(answer.stat().st_mode) == 0o600
        assert answer.samefile(kept) is linked
    assert not list(installation.outbox.rglob(".*.tmp"))


@pytest.mark.parametrize("accepted", [True, False], ids=["accepted", "refused"])
def test_answers_are_on_disk_before_the_commit_that_records_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, accepted: bool
) -> None:
    """After a power cut, a committed answer is published from its claim folder as it stands: it
    must have reached the disk before the commit, not at publishing."""
    events: list[str] = []
    real_fsync = os.fsync

    def fsync(handle: int) -> None:
        events.append(f"fsync {Path(f'/proc/self/fd/{handle}').readlink()}")
        real_fsync(handle)

    monkeypatch.setattr(os, "fsync", fsync)
    installation = Channel(tmp_path)
    installation.store._db.set_trace_callback(events.append)  # the statements, in order
    try:
        installation.submit(dimona(dimona_in()) if accepted else b"<Dimona><Form>")
        installation.run()
    finally:
        installation.close()
    recorded = next(i for i, e in enumerate(events) if e.startswith("INSERT INTO answers"))
    commit = recorded + events[recorded:].index("COMMIT")
    answers = sorted(p for p in installation.work.rglob("FO.*"))
    assert len(answers) == (3 if accepted else 1)
    synced = {Path(e.removeprefix("fsync ")).name for e in events[:commit] if e.startswith("fsync ")}
    assert {a.name for a in answers} <= synced
