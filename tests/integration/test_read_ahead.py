"""Issue 5: a large XML file is read by a second process, and answered exactly as when read in place.

Two installations get the same submissions at the same reception time: one reads every XML file in
place, the other sends every one of them through the read-ahead child (`read_ahead_bytes=0`), with
batches of three Forms so that many batches cross the pipe. Their receipts and notifications must
be the same bytes but for the file ticket, which is drawn at random per submission.
"""

from __future__ import annotations

import multiprocessing
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from flexibatch.errors import FlexibatchError
from flexibatch.formats.dimona_xml import declaration_from_row, dimona_row_reader
from flexibatch.formats.read_ahead import ReadAhead
from flexibatch.formats.streams import Parts
from flexibatch.service.run import Outcome
from support.builders import (
    INSZ_A,
    INSZ_B,
    INSZ_C,
    INSZ_NOT_ELIGIBLE,
    NOSS_BRASSERIE,
    dimona,
    dimona_cancel,
    dimona_day,
    dimona_in,
    dimona_night,
    dimona_out,
    dimona_update,
)
from support.channel import SAMPLES, Channel
from support.read_ahead_readers import dies_after_one_batch

IN_PLACE = {"batch_size": 3, "read_ahead_bytes": 1 << 40}
READ_AHEAD = {"batch_size": 3, "read_ahead_bytes": 0}


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[Channel, Channel]]:
    in_place = Channel(tmp_path / "in-place", extra=IN_PLACE)
    read_ahead = Channel(tmp_path / "read-ahead", extra=READ_AHEAD)
    yield in_place, read_ahead
    in_place.close()
    read_ahead.close()


def _answers(channel: Channel, outcomes: list[Outcome]) -> dict[str, bytes]:
    """Every answer file of these outcomes, with the submission's random file ticket masked."""
    found = {}
    for outcome in outcomes:
        folder = channel.outbox / outcome.folder if outcome.folder else channel.outbox
        for name in outcome.answers:
            found[name] = (folder / name).read_bytes().replace(outcome.ticket.encode(), b"<TICKET>")
    return found


def _same_answers(pair: tuple[Channel, Channel]) -> dict[str, bytes]:
    in_place, read_ahead = pair
    expected = _answers(in_place, in_place.run())
    assert expected, "something was answered"
    assert _answers(read_ahead, read_ahead.run()) == expected
    return expected


def _submit(pair: tuple[Channel, Channel], content: bytes) -> str:
    keys = {channel.submit(content) for channel in pair}
    (key,) = keys
    return key


def test_every_sample_is_answered_alike(pair: tuple[Channel, Channel]) -> None:
    """Dimona and Flexi at work, single and multi-part, accepted and refused."""
    for channel in pair:
        for source in (p for p in (SAMPLES / "inbox").rglob("*") if p.is_file()):
            target = channel.inbox / source.parent.name / source.name
            target.parent.mkdir(exist_ok=True)
            shutil.copy(source, target)
    answers = _same_answers(pair)
    assert any(name.startswith("FO.NOTI.654321") for name in answers), "the two-part sample was decided"
    assert any(name.endswith(".FLEX") and name.startswith("FO.NOTI") for name in answers), (
        "and wage transfers"
    )


def test_refusals_warnings_and_changes_of_earlier_periods_are_answered_alike(
    pair: tuple[Channel, Channel],
) -> None:
    first = dimona(
        dimona_in(insz=INSZ_A),
        dimona_in(insz=INSZ_B, start="2026-06-26"),
        dimona_in(insz=INSZ_A),  # the same period again, in the same file: 90373-333
        dimona_night(insz=INSZ_C),
        dimona_day(insz=INSZ_B, start="2026-07-01"),
        dimona_in(insz=INSZ_NOT_ELIGIBLE),  # a warning: 90017-510
        dimona_in(insz="80111405126"),  # a wrong INSZ: 00024-004
        dimona_in(insz=INSZ_C, start="2026-06-24", start_hour="0800"),  # late: 90373-460
    )
    key = _submit(pair, first)
    _same_answers(pair)
    periods = [d.period_id for d in pair[0].decisions(key)]
    second = dimona(
        dimona_update(str(periods[0]), end_hour="1300"),
        dimona_cancel(str(periods[1])),
        dimona_cancel(str(periods[1])),  # already cancelled: 00913-355
        dimona_out(str(periods[4]), "2026-07-15"),
        dimona_update("660740832053", end_hour="1300"),  # unknown: 00913-354
    )
    _submit(pair, second)
    _same_answers(pair)


def test_file_level_problems_are_answered_alike(pair: tuple[Channel, Channel]) -> None:
    invalid = dimona(dimona_in(noss="12"), dimona_in(), dimona_in(start="2026-13-45"))
    _submit(pair, invalid)
    _submit(pair, dimona(dimona_in())[:-40])  # cut off inside an element: not well-formed
    _submit(pair, b'<?xml version="1.0"?>\n<Dimona></Dimona>\n')  # no declaration
    answers = _same_answers(pair)
    receipts = [body for name, body in answers.items() if name.startswith("FO.ACRF")]
    assert len(receipts) == 3
    assert all(b"<ResultCode>0</ResultCode>" in body for body in receipts), receipts


def test_a_reading_process_that_dies_fails_the_file_instead_of_answering_it(tmp_path: Path) -> None:
    path = tmp_path / "FI.xml"
    path.write_bytes(dimona(*(dimona_in(insz=INSZ_A, start=f"2026-07-{d:02d}") for d in range(1, 10))))
    reader = ReadAhead(dies_after_one_batch, declaration_from_row, 3)
    batches = reader.read(Parts([path]))
    assert len(next(batches).records) == 3
    with pytest.raises(FlexibatchError, match="ended without finishing"):
        next(batches)


def test_a_reader_stopped_early_leaves_no_process_behind(tmp_path: Path) -> None:
    path = tmp_path / "FI.xml"
    path.write_bytes(
        dimona(*(dimona_in(noss=NOSS_BRASSERIE, start=f"2026-07-{d:02d}") for d in range(1, 10)))
    )
    batches = ReadAhead(dimona_row_reader, declaration_from_row, 3).read(Parts([path]))
    assert next(batches).records[0].index == 1
    batches.close()  # the decider gave up, say on a failure of its own
    assert multiprocessing.active_children() == []
