"""SPEC 8, 00024-902: the yearly flexi income against the tax-free ceiling (NP, Value = the total).

Default configuration: 18 000.00 EUR for 2025 and 2026, and a later year keeps 2026's figure until its
own is set. The warning comes after the declaration, on every declaration that leaves a year it
touches above the ceiling, never for a worker who is a pensioner in some quarter of that year.
"""

from __future__ import annotations

from support.answers import Decision
from support.builders import INSZ_A, INSZ_B, INSZ_PENSIONER, NOSS_FONDS
from support.channel import Channel
from support.flexi_builders import (
    PREMIUM,
    UUID_1,
    UUID_2,
    UUID_3,
    beneficiary,
    calculation,
    element,
    features,
    relation,
    wage_form,
)
from support.flexi_builders import month as month_calculation
from support.flexi_checks import anomaly, assert_accepted, only_impact, send_one

CEILING = 1_800_000  # 18 000.00 EUR in cents
OVER = "00024-902"


def june(amount: int, year: int = 2026) -> str:
    # Calculated on the reception day, so no lateness warning whatever the year.
    return month_calculation(f"{year}-06-01", f"{year}-06-30", amount, calculated="2026-06-24")


def wage(
    amount: int, *, relation_id: str = UUID_1, insz: str = INSZ_A, year: int = 2026, status: str = "0"
) -> str:
    return wage_form(beneficiary(insz, relation(relation_id, june(amount, year))), status=status)


def fund_premium(amount: int, *, relation_id: str = UUID_2, insz: str = INSZ_A) -> str:
    calc = calculation(
        "2026-06-01",
        "2026-06-30",
        features("2026-06-01", "2026-06-30", element(PREMIUM, amount, frequency=12)),
        calculated="2026-06-24",
    )
    return wage_form(beneficiary(insz, relation(relation_id, calc)), company_id=None, noss=NOSS_FONDS)


def assert_over_ceiling(decision: Decision, total: str) -> None:
    """Accepted with the ceiling warning, whose Value is the worker's total in euros."""
    assert_accepted(decision, OVER)
    found = anomaly(decision, OVER)
    assert (found["AnomalyClass"], found["Value"]) == ("NP", total)
    assert found["Path"].endswith("/Beneficiary[1]/INSS")


def test_a_total_of_exactly_the_ceiling_gives_no_warning(channel: Channel) -> None:
    decision = send_one(channel, wage(CEILING))

    assert_accepted(decision)
    assert only_impact(decision).year_totals == [(2026, CEILING)]


def test_one_cent_over_the_ceiling_warns_with_the_total(channel: Channel) -> None:
    decision = send_one(channel, wage(CEILING + 1))

    assert_over_ceiling(decision, "18000.01")
    assert only_impact(decision).year_totals == [(2026, CEILING + 1)], "a warning does not stop the counter"


def test_the_warning_comes_on_the_crossing_declaration_and_every_later_one_above(channel: Channel) -> None:
    under = send_one(channel, wage(CEILING - 100))
    assert_accepted(under)

    crossing = send_one(channel, wage(101, relation_id=UUID_2))
    assert_over_ceiling(crossing, "18000.01")

    still_over = send_one(channel, wage(2_000, relation_id=UUID_3))
    assert_over_ceiling(still_over, "18020.01")
    assert only_impact(still_over).year_totals == [(2026, CEILING + 2_001)]

    modified_but_over = send_one(channel, wage(1_000, relation_id=UUID_3, status="1"))
    assert_over_ceiling(modified_but_over, "18010.01")


def test_a_modification_that_brings_the_total_back_under_gives_no_warning(channel: Channel) -> None:
    assert_over_ceiling(send_one(channel, wage(CEILING + 50_000)), "18500.00")

    back_under = send_one(channel, wage(CEILING, status="1"))

    assert_accepted(back_under)
    impact = only_impact(back_under)
    assert (impact.version, impact.year_totals) == (2, [(2026, CEILING)])


def test_a_cancellation_that_brings_the_total_back_under_gives_no_warning(channel: Channel) -> None:
    assert_accepted(send_one(channel, wage(CEILING)))
    assert_over_ceiling(send_one(channel, wage(10_000, relation_id=UUID_2)), "18100.00")

    cancelled = send_one(channel, wage_form(beneficiary(INSZ_A, relation(UUID_2)), status="3"))

    assert_accepted(cancelled)
    assert only_impact(cancelled).year_totals == [(2026, CEILING)]


