"""The store's rows are what the standard library would write: a situation's calculations as JSON."""

from __future__ import annotations

import json
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from flexibatch.domain.flexi import CalculationSummary
from flexibatch.store.sqlite.rows import dump_calculations, situation_from_row

_CALCULATIONS = st.lists(
    st.builds(
        CalculationSummary,
        st.dates(),
        st.dates(),
        st.text(),  # a CSV cell can hold anything; the XSD only three digits
        st.integers(),
        st.integers(),
        st.lists(st.tuples(st.dates(), st.dates()), max_size=3).map(tuple),
    ),
    max_size=4,
)


@given(_CALCULATIONS)
def test_calculations_are_the_json_the_standard_library_writes(
    calculations: list[CalculationSummary],
) -> None:
    expected = json.dumps(
        [
            [
                *(c.start.isoformat(), c.end.isoformat(), c.worker_code, c.wage, c.premium),
                [[start.isoformat(), end.isoformat()] for start, end in c.validity],
            ]
            for c in calculations
        ]
    )
    assert dump_calculations(calculations) == expected


@given(_CALCULATIONS)
def test_calculations_read_back_as_they_were_written(calculations: list[CalculationSummary]) -> None:
    row = ("R", "E", "85031212362", "r", None, None, "ACTIVE", 1, dump_calculations(calculations))

    assert situation_from_row(row).calculations == tuple(calculations)


def test_a_calculation_stored_before_validity_was_kept_reads_its_calculation_period_as_validity() -> None:
    stored = '[["2026-06-01", "2026-06-30", "050", 1, 0]]'
    row = ("R", "E", "85031212362", "r", None, None, "ACTIVE", 1, stored)

    (calculation,) = situation_from_row(row).calculations

    assert calculation.validity == ()
    assert calculation.validities() == ((date(2026, 6, 1), date(2026, 6, 30)),)
