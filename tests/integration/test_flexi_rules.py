"""SPEC 8: every Flexi at work rule fires, its near miss does not, and a refusal leaves no trace.

A refusal is followed, in a later file, by its near miss for the same relation: that it is accepted
as version 1 (not refused as 95001-183) and that the worker's YearTotal is the near miss's amount alone
shows the refused declaration changed nothing. Default: worker INSZ_A, relation UUID_1, a June 2026
calculation of 500.00 EUR at the Brasserie du Parc (by its enterprise number), received 24/06/2026
11:50 by sender 123456. No Dimona is declared unless a test says so, so 00024-152 is left aside.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from support.builders import (
    CBE_AURORA,
    CBE_BRASSERIE,
    CBE_LEMAIRE,
    CBE_PEETERS,
    CBE_UNKNOWN,
    INSZ_A,
    INSZ_B,
    NOSS_BRASSERIE,
    NOSS_FONDS,
    NOSS_UNKNOWN,
    dimona_cancel,
    dimona_day,
    dimona_in,
    dimona_night,
)
from support.channel import Channel
from support.flexi_builders import (
    PREMIUM,
    UUID_1,
    UUID_2,
    UUID_3,
    WAGE,
    beneficiary,
    calculation,
    element,
    features,
    month,
    relation,
    wage_form,
)
from support.flexi_checks import (
    NO_DIMONA,
    anomaly,
    assert_accepted,
    assert_refused,
    declare_dimona,
    only_impact,
    send,
    send_one,
)
from support.state import state_rows

AMOUNT = 50_000  # 500.00 EUR


def june(amount: int = AMOUNT, **fields: object) -> str:
    """A calculation of one wage line over June 2026."""
    return month("2026-06-01", "2026-06-30", amount, **fields)  # type: ignore[arg-type]


def june_with(*elements: str, worker_code: str = "050") -> str:
    """A June 2026 calculation whose one Features holds exactly these financial elements."""
    return calculation(
        "2026-06-01",
        "2026-06-30",
        features("2026-06-01", "2026-06-30", *elements, worker_code=worker_code),
    )


def wage(
    *calculations: str,
    relation_id: str | None = UUID_1,
    insz: str = INSZ_A,
    status: str = "0",
    company_id: str | None = CBE_BRASSERIE,
    noss: str | None = None,
) -> str:
    """One declaration for one worker and one relation (a June 2026 wage of 500.00 EUR by default)."""
    if not calculations and status != "3":
        calculations = (june(),)
    return wage_form(
        beneficiary(insz, relation(relation_id, *calculations)),
        status=status,
        company_id=company_id,
        noss=noss,
    )


def modification(*calculations: str, **fields: object) -> str:
    return wage(*calculations, status="1", **fields)  # type: ignore[arg-type]


def cancellation(**fields: object) -> str:
    return wage(status="3", **fields)  # type: ignore[arg-type]


def at_fund(*calculations: str, **fields: object) -> str:
    """A declaration of the Fonds social Horeca, which has an RSZ number only."""
    return wage(*calculations, company_id=None, noss=NOSS_FONDS, **fields)  # type: ignore[arg-type]


def yearly_premium(amount: int) -> str:
    return june_with(element(PREMIUM, amount, frequency=12))


# --- every rule: refused, then its near miss for the same relation goes through ------------------

# (ErrorID, refused declaration, near miss, the worker's YearTotal after the near miss)
REFUSALS = [
    pytest.param(
        "90256-364",
        wage(company_id=None),
        wage(company_id=None, noss=NOSS_BRASSERIE),
        [(2026, AMOUNT)],
        id="90256-364-debtor-without-numbers",
    ),
    pytest.param(
        "00011-004",
        wage(company_id=None, noss="175110802"),
        wage(company_id=None, noss=NOSS_BRASSERIE),
        [(2026, AMOUNT)],
        id="00011-004-rsz-number-check",
    ),
    pytest.param(
        "00014-004",
        wage(company_id="0400767773"),
        wage(company_id=CBE_BRASSERIE),
        [(2026, AMOUNT)],
        id="00014-004-enterprise-number-check",
    ),
    pytest.param(
        "00011-235",
        wage(company_id=None, noss=NOSS_UNKNOWN),
        wage(company_id=None, noss=NOSS_BRASSERIE),
        [(2026, AMOUNT)],
        id="00011-235-rsz-number-not-in-repertory",
    ),
    pytest.param(
        "00014-235",
        wage(company_id=CBE_UNKNOWN),
        wage(company_id=CBE_BRASSERIE),
        [(2026, AMOUNT)],
        id="00014-235-enterprise-number-not-in-repertory",
    ),
    pytest.param(
        "90256-155",
        wage(company_id=CBE_LEMAIRE),  # the sender's mandate for Traiteur Lemaire is DIMN only
        at_fund(),  # a FLEX-only mandate is enough
        [(2026, AMOUNT)],
        id="90256-155-dimona-mandate-only",
    ),
    pytest.param(
        "90256-155",
        wage(company_id=CBE_AURORA),  # no mandate at all
        wage(company_id=CBE_BRASSERIE),
        [(2026, AMOUNT)],
        id="90256-155-no-mandate",
    ),
    pytest.param(
        "00024-004",
        wage(insz="85031212363"),
        wage(insz=INSZ_A),
        [(2026, AMOUNT)],
        id="00024-004-insz-check",
    ),
    pytest.param(
        "95001-005",
        wage_form(beneficiary(INSZ_A, relation(UUID_1))),
        wage(),
        [(2026, AMOUNT)],
        id="95001-005-original-without-calculation",
    ),
    pytest.param(
        "95010-014",
        wage(month("2026-06-30", "2026-06-01")),
        wage(month("2026-06-30", "2026-06-30")),  # a one-day period
        [(2026, AMOUNT)],
        id="95010-014-period-ends-before-it-starts",
    ),
    pytest.param(
        "95010-034",
        wage(month("2025-12-15", "2026-01-15")),
        wage(month("2025-12-15", "2025-12-31", calculated="2026-06-22")),
        [(2025, AMOUNT)],
        id="95010-034-period-over-new-year",
    ),
    pytest.param(
        "95010-146",
        wage(month("2024-12-01", "2024-12-31", calculated="2026-06-22")),
        wage(month("2025-01-01", "2025-01-31", calculated="2026-06-22")),
        [(2025, AMOUNT)],
        id="95010-146-before-2025",
    ),
    pytest.param(
        "95020-003",
        wage(calculation("2026-06-01", "2026-06-30", features("2026-05-31", "2026-06-10", element()))),
        wage(calculation("2026-06-01", "2026-06-30", features("2026-06-01", "2026-06-10", element()))),
        [(2026, AMOUNT)],
        id="95020-003-validity-starts-before-calculation",
    ),
    pytest.param(
        "95020-003",
        wage(calculation("2026-06-01", "2026-06-30", features("2026-06-20", "2026-07-01", element()))),
        wage(calculation("2026-06-01", "2026-06-30", features("2026-06-20", "2026-06-30", element()))),
        [(2026, AMOUNT)],
        id="95020-003-validity-ends-after-calculation",
    ),
    pytest.param(
        "95020-008",
        wage(june(worker_code="015")),
        wage(june(worker_code="450")),
        [(2026, AMOUNT)],
        id="95020-008-not-a-flexi-worker-code",
    ),
    pytest.param(
        "95030-001",
        wage(june_with()),
        wage(june_with(element())),
        [(2026, AMOUNT)],
        id="95030-001-features-without-element",
    ),
    pytest.param(
        "95030-003",
        wage(june(0)),
        wage(june(1)),
        [(2026, 1)],
        id="95030-003-zero-amount",
    ),
    pytest.param(
        "95030-003",
        wage(june_with(element(WAGE, AMOUNT), element(WAGE, -100))),
        wage(june_with(element(WAGE, AMOUNT), element(WAGE, 100))),
        [(2026, AMOUNT + 100)],
        id="95030-003-negative-amount",
    ),
    pytest.param(
        "95030-008",
        wage(june_with(element("0003001000", AMOUNT))),
        wage(june_with(element(PREMIUM, AMOUNT, frequency=1))),
        [(2026, AMOUNT)],
        id="95030-008-unknown-element-code",
    ),
    pytest.param(
        "95031-001",
        wage(june_with(element(PREMIUM, AMOUNT))),
        wage(june_with(element(PREMIUM, AMOUNT, frequency=0))),  # 0: a one-off premium
        [(2026, AMOUNT)],
        id="95031-001-premium-without-frequency",
    ),
    pytest.param(
        "95031-005",
        wage(june_with(element(WAGE, AMOUNT, frequency=1))),
        wage(june_with(element(WAGE, AMOUNT))),
        [(2026, AMOUNT)],
        id="95031-005-frequency-on-a-wage",
    ),
    pytest.param(
        "95031-008",
        wage(june_with(element(PREMIUM, AMOUNT, frequency=13))),
        wage(june_with(element(PREMIUM, AMOUNT, frequency=12))),
        [(2026, AMOUNT)],
        id="95031-008-frequency-above-12",
    ),
    pytest.param(
        "95031-008",
        wage(june_with(element(PREMIUM, AMOUNT, frequency=-1))),
        wage(june_with(element(PREMIUM, AMOUNT, frequency=0))),
        [(2026, AMOUNT)],
        id="95031-008-negative-frequency",
    ),
]


@pytest.mark.parametrize(("code", "refused", "near_miss", "year_totals"), REFUSALS)
def test_a_rule_refuses_the_declaration_and_its_near_miss_goes_through(
    channel: Channel, code: str, refused: str, near_miss: str, year_totals: list[tuple[int, int]]
) -> None:
    assert_refused(send_one(channel, refused), code)

    accepted = send_one(channel, near_miss)
    assert_accepted(accepted)
    impact = only_impact(accepted)
    assert (impact.relation_id, impact.version, impact.status) == (UUID_1, 1, "ACTIVE")
    assert impact.year_totals == year_totals


def test_a_refused_anomaly_names_where_and_what(channel: Channel) -> None:
    decision = send_one(channel, wage(june_with(element(WAGE, AMOUNT), element(WAGE, -100))))

    found = anomaly(decision, "95030-003")
    assert found["Path"] == (
        "/FLXWAGE/Form[1]/Debtor/Beneficiary[1]/Relation[1]/Calculation[1]/Features[1]/FinancialElement[2]/Amount"
    )
    assert found["Value"] == "-100"


def test_every_problem_of_a_declaration_is_reported_at_once(channel: Channel) -> None:
    decision = send_one(
        channel,
        wage(
            june_with(element(PREMIUM, 0), element("0003001000", 100), worker_code="015"), insz="85031212363"
        ),
    )

    assert not decision.accepted
    assert {"00024-004", "95020-008", "95030-003", "95031-001", "95030-008"} <= set(decision.blocking)


# --- 95001-003: the relation UUID ----------------------------------------------------------------


@pytest.mark.parametrize(
    "refused_relation",
    [
        pytest.param(relation(None, june(), own_key="PAY-1"), id="missing"),
        pytest.param(relation("3f2504e0-4f89-11d3-9a0c-0305e82c330", june()), id="too-short"),
        pytest.param(relation("3f2504e0-4f89-11d3-9a0c-0305e82c330g", june()), id="not-hexadecimal"),
        pytest.param(relation("3f2504e04f8911d39a0c0305e82c3301", june()), id="without-dashes"),
        pytest.param(relation(UUID_1, june(), also=UUID_2), id="two-uuids-in-one-relation"),
        pytest.param(relation(UUID_1, june(), also=UUID_1), id="same-uuid-twice-in-one-relation"),
    ],
)
def test_a_relation_without_exactly_one_well_formed_uuid_is_refused(
    channel: Channel, refused_relation: str
) -> None:
    assert_refused(send_one(channel, wage_form(beneficiary(INSZ_A, refused_relation))), "95001-003")

    near_miss = send_one(channel, wage_form(beneficiary(INSZ_A, relation(UUID_1, june(), own_key="PAY-1"))))
    assert_accepted(near_miss)
    impact = only_impact(near_miss)
    assert (impact.relation_id, impact.version, impact.year_totals) == (UUID_1, 1, [(2026, AMOUNT)])


def test_the_same_relation_twice_in_one_declaration_is_refused_whatever_the_case(channel: Channel) -> None:
    twice = wage_form(
        beneficiary(INSZ_A, relation(UUID_3, june(10_000)), relation(UUID_3.lower(), june(20_000)))
    )
    assert_refused(send_one(channel, twice), "95001-003")

    near_miss = send_one(
        channel,
        wage_form(beneficiary(INSZ_A, relation(UUID_3, june(10_000)), relation(UUID_2, june(20_000)))),
    )
    assert_accepted(near_miss)
    assert [(i.relation_id, i.version) for i in near_miss.flexi] == [(UUID_3, 1), (UUID_2, 1)]
    assert near_miss.flexi[-1].year_totals == [(2026, 30_000)]


def test_the_same_uuid_for_two_workers_is_two_situations(channel: Channel) -> None:
    decision = send_one(
        channel,
        wage_form(
            beneficiary(INSZ_A, relation(UUID_1, june(10_000))), beneficiary(INSZ_B, relation(UUID_1, june()))
        ),
    )

    assert_accepted(decision)
    assert [(i.relation_id, i.version, i.year_totals) for i in decision.flexi] == [
        (UUID_1, 1, [(2026, 10_000)]),
        (UUID_1, 1, [(2026, AMOUNT)]),
    ]


# --- 95001-005: a Calculation where none belongs, or none where one does ---------------------------


def test_a_cancellation_carrying_a_calculation_is_refused_and_changes_nothing(channel: Channel) -> None:
    only_impact(send_one(channel, wage()))

    assert_refused(send_one(channel, wage(june(), status="3")), "95001-005")

    cancelled = only_impact(send_one(channel, cancellation()))
    assert (cancelled.version, cancelled.status, cancelled.year_totals) == (2, "CANCELLED", [(2026, 0)])


def test_a_modification_without_calculation_is_refused_and_changes_nothing(channel: Channel) -> None:
    only_impact(send_one(channel, wage()))

    without = wage_form(beneficiary(INSZ_A, relation(UUID_1)), status="1")
    assert_refused(send_one(channel, without), "95001-005")

    modified = only_impact(send_one(channel, modification(june(70_000))))
    assert (modified.version, modified.status, modified.year_totals) == (2, "ACTIVE", [(2026, 70_000)])


# --- 95001-183, -180, -181: the life of a situation ----------------------------------------------


def test_an_original_for_an_active_situation_is_refused_and_adds_nothing(channel: Channel) -> None:
    first = only_impact(send_one(channel, wage()))
    assert (first.version, first.year_totals) == (1, [(2026, AMOUNT)])

    assert_refused(send_one(channel, wage(june(30_000))), "95001-183")

    modified = only_impact(send_one(channel, modification(june(70_000))))
    assert (modified.version, modified.year_totals) == (2, [(2026, 70_000)])


def test_an_original_for_another_relation_of_the_same_worker_adds_to_the_total(channel: Channel) -> None:
    only_impact(send_one(channel, wage()))

    second = send_one(channel, wage(june(30_000), relation_id=UUID_2))

    assert_accepted(second)
    impact = only_impact(second)
    assert (impact.relation_id, impact.version, impact.year_totals) == (UUID_2, 1, [(2026, AMOUNT + 30_000)])


def test_an_original_with_the_same_uuid_at_another_employer_is_another_situation(channel: Channel) -> None:
    only_impact(send_one(channel, wage()))

    at_the_fund = send_one(channel, at_fund(yearly_premium(30_000)))

    assert_accepted(at_the_fund)
    impact = only_impact(at_the_fund)
    assert (impact.version, impact.year_totals) == (1, [(2026, AMOUNT + 30_000)])


@pytest.mark.parametrize("status", ["1", "3"], ids=["modification", "cancellation"])
def test_a_modification_or_cancellation_of_an_unknown_situation_is_refused(
    channel: Channel, status: str
) -> None:
    assert_refused(send_one(channel, cancellation() if status == "3" else modification()), "95001-180")

    original = only_impact(send_one(channel, wage()))
    assert (original.version, original.year_totals) == (1, [(2026, AMOUNT)])


def test_a_modification_of_the_same_uuid_at_another_employer_is_an_unknown_situation(
    channel: Channel,
) -> None:
    only_impact(send_one(channel, wage()))

    assert_refused(send_one(channel, at_fund(yearly_premium(30_000), status="1")), "95001-180")

    unchanged = only_impact(send_one(channel, wage(relation_id=UUID_2)))
    assert unchanged.year_totals == [(2026, 2 * AMOUNT)]


@pytest.mark.parametrize("status", ["1", "3"], ids=["modification", "cancellation"])
def test_a_modification_or_cancellation_of_a_cancelled_situation_is_refused(
    channel: Channel, status: str
) -> None:
    only_impact(send_one(channel, wage()))
    only_impact(send_one(channel, cancellation()))

    assert_refused(send_one(channel, cancellation() if status == "3" else modification()), "95001-181")

    revived = only_impact(send_one(channel, wage(june(30_000))))
    assert (revived.version, revived.status, revived.year_totals) == (3, "ACTIVE", [(2026, 30_000)])


def test_an_original_for_a_cancelled_situation_continues_its_version(channel: Channel) -> None:
    only_impact(send_one(channel, wage()))
    only_impact(send_one(channel, cancellation()))

    again = send_one(channel, wage(june(30_000)))

    assert_accepted(again)
    impact = only_impact(again)
    assert (impact.version, impact.status, impact.year_totals) == (3, "ACTIVE", [(2026, 30_000)])


def test_original_then_modification_then_cancellation(channel: Channel) -> None:
    other = only_impact(send_one(channel, wage(june(10_000), relation_id=UUID_2)))
    assert other.year_totals == [(2026, 10_000)]

    original = only_impact(send_one(channel, wage(june(AMOUNT))))
    assert (original.relation_id, original.version, original.status) == (UUID_1, 1, "ACTIVE")
    assert original.year_totals == [(2026, 60_000)]

    modified = send_one(channel, modification(june(70_000)))
    assert_accepted(modified)
    impact = only_impact(modified)
    assert (impact.relation_id, impact.version, impact.status) == (UUID_1, 2, "ACTIVE")
    assert impact.year_totals == [(2026, 80_000)], "a modification replaces the amount, it does not add to it"

    cancelled = send_one(channel, cancellation())
    assert_accepted(cancelled)
    impact = only_impact(cancelled)
    assert (impact.relation_id, impact.version, impact.status) == (UUID_1, 3, "CANCELLED")
    assert impact.year_totals == [(2026, 10_000)]


def test_a_modification_that_moves_a_situation_to_another_year_reports_both_years(channel: Channel) -> None:
    december = month("2025-12-01", "2025-12-31", AMOUNT, calculated="2026-06-22")
    original = only_impact(send_one(channel, wage(december)))
    assert original.year_totals == [(2025, AMOUNT)]

    moved = only_impact(send_one(channel, modification(june(70_000))))

    assert moved.year_totals == [(2025, 0), (2026, 70_000)]


def test_a_relation_over_two_years_reports_each_year(channel: Channel) -> None:
    december = month("2025-12-01", "2025-12-31", 20_000, calculated="2026-06-22")

    impact = only_impact(send_one(channel, wage(december, june(30_000))))

    assert impact.year_totals == [(2025, 20_000), (2026, 30_000)]


def test_relation_uuids_are_compared_without_regard_to_case(channel: Channel) -> None:
    original = only_impact(send_one(channel, wage(relation_id=UUID_3)))
    assert original.version == 1

    assert_refused(send_one(channel, wage(relation_id=UUID_3.lower())), "95001-183")

    modified = send_one(channel, modification(june(70_000), relation_id=UUID_3.lower()))
    assert_accepted(modified)
    impact = only_impact(modified)
    assert (impact.version, impact.status, impact.year_totals) == (2, "ACTIVE", [(2026, 70_000)])
    assert impact.relation_id.lower() == UUID_3.lower()

    cancelled = only_impact(send_one(channel, cancellation(relation_id=UUID_3)))
    assert (cancelled.version, cancelled.status, cancelled.year_totals) == (3, "CANCELLED", [(2026, 0)])


def test_the_employer_is_the_same_by_either_of_its_numbers(channel: Channel) -> None:
    only_impact(send_one(channel, wage(company_id=CBE_BRASSERIE)))

    assert_refused(send_one(channel, wage(company_id=None, noss=NOSS_BRASSERIE)), "95001-183")
    modified = only_impact(
        send_one(channel, modification(june(70_000), company_id=None, noss=NOSS_BRASSERIE))
    )
    assert (modified.version, modified.year_totals) == (2, [(2026, 70_000)])

    short = only_impact(send_one(channel, modification(june(60_000), company_id=CBE_BRASSERIE.lstrip("0"))))
    assert (short.version, short.year_totals) == (3, [(2026, 60_000)]), "the 9-digit enterprise number"

    both = only_impact(send_one(channel, cancellation(company_id=CBE_BRASSERIE, noss=NOSS_BRASSERIE)))
    assert (both.version, both.status, both.year_totals) == (4, "CANCELLED", [(2026, 0)])


@pytest.mark.parametrize(
    ("received", "mandated"),
    [(datetime(2026, 12, 31, 16, 0), True), (datetime(2027, 1, 1, 9, 0), False)],
    ids=["last-day-of-the-mandate", "day-after-the-mandate"],
)
def test_the_mandate_must_hold_on_the_reception_date(
    channel: Channel, received: datetime, mandated: bool
) -> None:
    december = month("2026-12-01", "2026-12-31", calculated="2026-12-31")
    # Sender 654321 holds a * mandate for Bakkerij Peeters until 31/12/2026.
    decision = send_one(channel, wage(december, company_id=CBE_PEETERS), now=received, sender="654321")

    if mandated:
        assert_accepted(decision)
        assert only_impact(decision).year_totals == [(2026, AMOUNT)]
    else:
        assert_refused(decision, "90256-155")


def test_an_enterprise_number_of_another_employer_than_the_rsz_number_is_refused(channel: Channel) -> None:
    decision = send_one(channel, wage(company_id=CBE_LEMAIRE, noss=NOSS_BRASSERIE))

    assert not decision.accepted
    assert decision.flexi == []
    assert "00014-235" in decision.blocking


def test_test_and_production_situations_live_apart(channel: Channel) -> None:
    in_test = only_impact(send_one(channel, wage(june(30_000)), env="T"))
    assert (in_test.version, in_test.year_totals) == (1, [(2026, 30_000)])

    assert_refused(send_one(channel, modification(june(70_000)), env="R"), "95001-180")

    in_production = only_impact(send_one(channel, wage(), env="R"))
    assert (in_production.version, in_production.year_totals) == (1, [(2026, AMOUNT)])
    modified_in_test = only_impact(send_one(channel, modification(june(70_000)), env="T"))
    assert (modified_in_test.version, modified_in_test.year_totals) == (2, [(2026, 70_000)])


# --- several workers and relations in one form ----------------------------------------------------


def test_each_relation_of_a_declaration_gets_its_own_impact_report(channel: Channel) -> None:
    form = wage_form(
        beneficiary(INSZ_A, relation(UUID_1, june(10_000)), relation(UUID_2, june(20_000))),
        beneficiary(INSZ_B, relation(UUID_3, june(40_000))),
    )

    decision = send_one(channel, form)

    assert_accepted(decision)
    assert decision.insz == [INSZ_A, INSZ_B]
    assert [(i.relation_id, i.version, i.status) for i in decision.flexi] == [
        (UUID_1, 1, "ACTIVE"),
        (UUID_2, 1, "ACTIVE"),
        (UUID_3, 1, "ACTIVE"),
    ]
    # The worker's total after the declaration: both of INSZ_A's relations count in each report.
    assert [i.year_totals for i in decision.flexi] == [[(2026, 30_000)], [(2026, 30_000)], [(2026, 40_000)]]


def test_a_blocking_anomaly_in_one_relation_refuses_the_whole_declaration(channel: Channel) -> None:
    form = wage_form(
        beneficiary(INSZ_A, relation(UUID_1, june(10_000))),
        beneficiary(INSZ_B, relation(UUID_2, june(0))),
    )
    assert_refused(send_one(channel, form), "95030-003")

    first = only_impact(send_one(channel, wage(june(10_000))))
    second = only_impact(send_one(channel, wage(june(20_000), insz=INSZ_B, relation_id=UUID_2)))
    assert (first.version, first.year_totals) == (1, [(2026, 10_000)])
    assert (second.version, second.year_totals) == (1, [(2026, 20_000)])


@pytest.mark.parametrize("batch_size", [5000, 1], ids=["one-batch", "a-batch-per-declaration"])
def test_declarations_of_one_file_see_the_accepted_ones_before_them(
    channel: Channel, batch_size: int
) -> None:
    decisions = send(
        channel,
        wage(june(10_000)),
        wage(june(99_999)),  # an original again: 95001-183
        modification(june(20_000)),
        cancellation(),
        batch_size=batch_size,
    )

    assert [d.accepted for d in decisions] == [True, False, True, True]
    assert_refused(decisions[1], "95001-183")
    assert [(i.version, i.status, i.year_totals) for d in decisions for i in d.flexi] == [
        (1, "ACTIVE", [(2026, 10_000)]),
        (2, "ACTIVE", [(2026, 20_000)]),
        (3, "CANCELLED", [(2026, 0)]),
    ]


def test_the_yearly_total_adds_up_across_employers(channel: Channel) -> None:
    at_brasserie = only_impact(send_one(channel, wage(june(AMOUNT))))
    assert at_brasserie.year_totals == [(2026, AMOUNT)]

    fund = send_one(channel, at_fund(yearly_premium(30_000), relation_id=UUID_2))
    assert_accepted(fund)
    assert only_impact(fund).year_totals == [(2026, AMOUNT + 30_000)]

    cancelled = only_impact(send_one(channel, cancellation()))
    assert cancelled.year_totals == [(2026, 30_000)]

    other_worker = only_impact(send_one(channel, wage(june(5_000), insz=INSZ_B, relation_id=UUID_3)))
    assert other_worker.year_totals == [(2026, 5_000)]


# --- 00024-152: no Dimona covers the validity period (NP) -----------------------------------------

# The default Dimona IN: 25/06/2026 10:00-14:00 at the Brasserie declared with its RSZ number.
DIMONA_DAY = "2026-06-25"


def covering(start: str, end: str, *, insz: str = INSZ_A, **debtor: object) -> str:
    """A June 2026 wage of 500.00 EUR whose validity period runs from `start` to `end`."""
    calc = calculation("2026-06-01", "2026-06-30", features(start, end, element()))
    return wage(calc, insz=insz, **debtor)  # type: ignore[arg-type]


def test_a_wage_without_any_dimona_is_accepted_with_a_warning(channel: Channel) -> None:
    decision = send_one(channel, wage())

    assert_accepted(decision, NO_DIMONA)
    found = anomaly(decision, NO_DIMONA)
    assert found["AnomalyClass"] == "NP"
    assert found["Path"].endswith("/Calculation[1]/Features[1]/ValidityPeriodStartingDate")
    assert only_impact(decision).year_totals == [(2026, AMOUNT)], "a warning does not stop the counter"


@pytest.mark.parametrize(
    ("start", "end"),
    [
        pytest.param("2026-06-01", "2026-06-30", id="whole-month"),
        pytest.param(DIMONA_DAY, DIMONA_DAY, id="that-day"),
        pytest.param("2026-06-20", DIMONA_DAY, id="ends-on-that-day"),
        pytest.param(DIMONA_DAY, "2026-06-30", id="starts-on-that-day"),
    ],
)
def test_a_dimona_declared_with_the_rsz_number_covers_a_wage_declared_with_the_enterprise_number(
    channel: Channel, start: str, end: str
) -> None:
    declare_dimona(channel, dimona_in(DIMONA_DAY, noss=NOSS_BRASSERIE, company_id=None))

    decision = send_one(channel, covering(start, end, company_id=CBE_BRASSERIE))

    assert_accepted(decision, ignoring=())


@pytest.mark.parametrize(
    ("dimona_form", "start", "end", "covered"),
    [
        pytest.param(
            dimona_night("2026-06-25", "2026-06-26"),
            "2026-06-26",
            "2026-06-30",
            True,
            id="night-into-that-day",
        ),
        pytest.param(
            dimona_day("2026-06-20"), "2026-06-29", "2026-06-30", True, id="open-ended-in-its-quarter"
        ),
        pytest.param(
            dimona_day("2026-06-20", "2026-06-22"), "2026-06-22", "2026-06-30", True, id="days-last-day"
        ),
        pytest.param(
            dimona_day("2026-06-20", "2026-06-22"), "2026-06-23", "2026-06-30", False, id="days-day-after"
        ),
    ],
)
def test_dimona_periods_of_every_shape_cover_the_days_they_run(
    channel: Channel, dimona_form: str, start: str, end: str, covered: bool
) -> None:
    declare_dimona(channel, dimona_form)

    decision = send_one(channel, covering(start, end))

    assert decision.accepted, decision.anomalies
    assert (NO_DIMONA not in decision.codes) is covered, decision.anomalies


def test_an_open_ended_dimona_stops_covering_at_the_end_of_its_quarter(channel: Channel) -> None:
    declare_dimona(channel, dimona_day("2026-06-20"))
    july = calculation(
        "2026-07-01", "2026-07-31", features("2026-07-01", "2026-07-31", element()), calculated="2026-07-31"
    )

    decision = send_one(channel, wage(july))

    assert_accepted(decision, NO_DIMONA, ignoring=())


def test_a_dimona_declared_with_the_enterprise_number_covers_a_wage_declared_with_the_rsz_number(
    channel: Channel,
) -> None:
    declare_dimona(channel, dimona_in(DIMONA_DAY, noss=None, company_id=CBE_BRASSERIE))

    decision = send_one(channel, covering("2026-06-01", "2026-06-30", company_id=None, noss=NOSS_BRASSERIE))

    assert_accepted(decision, ignoring=())


@pytest.mark.parametrize(
    ("start", "end"),
    [
        pytest.param("2026-06-01", "2026-06-24", id="ends-the-day-before"),
        pytest.param("2026-06-26", "2026-06-30", id="starts-the-day-after"),
    ],
)
def test_a_validity_period_next_to_the_dimona_is_not_covered(channel: Channel, start: str, end: str) -> None:
    declare_dimona(channel, dimona_in(DIMONA_DAY))

    decision = send_one(channel, covering(start, end))

    assert_accepted(decision, NO_DIMONA, ignoring=())
    assert anomaly(decision, NO_DIMONA)["Value"] == start


def test_each_features_is_checked_against_the_dimona_periods(channel: Channel) -> None:
    declare_dimona(channel, dimona_in(DIMONA_DAY))
    calc = calculation(
        "2026-06-01",
        "2026-06-30",
        features("2026-06-01", DIMONA_DAY, element(WAGE, 30_000)),
        features("2026-06-26", "2026-06-30", element(WAGE, 20_000)),
    )

    decision = send_one(channel, wage(calc))

    assert_accepted(decision, NO_DIMONA, ignoring=())
    assert anomaly(decision, NO_DIMONA)["Path"].endswith(
        "/Calculation[1]/Features[2]/ValidityPeriodStartingDate"
    )
    assert only_impact(decision).year_totals == [(2026, AMOUNT)]


@pytest.mark.parametrize(
    "dimona_form",
    [
        pytest.param(dimona_in(DIMONA_DAY, insz=INSZ_B), id="another-worker"),
        pytest.param(dimona_in(DIMONA_DAY, noss=None, company_id=CBE_LEMAIRE), id="another-employer"),
    ],
)
def test_a_dimona_of_another_worker_or_employer_does_not_cover(channel: Channel, dimona_form: str) -> None:
    declare_dimona(channel, dimona_form)

    decision = send_one(channel, covering("2026-06-01", "2026-06-30"))

    assert_accepted(decision, NO_DIMONA, ignoring=())


def test_a_cancelled_dimona_does_not_cover(channel: Channel) -> None:
    (period_id,) = declare_dimona(channel, dimona_in(DIMONA_DAY))
    declare_dimona(channel, dimona_cancel(period_id))

    decision = send_one(channel, covering("2026-06-01", "2026-06-30"))

    assert_accepted(decision, NO_DIMONA, ignoring=())


def test_a_dimona_in_test_does_not_cover_a_wage_in_production(channel: Channel) -> None:
    declare_dimona(channel, dimona_in(DIMONA_DAY), env="T")

    in_production = send_one(channel, covering("2026-06-01", "2026-06-30"), env="R")
    in_test = send_one(channel, covering("2026-06-01", "2026-06-30"), env="T")

    assert_accepted(in_production, NO_DIMONA, ignoring=())
    assert_accepted(in_test, ignoring=())


# --- 95010-460: late, more than 5 days after the CalculationDate (NP) ------------------------------


def test_a_wage_received_six_days_after_its_calculation_date_is_late(channel: Channel) -> None:
    decision = send_one(channel, wage(month("2026-06-01", "2026-06-15", calculated="2026-06-18")))

    assert_accepted(decision, "95010-460")
    found = anomaly(decision, "95010-460")
    assert (found["AnomalyClass"], found["Value"]) == ("NP", "2026-06-18")
    assert found["Path"].endswith("/Calculation[1]/CalculationDate")
    assert only_impact(decision).year_totals == [(2026, AMOUNT)], "a late wage still counts"


def test_a_wage_received_five_days_after_its_calculation_date_is_not_late(channel: Channel) -> None:
    decision = send_one(channel, wage(month("2026-06-01", "2026-06-15", calculated="2026-06-19")))

    assert_accepted(decision)


@pytest.mark.parametrize(
    ("received", "late"), [(datetime(2026, 7, 6, 9, 0), True), (datetime(2026, 7, 5, 23, 59), False)]
)
def test_lateness_is_measured_against_the_reception_date(
    channel: Channel, received: datetime, late: bool
) -> None:
    decision = send_one(channel, wage(month("2026-06-01", "2026-06-30")), now=received)

    assert decision.accepted
    assert ("95010-460" in decision.warnings) is late


# -- who declared each version (docs/decisions.md, "State") ------------------------------------------


def _versions(channel: Channel) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    columns = "version, status, kind, declaration_ticket"
    current = state_rows(channel.state, f"SELECT {columns} FROM situations WHERE relation_id = ?", (UUID_1,))
    replaced = state_rows(
        channel.state,
        f"SELECT {columns} FROM situation_history WHERE relation_id = ? ORDER BY version",
        (UUID_1,),
    )
    return current, replaced


def test_a_situation_row_is_its_current_version_and_the_history_what_it_replaced(channel: Channel) -> None:
    original = send_one(channel, wage())
    assert _versions(channel) == ([(1, "ACTIVE", "0", original.ticket)], [])

    modified = send_one(channel, modification(june(60_000)))
    cancelled = send_one(channel, cancellation())
    assert modified.accepted and cancelled.accepted
    assert _versions(channel) == (
        [(3, "CANCELLED", "3", cancelled.ticket)],
        [(1, "ACTIVE", "0", original.ticket), (2, "ACTIVE", "1", modified.ticket)],
    )


def test_two_modifications_of_one_relation_in_one_file_both_keep_what_they_replaced(channel: Channel) -> None:
    original = send_one(channel, wage())
    first, second = send(channel, modification(june(60_000)), modification(june(70_000)))
    assert first.accepted and second.accepted
    assert _versions(channel) == (
        [(3, "ACTIVE", "1", second.ticket)],
        [(1, "ACTIVE", "0", original.ticket), (2, "ACTIVE", "1", first.ticket)],
    )
