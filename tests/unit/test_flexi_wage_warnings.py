"""SPEC 8, the two warnings besides the ceiling: 00024-152 (no active Dimona FLX period of the
employer and worker overlaps the validity period) and 95010-460 (late), on `flexi_rules.decide_flexi`.

The channel twin is tests/integration/test_flexi_rules.py. The Dimona periods are declared on the
FlexiDesk's own DimonaDesk, so they are in the PeriodBook the wage rule reads, as a batch preloads it.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from flexibatch.domain.flexi import WAGE, FlexiDeclaration
from support.builders import (
    CBE_BRASSERIE,
    CBE_LEMAIRE,
    INSZ_B,
    NOSS_BRASSERIE,
)
from support.records import (
    AMOUNT,
    NO_DIMONA,
    FlexiDesk,
    assert_flexi_accepted,
    calculation,
    codes,
    dimona_cancel,
    dimona_day,
    dimona_in,
    dimona_night,
    element,
    features,
    found,
    month,
    wage,
)

FIRST = "Debtor/Beneficiary[1]/Relation[1]"
CALC = f"{FIRST}/Calculation[1]"
FEAT = f"{CALC}/Features[1]"


# -- 00024-152: no Dimona covers the validity period (NP) ---------------------------------------------


def covering(start: str, end: str, **fields: object) -> FlexiDeclaration:
    return wage(calculation("2026-06-01", "2026-06-30", features(start, end, element())), **fields)  # type: ignore[arg-type]


def test_a_wage_without_any_dimona_is_accepted_with_a_warning() -> None:
    decision = FlexiDesk().send(wage())
    assert_flexi_accepted(decision, NO_DIMONA)
    assert (found(decision, NO_DIMONA).field, found(decision, NO_DIMONA).value) == (
        f"{FEAT}/ValidityPeriodStartingDate",
        "2026-06-01",
    )
    assert decision.impacts[0].year_totals == ((2026, AMOUNT),), "a warning does not stop the counter"


@pytest.mark.parametrize(
    ("dimona", "start", "end", "covered"),
    [
        pytest.param(dimona_in(), "2026-06-01", "2026-06-30", True, id="whole-month"),
        pytest.param(dimona_in(), "2026-06-25", "2026-06-25", True, id="that-day"),
        pytest.param(dimona_in(), "2026-06-01", "2026-06-24", False, id="ends-the-day-before"),
        pytest.param(dimona_in(), "2026-06-26", "2026-06-30", False, id="starts-the-day-after"),
        pytest.param(
            dimona_in(noss=None, company_id=CBE_BRASSERIE), "2026-06-01", "2026-06-30", True, id="by-cbe"
        ),
        pytest.param(dimona_night(), "2026-06-26", "2026-06-30", True, id="night-into-that-day"),
        pytest.param(
            dimona_day("2026-06-20"), "2026-06-29", "2026-06-30", True, id="open-ended-in-its-quarter"
        ),
        pytest.param(
            dimona_day("2026-06-20", "2026-06-22"), "2026-06-22", "2026-06-30", True, id="days-last-day"
        ),
        pytest.param(
            dimona_day("2026-06-20", "2026-06-22"), "2026-06-23", "2026-06-30", False, id="days-day-after"
        ),
        pytest.param(dimona_in(insz=INSZ_B), "2026-06-01", "2026-06-30", False, id="another-worker"),
        pytest.param(
            dimona_in(noss=None, company_id=CBE_LEMAIRE),
            "2026-06-01",
            "2026-06-30",
            False,
            id="another-employer",
        ),
    ],
)
def test_a_dimona_covers_the_days_it_runs_for_its_employer_and_worker(
    dimona: object, start: str, end: str, covered: bool
) -> None:
    desk = FlexiDesk()
    desk.dimona.declare(dimona)  # type: ignore[arg-type]
    decision = desk.send(covering(start, end, company_id=None, noss=NOSS_BRASSERIE))
    assert decision.accepted, decision.anomalies
    assert (NO_DIMONA not in codes(decision)) is covered, decision.anomalies


def test_an_open_ended_dimona_stops_covering_at_the_end_of_its_quarter() -> None:
    desk = FlexiDesk()
    desk.dimona.declare(dimona_day("2026-06-20"))
    july = calculation(
        "2026-07-01", "2026-07-31", features("2026-07-01", "2026-07-31", element()), calculated="2026-07-31"
    )
    assert_flexi_accepted(desk.send(wage(july), now=datetime(2026, 7, 31, 9)), NO_DIMONA, ignoring=())


def test_a_cancelled_dimona_does_not_cover() -> None:
    desk = FlexiDesk()
    period_id = desk.dimona.declare(dimona_in())
    desk.dimona.send(dimona_cancel(period_id))
    assert_flexi_accepted(desk.send(covering("2026-06-01", "2026-06-30")), NO_DIMONA, ignoring=())


def test_each_features_is_checked_against_the_dimona_periods() -> None:
    desk = FlexiDesk()
    desk.dimona.declare(dimona_in())
    calc = calculation(
        "2026-06-01",
        "2026-06-30",
        features("2026-06-01", "2026-06-25", element(WAGE, 30_000)),
        features("2026-06-26", "2026-06-30", element(WAGE, 20_000)),
    )
    decision = desk.send(wage(calc))
    assert_flexi_accepted(decision, NO_DIMONA, ignoring=())
    assert found(decision, NO_DIMONA).field == f"{CALC}/Features[2]/ValidityPeriodStartingDate"


# -- 95010-460: late, more than 5 days after the CalculationDate (NP) ---------------------------------


@pytest.mark.parametrize(
    ("calculated", "received", "late"),
    [
        ("2026-06-18", datetime(2026, 6, 24, 11, 50), True),  # 6 days
        ("2026-06-19", datetime(2026, 6, 24, 23, 59), False),  # 5 days, the reception date counts
        ("2026-06-30", datetime(2026, 7, 6, 0, 0), True),
        ("2026-06-30", datetime(2026, 7, 5, 23, 59), False),
    ],
)
def test_a_wage_received_more_than_5_days_after_its_calculation_date_is_late(
    calculated: str, received: datetime, late: bool
) -> None:
    decision = FlexiDesk().send(wage(month("2026-06-01", "2026-06-15", calculated=calculated)), now=received)
    if late:
        assert_flexi_accepted(decision, "95010-460")
        assert (found(decision, "95010-460").field, found(decision, "95010-460").value) == (
            f"{CALC}/CalculationDate",
            calculated,
        )
    else:
        assert_flexi_accepted(decision)
