"""The store's rows are what the standard library would write: a situation's calculations as JSON."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from flexibatch.domain.flexi import CalculationSummary
from flexibatch.store.sqlite.rows import dump_calculations

_CALCULATIONS = st.lists(
    st.builds(
        CalculationSummary,
        st.dates(),
        st.dates(),
        st.text(),  # a CSV cell can hold anything; the XSD only three digits
        st.integers(),
        st.integers(),
    ),
    max_size=4,
)


@given(_CALCULATIONS)
def test_calculations_are_the_json_the_standard_library_writes(
    calculations: list[CalculationSummary],
) -> None:
    expected = json.dumps(
        [[c.start.isoformat(), c.end.isoformat(), c.worker_code, c.wage, c.premium] for c in calculations]
    )
    assert dump_calculations(calculations) == expected
