"""SPEC 8, every Flexi at work rule, against the pure rule `flexi_rules.decide_flexi`, in memory.

The channel twin is tests/integration/test_flexi_rules.py. A FlexiDesk holds one SituationBook and
the PeriodBook of a DimonaDesk, as a batch does. A refusal is followed by its near miss for the same
relation: that it is accepted as version 1 with the near miss's amount alone shows the refusal left
nothing in the book. Default: an original for INSZ_A and UUID_1, a June 2026 calculation of 500.00
EUR at the Brasserie by its enterprise number, received 24/06/2026 11:50 by sender 123456.
"""

from __future__ import annotations

import pytest

from flexibatch.domain.flexi import PREMIUM, WAGE, FlexiDeclaration, SituationStatus
from support.builders import (
    CBE_AURORA,
    CBE_BRASSERIE,
    CBE_LEMAIRE,
    CBE_UNKNOWN,
    INSZ_A,
    INSZ_B,
    NOSS_BRASSERIE,
    NOSS_FONDS,
    NOSS_UNKNOWN,
)
from support.flexi_builders import UUID_1, UUID_2, UUID_3
from support.records import (
    AMOUNT,
    FlexiDesk,
    assert_flexi_accepted,
    assert_refused,
    beneficiary,
    calculation,
    codes,
    element,
    features,
    june,
    june_with,
    month,
    relation,
    wage,
    wage_form,
)

FIRST = "Debtor/Beneficiary[1]/Relation[1]"
CALC = f"{FIRST}/Calculation[1]"
FEAT = f"{CALC}/Features[1]"


def at_fund(*calculations: object, **fields: object) -> FlexiDeclaration:
    """The Fonds social Horeca: an RSZ number only, and a FLEX-only mandate for sender 123456."""
    return wage(*calculations, company_id=None, noss=NOSS_FONDS, **fields)  # type: ignore[arg-type]


