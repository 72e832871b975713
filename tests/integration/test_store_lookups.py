"""The batch lookups search the whole index: a lookup that scans the table is quadratic over a file.

Found by the 1 000 000-declaration benchmark: `(a, b) IN (VALUES ...)` used only the index's first
column, and `period_id IN (... 500 ids ...)` made the planner prefer the (env) prefix of another
index, so each batch scanned every period of its environment.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flexibatch.domain.dimona import Period, PeriodChange, Schedule
from flexibatch.domain.ids import with_check
from flexibatch.store.sqlite import SqliteStore
from flexibatch.store.sqlite.lookup import keyed_select

LOOKUPS = [  # (table, key columns, index, the index columns the search must use)
    ("periods", ("period_id",), "sqlite_autoindex_periods_1", "period_id=?"),
    ("periods", ("employer_key", "worker_key"), "periods_pair", "env=? AND employer_key=? AND worker_key=?"),
    (
        "situations",
        ("employer_key", "insz", "relation_id"),
        "sqlite_autoindex_situations_1",
        "env=? AND employer_key=? AND insz=? AND relation_id=?",
    ),
    ("flexi_totals", ("insz", "year"), "sqlite_autoindex_flexi_totals_1", "env=? AND insz=? AND year=?"),
]
#: With this many keys an IN list made the planner scan the environment through another index.
MANY = 500


@pytest.mark.parametrize(("table", "keys", "index", "columns"), LOOKUPS)
def test_each_batch_lookup_searches_its_index_for_every_key(
    tmp_path: Path, table: str, keys: tuple[str, ...], index: str, columns: str
) -> None:
    store = SqliteStore(str(tmp_path / "state.db"))
    sql = keyed_select("env", table, keys, MANY)
    plan = " | ".join(
        row[3] for row in store._db.execute("EXPLAIN QUERY PLAN " + sql, ("x",) * (MANY * len(keys)) + ("R",))
    )
    store.close()
    assert re.search(rf"SEARCH t USING (COVERING )?INDEX {index} \({re.escape(columns)}\)", plan), plan
    assert "SCAN t" not in plan, plan


def test_a_pair_lookup_from_a_day_searches_the_index_down_to_the_last_day(tmp_path: Path) -> None:
    """Without it SQLite reads every period of the worker's history to test the day."""
    store = SqliteStore(str(tmp_path / "state.db"))
    sql = keyed_select("env", "periods", ("employer_key", "worker_key"), MANY, "t.last_day >= ?")
    plan = " | ".join(
        row[3]
        for row in store._db.execute("EXPLAIN QUERY PLAN " + sql, ("x",) * (MANY * 2) + ("R", "2026-07-01"))
    )
    store.close()
    expected = "INDEX periods_pair (env=? AND employer_key=? AND worker_key=? AND last_day>?)"
    assert re.search(rf"SEARCH t USING (COVERING )?{re.escape(expected)}", plan), plan


def test_lookups_find_exactly_the_rows_asked_for(tmp_path: Path) -> None:
    """The join returns each wanted period once, and nothing of other pairs or environments."""
    from support.builders import INSZ_A, INSZ_B, dimona, dimona_in
    from support.channel import Channel

    channel = Channel(tmp_path)
    channel.decide(
        dimona(dimona_in(insz=INSZ_A), dimona_in(insz=INSZ_B), dimona_in(insz=INSZ_A, start="2026-06-26"))
    )
    channel.decide(dimona(dimona_in(insz=INSZ_A)), env="T")
    found = channel.store.periods.by_pair(
        "R", [("175110801", INSZ_A), ("175110801", INSZ_A), ("999", INSZ_B)]
    )
    assert sorted(p.schedule.start_date.isoformat() for p in found) == ["2026-06-25", "2026-06-26"]
    assert {p.env for p in found} == {"R"}
    channel.close()


#: Two quarters and a bit: lookups from a day often fall inside an earlier period's quarter.
days = st.dates(min_value=date(2026, 5, 1), max_value=date(2026, 10, 31))


@st.composite
def periods(draw: st.DrawFn, number: int) -> Period:
    start = draw(days)
    hour = st.none() | st.sampled_from([time(0, 0), time(9, 30), time(23, 59)])
    end_date = draw(st.none() | st.integers(-3, 120).map(lambda days: start + timedelta(days)))
    schedule = Schedule(start, draw(hour), end_date, draw(hour))
    return Period(with_check(number), "R", "175110801", None, None, "85073003328", "85073003328", schedule)


@settings(max_examples=50, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(
    st.lists(st.integers(0, 40), min_size=1, max_size=40, unique=True).flatmap(
        lambda numbers: st.tuples(*(periods(n) for n in numbers))
    ),
    days,
)
def test_a_pair_lookup_from_a_day_returns_the_periods_that_can_still_run_on_it(
    tmp_path_factory: pytest.TempPathFactory, stored: tuple[Period, ...], day: date
) -> None:
    """The SQL filter is `Schedule.last_day`, on every shape of period, on a real SQLite file."""
    store = SqliteStore(str(tmp_path_factory.mktemp("lookup") / "state.db"))
    with store.transaction():
        store.periods.save_changes(
            [PeriodChange(p, "IN", p.period_id, "TICKET", "123456") for p in stored], datetime(2026, 6, 24)
        )
    pair = [("175110801", "85073003328")]
    found = {p.period_id for p in store.periods.by_pair("R", pair, day)}
    everything = {p.period_id for p in store.periods.by_pair("R", pair)}
    store.close()
    assert found == {p.period_id for p in stored if p.schedule.last_day >= day}
    assert everything == {p.period_id for p in stored}
