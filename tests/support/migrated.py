"""What both backends' migration tests check after migration 9 (tests/integration/test_migrations.py,
test_pg_migrations.py): a situation stored before it is found by the wage run by its calculation
periods, which stand in for its validity."""

from __future__ import annotations

from datetime import date

from flexibatch.store.ports import Store

#: Two calculation periods of a situation as the release before migration 9 stored them: no validity.
CALCULATIONS = (
    '[["2026-05-01", "2026-05-31", "050", 40000, 0], ["2026-06-01", "2026-06-30", "050", 50000, 0]]'
)
#: Their span, what migration 9 writes in first_day and last_day.
SPAN = ("2026-05-01", "2026-06-30")


def found_by_their_calculation_periods(store: Store) -> None:
    """Situation `a` (active) and `c` (cancelled) of employer E, stored with CALCULATIONS: June's
    last day finds the active one, July none."""
    june = store.situations.active_between("R", date(2026, 6, 30), date(2026, 7, 31), employer_key="E")
    july = store.situations.active_between("R", date(2026, 7, 1), date(2026, 7, 31), employer_key="E")
    assert [s.relation_id for s in june] == ["a"], "the cancelled one counts as absent"
    assert june[0].calculations[1].validities() == ((date(2026, 6, 1), date(2026, 6, 30)),)
    assert july == []