# (ErrorID, path, refused, near miss, the worker's YearTotal after the near miss)
REFUSALS = [
    pytest.param(
        "90256-364",
        "Debtor",
        wage(company_id=None),
        wage(company_id=None, noss=NOSS_BRASSERIE),
        [(2026, AMOUNT)],
    ),
    pytest.param(
        "00011-004",
        "Debtor/NOSSRegistrationNbr",
        wage(company_id=None, noss="175110802"),
        wage(company_id=None, noss=NOSS_BRASSERIE),
        [(2026, AMOUNT)],
    ),
    pytest.param("00014-004", "Debtor/CompanyID", wage(company_id="0400767773"), wage(), [(2026, AMOUNT)]),
    pytest.param(
        "00011-235",
        "Debtor/NOSSRegistrationNbr",
        wage(company_id=None, noss=NOSS_UNKNOWN),
        wage(company_id=None, noss=NOSS_BRASSERIE),
        [(2026, AMOUNT)],
    ),
    pytest.param("00014-235", "Debtor/CompanyID", wage(company_id=CBE_UNKNOWN), wage(), [(2026, AMOUNT)]),
    pytest.param(
        "00014-235",
        "Debtor/CompanyID",
        wage(company_id=CBE_LEMAIRE, noss=NOSS_BRASSERIE),
        wage(company_id=CBE_BRASSERIE, noss=NOSS_BRASSERIE),
        [(2026, AMOUNT)],
        id="00014-235-numbers-of-two-employers",
    ),
    pytest.param(
        "90256-155",
        "Debtor",
        wage(company_id=CBE_LEMAIRE),
        at_fund(),
        [(2026, AMOUNT)],
        id="90256-155-dimn-only",
    ),
    pytest.param(
        "90256-155", "Debtor", wage(company_id=CBE_AURORA), wage(), [(2026, AMOUNT)], id="90256-155-none"
    ),
    pytest.param(
        "00024-004", "Debtor/Beneficiary[1]/INSS", wage(insz="85031212363"), wage(), [(2026, AMOUNT)]
    ),
    pytest.param(
        "95001-003",
        f"{FIRST}/Reference",
        wage(relation_id=None),
        wage(),
        [(2026, AMOUNT)],
        id="95001-003-missing",
    ),
    pytest.param(
        "95001-003",
        f"{FIRST}/Reference",
        wage(relation_id="3f2504e04f8911d39a0c0305e82c3301"),
        wage(),
        [(2026, AMOUNT)],
        id="95001-003-without-dashes",
    ),
    pytest.param(
        "95001-003",
        f"{FIRST}/Reference",
        wage(relation_id="3f2504e0-4f89-11d3-9a0c-0305e82c330g"),
        wage(),
        [(2026, AMOUNT)],
        id="95001-003-not-hexadecimal",
    ),
    pytest.param(
        "95001-003",
        f"{FIRST}/Reference",
        wage_form(beneficiary(INSZ_A, relation(UUID_1, june(), also=UUID_2))),
        wage(),
        [(2026, AMOUNT)],
        id="95001-003-two-uuids",
    ),
    pytest.param(
        "95001-003",
        f"{FIRST}/Reference",
        wage_form(beneficiary(INSZ_A, relation(UUID_1, june(), also=UUID_1))),
        wage(),
        [(2026, AMOUNT)],
        id="95001-003-given-twice",
    ),
    pytest.param(
        "95001-005",
        f"{FIRST}/Calculation",
        wage_form(beneficiary(INSZ_A, relation(UUID_1))),
        wage(),
        [(2026, AMOUNT)],
        id="95001-005-original-without-calculation",
    ),
    pytest.param(
        "95010-014",
        f"{CALC}/CalculationPeriodEndingDate",
        wage(month("2026-06-30", "2026-06-01")),
        wage(month("2026-06-30", "2026-06-30")),
        [(2026, AMOUNT)],
    ),
    pytest.param(
        "95010-034",
        f"{CALC}/CalculationPeriodEndingDate",
        wage(month("2025-12-15", "2026-01-15", calculated="2026-06-22")),
        wage(month("2025-12-15", "2025-12-31", calculated="2026-06-22")),
        [(2025, AMOUNT)],
    ),
    pytest.param(
        "95010-146",
        f"{CALC}/CalculationPeriodStartingDate",
        wage(month("2024-12-01", "2024-12-31", calculated="2026-06-22")),
        wage(month("2025-01-01", "2025-01-31", calculated="2026-06-22")),
        [(2025, AMOUNT)],
    ),
    pytest.param(
        "95020-003",
        f"{FEAT}/ValidityPeriodStartingDate",
        wage(calculation("2026-06-01", "2026-06-30", features("2026-05-31", "2026-06-10", element()))),
        wage(calculation("2026-06-01", "2026-06-30", features("2026-06-01", "2026-06-10", element()))),
        [(2026, AMOUNT)],
        id="95020-003-starts-before",
    ),
    pytest.param(
        "95020-003",
        f"{FEAT}/ValidityPeriodStartingDate",
        wage(calculation("2026-06-01", "2026-06-30", features("2026-06-20", "2026-07-01", element()))),
        wage(calculation("2026-06-01", "2026-06-30", features("2026-06-20", "2026-06-30", element()))),
        [(2026, AMOUNT)],
        id="95020-003-ends-after",
    ),
    pytest.param(
        "95020-003",
        f"{FEAT}/ValidityPeriodStartingDate",
        wage(calculation("2026-06-01", "2026-06-30", features("2026-06-20", "2026-06-10", element()))),
        wage(calculation("2026-06-01", "2026-06-30", features("2026-06-10", "2026-06-20", element()))),
        [(2026, AMOUNT)],
        id="95020-003-ends-before-it-starts",
    ),
    pytest.param(
        "95020-008",
        f"{FEAT}/WorkerCode",
        wage(june(worker_code="015")),
        wage(june(worker_code="450")),
        [(2026, AMOUNT)],
    ),
    pytest.param("95030-001", FEAT, wage(june_with()), wage(june_with(element())), [(2026, AMOUNT)]),
    pytest.param(
        "95030-003", f"{FEAT}/FinancialElement[1]/Amount", wage(june(0)), wage(june(1)), [(2026, 1)]
    ),
    pytest.param(
        "95030-003",
        f"{FEAT}/FinancialElement[2]/Amount",
        wage(june_with(element(WAGE, AMOUNT), element(WAGE, -100))),
        wage(june_with(element(WAGE, AMOUNT), element(WAGE, 100))),
        [(2026, AMOUNT + 100)],
        id="95030-003-negative",
    ),
    pytest.param(
        "95030-008",
        f"{FEAT}/FinancialElement[1]/FinancialElementCode",
        wage(june_with(element("0003001000"))),
        wage(june_with(element(PREMIUM, frequency=1))),
        [(2026, AMOUNT)],
    ),
    pytest.param(
        "95031-001",
        f"{FEAT}/FinancialElement[1]/FinancialElementCode",
        wage(june_with(element(PREMIUM))),
        wage(june_with(element(PREMIUM, frequency=0))),  # 0: one-off
        [(2026, AMOUNT)],
    ),
    pytest.param(
        "95031-005",
        f"{FEAT}/FinancialElement[1]/BonusPaymentFrequency",
        wage(june_with(element(WAGE, frequency=1))),
        wage(june_with(element(WAGE))),
        [(2026, AMOUNT)],
    ),
    pytest.param(
        "95031-008",
        f"{FEAT}/FinancialElement[1]/BonusPaymentFrequency",
        wage(june_with(element(PREMIUM, frequency=13))),
        wage(june_with(element(PREMIUM, frequency=12))),
        [(2026, AMOUNT)],
    ),
    pytest.param(
        "95031-008",
        f"{FEAT}/FinancialElement[1]/BonusPaymentFrequency",
        wage(june_with(element(PREMIUM, frequency=-1))),
        wage(june_with(element(PREMIUM, frequency=6))),
        [(2026, AMOUNT)],
        id="95031-008-negative",
    ),
]


