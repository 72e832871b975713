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
