"""SPEC 7, UPDATE: what may move, until when, and what the result must still respect.

The period ids come from the IN's answer. A refused UPDATE must leave the period as it was: the same
IN sent again is then an exact duplicate (90373-333), not an overlap.
Default IN: 25/06/2026 10:00-14:00, received 24/06/2026 11:50.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from support.builders import CBE_BRASSERIE, NOSS_BRASSERIE, dimona_day, dimona_in, dimona_night, dimona_update
from support.channel import Channel
from support.dimona_checks import (
    assert_accepted,
    assert_refused,
    assert_still_declared,
    declare,
    send,
    send_one,
)


def test_an_accepted_update_shows_the_period_before_and_after(channel: Channel) -> None:
    period_id = declare(channel, dimona_in())
    decision = send_one(channel, dimona_update(period_id, end_hour="1300", company_id=CBE_BRASSERIE))
    assert_accepted(decision)
    assert decision.period_id == period_id
    assert decision.before == {
        "StartingDate": "2026-06-25",
        "StartingHour": "1000",
        "EndingHour": "1400",
        "Status": "ACTIVE",
    }
    assert decision.after == {**decision.before, "EndingHour": "1300"}
    assert decision.employer == {"NOSSRegistrationNbr": NOSS_BRASSERIE}  # as stored, not as given
    assert_still_declared(channel, dimona_in(end_hour="1300"))


# -- 90378-444 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "same",
    [
        pytest.param({}, id="no-field"),
        pytest.param({"end_hour": "1400"}, id="same-end"),
        pytest.param({"start": "2026-06-25", "start_hour": "1000", "end_hour": "1400"}, id="all-restated"),
        pytest.param({"end": "2026-06-25", "end_hour": "1400"}, id="end-date-written-out"),
    ],
)
def test_an_update_that_changes_nothing_is_refused(channel: Channel, same: dict[str, str]) -> None:
    period_id = declare(channel, dimona_in())
    assert_refused(send_one(channel, dimona_update(period_id, **same)), "90378-444")
    assert_still_declared(channel, dimona_in())
    assert_accepted(send_one(channel, dimona_update(period_id, end_hour="1359")))


# -- the result of an UPDATE must still be a valid period ------------------------------------------------

TWO_SHIFTS = (dimona_in(), dimona_in(start_hour="1500", end_hour="1800"))
BETWEEN_DAYS = (dimona_day("2026-06-25", "2026-06-28"),)
NEXT_QUARTER = (dimona_day("2026-07-01", "2026-07-03"),)


@pytest.mark.parametrize(
    ("code", "declared", "wrong", "near_miss"),
    [
        pytest.param("00778-345", (dimona_in(),), {"end_hour": "0900"}, {"end_hour": "1001"}, id="00778-345"),
        pytest.param(
            "00778-345",
            (dimona_in(),),
            {"end_hour": "1000"},
            {"end_hour": "1001"},
            id="00778-345-zero-length",
        ),
        pytest.param(
            "00778-345",
            (dimona_in(),),
            {"start_hour": "1400", "end_hour": "1000"},
            {"start_hour": "1000", "end_hour": "1001"},
            id="00778-345-both-hours",
        ),
        pytest.param(
            "90378-341",
            (dimona_in(),),
            {"end": "2026-06-26", "end_hour": "1001"},
            {"end": "2026-06-26", "end_hour": "1000"},
            id="90378-341",
        ),
        pytest.param(
            "90373-421",
            BETWEEN_DAYS,
            {"end": "2026-06-24"},
            {"end": "2026-06-25"},
            id="90373-421-end-before-start",
        ),
        pytest.param(
            "90373-421",
            NEXT_QUARTER,
            {"start": "2026-06-30"},
            {"start": "2026-07-02"},
            id="90373-421-quarter",
        ),
        pytest.param("00911-344", BETWEEN_DAYS, {"end": "2026-06-29"}, {"end": "2026-06-27"}, id="00911-344"),
        pytest.param("90378-334", TWO_SHIFTS, {"end_hour": "1501"}, {"end_hour": "1500"}, id="90378-334"),
        pytest.param(
            "90378-334",
            TWO_SHIFTS,
            {"start_hour": "1500", "end_hour": "1800"},  # identical to the other: still an overlap
            {"start_hour": "1800", "end_hour": "2000"},
            id="90378-334-identical",
        ),
    ],
)
def test_update_rule_refuses_and_its_near_miss_is_accepted(
    channel: Channel, code: str, declared: tuple[str, ...], wrong: dict[str, str], near_miss: dict[str, str]
) -> None:
    period_id = declare(channel, declared[0])
    for other in declared[1:]:
        declare(channel, other)
    refused = send_one(channel, dimona_update(period_id, **wrong))
    assert_refused(refused, code)
    assert_still_declared(channel, declared[0])
    assert_accepted(send_one(channel, dimona_update(period_id, **near_miss)))


# -- 00777-181: the start moves only before work begins, and never into the past -------------------------


@pytest.mark.parametrize(
    ("received", "allowed"),
    [
        (datetime(2026, 6, 25, 9, 59), True),
        (datetime(2026, 6, 25, 10, 0), False),  # work has begun at the current start
        (datetime(2026, 6, 25, 10, 1), False),
    ],
)
def test_the_start_moves_only_before_the_current_start(
    channel: Channel, received: datetime, allowed: bool
) -> None:
    period_id = declare(channel, dimona_in())
    decision = send_one(channel, dimona_update(period_id, start_hour="1030"), now=received)
    if allowed:
        assert_accepted(decision)
        assert decision.after is not None and decision.after["StartingHour"] == "1030"
    else:
        assert_refused(decision, "00777-181")
        assert_still_declared(channel, dimona_in(), now=received)


@pytest.mark.parametrize(("new_start", "allowed"), [("0859", False), ("0900", True), ("0901", True)])
def test_the_start_never_moves_to_before_the_reception_time(
    channel: Channel, new_start: str, allowed: bool
) -> None:
    received = datetime(2026, 6, 25, 9, 0)
    period_id = declare(channel, dimona_in())
    decision = send_one(channel, dimona_update(period_id, start_hour=new_start), now=received)
    if allowed:
        assert_accepted(decision)
    else:
        assert_refused(decision, "00777-181")
        assert_still_declared(channel, dimona_in(), now=received)


@pytest.mark.parametrize(
    "update",
    [
        pytest.param({"end_hour": "1300"}, id="end-only"),
        pytest.param({"start": "2026-06-25", "start_hour": "1000", "end_hour": "1300"}, id="start-restated"),
    ],
)
def test_once_work_has_begun_the_end_may_still_move(channel: Channel, update: dict[str, str]) -> None:
    period_id = declare(channel, dimona_in())
    decision = send_one(channel, dimona_update(period_id, **update), now=datetime(2026, 6, 25, 11, 0))
    assert_accepted(decision)
    assert decision.after is not None and decision.after["EndingHour"] == "1300"


# -- 00778-181: the windows for moving a one-day end (SPEC 7's worked example) ---------------------------


@pytest.mark.parametrize(
    ("planned_end", "new_end", "received", "allowed"),
    [
        # 10:00-14:00 shortened: until 26/06 00:00
        ("1400", "1300", datetime(2026, 6, 25, 23, 59), True),
        ("1400", "1300", datetime(2026, 6, 26, 0, 0), False),
        ("1400", "1300", datetime(2026, 6, 26, 0, 1), False),
        # 10:00-14:00 lengthened: until 25/06 22:00
        ("1400", "1500", datetime(2026, 6, 25, 21, 59), True),
        ("1400", "1500", datetime(2026, 6, 25, 22, 0), False),
        ("1400", "1500", datetime(2026, 6, 25, 22, 1), False),
        # ending at 21:00, lengthened: until 26/06 08:00
        ("2100", "2200", datetime(2026, 6, 26, 7, 59), True),
        ("2100", "2200", datetime(2026, 6, 26, 8, 0), False),
        ("2100", "2200", datetime(2026, 6, 26, 8, 1), False),
        # ending at 21:00, shortened: until 26/06 00:00
        ("2100", "2000", datetime(2026, 6, 25, 23, 59), True),
        ("2100", "2000", datetime(2026, 6, 26, 0, 0), False),
        # ending at exactly 20:00: until 08:00 the next morning; at 19:59: 8 hours later
        ("2000", "2100", datetime(2026, 6, 26, 7, 59), True),
        ("2000", "2100", datetime(2026, 6, 26, 8, 0), False),
        ("1959", "2100", datetime(2026, 6, 26, 3, 58), True),
        ("1959", "2100", datetime(2026, 6, 26, 3, 59), False),
    ],
)
def test_the_end_moves_only_within_its_window(
    channel: Channel, planned_end: str, new_end: str, received: datetime, allowed: bool
) -> None:
    declared = dimona_in(end_hour=planned_end)
    period_id = declare(channel, declared)
    decision = send_one(channel, dimona_update(period_id, end_hour=new_end), now=received)
    if allowed:
        assert_accepted(decision)
        assert decision.after is not None and decision.after["EndingHour"] == new_end
    else:
        assert_refused(decision, "00778-181")
        assert_still_declared(channel, declared, now=received)


@pytest.mark.parametrize(
    ("received", "allowed"), [(datetime(2026, 6, 25, 23, 59), True), (datetime(2026, 6, 26, 0, 0), False)]
)
def test_the_window_follows_the_end_of_the_last_accepted_update(
    channel: Channel, received: datetime, allowed: bool
) -> None:
    """Lengthened to 16:00 first, the end may be lengthened again until 16:00 + 8 h, not 14:00 + 8 h."""
    period_id = declare(channel, dimona_in())
    assert_accepted(
        send_one(channel, dimona_update(period_id, end_hour="1600"), now=datetime(2026, 6, 25, 12, 0))
    )
    decision = send_one(channel, dimona_update(period_id, end_hour="1800"), now=received)
    if allowed:
        assert_accepted(decision)
    else:
        assert_refused(decision, "00778-181")
        assert_still_declared(channel, dimona_in(end_hour="1600"), now=received)


def test_updates_in_one_file_see_each_other(channel: Channel) -> None:
    period_id = declare(channel, dimona_in())
    first, second = send(
        channel, dimona_update(period_id, end_hour="1500"), dimona_update(period_id, end_hour="1500")
    )
    assert_accepted(first)
    assert_refused(second, "90378-444")


# -- past midnight ----------------------------------------------------------------------------------------


def test_moving_the_end_hour_of_a_night_shift_keeps_its_ending_date(channel: Channel) -> None:
    period_id = declare(channel, dimona_night())
    decision = send_one(channel, dimona_update(period_id, end_hour="0300"))
    assert_accepted(decision)
    assert decision.after is not None
    assert (decision.after["EndingDate"], decision.after["EndingHour"]) == ("2026-06-26", "0300")


def test_a_night_shift_may_be_shortened_to_before_midnight(channel: Channel) -> None:
    period_id = declare(channel, dimona_night())
    decision = send_one(channel, dimona_update(period_id, end="2026-06-25", end_hour="2330"))
    assert_accepted(decision)
    assert decision.after is not None
    assert (decision.after["EndingDate"], decision.after["EndingHour"]) == ("2026-06-25", "2330")
    assert_accepted(send_one(channel, dimona_in("2026-06-26", "0000", "0400")))


@pytest.mark.parametrize(("end_hour", "allowed"), [("2200", True), ("2201", False)])
def test_a_night_shift_lengthened_past_24_hours_is_refused(
    channel: Channel, end_hour: str, allowed: bool
) -> None:
    period_id = declare(channel, dimona_night())
    decision = send_one(channel, dimona_update(period_id, end_hour=end_hour))
    if allowed:
        assert_accepted(decision)
    else:
        assert_refused(decision, "90378-341")
        assert_still_declared(channel, dimona_night())


@pytest.mark.parametrize(
    ("received", "allowed"),
    [
        (datetime(2026, 6, 26, 9, 59), True),  # the planned end 02:00 + 8 hours
        (datetime(2026, 6, 26, 10, 0), False),
    ],
)
def test_a_night_shift_is_lengthened_until_8_hours_after_its_end(
    channel: Channel, received: datetime, allowed: bool
) -> None:
    period_id = declare(channel, dimona_night())
    decision = send_one(channel, dimona_update(period_id, end_hour="0300"), now=received)
    if allowed:
        assert_accepted(decision)
    else:
        assert_refused(decision, "00778-181")
        assert_still_declared(channel, dimona_night(), now=received)


@pytest.mark.parametrize(
    ("received", "allowed"), [(datetime(2026, 6, 26, 7, 59), True), (datetime(2026, 6, 26, 8, 0), False)]
)
def test_an_evening_shift_may_be_lengthened_past_midnight(
    channel: Channel, received: datetime, allowed: bool
) -> None:
    declared = dimona_in(start_hour="1800", end_hour="2300")
    period_id = declare(channel, declared)
    decision = send_one(channel, dimona_update(period_id, end="2026-06-26", end_hour="0100"), now=received)
    if allowed:
        assert_accepted(decision)
        assert decision.after is not None
        assert (decision.after["EndingDate"], decision.after["EndingHour"]) == ("2026-06-26", "0100")
    else:
        assert_refused(decision, "00778-181")
        assert_still_declared(channel, declared, now=received)
