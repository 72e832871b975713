"""Who declared what, and when: a period's row holds its current version, its history every version
it replaced, each with the declaration and submission that made it (docs/decisions.md, "State")."""

from __future__ import annotations

from support.builders import dimona_cancel, dimona_in, dimona_update
from support.channel import Channel
from support.dimona_checks import send, send_one
from support.state import state_rows

VERSION = "version, action, declaration_ticket, start_hour, end_hour, status"


def _current(channel: Channel, period_id: str) -> tuple[object, ...]:
    (row,) = state_rows(channel.state, f"SELECT {VERSION} FROM periods WHERE period_id = ?", (period_id,))
    return row


def _replaced(channel: Channel, period_id: str) -> list[tuple[object, ...]]:
    return state_rows(
        channel.state,
        f"SELECT {VERSION} FROM period_history WHERE period_id = ? ORDER BY version",
        (period_id,),
    )


def test_an_in_is_its_period_current_version_and_has_no_history_yet(channel: Channel) -> None:
    declared = send_one(channel, dimona_in())
    assert declared.period_id is not None
    assert _current(channel, declared.period_id) == (1, "IN", declared.ticket, "1000", "1400", "ACTIVE")
    assert _replaced(channel, declared.period_id) == []


def test_each_update_and_cancel_keeps_the_version_it_replaces(channel: Channel) -> None:
    declared = send_one(channel, dimona_in())
    period_id = declared.period_id
    assert period_id is not None
    updated = send_one(channel, dimona_update(period_id, end_hour="1300"))
    cancelled = send_one(channel, dimona_cancel(period_id))
    assert updated.accepted and cancelled.accepted

    assert _current(channel, period_id) == (3, "CANCEL", cancelled.ticket, "1000", "1300", "CANCELLED")
    assert _replaced(channel, period_id) == [
        (1, "IN", declared.ticket, "1000", "1400", "ACTIVE"),
        (2, "UPDATE", updated.ticket, "1000", "1300", "ACTIVE"),
    ]


def test_two_updates_of_one_period_in_one_file_are_both_kept_in_order(channel: Channel) -> None:
    declared = send_one(channel, dimona_in())
    period_id = declared.period_id
    assert period_id is not None
    first, second = send(
        channel, dimona_update(period_id, end_hour="1300"), dimona_update(period_id, end_hour="1200")
    )
    assert first.accepted and second.accepted

    assert _current(channel, period_id) == (3, "UPDATE", second.ticket, "1000", "1200", "ACTIVE")
    assert _replaced(channel, period_id) == [
        (1, "IN", declared.ticket, "1000", "1400", "ACTIVE"),
        (2, "UPDATE", first.ticket, "1000", "1300", "ACTIVE"),
    ]


def test_a_refused_declaration_leaves_no_version(channel: Channel) -> None:
    declared = send_one(channel, dimona_in())
    period_id = declared.period_id
    assert period_id is not None
    refused = send_one(channel, dimona_update(period_id))  # changes nothing: 90378-444
    assert not refused.accepted
    assert _current(channel, period_id)[:3] == (1, "IN", declared.ticket)
    assert _replaced(channel, period_id) == []
