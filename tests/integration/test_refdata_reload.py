"""A running processor decides against the reference data loaded last, without rereading it each time."""

from __future__ import annotations

from datetime import datetime

from flexibatch.domain.refdata import RefData
from support.builders import dimona, dimona_in
from support.channel import Channel


def test_a_new_refdata_load_takes_effect_in_a_processor_already_running(channel: Channel) -> None:
    processor = channel.processor()
    first = channel.submit(dimona(dimona_in()))
    processor.run_once()
    assert channel.receipt(first).accepted

    channel.store.refdata.replace(RefData(), "emptied", datetime(2026, 6, 24))  # sender 123456 is gone
    second = channel.submit(dimona(dimona_in(start="2026-06-26")))
    processor.run_once()
    assert channel.receipt(second).codes == {"ACRF-190"}
