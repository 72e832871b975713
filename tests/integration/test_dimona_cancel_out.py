"""SPEC 7, CANCEL and OUT, and the rules every UPDATE, CANCEL and OUT share (period id, worker, employer,
mandate, environment).

The period ids come from the IN's answer. A refused declaration must leave the period as it was: the
same IN sent again is then an exact duplicate (90373-333).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from flexibatch.domain.ids import with_check
from support.builders import (
    CBE_AURORA,
    CBE_BRASSERIE,
    CBE_LEMAIRE,
    IDENTITY,
    INSZ_A,
    INSZ_B,
    NOSS_AURORA,
    NOSS_BRASSERIE,
    NOSS_UNKNOWN,
    dimona_cancel,
    dimona_day,
    dimona_in,
    dimona_night,
    dimona_out,
    dimona_update,
)
from support.channel import Channel
from support.dimona_checks import (
    assert_accepted,
    assert_refused,
    assert_still_declared,
    declare,
    send,
    send_one,
)

Change = Callable[..., str]

#: For each action: a period it can act on, and a declaration that the processor accepts for it.
ACTIONS: dict[str, tuple[str, Change]] = {
    "UPDATE": (dimona_in(), lambda pid, **kw: dimona_update(pid, end_hour="1300", **kw)),
    "CANCEL": (dimona_in(), dimona_cancel),
    "OUT": (dimona_day(), lambda pid, **kw: dimona_out(pid, "2026-06-27", **kw)),
}
each_action = pytest.mark.parametrize("action", list(ACTIONS))


# -- rules shared by UPDATE, CANCEL and OUT --------------------------------------------------------------


@each_action
@pytest.mark.parametrize(
    "unknown",
    [
        pytest.param(lambda _: with_check(123_456_789), id="never-issued"),
        pytest.param(lambda _: "660740832053", id="spec-test-value"),
        pytest.param(
            lambda issued: issued[:10] + f"{(int(issued[10:]) + 1) % 97:02d}", id="wrong-check-digits"
        ),
    ],
)
def test_an_unknown_period_id_is_refused(
    channel: Channel, action: str, unknown: Callable[[str], str]
) -> None:
    declared, change = ACTIONS[action]
    period_id = declare(channel, declared)
    assert_refused(send_one(channel, change(unknown(period_id))), "00913-354")
    assert_still_declared(channel, declared)
    assert_accepted(send_one(channel, change(period_id)))


@each_action
def test_a_cancelled_period_is_refused(channel: Channel, action: str) -> None:
    declared, change = ACTIONS[action]
    period_id = declare(channel, declared)
    assert_accepted(send_one(channel, dimona_cancel(period_id)))
    refused = send_one(channel, change(period_id))
    assert_refused(refused, "00913-355")
    assert_accepted(send_one(channel, declared))  # still cancelled: the slot is free


@each_action
@pytest.mark.parametrize(
    ("code", "wrong", "near_miss"),
    [
        pytest.param("00024-347", {"insz": INSZ_B}, {"insz": INSZ_A}, id="00024-347"),
        pytest.param("00024-004", {"insz": "85031212363"}, {"insz": INSZ_A}, id="00024-004"),
        pytest.param(
            "00011-347",
            {"company_id": CBE_LEMAIRE},
            {"company_id": CBE_BRASSERIE},  # the Brasserie by its other number: the same employer
            id="00011-347",
        ),
        pytest.param("00011-347", {"noss": NOSS_AURORA}, {"noss": NOSS_BRASSERIE}, id="00011-347-by-noss"),
        pytest.param("00011-004", {"noss": "175110802"}, {"noss": NOSS_BRASSERIE}, id="00011-004"),
        pytest.param("00011-235", {"noss": NOSS_UNKNOWN}, {"noss": NOSS_BRASSERIE}, id="00011-235"),
    ],
)
def test_the_worker_and_employer_given_must_be_the_periods(
    channel: Channel, action: str, code: str, wrong: dict[str, str], near_miss: dict[str, str]
) -> None:
    declared, change = ACTIONS[action]
    period_id = declare(channel, declared)
    assert_refused(send_one(channel, change(period_id, **wrong)), code)
    assert_still_declared(channel, declared)
    decision = send_one(channel, change(period_id, **near_miss))
    assert_accepted(decision)
    assert decision.employer == {"NOSSRegistrationNbr": NOSS_BRASSERIE}
    assert decision.insz == [INSZ_A]


@each_action
def test_a_period_declared_by_enterprise_number_may_be_named_by_rsz_number(
    channel: Channel, action: str
) -> None:
    declared, change = ACTIONS[action]
    declared = declared.replace(
        f"<NOSSRegistrationNbr>{NOSS_BRASSERIE}</NOSSRegistrationNbr>",
        f"<CompanyID>{CBE_BRASSERIE[1:]}</CompanyID>",
    )
    period_id = declare(channel, declared)
    decision = send_one(channel, change(period_id, noss=NOSS_BRASSERIE))
    assert_accepted(decision)
    assert decision.employer == {"CompanyID": CBE_BRASSERIE}


@each_action
def test_a_period_of_a_worker_without_insz_is_not_changed_by_naming_an_insz(
    channel: Channel, action: str
) -> None:
    declared, change = ACTIONS[action]
    declared = declared.replace(
        f"<INSS>{INSZ_A}</INSS>", "<INSS>0</INSS>" + "".join(f"<{k}>{v}</{k}>" for k, v in IDENTITY.items())
    )
    period_id = declare(channel, declared)
    assert_refused(send_one(channel, change(period_id, insz=INSZ_A)), "00024-347")
    assert_still_declared(channel, declared)
    decision = send_one(channel, change(period_id, insz="0"))
    assert_accepted(decision)
    assert decision.insz == []


AURORA_IN = dimona_in(noss=None, company_id=CBE_AURORA)  # sender 222222 holds a * mandate for it


@each_action
def test_the_mandate_is_checked_on_the_periods_employer(channel: Channel, action: str) -> None:
    _, change = ACTIONS[action]
    declared = AURORA_IN if action != "OUT" else dimona_day(noss=None, company_id=CBE_AURORA)
    period_id = declare(channel, declared, sender="222222")
    assert_refused(send_one(channel, change(period_id)), "90256-155")  # 123456: no mandate for Aurora
    given_own = send_one(channel, change(period_id, noss=NOSS_BRASSERIE))
    assert_refused(given_own, "90256-155")
    assert_refused(given_own, "00011-347")
    assert_still_declared(channel, declared, sender="222222")
    # 654321 holds a DIMN mandate for Aurora by its RSZ number: the same employer.
    decision = send_one(channel, change(period_id), sender="654321")
    assert_accepted(decision)
    assert decision.employer == {"CompanyID": CBE_AURORA}


@each_action
@pytest.mark.parametrize(("declared_in", "changed_in"), [("R", "T"), ("T", "R")])
def test_a_period_id_is_unknown_in_the_other_environment(
    channel: Channel, action: str, declared_in: str, changed_in: str
) -> None:
    declared, change = ACTIONS[action]
    period_id = declare(channel, declared, env=declared_in)
    assert_refused(send_one(channel, change(period_id), env=changed_in), "00913-354")
    assert_still_declared(channel, declared, env=declared_in)
    assert_accepted(send_one(channel, change(period_id), env=declared_in))


# -- CANCEL ------------------------------------------------------------------------------------------------


def test_a_cancel_withdraws_the_period_and_frees_its_slot(channel: Channel) -> None:
    period_id = declare(channel, dimona_in())
    decision = send_one(channel, dimona_cancel(period_id))
    assert_accepted(decision)
    assert decision.period_id == period_id
    assert decision.before is not None and decision.before["Status"] == "ACTIVE"
    assert decision.after == {**decision.before, "Status": "CANCELLED"}
    assert_accepted(send_one(channel, dimona_in(start_hour="1200", end_hour="1600")))


@pytest.mark.parametrize(
    ("declared", "received", "allowed"),
    [
        # SPEC 7's example: 25/06 10:00-14:00 may be cancelled until 26/06 00:00
        (dimona_in(), datetime(2026, 6, 25, 23, 59), True),
        (dimona_in(), datetime(2026, 6, 26, 0, 0), False),
        (dimona_in(), datetime(2026, 6, 26, 0, 1), False),
        # past midnight: still the end of the start day, even while the shift goes on
        (dimona_night(), datetime(2026, 6, 25, 23, 59), True),
        (dimona_night(), datetime(2026, 6, 26, 0, 0), False),
        (dimona_night(), datetime(2026, 6, 26, 1, 0), False),
        # without hours: the end of the start day, not of the end date
        (dimona_day("2026-06-25", "2026-06-28"), datetime(2026, 6, 25, 23, 59), True),
        (dimona_day("2026-06-25", "2026-06-28"), datetime(2026, 6, 26, 0, 0), False),
    ],
)
def test_a_cancel_must_arrive_before_midnight_after_the_start_day(
    channel: Channel, declared: str, received: datetime, allowed: bool
) -> None:
    period_id = declare(channel, declared)
    decision = send_one(channel, dimona_cancel(period_id), now=received)
    if allowed:
        assert_accepted(decision)
        assert decision.after is not None and decision.after["Status"] == "CANCELLED"
    else:
        assert_refused(decision, "00913-181")
        assert_still_declared(channel, declared, now=received)


def test_a_period_cannot_be_cancelled_twice(channel: Channel) -> None:
    period_id = declare(channel, dimona_in())
    first, second = send(channel, dimona_cancel(period_id), dimona_cancel(period_id))
    assert_accepted(first)
    assert_refused(second, "00913-355")


def test_an_update_then_a_cancel_in_one_file_are_decided_in_order(channel: Channel) -> None:
    period_id = declare(channel, dimona_in())
    updated, cancelled = send(channel, dimona_update(period_id, end_hour="1200"), dimona_cancel(period_id))
    assert_accepted(updated)
    assert_accepted(cancelled)
    assert cancelled.before is not None and cancelled.before["EndingHour"] == "1200"
    assert_accepted(send_one(channel, dimona_in()))


# -- OUT ---------------------------------------------------------------------------------------------------


def test_an_out_closes_an_open_period(channel: Channel) -> None:
    period_id = declare(channel, dimona_day())
    assert_refused(send_one(channel, dimona_in("2026-06-28")), "90373-334")  # open until 30/06
    decision = send_one(channel, dimona_out(period_id, "2026-06-27"))
    assert_accepted(decision)
    assert decision.before == {"StartingDate": "2026-06-25", "Status": "ACTIVE"}
    assert decision.after == {"StartingDate": "2026-06-25", "EndingDate": "2026-06-27", "Status": "ACTIVE"}
    assert_refused(send_one(channel, dimona_in("2026-06-27")), "90373-334")
    assert_accepted(send_one(channel, dimona_in("2026-06-28")))


@pytest.mark.parametrize(
    "declared",
    [
        pytest.param(dimona_in(), id="with-hours"),
        pytest.param(dimona_night(), id="past-midnight"),
        pytest.param(dimona_day("2026-06-25", "2026-06-28"), id="with-an-end-date"),
    ],
)
def test_an_out_of_a_period_that_has_an_end_is_refused(channel: Channel, declared: str) -> None:
    period_id = declare(channel, declared)
    assert_refused(send_one(channel, dimona_out(period_id, "2026-06-27")), "00913-356")
    assert_still_declared(channel, declared)


def test_a_period_closed_by_an_out_cannot_be_closed_again(channel: Channel) -> None:
    period_id = declare(channel, dimona_day())
    first, second = send(channel, dimona_out(period_id, "2026-06-27"), dimona_out(period_id, "2026-06-26"))
    assert_accepted(first)
    assert_refused(second, "00913-356")


@pytest.mark.parametrize(
    ("code", "wrong", "near_miss"),
    [
        pytest.param("00911-014", "2026-06-24", "2026-06-25", id="00911-014"),
        pytest.param("90373-421", "2026-07-01", "2026-06-30", id="90373-421"),
    ],
)
def test_out_rule_refuses_and_its_near_miss_is_accepted(
    channel: Channel, code: str, wrong: str, near_miss: str
) -> None:
    period_id = declare(channel, dimona_day())
    assert_refused(send_one(channel, dimona_out(period_id, wrong)), code)
    assert_still_declared(channel, dimona_day())
    decision = send_one(channel, dimona_out(period_id, near_miss))
    assert_accepted(decision)
    assert decision.after is not None and decision.after["EndingDate"] == near_miss
