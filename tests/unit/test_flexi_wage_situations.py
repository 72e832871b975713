"""SPEC 8, the life of a situation (95001-005, -183, -180, -181), versions and YearTotals, in
document order within a batch, on the pure rule `flexi_rules.decide_flexi`.

The channel twin is tests/integration/test_flexi_rules.py. A FlexiDesk holds one SituationBook, as a
batch does. Default: an original for INSZ_A and UUID_1, a June 2026 calculation of 500.00 EUR at the
Brasserie by its enterprise number, received 24/06/2026 11:50 by sender 123456.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from flexibatch.domain.flexi import PREMIUM, FlexiAction, FlexiDeclaration, SituationStatus
from support.builders import (
    CBE_BRASSERIE,
    CBE_PEETERS,
    INSZ_A,
    INSZ_B,
    NOSS_BRASSERIE,
    NOSS_FONDS,
)
from support.flexi_builders import UUID_1, UUID_2, UUID_3
from support.records import (
    AMOUNT,
    FlexiDesk,
    assert_refused,
    beneficiary,
    cancellation,
    element,
    june,
    june_with,
    modification,
    month,
    relation,
    wage,
    wage_form,
)

FIRST = "Debtor/Beneficiary[1]/Relation[1]"
CALC = f"{FIRST}/Calculation[1]"


def at_fund(*calculations: object, **fields: object) -> FlexiDeclaration:
    """The Fonds social Horeca: an RSZ number only, and a FLEX-only mandate for sender 123456."""
    return wage(*calculations, company_id=None, noss=NOSS_FONDS, **fields)  # type: ignore[arg-type]


# -- 95001-005, -183, -180, -181: the life of a situation -----------------------------------------------


def test_a_cancellation_carrying_a_calculation_is_refused() -> None:
    desk = FlexiDesk()
    desk.accept(wage())
    assert_refused(
        desk.send(wage(june(), action=FlexiAction.CANCELLATION)), "95001-005", f"{FIRST}/Calculation", "3"
    )
    cancelled = desk.accept(cancellation())
    assert (cancelled.situation.version, cancelled.situation.status, cancelled.year_totals) == (
        2,
        SituationStatus.CANCELLED,
        ((2026, 0),),
    )


def test_a_modification_without_calculation_is_refused() -> None:
    desk = FlexiDesk()
    desk.accept(wage())
    without = wage_form(beneficiary(INSZ_A, relation(UUID_1)), action=FlexiAction.MODIFICATION)
    assert_refused(desk.send(without), "95001-005", f"{FIRST}/Calculation", "1")
    assert desk.accept(modification(june(70_000))).year_totals == ((2026, 70_000),)


def test_an_original_for_an_active_situation_is_refused_and_adds_nothing() -> None:
    desk = FlexiDesk()
    desk.accept(wage())
    assert_refused(desk.send(wage(june(30_000))), "95001-183", f"{FIRST}/Reference", UUID_1)
    assert desk.book.total(INSZ_A, 2026) == AMOUNT


@pytest.mark.parametrize("changed", [modification(), cancellation()], ids=["modification", "cancellation"])
def test_a_change_of_an_unknown_situation_is_refused(changed: FlexiDeclaration) -> None:
    desk = FlexiDesk()
    assert_refused(desk.send(changed), "95001-180", f"{FIRST}/Reference", UUID_1)
    assert desk.accept(wage()).situation.version == 1


def test_a_modification_of_the_same_uuid_at_another_employer_is_an_unknown_situation() -> None:
    desk = FlexiDesk()
    desk.accept(wage())
    assert_refused(
        desk.send(at_fund(june_with(element(PREMIUM, 30_000, 12)), action=FlexiAction.MODIFICATION)),
        "95001-180",
    )
    assert desk.accept(at_fund(june_with(element(PREMIUM, 30_000, 12)))).year_totals == (
        (2026, AMOUNT + 30_000),
    )


@pytest.mark.parametrize("changed", [modification(), cancellation()], ids=["modification", "cancellation"])
def test_a_change_of_a_cancelled_situation_is_refused_and_an_original_revives_it(
    changed: FlexiDeclaration,
) -> None:
    desk = FlexiDesk()
    desk.accept(wage())
    desk.accept(cancellation())
    assert_refused(desk.send(changed), "95001-181", f"{FIRST}/Reference", UUID_1)
    revived = desk.accept(wage(june(30_000)))
    assert (revived.situation.version, revived.situation.status, revived.year_totals) == (
        3,
        SituationStatus.ACTIVE,
        ((2026, 30_000),),
    )


def test_original_then_modification_then_cancellation_in_one_batch() -> None:
    """SPEC 5: each declaration of a file sees the accepted ones before it (one book)."""
    desk = FlexiDesk()
    decisions = [
        desk.send(d)
        for d in (wage(june(10_000)), wage(june(99_999)), modification(june(20_000)), cancellation())
    ]
    assert [d.accepted for d in decisions] == [True, False, True, True]
    assert_refused(decisions[1], "95001-183")
    assert [
        (i.situation.version, i.situation.status, i.year_totals) for d in decisions for i in d.impacts
    ] == [
        (1, SituationStatus.ACTIVE, ((2026, 10_000),)),
        (2, SituationStatus.ACTIVE, ((2026, 20_000),)),
        (3, SituationStatus.CANCELLED, ((2026, 0),)),
    ]
    before, after = decisions[3].changes[0]
    assert before is not None and (before.version, after.version) == (2, 3)


def test_relation_uuids_and_employer_numbers_name_one_situation_however_written() -> None:
    desk = FlexiDesk()
    desk.accept(wage(relation_id=UUID_3))
    assert_refused(
        desk.send(wage(relation_id=UUID_3.lower(), company_id=None, noss=NOSS_BRASSERIE)), "95001-183"
    )
    modified = desk.accept(
        modification(june(70_000), relation_id=UUID_3.lower(), company_id=CBE_BRASSERIE[1:])
    )
    assert (modified.situation.version, modified.year_totals) == (2, ((2026, 70_000),))


def test_a_modification_that_moves_a_situation_to_another_year_reports_both_years() -> None:
    desk = FlexiDesk()
    desk.accept(wage(month("2025-12-01", "2025-12-31", calculated="2026-06-22")))
    assert desk.accept(modification(june(70_000))).year_totals == ((2025, 0), (2026, 70_000))


def test_a_relation_over_two_years_reports_each_year() -> None:
    december = month("2025-12-01", "2025-12-31", 20_000, calculated="2026-06-22")
    assert FlexiDesk().accept(wage(december, june(30_000))).year_totals == ((2025, 20_000), (2026, 30_000))


def test_a_blocking_anomaly_in_one_relation_refuses_the_whole_declaration() -> None:
    desk = FlexiDesk()
    form = wage_form(
        beneficiary(INSZ_A, relation(UUID_1, june(10_000))), beneficiary(INSZ_B, relation(UUID_2, june(0)))
    )
    assert_refused(
        desk.send(form),
        "95030-003",
        "Debtor/Beneficiary[2]/Relation[1]/Calculation[1]/Features[1]/FinancialElement[1]/Amount",
    )
    assert desk.book.situations == {} and desk.book.totals == {}


@pytest.mark.parametrize(
    ("received", "sender", "allowed"),
    [(datetime(2026, 12, 31, 16, 0), "654321", True), (datetime(2027, 1, 1, 9, 0), "654321", False)],
)
def test_the_mandate_must_hold_on_the_reception_date(received: datetime, sender: str, allowed: bool) -> None:
    december = wage(month("2026-12-01", "2026-12-31", calculated="2026-12-31"), company_id=CBE_PEETERS)
    decision = FlexiDesk().send(december, now=received, sender=sender)
    assert decision.accepted is allowed, decision.anomalies
    if not allowed:
        assert_refused(decision, "90256-155", "Debtor")