def test_the_ceiling_counts_the_income_of_every_employer(channel: Channel) -> None:
    assert_accepted(send_one(channel, wage(1_000_000)))

    at_the_fund = send_one(channel, fund_premium(800_001))

    assert_over_ceiling(at_the_fund, "18000.01")
    assert only_impact(at_the_fund).year_totals == [(2026, CEILING + 1)]


def test_the_ceiling_is_per_worker(channel: Channel) -> None:
    assert_over_ceiling(send_one(channel, wage(CEILING + 1)), "18000.01")

    other_worker = send_one(channel, wage(CEILING, insz=INSZ_B))

    assert_accepted(other_worker)


def test_the_ceiling_is_per_year(channel: Channel) -> None:
    assert_accepted(send_one(channel, wage(CEILING, year=2025)))

    next_year = send_one(channel, wage(CEILING, relation_id=UUID_2, year=2026))

    assert_accepted(next_year)
    assert only_impact(next_year).year_totals == [(2026, CEILING)]


def test_a_declaration_touching_only_another_year_gives_no_warning(channel: Channel) -> None:
    assert_over_ceiling(send_one(channel, wage(CEILING + 1)), "18000.01")

    other_year = send_one(channel, wage(10_000, relation_id=UUID_2, year=2025))

    assert_accepted(other_year)
    assert only_impact(other_year).year_totals == [(2025, 10_000)]


def test_a_pensioner_has_no_ceiling(channel: Channel) -> None:
    # PENSIONER in 2026Q2 and Q3 (samples/refdata/workers.csv).
    decision = send_one(channel, wage(CEILING * 2, insz=INSZ_PENSIONER))

    assert_accepted(decision)
    assert only_impact(decision).year_totals == [(2026, CEILING * 2)]


def test_a_pensioner_in_one_quarter_has_no_ceiling_all_year(channel: Channel) -> None:
    january = month_calculation("2026-01-01", "2026-01-31", CEILING + 1, calculated="2026-06-24")

    decision = send_one(channel, wage_form(beneficiary(INSZ_PENSIONER, relation(UUID_1, january))))

    assert_accepted(decision)


def test_a_pensioner_of_2026_has_a_ceiling_in_2027(channel: Channel) -> None:
    decision = send_one(channel, wage(CEILING + 1, insz=INSZ_PENSIONER, year=2027))

    assert_over_ceiling(decision, "18000.01")


def test_a_year_without_its_own_ceiling_uses_the_last_configured_one(channel: Channel) -> None:
    at_the_ceiling = send_one(channel, wage(CEILING, year=2027))
    assert_accepted(at_the_ceiling)
    assert only_impact(at_the_ceiling).year_totals == [(2027, CEILING)]

    one_cent_more = send_one(channel, wage(1, relation_id=UUID_2, year=2027))
    assert_over_ceiling(one_cent_more, "18000.01")
    assert "18000.00" in anomaly(one_cent_more, OVER)["AnomalyLabel"]


def test_2025_has_its_own_ceiling(channel: Channel) -> None:
    assert_accepted(send_one(channel, wage(CEILING, year=2025)))

    assert_over_ceiling(send_one(channel, wage(1, relation_id=UUID_2, year=2025)), "18000.01")


def test_each_worker_over_the_ceiling_gets_a_warning(channel: Channel) -> None:
    form = wage_form(
        beneficiary(INSZ_A, relation(UUID_1, june(CEILING + 1))),
        beneficiary(INSZ_B, relation(UUID_2, june(CEILING))),
        beneficiary(INSZ_PENSIONER, relation(UUID_3, june(CEILING + 1))),
    )

    decision = send_one(channel, form)

    assert_accepted(decision, OVER)
    found = anomaly(decision, OVER)
    assert (found["Value"], found["Path"].split("/")[-2]) == ("18000.01", "Beneficiary[1]")


def test_a_configured_ceiling_for_a_later_year_replaces_the_last_one(channel: Channel) -> None:
    ceilings = {2024: 1_200_000, 2025: 1_800_000, 2026: 1_800_000, 2027: 1_850_000}

    at_the_new_ceiling = send_one(channel, wage(1_850_000, year=2027), ceilings=ceilings)
    assert_accepted(at_the_new_ceiling)

    over = send_one(channel, wage(1, relation_id=UUID_2, year=2027), ceilings=ceilings)
    assert_over_ceiling(over, "18500.01")
