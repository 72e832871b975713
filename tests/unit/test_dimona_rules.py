"""SPEC 7, "every declaration" and IN, against the pure rule `dimona_rules.decide`: each row refuses
(code, class, path) and its near miss goes through, in memory.

The channel twins are tests/integration/test_dimona_in.py; these build the records the readers
would (tests/support/records.py) and call the rule as DimonaBatch does, so a row of the SPEC costs
microseconds. Default IN: 25/06/2026 10:00-14:00, INSZ_A at the Brasserie, received 24/06 11:50.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from flexibatch.config import DEFAULT_JOINT_COMMITTEES
from flexibatch.domain.dimona import DimonaDeclaration, PeriodStatus
from flexibatch.formats.refdata import read_refdata
from support.builders import (
    CBE_AURORA,
    CBE_BRASSERIE,
    CBE_LEMAIRE,
    CBE_PEETERS,
    CBE_UNKNOWN,
    IDENTITY,
    INSZ_A,
    INSZ_B,
    INSZ_BIS,
    INSZ_BORN_2001,
    INSZ_NOT_ELIGIBLE,
    INSZ_PENSIONER,
    NOSS_AURORA,
    NOSS_BRASSERIE,
    NOSS_FONDS,
    NOSS_LEMAIRE,
    NOSS_UNKNOWN,
)
from support.records import (
    REFDATA,
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

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "refdata"


def test_the_reference_data_in_code_is_samples_refdata() -> None:
    """The one file these tests read: the pure tests and the channel tests decide on the same data."""
    loaded = read_refdata(SAMPLES)
    assert (loaded.senders, loaded.employers, loaded.mandates, loaded.workers) == (
        REFDATA.senders,
        REFDATA.employers,
        REFDATA.mandates,
        REFDATA.workers,
    )


def _without(name: str) -> dict[str, str]:
    return {k: v for k, v in IDENTITY.items() if k != name}


def _refused_then_near_miss(
    refused: DimonaDeclaration, near_miss: DimonaDeclaration, code: str, path: str
) -> None:
    desk = DimonaDesk()
    assert_refused(desk.send(refused), code, path)
    decision = desk.send(near_miss)
    assert_accepted(decision)  # also no 90373-333: the refusal left no period in the book


# (ErrorID, path, refused, its near miss)
EVERY_DECLARATION = [
    pytest.param(
        "90256-364",
        "DimonaIn/EmployerId",
        dimona_in(noss=None),
        dimona_in(noss=None, company_id=CBE_BRASSERIE),
    ),
    pytest.param(
        "00011-004",
        "DimonaIn/EmployerId/NOSSRegistrationNbr",
        dimona_in(noss="175110802"),
        dimona_in(noss=NOSS_BRASSERIE),
    ),
    pytest.param(
        "00014-004",
        "DimonaIn/EmployerId/CompanyID",
        dimona_in(noss=None, company_id="0400767773"),
        dimona_in(noss=None, company_id=CBE_BRASSERIE[1:]),  # the 9-digit form
        id="00014-004",
    ),
    pytest.param(
        "00011-235",
        "DimonaIn/EmployerId/NOSSRegistrationNbr",
        dimona_in(noss=NOSS_UNKNOWN),
        dimona_in(noss=NOSS_LEMAIRE),
    ),
    pytest.param(
        "00014-235",
        "DimonaIn/EmployerId/CompanyID",
        dimona_in(noss=None, company_id=CBE_UNKNOWN),
        dimona_in(noss=None, company_id=CBE_LEMAIRE),
    ),
    pytest.param(
        "00014-235",
        "DimonaIn/EmployerId/CompanyID",
        dimona_in(company_id=CBE_LEMAIRE),
        dimona_in(company_id=CBE_BRASSERIE),
        id="00014-235-numbers-of-two-employers",
    ),
    pytest.param(
        "90256-155",
        "DimonaIn/EmployerId",
        dimona_in(noss=NOSS_AURORA),
        dimona_in(noss=None, company_id=CBE_LEMAIRE),
    ),
    pytest.param(
        "90256-155",
        "DimonaIn/EmployerId",
        dimona_in(noss=NOSS_FONDS),  # a FLEX mandate does not cover DIMN
        dimona_in(noss=NOSS_BRASSERIE),  # a * one does
        id="90256-155-flex-only",
    ),
    pytest.param(
        "00024-004", "DimonaIn/NaturalPerson/INSS", dimona_in(insz="85031212363"), dimona_in(insz=INSZ_A)
    ),
    pytest.param(
        "00024-004",
        "DimonaIn/NaturalPerson/INSS",
        dimona_in(insz="01051812305"),
        dimona_in(insz=INSZ_BORN_2001),
        id="00024-004-born-2001",
    ),
    pytest.param(
        "00024-004",
        "DimonaIn/NaturalPerson/INSS",
        dimona_in(insz="85231212309"),
        dimona_in(insz=INSZ_BIS),
        id="00024-004-bis",
    ),
]

IN_RULES = [
    pytest.param(
        "00655-350",
        "DimonaIn/DimonaFeatures/WorkerType",
        dimona_in(worker_type="STU"),
        dimona_in(worker_type="FLX"),
    ),
    pytest.param(
        "00655-350",
        "DimonaIn/DimonaFeatures/WorkerType",
        dimona_in(worker_type=None),
        dimona_in(),
        id="00655-350-none",
    ),
    pytest.param(
        "90017-363",
        "DimonaIn/NaturalPerson/WorkerName",
        dimona_in(insz=None),
        dimona_in(insz=None, person=IDENTITY),
    ),
    pytest.param(
        "00046-008",
        "DimonaIn/DimonaFeatures/JointCommissionNbr",
        dimona_in(joint_commission=None),
        dimona_in(joint_commission="XXX"),
    ),
    pytest.param(
        "00046-008",
        "DimonaIn/DimonaFeatures/JointCommissionNbr",
        dimona_in(joint_commission="302.01"),
        dimona_in(joint_commission="302"),
        id="00046-008-302.01",
    ),
    pytest.param(
        "01135-005",
        "DimonaIn/PlannedHoursNbr",
        dimona_in(planned=("PlannedHoursNbr", "4")),
        dimona_in(),
        id="01135-005-hours",
    ),
    pytest.param(
        "01135-005",
        "DimonaIn/PlannedDaysNbr",
        dimona_in(planned=("PlannedDaysNbr", "1")),
        dimona_in(),
        id="01135-005-days",
    ),
    pytest.param(
        "00777-001", "DimonaIn/StartingHour", dimona_in(start_hour=None), dimona_in(start_hour="1000")
    ),
    pytest.param("00778-001", "DimonaIn/EndingHour", dimona_in(end_hour=None), dimona_in(end_hour="1400")),
    pytest.param(
        "00778-345", "DimonaIn/EndingHour", dimona_in(start_hour="1400", end_hour="1000"), dimona_in()
    ),
    pytest.param(
        "00778-345",
        "DimonaIn/EndingHour",
        dimona_in(end_hour="1000"),
        dimona_in(end_hour="1001"),
        id="00778-345-zero",
    ),
    pytest.param(
        "00778-345",
        "DimonaIn/EndingHour",
        dimona_night(end_date=None),  # decision 12: no guessing the next day
        dimona_night(),
        id="00778-345-past-midnight-without-end-date",
    ),
    pytest.param(
        "90373-341",
        "DimonaIn/EndingHour",
        dimona_in(end_date="2026-06-26", end_hour="1001"),
        dimona_in(end_date="2026-06-26", end_hour="1000"),  # exactly 24 hours
    ),
    pytest.param(
        "90373-341",
        "DimonaIn/EndingHour",
        dimona_in("2026-06-25", "2200", "2201", "2026-06-26"),
        dimona_night(),  # SPEC's 2200 to 0200
        id="90373-341-night",
    ),
    pytest.param(
        "00911-014",
        "DimonaIn/EndingDate",
        dimona_in(end_date="2026-06-24"),
        dimona_in(end_date="2026-06-25"),
        id="00911-014-hours",
    ),
    pytest.param(
        "00911-014",
        "DimonaIn/EndingDate",
        dimona_day(end_date="2026-06-24"),
        dimona_day(end_date="2026-06-25"),
    ),
    pytest.param(
        "90373-421",
        "DimonaIn/EndingDate",
        dimona_day(end_date="2026-07-01"),
        dimona_day(end_date="2026-06-30"),
    ),
]


@pytest.mark.parametrize(("code", "path", "refused", "near_miss"), EVERY_DECLARATION + IN_RULES)
def test_a_rule_refuses_and_its_near_miss_is_accepted(
    code: str, path: str, refused: DimonaDeclaration, near_miss: DimonaDeclaration
) -> None:
    _refused_then_near_miss(refused, near_miss, code, path)


def test_an_insz_of_0_is_no_insz() -> None:
    """SPEC 7 90017-363: "no INSZ (absent or `0`)". The rule itself takes "0" for an INSZ and refuses
    it with 00024-004; the XML and CSV readers turn "0" into None before the rule (the channel test
    90017-363-insz-0 passes), so the pure rule relies on its readers for this row."""
    decision = DimonaDesk().send(dimona_in(insz="0"))
    assert codes(decision) == ["00024-004"]


@pytest.mark.parametrize("missing", list(IDENTITY))
def test_without_insz_every_identity_field_is_required(missing: str) -> None:
    decision = DimonaDesk().send(dimona_in(insz=None, person=_without(missing)))
    assert_refused(decision, "90017-363", f"DimonaIn/NaturalPerson/{missing}", missing)


def test_without_insz_every_missing_field_is_named() -> None:
    person = {k: v for k, v in IDENTITY.items() if k not in ("WorkerSex", "Nationality")}
    assert (
        found(DimonaDesk().send(dimona_in(insz=None, person=person)), "90017-363").value
        == "WorkerSex, Nationality"
    )


@pytest.mark.parametrize("joint_commission", DEFAULT_JOINT_COMMITTEES)
def test_every_joint_committee_of_the_default_list_is_accepted(joint_commission: str) -> None:
    assert_accepted(DimonaDesk().send(dimona_in(joint_commission=joint_commission)))


def test_the_joint_committees_are_configuration() -> None:
    desk = DimonaDesk()
    assert_refused(desk.send(dimona_in(), joint_committees=["118.03"]), "00046-008")
    assert_accepted(desk.send(dimona_in(joint_commission="118.03"), joint_committees=["118.03"]))


@pytest.mark.parametrize(
    ("sender", "company_id", "received", "allowed"),
    [
        ("123456", CBE_LEMAIRE, datetime(2025, 12, 31, 23, 59), False),  # mandate from 01/01/2026
        ("123456", CBE_LEMAIRE, datetime(2026, 1, 1, 0, 0), True),
        ("654321", CBE_PEETERS, datetime(2026, 12, 31, 23, 59), True),  # mandate until 31/12/2026
        ("654321", CBE_PEETERS, datetime(2027, 1, 1, 0, 0), False),
    ],
)
def test_the_mandate_must_hold_on_the_reception_date(
    sender: str, company_id: str, received: datetime, allowed: bool
) -> None:
    decision = DimonaDesk().send(
        dimona_in("2027-01-04", noss=None, company_id=company_id), now=received, sender=sender
    )
    if allowed:
        assert_accepted(decision)
    else:
        assert_refused(decision, "90256-155", "DimonaIn/EmployerId")


def test_an_unknown_employer_gets_no_mandate_check() -> None:
    """Decision 22: an unknown employer gets its ...-235 and no 90256-155."""
    assert codes(DimonaDesk().send(dimona_in(noss=NOSS_UNKNOWN))) == ["00011-235"]


# -- 00910-901: without hours, at most 31 days before the quarter (decision 16) ---------------------------


@pytest.mark.parametrize(
    ("received", "allowed"),
    [
        (datetime(2026, 5, 30, 23, 59), False),
        (datetime(2026, 5, 31, 0, 0), True),  # 00:00 of 01/07 - 31 days
    ],
)
@pytest.mark.parametrize("start", ["2026-07-01", "2026-07-20"])
def test_without_hours_no_earlier_than_31_days_before_the_quarter(
    received: datetime, allowed: bool, start: str
) -> None:
    decision = DimonaDesk().send(dimona_day(start), now=received)
    if allowed:
        assert_accepted(decision)
    else:
        assert_refused(decision, "00910-901", "DimonaIn/StartingDate", start)


def test_the_31_days_before_the_second_quarter_are_calendar_days() -> None:
    """Decision 30: 01/04 - 31 days is 01/03, whatever the March clock change does."""
    assert_refused(
        DimonaDesk().send(dimona_day("2026-04-01"), now=datetime(2026, 2, 28, 23, 59)), "00910-901"
    )
    assert_accepted(DimonaDesk().send(dimona_day("2026-04-01"), now=datetime(2026, 3, 1, 0, 0)))


def test_the_31_day_limit_does_not_apply_to_a_declaration_with_hours() -> None:
    assert_accepted(DimonaDesk().send(dimona_in("2026-07-01"), now=datetime(2026, 5, 30, 12, 0)))


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
