"""SPEC 8, the yearly counter and 00024-902, against the pure rule `flexi_rules.decide_flexi`.

The channel twins are tests/integration/test_flexi_ceiling.py and test_flexi_counter_property.py.
A worker's flexi income for a year is the sum of every amount of every active situation, across
employers, whose calculation period falls in that year; above the year's ceiling (18 000.00 EUR for
2025 and 2026 by default, a later year keeping the last one) every declaration touching that year
warns (NP, Value the total), unless the worker is a pensioner in some quarter of the year.
"""

from __future__ import annotations

import pytest

from flexibatch.config import DEFAULT_CEILINGS
from flexibatch.domain.flexi import (
    PREMIUM,
    Calculation,
    FlexiAction,
    FlexiDeclaration,
    SituationBook,
    ceiling_for,
)
from support.builders import INSZ_A, INSZ_B, INSZ_PENSIONER, NOSS_FONDS
from support.flexi_builders import UUID_1, UUID_2, UUID_3
from support.records import (
    FlexiDesk,
    assert_flexi_accepted,
    beneficiary,
    calculation,
    element,
    features,
    found,
    month,
    relation,
    wage_form,
)

CEILING = 1_800_000  # 18 000.00 EUR
OVER = "00024-902"


def june(amount: int, year: int = 2026) -> Calculation:
    return month(f"{year}-06-01", f"{year}-06-30", amount, calculated="2026-06-24")


def pay(
    amount: int,
    *,
    relation_id: str = UUID_1,
    insz: str = INSZ_A,
    year: int = 2026,
    action: FlexiAction = FlexiAction.ORIGINAL,
) -> FlexiDeclaration:
    return wage_form(beneficiary(insz, relation(relation_id, june(amount, year))), action=action)


def fund_premium(amount: int, *, relation_id: str = UUID_2) -> FlexiDeclaration:
    calc = calculation(
        "2026-06-01",
        "2026-06-30",
        features("2026-06-01", "2026-06-30", element(PREMIUM, amount, frequency=12)),
        calculated="2026-06-24",
    )
    return wage_form(beneficiary(INSZ_A, relation(relation_id, calc)), company_id=None, noss=NOSS_FONDS)


def over(desk: FlexiDesk, decl: FlexiDeclaration, total: str) -> None:
    """Accepted with the ceiling warning on the first beneficiary's INSS, Value the total in euros."""
    decision = desk.send(decl)
    assert_flexi_accepted(decision, OVER)
    warning = found(decision, OVER)
    assert (warning.field, warning.value) == ("Debtor/Beneficiary[1]/INSS", total)


def under(desk: FlexiDesk, decl: FlexiDeclaration) -> tuple[tuple[int, int], ...]:
    return desk.accept(decl).year_totals


def test_exactly_the_ceiling_gives_no_warning_one_cent_more_does() -> None:
    assert under(FlexiDesk(), pay(CEILING)) == ((2026, CEILING),)
    desk = FlexiDesk()
    over(desk, pay(CEILING + 1), "18000.01")
    assert desk.book.total(INSZ_A, 2026) == CEILING + 1, "a warning does not stop the counter"


def test_the_label_names_the_year_the_total_and_the_ceiling() -> None:
    decision = FlexiDesk().send(pay(CEILING + 1))
    assert found(decision, OVER).text() == (
        "After this declaration the worker's flexi income for 2026 is 18000.01 EUR, "
        "over the tax-free ceiling of 18000.00 EUR."
    )


def test_the_warning_comes_on_the_crossing_declaration_and_every_later_one_above() -> None:
    desk = FlexiDesk()
    under(desk, pay(CEILING - 100))
    over(desk, pay(101, relation_id=UUID_2), "18000.01")
    over(desk, pay(2_000, relation_id=UUID_3), "18020.01")
    over(desk, pay(1_000, relation_id=UUID_3, action=FlexiAction.MODIFICATION), "18010.01")


def test_a_cancellation_that_brings_the_total_back_under_gives_no_warning() -> None:
    desk = FlexiDesk()
    under(desk, pay(CEILING))
    over(desk, pay(10_000, relation_id=UUID_2), "18100.00")
    cancelled = wage_form(beneficiary(INSZ_A, relation(UUID_2)), action=FlexiAction.CANCELLATION)
    assert under(desk, cancelled) == ((2026, CEILING),)


def test_a_modification_back_to_the_ceiling_gives_no_warning() -> None:
    desk = FlexiDesk()
    over(desk, pay(CEILING + 50_000), "18500.00")
    assert under(desk, pay(CEILING, action=FlexiAction.MODIFICATION)) == ((2026, CEILING),)


