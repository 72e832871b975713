"""The store's keyed lookups on an analysed store of realistic size: what production meets.

A long-lived SQLite database gets statistics (ANALYZE, which `PRAGMA optimize` runs and the store
runs when it closes), and with them the planner chooses other plans. On a store holding 3 000 periods
it put a Bloom filter in front of the pair lookup, which SQLite filled by testing the indexed
last-day expression against an index it was not reading: the lookup found nothing, and 3 000
overlapping INs were all accepted. Every lookup is tested here after ANALYZE, against the rows the
test wrote.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from flexibatch.domain.dimona import Period, PeriodChange, Schedule
from flexibatch.domain.flexi import CalculationSummary, Situation, SituationChange, SituationStatus
from flexibatch.domain.ids import with_check
from flexibatch.domain.results import SubmissionOutcome
from flexibatch.store.base import AnswerRecord, SubmissionRecord
from flexibatch.store.sqlite import OPTIMIZE_EVERY_SECONDS, SqliteStore
from support.builders import dimona, dimona_in
from support.channel import Channel
from support.cli import workers

PERIODS = 20_000
PAIRS = 4_000
SITUATIONS = 6_000
SUBMISSIONS = 2_000


def _analysed(store: SqliteStore) -> None:
    store._db.execute("ANALYZE")
    stats = store._db.execute("SELECT count(*) FROM sqlite_stat1").fetchone()[0]
    assert stats > 0, "ANALYZE wrote no statistics: the test would meet the unanalysed plans"


def test_overlapping_ins_are_refused_on_an_analysed_store(tmp_path: Path) -> None:
    """The issue's scenario through the channel: a month of one-day periods, statistics, then an
    overlapping IN for each of the same workers on the same day."""
    channel = Channel(tmp_path)
    staff = workers(3000)
    first = channel.decide(dimona(*(dimona_in(insz=insz) for insz in staff)))
    assert all(d.accepted for d in first)
    _analysed(channel.store)
    again = channel.decide(
        dimona(*(dimona_in(insz=insz, start_hour="1200", end_hour="1600") for insz in staff))
    )
    refused = [d for d in again if not d.accepted and "90373-334" in d.codes]
    channel.close()
    assert len(refused) == len(staff)


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> tuple[SqliteStore, list[Period], list[Situation]]:
    """A store with periods of every shape over a year, situations, totals and submissions,
    written through the store's own methods and then analysed."""
    store = SqliteStore(str(tmp_path_factory.mktemp("analysed") / "state.db"))
    periods = []
    for number in range(PERIODS):
        pair = (number * 7919) % PAIRS  # scattered, as workers come
        start = date(2026, 1, 1) + timedelta(days=(number * 37) % 365)
        shape = number % 3
        if shape == 0:
            schedule = Schedule(start, time(10, 0), None, time(14, 0))
        elif shape == 1:
            schedule = Schedule(start, None, start + timedelta(days=number % 5))
        else:
            schedule = Schedule(start)
        env = "R" if number % 10 else "T"
        periods.append(
            Period(with_check(10**9 + number), env, f"E{pair % 97}", None, None, f"W{pair}", None, schedule)
        )
    situations = [
        Situation(
            "R",
            f"E{number % 97}",
            f"W{number % PAIRS}",
            f"rel-{number}",
            None,
            None,
            SituationStatus.ACTIVE,
            1,
            (CalculationSummary(date(2026, 6, 1), date(2026, 6, 30), "050", 10_000, 0),),
        )
        for number in range(SITUATIONS)
    ]
    stamp = datetime(2026, 6, 24, 11, 50)
    with store.transaction():
        store.periods.save_changes(
            (PeriodChange(p, "IN", p.period_id, "FILE", "123456") for p in periods), stamp
        )
        store.situations.save_changes(
            "R",
            (SituationChange(s, "0", "D", "FILE", "123456") for s in situations),
            {(f"W{n}", 2026): n for n in range(PAIRS)},
            stamp,
        )
        for number in range(SUBMISSIONS):
            ticket = f"T{number:012d}"
            store.submissions.record(
                SubmissionRecord(
                    ticket,
                    "123456",
                    f"FI.DIMN.123456.20260624.{number:05d}.R.1.1.xml",
                    "DIMN",
                    "123456",
                    "20260624",
                    f"{number:05d}",
                    "R",
                    f"sha{number}",
                    stamp,
                    SubmissionOutcome.ACCEPTED if number % 3 else SubmissionOutcome.REFUSED,
                )
            )
            store.answers.record([AnswerRecord(ticket, 1, "123456", f"FO.ACRF.{number}")])
    _analysed(store)
    return store, periods, situations


