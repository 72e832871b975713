"""A failure of the processor's own in one submission stops neither the others nor loses a file."""

from __future__ import annotations

import time
from collections.abc import Sequence

import pytest

from flexibatch.domain.decisions import Decided
from flexibatch.domain.dimona import DimonaDeclaration
from flexibatch.service.dimona_batch import DimonaBatch
from support.builders import INSZ_B, dimona, dimona_in
from support.channel import Channel


def test_a_failing_submission_waits_in_its_claim_and_is_answered_once_later(
    channel: Channel, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = channel.submit(dimona(dimona_in()), env="T")
    healthy = channel.submit(dimona(dimona_in(insz=INSZ_B)))
    original = DimonaBatch.decide

    def disk_full_in_test(self: DimonaBatch, declarations: Sequence[DimonaDeclaration]) -> list[Decided]:
        if self.ctx.env == "T":
            raise OSError(28, "No space left on device")
        return original(self, declarations)

    monkeypatch.setattr(DimonaBatch, "decide", disk_full_in_test)
    processor = channel.processor()
    outcomes = processor.run_once()

    assert processor.failures == 1
    assert [o.file_name for o in outcomes] == [f"FI.DIMN.{healthy}.1.1.xml"], "the other one was answered"
    (waiting,) = (channel.work / "claims").iterdir()
    assert (waiting / f"FI.DIMN.{broken}.1.1.xml").exists(), "the file is kept, not lost"
    assert not (channel.outbox / "123456" / f"FO.ACRF.{broken}.DIMN").exists(), "and not answered yet"
    assert channel.store.periods.count() == 1, "the failed submission changed nothing"

    monkeypatch.undo()
    channel.run()
    assert not (channel.outbox / "123456" / f"FO.ACRF.{broken}.DIMN").exists(), "not before its retry time"
    channel.run(wall_clock=lambda: time.time() + 60)
    for key in (broken, healthy):
        assert channel.receipt(key).accepted
        (decision,) = channel.decisions(key)
        assert decision.accepted
    assert channel.store.periods.count() == 2
    assert not list((channel.work / "claims").iterdir())
    assert not any(p.name.endswith(".2") for p in channel.all_answers()), "answered exactly once"
