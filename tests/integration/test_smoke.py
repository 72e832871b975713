from support.builders import INSZ_B, dimona, dimona_cancel, dimona_in
from support.channel import Channel


def test_an_in_then_its_cancel_in_the_next_file(channel: Channel) -> None:
    (created,) = channel.decide(dimona(dimona_in()))
    assert created.accepted and created.after is not None and created.after["Status"] == "ACTIVE"

    (cancelled,) = channel.decide(dimona(dimona_cancel(created.period_id or "")))
    assert cancelled.accepted
    assert cancelled.before is not None and cancelled.before["Status"] == "ACTIVE"
    assert cancelled.after is not None and cancelled.after["Status"] == "CANCELLED"

    (again,) = channel.decide(dimona(dimona_in(insz=INSZ_B)))
    assert again.accepted and again.period_id != created.period_id
