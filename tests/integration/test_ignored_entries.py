"""What the channel will not read is shown to the operator: in `status` and once in the log.

A sender's SFTP client that uploads into a subfolder, a folder not named as a sender, a pipe, an
upload left under its temporary name: each waits for an answer that never comes unless the operator
sees it (issue 20). Real folders, the real Processor, the log as structlog hands it on.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from structlog.testing import capture_logs

from flexibatch.views import status_view
from support.builders import dimona, dimona_in
from support.channel import Channel

SETTLE = 5.0


def _stale(path: Path) -> None:
    """Changed longer ago than the settle time: a real past modification time, no waiting."""
    past = time.time() - 10 * SETTLE
    os.utime(path, (past, past))


def _unread_inbox(channel: Channel) -> dict[str, str]:
    """An inbox holding one of everything the channel does not read; the entry each should be shown as."""
    inbox = channel.inbox
    (inbox / "123456").mkdir()
    channel.submit(dimona(dimona_in()), folder="123456/upload")  # a WinSCP default remote folder
    channel.submit(dimona(dimona_in()), folder="uploads")
    os.mkfifo(inbox / "123456" / "pipe")
    channel.drop("FI.DIMN.123456.20260624.00077.R.1.1.xml.filepart", b"<Dim", "123456")
    _stale(inbox / "123456" / "FI.DIMN.123456.20260624.00077.R.1.1.xml.filepart")
    channel.drop("FI.DIMN.123456.20260624.00078.R.1.1.xml.filepart", b"<Dim", "123456")  # still uploading
    (inbox / "123456" / ".flexibatch-3K1Z0A9XKM2TQ").mkdir()  # a claim spot: the channel's own
    return {
        "123456/upload/": "SUBFOLDER",
        "uploads/": "NOT_A_SENDER_FOLDER",
        "123456/pipe": "NOT_A_FILE",
        "123456/FI.DIMN.123456.20260624.00077.R.1.1.xml.filepart": "UPLOAD_IN_PROGRESS",
    }


def _said(logs: list[dict[str, object]]) -> list[str]:
    return sorted(str(line["entry"]) for line in logs if line["event"] == "inbox entry ignored")


def test_status_lists_what_the_channel_will_not_read(channel: Channel) -> None:
    expected = _unread_inbox(channel)
    view = status_view(channel.store, channel.inbox, 20, SETTLE, 86400)
    assert {line.entry: line.kind for line in view.ignored} == expected
    upload = next(line for line in view.ignored if line.entry == "123456/upload/")
    assert upload.folder == "123456" and "only the files directly in a sender folder" in upload.reason
    assert upload.since.endswith(("+01:00", "+02:00"))  # Brussels time, with its offset


def test_a_run_answers_nothing_of_it_and_says_each_once(channel: Channel) -> None:
    expected = _unread_inbox(channel)
    with capture_logs() as logs:
        outcomes = channel.processor(settle_seconds=SETTLE).run_once()
    assert outcomes == []
    assert _said(logs) == sorted(expected)
    line = next(line for line in logs if line.get("entry") == "uploads/")
    assert line["log_level"] == "warning" and line["kind"] == "NOT_A_SENDER_FOLDER"
    assert (channel.inbox / "123456" / "upload" / "GO.DIMN.123456.20260624.00001.R.1").exists()


def test_watch_says_it_once_until_it_changes(channel: Channel) -> None:
    """One processor, many rescans (as `watch` makes them): said when it appears, not again while it
    stays, and again once it went and came back."""
    _unread_inbox(channel)
    processor = channel.processor(settle_seconds=SETTLE)
    with capture_logs() as first:
        processor.run_once()
    with capture_logs() as again:
        processor.run_once()
        processor.run_once()
    assert len(_said(first)) == 4 and _said(again) == []

    (channel.inbox / "uploads").rename(channel.root / "aside")
    with capture_logs() as gone:
        processor.run_once()
    (channel.root / "aside").rename(channel.inbox / "uploads")
    (channel.inbox / "654321" / "in").mkdir(parents=True)
    with capture_logs() as back:
        processor.run_once()
    assert _said(gone) == []
    assert _said(back) == ["654321/in/", "uploads/"]


def test_once_renamed_the_upload_is_read_and_no_longer_shown(channel: Channel) -> None:
    partial = channel.drop("FI.DIMN.123456.20260624.00001.R.1.1.xml.filepart", dimona(dimona_in()), "123456")
    _stale(partial)
    assert [line.kind for line in status_view(channel.store, channel.inbox, 20, SETTLE, 86400).ignored] == [
        "UPLOAD_IN_PROGRESS"
    ]
    partial.rename(partial.with_suffix(""))
    channel.drop("GO.DIMN.123456.20260624.00001.R.1", b"", "123456")
    assert len(channel.run()) == 1
    assert status_view(channel.store, channel.inbox, 20, SETTLE, 86400).ignored == []


def test_an_entry_named_with_terminal_controls_is_shown_without_them(channel: Channel) -> None:
    """A folder named with an escape sequence (clear the screen, retitle the window) and a bell,
    made over SFTP, must not drive the operator's terminal from `status` or the log: each control
    is shown as `_`, as answers show a file name (SPEC 5)."""
    hostile = "up\x1b[2J\x1b]0;owned\x07load"
    (channel.inbox / "123456" / hostile).mkdir(parents=True)
    (channel.inbox / hostile).mkdir()

    view = status_view(channel.store, channel.inbox, 20, SETTLE, 86400)
    with capture_logs() as logs:
        channel.run()

    shown = sorted(line.entry for line in view.ignored)
    assert shown == ["123456/up_[2J_]0;owned_load/", "up_[2J_]0;owned_load/"]
    assert _said(logs) == shown
