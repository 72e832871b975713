"""The record of a submission that fails for a reason of the processor's own (flexibatch/service/failures.py)."""

from __future__ import annotations

from flexibatch.service.failures import CLAIM, Failures, Subject
from support.builders import dimona, dimona_in
from support.channel import Channel
from support.mounts import read_only


def test_the_delay_before_a_new_attempt_doubles_up_to_an_hour(channel: Channel) -> None:
    settings = channel.processor(failure_attempts=100).settings
    failures = Failures(channel.store, settings, wall_clock=lambda: 1_800_000_000.0)
    subject = Subject(CLAIM, "123456/FI.DIMN.123456.20260624.00001.R.1.1", "123456", "FI.DIMN...")
    delays = []
    for _ in range(9):
        record = failures.failed(subject, OSError(28, "No space left on device"))
        delays.append((record.next_attempt - record.failed_at).total_seconds())
    assert delays == [60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]
    assert channel.store.failures.all() == [record]
    assert record.reason == "OSError: [Errno 28] No space left on device"


def test_a_failure_is_forgotten_once_its_files_left_the_inbox(channel: Channel) -> None:
    channel.submit(dimona(dimona_in()))
    with read_only(channel.inbox / "123456"):
        processor = channel.processor()
        processor.run_once()
        assert processor.failures == 1
        assert [(f.stage, f.attempts) for f in channel.store.failures.all()] == [(CLAIM, 1)]
    for dropped in (channel.inbox / "123456").iterdir():  # the sender takes its files back
        dropped.unlink()
    channel.run()
    assert channel.store.failures.all() == []