def test_periods_by_id_find_every_stored_period(
    filled: tuple[SqliteStore, list[Period], list[Situation]],
) -> None:
    store, periods, _ = filled
    wanted = periods[::7]
    found = store.periods.by_id("R", [p.period_id for p in wanted] + ["000000000000"])
    assert {p.period_id for p in found} == {p.period_id for p in wanted if p.env == "R"}


@pytest.mark.parametrize("running_on", [None, date(2026, 3, 31), date(2026, 7, 1), date(2026, 12, 1)])
def test_periods_by_pair_find_every_period_that_can_still_run(
    filled: tuple[SqliteStore, list[Period], list[Situation]], running_on: date | None
) -> None:
    store, periods, _ = filled
    pairs = [(f"E{pair % 97}", f"W{pair}") for pair in range(0, PAIRS, 3)]
    asked = set(pairs)
    found = store.periods.by_pair("R", pairs, running_on)
    expected = {
        p.period_id
        for p in periods
        if p.env == "R"
        and (p.employer_key, p.worker_key) in asked
        and (running_on is None or p.schedule.last_day >= running_on)
    }
    assert expected, "the test asks for nothing"
    assert sorted(p.period_id for p in found) == sorted(expected)


def test_situations_and_totals_find_every_stored_key(
    filled: tuple[SqliteStore, list[Period], list[Situation]],
) -> None:
    store, _, situations = filled
    wanted = situations[::5]
    found = store.situations.by_key("R", [(s.employer_key, s.insz, s.relation_id) for s in wanted])
    assert {s.relation_id for s in found} == {s.relation_id for s in wanted}
    totals = store.situations.totals("R", [(f"W{n}", 2026) for n in range(0, PAIRS, 4)] + [("W1", 2025)])
    assert totals == {(f"W{n}", 2026): n for n in range(0, PAIRS, 4)}


def test_names_and_contents_are_found_among_the_accepted_only(
    filled: tuple[SqliteStore, list[Period], list[Situation]],
) -> None:
    store, _, _ = filled
    for number in (1, 2, 3, SUBMISSIONS - 1):
        accepted = number % 3 != 0
        key = ("DIMN", "123456", "20260624", f"{number:05d}", "R")
        assert store.submissions.name_used(key) is accepted
        assert (store.submissions.content_received(f"sha{number}", "R") is not None) is accepted
        assert store.answers.name_taken("123456", f"FO.ACRF.{number}")
    assert not store.answers.name_taken("123456", "FO.ACRF.unknown")


def test_a_long_lived_store_gathers_statistics_every_few_hours_and_still_waits_for_writers(
    tmp_path: Path,
) -> None:
    """`watch` keeps its store open for months: after a commit a few hours on, the store runs
    `PRAGMA optimize` (SQLite's advice for long-lived connections), then waits for other writers
    as long as before."""
    store = SqliteStore(str(tmp_path / "state.db"), busy_timeout=7.5)
    staff = [(f"E{n % 7}", f"W{n}") for n in range(500)]
    stamp = datetime(2026, 6, 24, 11, 50)
    changes = [
        PeriodChange(
            Period(with_check(10**9 + n), "R", e, None, None, w, None, Schedule(date(2026, 6, 25))),
            "IN",
            "D",
            "FILE",
            "123456",
        )
        for n, (e, w) in enumerate(staff)
    ]
    with store.transaction():
        store.periods.save_changes(changes, stamp)
    store.periods.by_pair("R", staff, date(2026, 6, 25))  # the planner used the index: worth analysing
    assert (
        store._db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone()[0] == 0
    )
    store._optimized -= OPTIMIZE_EVERY_SECONDS + 1  # a few hours on
    with store.transaction():
        store.counters.reserve("ticket", 1)
    stats = store._db.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'periods'").fetchone()[0]
    timeout = store._db.execute("PRAGMA busy_timeout").fetchone()[0]
    store.close()
    assert stats > 0
    assert timeout == 7500
