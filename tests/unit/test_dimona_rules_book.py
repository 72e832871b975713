"""SPEC 7, IN against the active periods (90373-333, 90373-334), in document order within a batch,
and the two warnings (90373-460, 90017-510), on the pure rule `dimona_rules.decide`.

The channel twin is tests/integration/test_dimona_in.py. A DimonaDesk holds one PeriodBook, as a
batch does: an accepted IN is in it for the next declaration, a refused one is not.
Default IN: 25/06/2026 10:00-14:00, INSZ_A at the Brasserie, received 24/06/2026 11:50.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from flexibatch.domain.dimona import DimonaDeclaration, PeriodStatus
from support.builders import (
    CBE_AURORA,
    CBE_BRASSERIE,
    CBE_LEMAIRE,
    IDENTITY,
    INSZ_B,
    INSZ_NOT_ELIGIBLE,
    INSZ_PENSIONER,
    NOSS_AURORA,
    NOSS_BRASSERIE,
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
    found,
)

# -- 90373-333 and 90373-334, against the book and within a batch --------------------------------------


NO_INSZ = dimona_in(insz=None, person=IDENTITY)


@pytest.mark.parametrize(
    ("original", "same"),
    [
        pytest.param(dimona_in(), dimona_in(), id="same"),
        pytest.param(
            dimona_in(), dimona_in(noss=None, company_id=CBE_BRASSERIE), id="employer-by-its-other-number"
        ),
        pytest.param(dimona_in(), dimona_in(end_date="2026-06-25"), id="end-date-written-out"),
        pytest.param(dimona_day(), dimona_day(), id="open-without-hours"),
        pytest.param(
            NO_INSZ, dimona_in(insz=None, person={**IDENTITY, "WorkerName": "JANSSENS "}), id="no-insz"
        ),
    ],
)
def test_the_same_employer_worker_start_and_end_is_a_duplicate_not_an_overlap(
    original: DimonaDeclaration, same: DimonaDeclaration
) -> None:
    desk = DimonaDesk()
    period_id = desk.declare(original)
    duplicate = desk.send(same)
    assert_refused(duplicate, "90373-333", "DimonaIn/StartingDate", period_id)
    assert codes(duplicate) == ["90373-333"]


@pytest.mark.parametrize(
    "other",
    [
        pytest.param(dimona_in(insz=INSZ_B), id="another-worker"),
        pytest.param(dimona_in(noss=None, company_id=CBE_LEMAIRE), id="another-employer"),
        pytest.param(dimona_in("2026-06-26"), id="another-day"),
        pytest.param(dimona_in(start_hour="1400", end_hour="1800"), id="touching-after"),
        pytest.param(dimona_in(start_hour="0600", end_hour="1000"), id="touching-before"),
        pytest.param(
            dimona_in("2026-06-24", "2200", "1000", "2026-06-25"), id="touching-from-the-night-before"
        ),
    ],
)
def test_the_same_slot_for_another_worker_employer_or_day_and_a_touching_one_are_accepted(
    other: DimonaDeclaration,
) -> None:
    desk = DimonaDesk()
    desk.declare(dimona_in())
    assert_accepted(desk.send(other))


@pytest.mark.parametrize(
    "overlapping",
    [
        pytest.param(dimona_in(start_hour="1300", end_hour="1700"), id="later"),
        pytest.param(dimona_in(start_hour="0600", end_hour="1001"), id="earlier"),
        pytest.param(dimona_in(start_hour="1100", end_hour="1200"), id="inside"),
        pytest.param(dimona_in(end_hour="1401"), id="same-start-one-minute-longer"),
        pytest.param(dimona_in("2026-06-24", "2200", "1001", "2026-06-25"), id="from-the-night-before"),
        pytest.param(dimona_day(), id="without-hours-that-day"),
        pytest.param(dimona_day("2026-06-01"), id="open-since-the-1st"),
    ],
)
def test_an_overlap_is_refused_as_334(overlapping: DimonaDeclaration) -> None:
    desk = DimonaDesk()
    period_id = desk.declare(dimona_in())
    refused = desk.send(overlapping)
    assert_refused(refused, "90373-334", "DimonaIn/StartingDate", period_id)
    assert "90373-333" not in codes(refused)


def test_an_open_period_without_hours_covers_the_rest_of_its_quarter() -> None:
    desk = DimonaDesk()
    desk.declare(dimona_day("2026-06-25"))
    assert_refused(desk.send(dimona_in("2026-06-30")), "90373-334")
    assert_accepted(desk.send(dimona_in("2026-07-01")))


def test_a_cancelled_period_frees_its_slot() -> None:
    desk = DimonaDesk()
    period_id = desk.declare(dimona_in())
    cancelled = desk.send(dimona_cancel(period_id))
    assert cancelled.after is not None and cancelled.after.status is PeriodStatus.CANCELLED
    assert_accepted(desk.send(dimona_in()))


def test_a_worker_without_insz_cannot_overlap_either() -> None:
    desk = DimonaDesk()
    desk.declare(NO_INSZ)
    assert_refused(desk.send(dimona_in(end_hour="1500", insz=None, person=IDENTITY)), "90373-334")


def test_ins_of_one_batch_see_the_accepted_ones_before_them() -> None:
    """SPEC 5: in document order, each seeing the accepted ones before it; a refused one leaves nothing."""
    desk = DimonaDesk()
    decisions = [
        desk.send(d)
        for d in (
            dimona_in(worker_type="STU"),  # refused: takes no slot
            dimona_in(),
            dimona_in(),  # 333
            dimona_in(start_hour="1300", end_hour="1700"),  # 334
            dimona_in(start_hour="1400", end_hour="1800"),
        )
    ]
    assert [codes(d) for d in decisions] == [["00655-350"], [], ["90373-333"], ["90373-334"], []]
    assert [d.period_id for d in decisions] == [None, "200000000169", None, None, "200000000270"]


def test_an_accepted_in_gets_a_new_period_in_the_book() -> None:
    desk = DimonaDesk()
    decision = desk.send(dimona_in(noss=None, company_id=CBE_BRASSERIE[1:]))
    assert decision.before is None and decision.after is not None
    assert desk.book.get(decision.after.period_id) == decision.after
    assert (decision.after.employer_key, decision.after.company_id, decision.after.status) == (
        NOSS_BRASSERIE,
        CBE_BRASSERIE,
        PeriodStatus.ACTIVE,
    )


def test_production_and_test_are_separate_books() -> None:
    """SPEC 7 "rules apply per environment": the batch gives each environment its own book."""
    production, test = DimonaDesk(), DimonaDesk()
    production.declare(dimona_in(), env="R")
    assert_accepted(test.send(dimona_in(), env="T"))


# -- 90373-460 and 90017-510: accepted with a warning -----------------------------------------------------


@pytest.mark.parametrize(
    ("declared", "received", "late"),
    [
        (dimona_in(), datetime(2026, 6, 25, 10, 0), False),  # at the start is on time (decision 11)
        (dimona_in(), datetime(2026, 6, 25, 10, 1), True),
        (dimona_day(), datetime(2026, 6, 25, 0, 0), False),
        (dimona_day(), datetime(2026, 6, 25, 0, 1), True),  # without hours: late from midnight
    ],
)
def test_an_in_received_after_its_start_is_late(
    declared: DimonaDeclaration, received: datetime, late: bool
) -> None:
    decision = DimonaDesk().send(declared, now=received)
    if late:
        assert_accepted(decision, "90373-460")
        assert found(decision, "90373-460").field == "DimonaIn/StartingDate"
    else:
        assert_accepted(decision)


@pytest.mark.parametrize(
    ("declared", "warned"),
    [
        pytest.param(dimona_in(insz=INSZ_NOT_ELIGIBLE), True, id="not-eligible-in-Q2"),
        pytest.param(
            dimona_night("2026-06-30", "2026-07-01", insz=INSZ_NOT_ELIGIBLE), True, id="starts-in-Q2"
        ),
        pytest.param(dimona_in("2026-07-01", insz=INSZ_NOT_ELIGIBLE), False, id="Q3-not-listed"),
        pytest.param(dimona_in(insz=INSZ_PENSIONER), False, id="pensioner"),
    ],
)
def test_flexi_access_conditions_are_those_of_the_start_quarter(
    declared: DimonaDeclaration, warned: bool
) -> None:
    decision = DimonaDesk().send(declared)
    if warned:
        assert_accepted(decision, "90017-510")
        assert (found(decision, "90017-510").field, found(decision, "90017-510").value) == (
            "DimonaIn/NaturalPerson/INSS",
            INSZ_NOT_ELIGIBLE,
        )
    else:
        assert_accepted(decision)


def test_both_warnings_together_still_accept() -> None:
    decision = DimonaDesk().send(dimona_in(insz=INSZ_NOT_ELIGIBLE), now=datetime(2026, 6, 25, 11, 0))
    assert_accepted(decision, "90373-460", "90017-510")


def test_every_problem_of_an_in_is_reported_at_once() -> None:
    decision = DimonaDesk().send(
        dimona_in(
            noss=NOSS_AURORA,
            insz="85031212363",
            worker_type="STU",
            joint_commission="200",
            planned=("PlannedHoursNbr", "4"),
        )
    )
    assert codes(decision) == ["90256-155", "00024-004", "00655-350", "00046-008", "01135-005"]


def test_an_aurora_in_by_its_own_sender() -> None:
    assert_accepted(DimonaDesk().send(dimona_in(noss=None, company_id=CBE_AURORA), sender="222222"))
