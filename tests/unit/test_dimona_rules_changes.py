"""SPEC 7, the rules UPDATE, CANCEL and OUT share, then CANCEL and OUT, against the pure rule
`dimona_rules.decide`, in memory.

The channel twins are tests/integration/test_dimona_cancel_out.py and test_clock_changes.py. Each test declares its periods on a DimonaDesk (one PeriodBook, as a batch
has) and shows what a change does to the book: a refused one leaves the period as it was.
Default IN: 25/06/2026 10:00-14:00, received 24/06/2026 11:50.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time

import pytest

from flexibatch.domain.dimona import DimonaDeclaration, PeriodStatus, Schedule
from flexibatch.domain.ids import with_check
from support.builders import (
    CBE_AURORA,
    CBE_BRASSERIE,
    CBE_LEMAIRE,
    CBE_UNKNOWN,
    IDENTITY,
    INSZ_A,
    INSZ_B,
    NOSS_AURORA,
    NOSS_BRASSERIE,
    NOSS_UNKNOWN,
)
from support.records import (
    DimonaDesk,
    assert_accepted,
    assert_refused,
    codes,
    dimona_cancel,
    dimona_day,
    dimona_in,
    dimona_night,
    dimona_out,
    dimona_update,
)

Change = Callable[..., DimonaDeclaration]

#: For each action: its element, a period it can act on, and a change of it that is accepted.


ACTIONS: dict[str, tuple[str, DimonaDeclaration, Change]] = {
    "UPDATE": ("DimonaUpdate", dimona_in(), lambda pid, **kw: dimona_update(pid, end_hour="1300", **kw)),
    "CANCEL": ("DimonaCancel", dimona_in(), dimona_cancel),
    "OUT": ("DimonaOut", dimona_day(), lambda pid, **kw: dimona_out(pid, "2026-06-27", **kw)),
}
each_action = pytest.mark.parametrize("action", list(ACTIONS))


def _schedule(desk: DimonaDesk, period_id: str) -> Schedule:
    period = desk.book.get(period_id)
    assert period is not None and period.active
    return period.schedule


# -- shared by UPDATE, CANCEL and OUT ------------------------------------------------------------------


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
def test_an_unknown_period_id_is_refused(action: str, unknown: Callable[[str], str]) -> None:
    element, declared, change = ACTIONS[action]
    desk = DimonaDesk()
    period_id = desk.declare(declared)
    wrong = unknown(period_id)
    assert_refused(desk.send(change(wrong)), "00913-354", f"{element}/DimonaPeriodId", wrong)
    assert_accepted(desk.send(change(period_id)))


@each_action
def test_a_period_id_is_unknown_in_the_other_environment(action: str) -> None:
    _, declared, change = ACTIONS[action]
    desk = DimonaDesk()  # one book holding a T period: the env of the period is checked too
    period_id = desk.declare(declared, env="T")
    assert_refused(desk.send(change(period_id), env="R"), "00913-354")
    assert_accepted(desk.send(change(period_id), env="T"))


@each_action
def test_a_cancelled_period_is_refused(action: str) -> None:
    element, declared, change = ACTIONS[action]
    desk = DimonaDesk()
    period_id = desk.declare(declared)
    assert_accepted(desk.send(dimona_cancel(period_id)))
    refused = desk.send(change(period_id))
    assert_refused(refused, "00913-355", f"{element}/DimonaPeriodId", period_id)
    assert refused.before is not None and refused.before.status is PeriodStatus.CANCELLED


@each_action
@pytest.mark.parametrize(
    ("code", "field", "wrong", "near_miss"),
    [
        pytest.param("00024-347", "INSS", {"insz": INSZ_B}, {"insz": INSZ_A}, id="00024-347"),
        pytest.param("00024-004", "INSS", {"insz": "85031212363"}, {"insz": INSZ_A}, id="00024-004"),
        pytest.param(
            "00011-347",
            "EmployerId",
            {"company_id": CBE_LEMAIRE},
            {"company_id": CBE_BRASSERIE},
            id="00011-347",
        ),
        pytest.param(
            "00011-347", "EmployerId", {"noss": NOSS_AURORA}, {"noss": NOSS_BRASSERIE}, id="00011-347-noss"
        ),
        pytest.param(
            "00011-004",
            "EmployerId/NOSSRegistrationNbr",
            {"noss": "175110802"},
            {"noss": NOSS_BRASSERIE},
            id="00011-004",
        ),
        pytest.param(
            "00011-235",
            "EmployerId/NOSSRegistrationNbr",
            {"noss": NOSS_UNKNOWN},
            {"noss": NOSS_BRASSERIE},
            id="00011-235",
        ),
        pytest.param(
            "00014-235",
            "EmployerId/CompanyID",
            {"company_id": CBE_UNKNOWN},
            {"company_id": CBE_BRASSERIE},
            id="00014-235",
        ),
        pytest.param(
            "00014-004",
            "EmployerId/CompanyID",
            {"company_id": "0400767773"},
            {"company_id": CBE_BRASSERIE[1:]},
            id="00014-004",
        ),
    ],
)
def test_the_worker_and_employer_given_must_be_the_periods(
    action: str, code: str, field: str, wrong: dict[str, str], near_miss: dict[str, str]
) -> None:
    element, declared, change = ACTIONS[action]
    desk = DimonaDesk()
    period_id = desk.declare(declared)
    assert_refused(desk.send(change(period_id, **wrong)), code, f"{element}/{field}")
    decision = desk.send(change(period_id, **near_miss))
    assert_accepted(decision)
    assert decision.employer is not None and decision.employer.noss == NOSS_BRASSERIE  # as stored
    assert decision.insz == INSZ_A


@each_action
def test_a_period_of_a_worker_without_insz_is_not_changed_by_naming_an_insz(action: str) -> None:
    _, declared, change = ACTIONS[action]
    desk = DimonaDesk()
    period_id = desk.declare(_no_insz(declared))
    assert_refused(desk.send(change(period_id, insz=INSZ_A)), "00024-347")
    decision = desk.send(change(period_id))
    assert_accepted(decision)
    assert decision.insz is None


def _no_insz(declared: DimonaDeclaration) -> DimonaDeclaration:
    if declared.start_hour is None:
        return dimona_day(insz=None, person=IDENTITY)
    return dimona_in(insz=None, person=IDENTITY)


@each_action
def test_the_mandate_is_checked_on_the_periods_employer(action: str) -> None:
    element, _, change = ACTIONS[action]
    at_aurora = (
        dimona_day(noss=None, company_id=CBE_AURORA)
        if action == "OUT"
        else dimona_in(noss=None, company_id=CBE_AURORA)
    )
    desk = DimonaDesk()
    period_id = desk.declare(at_aurora, sender="222222")
    assert_refused(desk.send(change(period_id)), "90256-155", f"{element}/DimonaPeriodId", NOSS_AURORA)
    given_own = desk.send(change(period_id, noss=NOSS_BRASSERIE))
    assert {"90256-155", "00011-347"} <= set(codes(given_own))
    # 654321 holds a DIMN mandate for Aurora by its RSZ number: the same employer.
    decision = desk.send(change(period_id), sender="654321")
    assert_accepted(decision)
    assert decision.employer is not None and decision.employer.company_id == CBE_AURORA


# -- CANCEL ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("declared", "received", "allowed"),
    [
        (dimona_in(), datetime(2026, 6, 25, 23, 59, 59), True),  # SPEC 7: until 26/06 00:00
        (dimona_in(), datetime(2026, 6, 26, 0, 0), False),
        (dimona_night(), datetime(2026, 6, 25, 23, 59), True),  # the start day, not the end
        (dimona_night(), datetime(2026, 6, 26, 1, 0), False),
        (dimona_day("2026-06-25", "2026-06-28"), datetime(2026, 6, 25, 23, 59), True),
        (dimona_day("2026-06-25", "2026-06-28"), datetime(2026, 6, 26, 0, 0), False),
        (dimona_in("2026-10-25", "0000", "0400"), datetime(2026, 10, 25, 23, 59), True),  # a 25-hour day
        (dimona_in("2026-10-25", "0000", "0400"), datetime(2026, 10, 26, 0, 0), False),
    ],
)
def test_a_cancel_must_arrive_before_midnight_after_the_start_day(
    declared: DimonaDeclaration, received: datetime, allowed: bool
) -> None:
    desk = DimonaDesk()
    period_id = desk.declare(declared, now=datetime(2026, 6, 24, 11, 50))
    decision = desk.send(dimona_cancel(period_id), now=received)
    if allowed:
        assert_accepted(decision)
        assert decision.after is not None and decision.after.status is PeriodStatus.CANCELLED
    else:
        assert_refused(decision, "00913-181", "DimonaCancel/DimonaPeriodId", f"{received:%Y-%m-%d %H:%M}")
        assert desk.book.get(period_id).active  # type: ignore[union-attr]


def test_a_period_cannot_be_cancelled_twice_in_one_batch() -> None:
    desk = DimonaDesk()
    period_id = desk.declare(dimona_in())
    assert_accepted(desk.send(dimona_cancel(period_id)))
    assert_refused(desk.send(dimona_cancel(period_id)), "00913-355")


def test_an_update_then_a_cancel_in_one_batch_are_decided_in_order() -> None:
    desk = DimonaDesk()
    period_id = desk.declare(dimona_in())
    assert_accepted(desk.send(dimona_update(period_id, end_hour="1200")))
    cancelled = desk.send(dimona_cancel(period_id))
    assert_accepted(cancelled)
    assert cancelled.before is not None and cancelled.before.schedule.end_hour == time(12)
    assert (cancelled.before.version, cancelled.after.version) == (2, 3)  # type: ignore[union-attr]


# -- OUT ------------------------------------------------------------------------------------------------


def test_an_out_closes_an_open_period() -> None:
    desk = DimonaDesk()
    period_id = desk.declare(dimona_day())
    assert_refused(desk.send(dimona_in("2026-06-28")), "90373-334")  # open until 30/06
    decision = desk.send(dimona_out(period_id, "2026-06-27"))
    assert_accepted(decision)
    assert decision.after is not None and decision.after.schedule == Schedule(
        date(2026, 6, 25), end_date=date(2026, 6, 27)
    )
    assert_refused(desk.send(dimona_in("2026-06-27")), "90373-334")
    assert_accepted(desk.send(dimona_in("2026-06-28")))


@pytest.mark.parametrize(
    "declared",
    [
        pytest.param(dimona_in(), id="with-hours"),
        pytest.param(dimona_night(), id="past-midnight"),
        pytest.param(dimona_day("2026-06-25", "2026-06-28"), id="with-an-end-date"),
    ],
)
def test_an_out_of_a_period_that_has_an_end_is_refused(declared: DimonaDeclaration) -> None:
    desk = DimonaDesk()
    period_id = desk.declare(declared)
    assert_refused(
        desk.send(dimona_out(period_id, "2026-06-27")), "00913-356", "DimonaOut/DimonaPeriodId", period_id
    )


def test_a_period_closed_by_an_out_cannot_be_closed_again_in_the_same_batch() -> None:
    desk = DimonaDesk()
    period_id = desk.declare(dimona_day())
    assert_accepted(desk.send(dimona_out(period_id, "2026-06-27")))
    assert_refused(desk.send(dimona_out(period_id, "2026-06-26")), "00913-356")


@pytest.mark.parametrize(
    ("code", "wrong", "near_miss"),
    [
        pytest.param("00911-014", "2026-06-24", "2026-06-25", id="00911-014"),
        pytest.param("90373-421", "2026-07-01", "2026-06-30", id="90373-421"),
    ],
)
def test_out_rule_refuses_and_its_near_miss_is_accepted(code: str, wrong: str, near_miss: str) -> None:
    desk = DimonaDesk()
    period_id = desk.declare(dimona_day())
    assert_refused(desk.send(dimona_out(period_id, wrong)), code, "DimonaOut/EndingDate", wrong)
    assert _schedule(desk, period_id).end_date is None
    decision = desk.send(dimona_out(period_id, near_miss))
    assert_accepted(decision)
    assert decision.after is not None and decision.after.schedule.end_date == date.fromisoformat(near_miss)