def test_the_ceiling_counts_the_income_of_every_employer() -> None:
    desk = FlexiDesk()
    under(desk, pay(1_000_000))
    over(desk, fund_premium(800_001), "18000.01")


def test_the_counter_is_per_worker_and_per_year() -> None:
    desk = FlexiDesk()
    over(desk, pay(CEILING + 1), "18000.01")
    assert under(desk, pay(CEILING, insz=INSZ_B)) == ((2026, CEILING),)
    assert under(desk, pay(10_000, relation_id=UUID_2, year=2025)) == ((2025, 10_000),)  # only 2025 touched


def test_a_counter_loaded_from_the_state_counts() -> None:
    """The batch preloads the worker's totals into the book: the rule adds to them."""
    desk = FlexiDesk(book=SituationBook(totals={(INSZ_A, 2026): CEILING}))
    over(desk, pay(1), "18000.01")


def test_each_worker_over_the_ceiling_gets_a_warning() -> None:
    form = wage_form(
        beneficiary(INSZ_A, relation(UUID_1, june(CEILING + 1))),
        beneficiary(INSZ_B, relation(UUID_2, june(CEILING))),
        beneficiary(INSZ_PENSIONER, relation(UUID_3, june(CEILING + 1))),
    )
    decision = FlexiDesk().send(form)
    assert_flexi_accepted(decision, OVER)
    assert found(decision, OVER).field == "Debtor/Beneficiary[1]/INSS"


def test_two_relations_of_one_worker_warn_once() -> None:
    form = wage_form(beneficiary(INSZ_A, relation(UUID_1, june(CEILING)), relation(UUID_2, june(1))))
    decision = FlexiDesk().send(form)
    assert_flexi_accepted(decision, OVER)
    assert [i.year_totals for i in decision.impacts] == [((2026, CEILING + 1),)] * 2


@pytest.mark.parametrize(
    ("year", "insz", "warned"),
    [
        pytest.param(2026, INSZ_PENSIONER, False, id="pensioner-in-Q2-and-Q3"),
        pytest.param(2027, INSZ_PENSIONER, True, id="pensioner-of-2026-in-2027"),
    ],
)
def test_a_pensioner_has_no_ceiling_in_a_year_they_are_one(year: int, insz: str, warned: bool) -> None:
    decision = FlexiDesk().send(pay(CEILING * 2 if not warned else CEILING + 1, insz=insz, year=year))
    assert decision.accepted
    assert (OVER in [a.code for a in decision.anomalies]) is warned


def test_a_pensioner_in_one_quarter_has_no_ceiling_all_year() -> None:
    january = month("2026-01-01", "2026-01-31", CEILING + 1, calculated="2026-06-24")
    assert_flexi_accepted(FlexiDesk().send(wage_form(beneficiary(INSZ_PENSIONER, relation(UUID_1, january)))))


@pytest.mark.parametrize(
    ("year", "ceiling"),
    [(2024, 1_200_000), (2025, 1_800_000), (2026, 1_800_000), (2027, 1_800_000), (2030, 1_800_000)],
)
def test_the_ceiling_of_each_year_and_of_the_years_after_the_last_configured(year: int, ceiling: int) -> None:
    assert ceiling_for(DEFAULT_CEILINGS, year) == ceiling
    if year >= 2025:  # 2024 is before Flexi at work (95010-146)
        assert under(FlexiDesk(), pay(ceiling, year=year)) == ((year, ceiling),)
        over(FlexiDesk(), pay(ceiling + 1, year=year), f"{(ceiling + 1) / 100:.2f}")


def test_a_configured_ceiling_for_a_later_year_replaces_the_last_one() -> None:
    desk = FlexiDesk(ceilings={**DEFAULT_CEILINGS, 2027: 1_850_000})
    under(desk, pay(1_850_000, year=2027))
    over(desk, pay(1, relation_id=UUID_2, year=2027), "18500.01")


def test_no_ceiling_before_the_first_configured_year() -> None:
    assert ceiling_for({2026: CEILING}, 2025) is None
    assert under(FlexiDesk(ceilings={2026: CEILING}), pay(CEILING * 2, year=2025)) == ((2025, CEILING * 2),)


def test_the_warning_names_the_beneficiary_over_the_ceiling() -> None:
    form = wage_form(
        beneficiary(INSZ_B, relation(UUID_2, june(CEILING))),
        beneficiary(INSZ_A, relation(UUID_1, june(CEILING + 1))),
    )
    decision = FlexiDesk().send(form)
    assert_flexi_accepted(decision, OVER)
    assert (found(decision, OVER).field, found(decision, OVER).value) == (
        "Debtor/Beneficiary[2]/INSS",
        "18000.01",
    )
