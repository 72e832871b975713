"""SPEC 7, IN and "every declaration": each rule refuses, and its near miss goes through.

Every refusal is followed, in a later file, by its near miss: the closest declaration the rule lets
through. That it is accepted (no 90373-333 or -334 either) also shows the refused one left no trace.
Default declaration: 25/06/2026 10:00-14:00, INSZ_A at the Brasserie, received 24/06/2026 11:50.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from flexibatch.config import DEFAULT_JOINT_COMMITTEES
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
    dimona,
    dimona_cancel,
    dimona_day,
    dimona_in,
    dimona_night,
)
from support.channel import Channel
from support.channel_checks import assert_refused as assert_file_refused
from support.dimona_checks import (
    assert_accepted,
    assert_refused,
    declare,
    send,
    send_one,
)


def _without(name: str) -> dict[str, str]:
    return {k: v for k, v in IDENTITY.items() if k != name}


# (ErrorID, refused declaration, its near miss)
EVERY_DECLARATION = [
    pytest.param(
        "90256-364", dimona_in(noss=None), dimona_in(noss=None, company_id=CBE_BRASSERIE), id="90256-364"
    ),
    pytest.param("00011-004", dimona_in(noss="175110802"), dimona_in(noss=NOSS_BRASSERIE), id="00011-004"),
    pytest.param(
        "00014-004",
        dimona_in(noss=None, company_id="0400767773"),
        dimona_in(noss=None, company_id=CBE_BRASSERIE[1:]),  # the 9-digit form is accepted
        id="00014-004",
    ),
    pytest.param("00011-235", dimona_in(noss=NOSS_UNKNOWN), dimona_in(noss=NOSS_LEMAIRE), id="00011-235"),
    pytest.param(
        "00014-235",
        dimona_in(noss=None, company_id=CBE_UNKNOWN),
        dimona_in(noss=None, company_id=CBE_LEMAIRE),
        id="00014-235",
    ),
    pytest.param(
        "00014-235",
        dimona_in(noss=NOSS_BRASSERIE, company_id=CBE_LEMAIRE),
        dimona_in(noss=NOSS_BRASSERIE, company_id=CBE_BRASSERIE),
        id="00014-235-numbers-of-two-employers",
    ),
    pytest.param(
        "90256-155",
        dimona_in(noss=NOSS_AURORA),
        dimona_in(noss=None, company_id=CBE_LEMAIRE),  # a DIMN-only mandate is enough
        id="90256-155",
    ),
    pytest.param(
        "90256-155",
        dimona_in(noss=None, company_id=CBE_AURORA),
        dimona_in(noss=NOSS_LEMAIRE),
        id="90256-155-cbe",
    ),
    pytest.param(
        "90256-155",
        dimona_in(noss=NOSS_FONDS),  # a FLEX mandate does not cover DIMN
        dimona_in(noss=NOSS_BRASSERIE),  # a * mandate does
        id="90256-155-flex-only-mandate",
    ),
    pytest.param("00024-004", dimona_in(insz="85031212363"), dimona_in(insz=INSZ_A), id="00024-004"),
    pytest.param(
        "00024-004", dimona_in(insz="01051812305"), dimona_in(insz=INSZ_BORN_2001), id="00024-004-born-2001"
    ),
    pytest.param("00024-004", dimona_in(insz="85231212309"), dimona_in(insz=INSZ_BIS), id="00024-004-bis"),
]

IN_RULES = [
    pytest.param("00655-350", dimona_in(worker_type="STU"), dimona_in(worker_type="FLX"), id="00655-350"),
    pytest.param("00655-350", dimona_in(worker_type=None), dimona_in(), id="00655-350-no-features"),
    pytest.param("90017-363", dimona_in(insz=None), dimona_in(insz=None, person=IDENTITY), id="90017-363"),
    pytest.param(
        "90017-363", dimona_in(insz="0"), dimona_in(insz="0", person=IDENTITY), id="90017-363-insz-0"
    ),
    pytest.param(
        "00046-008", dimona_in(joint_commission=None), dimona_in(joint_commission="XXX"), id="00046-008"
    ),
    pytest.param(
        "00046-008", dimona_in(joint_commission="200"), dimona_in(joint_commission="302"), id="00046-008-200"
    ),
    pytest.param(
        "00046-008",
        dimona_in(joint_commission="302.01"),
        dimona_in(joint_commission="302"),
        id="00046-008-302.01",
    ),
    pytest.param("01135-005", dimona_in(planned_hours=4), dimona_in(), id="01135-005-hours"),
    pytest.param(
        "01135-005",
        dimona_in(planned_hours=4).replace("PlannedHoursNbr", "PlannedDaysNbr"),
        dimona_in(),
        id="01135-005-days",
    ),
    pytest.param("00777-001", dimona_in(start_hour=None), dimona_in(start_hour="1000"), id="00777-001"),
    pytest.param("00778-001", dimona_in(end_hour=None), dimona_in(end_hour="1400"), id="00778-001"),
    pytest.param(
        "00778-001",
        dimona_in(end_hour=None, end_date="2026-06-25"),
        dimona_day(end_date="2026-06-25"),  # no hour at all: a declaration without hours
        id="00778-001-vs-without-hours",
    ),
    pytest.param("00778-345", dimona_in(start_hour="1400", end_hour="1000"), dimona_in(), id="00778-345"),
    pytest.param(
        "00778-345", dimona_in(end_hour="1000"), dimona_in(end_hour="1001"), id="00778-345-zero-length"
    ),
    pytest.param(
        "00778-345",
        dimona_night(end_date=None),
        dimona_night(),
        id="00778-345-past-midnight-without-end-date",
    ),
    pytest.param(
        "90373-341",
        dimona_in(end_date="2026-06-26", end_hour="1001"),
        dimona_in(end_date="2026-06-26", end_hour="1000"),  # exactly 24 hours
        id="90373-341",
    ),
    pytest.param(
        "00911-014",
        dimona_in(end_date="2026-06-24"),
        dimona_in(end_date="2026-06-25"),
        id="00911-014-with-hours",
    ),
    pytest.param(
        "00911-014", dimona_day(end_date="2026-06-24"), dimona_day(end_date="2026-06-25"), id="00911-014"
    ),
    pytest.param(
        "90373-421", dimona_day(end_date="2026-07-01"), dimona_day(end_date="2026-06-30"), id="90373-421"
    ),
]


@pytest.mark.parametrize(("code", "refused", "near_miss"), EVERY_DECLARATION + IN_RULES)
def test_in_rule_refuses_and_its_near_miss_is_accepted(
    channel: Channel, code: str, refused: str, near_miss: str
) -> None:
    assert_refused(send_one(channel, refused), code)
    assert_accepted(send_one(channel, near_miss))


@pytest.mark.parametrize("missing", list(IDENTITY))
def test_without_insz_every_identity_field_is_required(channel: Channel, missing: str) -> None:
    decision = send_one(channel, dimona_in(insz=None, person=_without(missing)))
    assert_refused(decision, "90017-363")
    assert send_one(channel, dimona_in(insz=None, person=IDENTITY)).accepted


COUNTRY_FIELDS = ("WorkerBirthplaceCountry", "WorkerCountry", "Nationality")


@pytest.mark.parametrize("country", ["150", "1", "12345", "00150"])
@pytest.mark.parametrize("field", COUNTRY_FIELDS)
def test_a_country_is_its_rsz_code_of_1_to_5_digits(channel: Channel, field: str, country: str) -> None:
    """SPEC 6.1: Belgium is 150; the code may also be written on 5 digits."""
    assert_accepted(send_one(channel, dimona_in(insz=None, person={**IDENTITY, field: country})))


@pytest.mark.parametrize("country", ["123456", "BE", "15O", "-150", " 150"])
@pytest.mark.parametrize("field", COUNTRY_FIELDS)
def test_a_country_that_is_not_1_to_5_digits_is_a_schema_error(
    channel: Channel, field: str, country: str
) -> None:
    key = channel.submit(dimona(dimona_in(insz=None, person={**IDENTITY, field: country})))
    channel.run()
    receipt = channel.receipt(key)
    assert_file_refused(receipt, "ACRF-312")
    assert any(field in d.get("Path", "") for d in receipt.diagnostics), receipt.diagnostics


@pytest.mark.parametrize("joint_commission", DEFAULT_JOINT_COMMITTEES)
def test_every_joint_committee_of_the_default_list_is_accepted(
    channel: Channel, joint_commission: str
) -> None:
    assert set(DEFAULT_JOINT_COMMITTEES) == {"124", "140", "144", "145", "149", "302", "320", "322", "XXX"}
    assert_accepted(send_one(channel, dimona_in(joint_commission=joint_commission)))


@pytest.mark.parametrize(
    ("sender", "company_id", "received", "allowed"),
    [
        # Traiteur Lemaire: sender 123456's DIMN mandate starts 2026-01-01.
        ("123456", CBE_LEMAIRE, datetime(2025, 12, 31, 23, 59), False),
        ("123456", CBE_LEMAIRE, datetime(2026, 1, 1, 0, 0), True),
        # Bakkerij Peeters: sender 654321's mandate ends 2026-12-31.
        ("654321", CBE_PEETERS, datetime(2026, 12, 31, 23, 59), True),
        ("654321", CBE_PEETERS, datetime(2027, 1, 1, 0, 0), False),
    ],
)
def test_the_mandate_must_hold_on_the_reception_date(
    channel: Channel, sender: str, company_id: str, received: datetime, allowed: bool
) -> None:
    form = dimona_in("2027-01-04", noss=None, company_id=company_id)
    decision = send_one(channel, form, now=received, sender=sender)
    if allowed:
        assert_accepted(decision)
    else:
        assert_refused(decision, "90256-155")


# -- 00910-901: a declaration without hours, at most 31 days before its quarter (Q3 starts 01/07) --------


@pytest.mark.parametrize(
    ("received", "allowed"),
    [
        (datetime(2026, 5, 30, 12, 0), False),  # a day before the limit
        (datetime(2026, 5, 30, 23, 59), False),
        (datetime(2026, 5, 31, 0, 0), True),  # exactly 31 days before 01/07
        (datetime(2026, 6, 1, 12, 0), True),  # a day after the limit
    ],
)
@pytest.mark.parametrize("start", ["2026-07-01", "2026-07-20"])
def test_without_hours_no_earlier_than_31_days_before_the_quarter(
    channel: Channel, received: datetime, allowed: bool, start: str
) -> None:
    decision = send_one(channel, dimona_day(start), now=received)
    if allowed:
        assert_accepted(decision)
    else:
        assert_refused(decision, "00910-901")
        assert_accepted(send_one(channel, dimona_day(start), now=datetime(2026, 6, 1, 12, 0)))


def test_the_31_day_limit_does_not_apply_to_a_declaration_with_hours(channel: Channel) -> None:
    assert_accepted(send_one(channel, dimona_in("2026-07-01"), now=datetime(2026, 5, 30, 12, 0)))


# -- 90373-333 and 90373-334: the same or an overlapping active period -------------------------------------


def test_an_exact_duplicate_is_refused_as_333_not_334(channel: Channel) -> None:
    declare(channel, dimona_in())
    duplicate = send_one(channel, dimona_in())
    assert_refused(duplicate, "90373-333")
    assert duplicate.codes == ["90373-333"]


NO_INSZ = dimona_in(insz=None, person=IDENTITY)


@pytest.mark.parametrize(
    ("original", "same"),
    [
        pytest.param(
            dimona_in(), dimona_in(noss=None, company_id=CBE_BRASSERIE), id="employer-by-its-other-number"
        ),
        pytest.param(dimona_in(), dimona_in(end_date="2026-06-25"), id="end-date-written-out"),
        pytest.param(NO_INSZ, dimona_in(insz="0", person=IDENTITY), id="worker-without-insz"),
    ],
)
def test_the_same_employer_worker_start_and_end_however_written_is_a_duplicate(
    channel: Channel, original: str, same: str
) -> None:
    declare(channel, original)
    duplicate = send_one(channel, same)
    assert_refused(duplicate, "90373-333")
    assert "90373-334" not in duplicate.codes


@pytest.mark.parametrize(
    ("original", "near_miss"),
    [
        pytest.param(dimona_in(), dimona_in(insz=INSZ_B), id="another-worker"),
        pytest.param(dimona_in(), dimona_in(noss=None, company_id=CBE_LEMAIRE), id="another-employer"),
        pytest.param(dimona_in(), dimona_in("2026-06-26"), id="another-day"),
        pytest.param(
            NO_INSZ,
            dimona_in(insz=None, person={**IDENTITY, "WorkerBirthdate": "1998-04-03"}),
            id="no-insz-another-birth-date",
        ),
        pytest.param(
            NO_INSZ,
            dimona_in(insz=None, person={**IDENTITY, "WorkerFirstName": "Emma"}),
            id="no-insz-another-first-name",
        ),
    ],
)
def test_the_same_slot_for_another_worker_employer_or_day_is_accepted(
    channel: Channel, original: str, near_miss: str
) -> None:
    declare(channel, original)
    assert_accepted(send_one(channel, near_miss))


@pytest.mark.parametrize(
    ("overlapping", "touching"),
    [
        pytest.param(
            dimona_in(start_hour="1300", end_hour="1700"),
            dimona_in(start_hour="1400", end_hour="1800"),
            id="later",
        ),
        pytest.param(
            dimona_in(start_hour="0600", end_hour="1001"),
            dimona_in(start_hour="0600", end_hour="1000"),
            id="earlier",
        ),
        pytest.param(
            dimona_in(end_hour="1401"), dimona_in(start_hour="1400", end_hour="1401"), id="one-minute-longer"
        ),
        pytest.param(
            dimona_in(start_hour="1100", end_hour="1200"),
            dimona_in(start_hour="1400", end_hour="1430"),
            id="inside",
        ),
        pytest.param(
            dimona_day("2026-06-25", "2026-06-25"), dimona_day("2026-06-26", "2026-06-26"), id="without-hours"
        ),
        pytest.param(
            dimona_in("2026-06-24", "2200", "1001", "2026-06-25"),
            dimona_in("2026-06-24", "2200", "1000", "2026-06-25"),
            id="from-the-night-before",
        ),
    ],
)
def test_an_overlap_is_refused_and_a_touching_period_is_accepted(
    channel: Channel, overlapping: str, touching: str
) -> None:
    declare(channel, dimona_in())
    refused = send_one(channel, overlapping)
    assert_refused(refused, "90373-334")
    assert "90373-333" not in refused.codes
    assert_accepted(send_one(channel, touching))


def test_a_worker_without_insz_cannot_overlap_either(channel: Channel) -> None:
    declare(channel, dimona_in(insz="0", person=IDENTITY))
    assert_refused(send_one(channel, dimona_in(end_hour="1500", insz=None, person=IDENTITY)), "90373-334")


def test_a_cancelled_period_frees_its_slot(channel: Channel) -> None:
    period_id = declare(channel, dimona_in())
    assert send_one(channel, dimona_cancel(period_id)).accepted
    assert_accepted(send_one(channel, dimona_in()))


def test_an_open_period_without_hours_covers_the_rest_of_its_quarter(channel: Channel) -> None:
    declare(channel, dimona_day("2026-06-25"))
    assert_refused(send_one(channel, dimona_in("2026-06-30")), "90373-334")
    assert_accepted(send_one(channel, dimona_in("2026-07-01")))


# -- 90373-460 and 90017-510: accepted with a warning ---------------------------------------------------


@pytest.mark.parametrize(
    ("received", "late"),
    [
        (datetime(2026, 6, 25, 9, 59), False),
        (datetime(2026, 6, 25, 10, 0), False),  # "received after the start": at the start is on time
        (datetime(2026, 6, 25, 10, 1), True),
    ],
)
def test_an_in_received_once_work_has_begun_is_late(channel: Channel, received: datetime, late: bool) -> None:
    decision = send_one(channel, dimona_in(), now=received)
    if late:
        assert_accepted(decision, "90373-460")
        assert decision.anomalies[0]["AnomalyClass"] == "NP"
    else:
        assert_accepted(decision)


def test_a_late_in_without_hours_is_late_from_midnight(channel: Channel) -> None:
    assert_accepted(send_one(channel, dimona_day("2026-06-25"), now=datetime(2026, 6, 24, 23, 59)))
    assert_accepted(
        send_one(channel, dimona_day("2026-06-25", insz=INSZ_B), now=datetime(2026, 6, 25, 0, 1)), "90373-460"
    )


@pytest.mark.parametrize(
    ("form", "warned"),
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
    channel: Channel, form: str, warned: bool
) -> None:
    decision = send_one(channel, form)
    if warned:
        assert_accepted(decision, "90017-510")
        assert decision.anomalies[0]["AnomalyClass"] == "NP"
    else:
        assert_accepted(decision)


# -- past midnight ----------------------------------------------------------------------------------------


def test_a_shift_past_midnight_ends_on_its_ending_date(channel: Channel) -> None:
    decision = send_one(channel, dimona_night())
    assert_accepted(decision)
    assert decision.after == {
        "StartingDate": "2026-06-25",
        "StartingHour": "2200",
        "EndingDate": "2026-06-26",
        "EndingHour": "0200",
        "Status": "ACTIVE",
    }
    assert_refused(send_one(channel, dimona_in("2026-06-26", "0100", "0500")), "90373-334")
    assert_accepted(send_one(channel, dimona_in("2026-06-26", "0200", "0600")))


@pytest.mark.parametrize(("end_hour", "allowed"), [("2200", True), ("2201", False)])
def test_a_shift_past_midnight_lasts_at_most_24_hours(channel: Channel, end_hour: str, allowed: bool) -> None:
    decision = send_one(channel, dimona_in("2026-06-25", "2200", end_hour, "2026-06-26"))
    if allowed:
        assert_accepted(decision)
    else:
        assert_refused(decision, "90373-341")


# -- environments and document order ----------------------------------------------------------------------


def test_test_and_production_are_separate_worlds_for_in(channel: Channel) -> None:
    production = send_one(channel, dimona_in(), env="R")
    test = send_one(channel, dimona_in(), env="T")
    assert_accepted(production)
    assert_accepted(test)
    assert production.period_id != test.period_id
    assert_refused(send_one(channel, dimona_in(), env="T"), "90373-333")


def test_two_identical_ins_in_one_file(channel: Channel) -> None:
    first, second = send(channel, dimona_in(), dimona_in())
    assert_accepted(first)
    assert_refused(second, "90373-333")
    assert second.codes == ["90373-333"]
    assert (first.form_index, second.form_index) == (1, 2)


def test_an_in_overlapping_an_earlier_one_in_the_same_file(channel: Channel) -> None:
    first, second, third = send(
        channel,
        dimona_in(),
        dimona_in(start_hour="1300", end_hour="1700"),
        dimona_in(start_hour="1400", end_hour="1800"),
    )
    assert_accepted(first)
    assert_refused(second, "90373-334")
    assert_accepted(third)


def test_a_refused_in_does_not_block_a_later_one_in_the_same_file(channel: Channel) -> None:
    refused, accepted = send(channel, dimona_in(worker_type="STU"), dimona_in())
    assert_refused(refused, "00655-350")
    assert_accepted(accepted)
