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
from flexibatch.domain.dimona import DimonaDeclaration
from flexibatch.formats.refdata import read_refdata
from support.builders import (
    CBE_BRASSERIE,
    CBE_LEMAIRE,
    CBE_PEETERS,
    CBE_UNKNOWN,
    IDENTITY,
    INSZ_A,
    INSZ_BIS,
    INSZ_BORN_2001,
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