@pytest.mark.parametrize(("code", "path", "refused", "near_miss", "totals"), REFUSALS)
def test_a_rule_refuses_the_declaration_and_its_near_miss_goes_through(
    code: str,
    path: str,
    refused: FlexiDeclaration,
    near_miss: FlexiDeclaration,
    totals: list[tuple[int, int]],
) -> None:
    desk = FlexiDesk()
    assert_refused(desk.send(refused), code, path)
    impact = desk.accept(near_miss)
    assert (impact.relation_id, impact.situation.version, impact.situation.status) == (
        UUID_1,
        1,
        SituationStatus.ACTIVE,
    )
    assert list(impact.year_totals) == totals


def test_every_problem_of_a_declaration_is_reported_at_once() -> None:
    refused = FlexiDesk().send(
        wage(
            june_with(element(PREMIUM, 0), element("0003001000", 100), worker_code="015"), insz="85031212363"
        )
    )
    assert {"00024-004", "95020-008", "95030-003", "95031-001", "95030-008"} <= set(codes(refused))


def test_the_same_relation_twice_in_one_declaration_is_refused_whatever_the_case() -> None:
    desk = FlexiDesk()
    twice = wage_form(
        beneficiary(INSZ_A, relation(UUID_3, june(10_000)), relation(UUID_3.lower(), june(20_000)))
    )
    assert_refused(
        desk.send(twice), "95001-003", "Debtor/Beneficiary[1]/Relation[2]/Reference", UUID_3.lower()
    )
    decision = desk.send(
        wage_form(beneficiary(INSZ_A, relation(UUID_3, june(10_000)), relation(UUID_2, june(20_000))))
    )
    assert_flexi_accepted(decision)
    assert [(i.relation_id, i.situation.version, i.year_totals) for i in decision.impacts] == [
        (UUID_3, 1, ((2026, 30_000),)),
        (UUID_2, 1, ((2026, 30_000),)),
    ]


def test_the_same_uuid_for_two_workers_is_two_situations() -> None:
    decision = FlexiDesk().send(
        wage_form(
            beneficiary(INSZ_A, relation(UUID_1, june(10_000))), beneficiary(INSZ_B, relation(UUID_1, june()))
        )
    )
    assert_flexi_accepted(decision)
    assert [i.year_totals for i in decision.impacts] == [((2026, 10_000),), ((2026, AMOUNT),)]
