"""The Dimona periods' and the Flexi at work situations' contract, on every backend."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time

import pytest

from flexibatch.domain.dimona import Period, PeriodChange, PeriodStatus, Schedule
from flexibatch.domain.flexi import CalculationSummary, Situation, SituationChange, SituationStatus
from flexibatch.domain.ids import with_check
from flexibatch.store import Store
from flexibatch.store.base import VersionRecord

STAMP = datetime(2026, 6, 24, 11, 50)
BRASSERIE = "175110801"
WORKER_A = "85073003328"
WORKER_B = "90010100107"


def period(number: int, schedule: Schedule, *, env: str = "R", worker: str = WORKER_A) -> Period:
    return Period(
        with_check(2_000_000_000 + number), env, BRASSERIE, BRASSERIE, None, worker, worker, schedule
    )


def saved(store: Store, *periods: Period, action: str = "IN") -> None:
    with store.transaction():
        store.periods.save_changes(
            (
                PeriodChange(p, action, with_check(7_000_000_000 + n), "TICKET", "123456")
                for n, p in enumerate(periods)
            ),
            STAMP,
        )


ONE_DAY = Schedule(date(2026, 6, 1), time(10, 0), None, time(14, 0))
A_WEEK = Schedule(date(2026, 6, 1), None, date(2026, 6, 7))
OPEN = Schedule(date(2026, 6, 1), time(22, 0), date(2026, 6, 2), time(6, 0))


def test_periods_read_back_by_id_in_their_environment(store: Store) -> None:
    stored = [period(1, ONE_DAY), period(2, A_WEEK), period(3, OPEN, env="T")]
    saved(store, *stored)
    ids = [p.period_id for p in stored]
    assert sorted(store.periods.by_id("R", [*ids, with_check(1)]), key=lambda p: p.period_id) == stored[:2]
    assert store.periods.by_id("T", ids) == [stored[2]]
    assert store.periods.count() == 3
    assert store.periods.count("R") == 2


def test_periods_by_pair_from_a_day_leave_the_older_history_out(store: Store) -> None:
    may = period(1, Schedule(date(2026, 5, 4), time(9, 0), None, time(17, 0)))
    june = period(2, A_WEEK)
    other = period(3, A_WEEK, worker=WORKER_B)
    saved(store, may, june, other)
    pair = [(BRASSERIE, WORKER_A)]
    assert sorted(p.period_id for p in store.periods.by_pair("R", pair)) == [may.period_id, june.period_id]
    assert store.periods.by_pair("R", pair, date(2026, 6, 7)) == [june]
    assert store.periods.by_pair("R", pair, date(2026, 6, 8)) == []
    assert store.periods.by_pair("T", pair) == []
    both = store.periods.by_pair("R", [(BRASSERIE, WORKER_A), (BRASSERIE, WORKER_B), (BRASSERIE, WORKER_A)])
    assert sorted(p.period_id for p in both) == sorted(p.period_id for p in (may, june, other))


def test_a_period_changed_twice_in_a_batch_ends_at_its_last_version(store: Store) -> None:
    first = period(1, ONE_DAY)
    longer = replace(first, schedule=Schedule(date(2026, 6, 1), time(10, 0), None, time(18, 0)), version=2)
    cancelled = replace(longer, status=PeriodStatus.CANCELLED, version=3)
    with store.transaction():
        store.periods.save_changes(
            [
                PeriodChange(first, "IN", with_check(7_000_000_001), "TICKET", "123456"),
                PeriodChange(longer, "UPDATE", with_check(7_000_000_002), "TICKET", "123456"),
                PeriodChange(cancelled, "CANCEL", with_check(7_000_000_003), "TICKET", "123456"),
            ],
            STAMP,
        )
    assert store.periods.by_id("R", [first.period_id]) == [cancelled]
    assert store.periods.count() == 1
    saved(store, replace(cancelled, status=PeriodStatus.ACTIVE, version=4), action="UPDATE")
    assert [p.version for p in store.periods.by_id("R", [first.period_id])] == [4]
    assert store.periods.versions("R", first.period_id) == [
        VersionRecord(1, "IN", "ACTIVE", with_check(7_000_000_001), "TICKET", STAMP),
        VersionRecord(2, "UPDATE", "ACTIVE", with_check(7_000_000_002), "TICKET", STAMP),
        VersionRecord(3, "CANCEL", "CANCELLED", with_check(7_000_000_003), "TICKET", STAMP),
        VersionRecord(4, "UPDATE", "ACTIVE", with_check(7_000_000_000), "TICKET", STAMP),
    ], "both changes of one batch are kept, in document order"
    assert store.periods.versions("T", first.period_id) == [], "a period is of one environment"


def test_a_workers_and_an_employers_periods_come_in_start_order(store: Store) -> None:
    late = period(1, Schedule(date(2026, 6, 3), time(8, 0), None, time(12, 0)))
    early = period(2, Schedule(date(2026, 6, 3), time(6, 0), None, time(7, 0)))
    earliest = period(3, Schedule(date(2026, 6, 1)), worker=WORKER_B)
    no_hour = period(4, Schedule(date(2026, 6, 3)))  # no start hour: before the day's hours
    saved(store, late, early, earliest, no_hour)
    assert store.periods.of("R", insz=WORKER_A) == [no_hour, early, late]
    assert store.periods.of("R", employer_key=BRASSERIE) == [earliest, no_hour, early, late]
    assert store.periods.of("T", insz=WORKER_A) == []


def test_periods_saved_in_a_rolled_back_transaction_are_not_kept(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        store.periods.save_changes([PeriodChange(period(1, ONE_DAY), "IN", "D", "TICKET", "123456")], STAMP)
        raise RuntimeError
    assert store.periods.count() == 0


def situation(relation: str, *, insz: str = WORKER_A, version: int = 1, wage: int = 10_000) -> Situation:
    return Situation(
        "R",
        BRASSERIE,
        insz,
        relation,
        BRASSERIE,
        None,
        SituationStatus.ACTIVE,
        version,
        (CalculationSummary(date(2026, 6, 1), date(2026, 6, 30), "050", wage, 250),),
    )


def test_situations_and_yearly_totals_read_back_by_key(store: Store) -> None:
    first, second = situation("rel-1"), situation("rel-2", insz=WORKER_B)
    with store.transaction():
        store.situations.save_changes(
            "R",
            [
                SituationChange(first, "0", "D1", "TICKET", "123456"),
                SituationChange(second, "0", "D2", "TICKET", "123456"),
            ],
            {(WORKER_A, 2026): 10_000, (WORKER_B, 2026): 20_000},
            STAMP,
        )
    key = (BRASSERIE, WORKER_A, "rel-1")
    assert store.situations.by_key("R", [key, (BRASSERIE, WORKER_A, "rel-9")]) == [first]
    assert store.situations.by_key("T", [key]) == []
    assert store.situations.totals("R", [(WORKER_A, 2026), (WORKER_A, 2025)]) == {(WORKER_A, 2026): 10_000}
    assert store.situations.totals("T", [(WORKER_A, 2026)]) == {}
    assert store.situations.of("R", insz=WORKER_B) == [second]
    assert store.situations.of("R", employer_key=BRASSERIE) == [first, second]
    assert store.situations.totals_of("R", WORKER_A) == {2026: 10_000}


def test_a_situation_changed_again_ends_at_its_last_version_and_its_total_is_replaced(store: Store) -> None:
    first = situation("rel-1")
    changed = situation("rel-1", version=2, wage=30_000)
    cancelled = replace(changed, status=SituationStatus.CANCELLED, version=3, calculations=())
    with store.transaction():
        store.situations.save_changes(
            "R",
            [
                SituationChange(first, "0", "D1", "TICKET", "123456"),
                SituationChange(changed, "1", "D2", "TICKET", "123456"),
            ],
            {(WORKER_A, 2026): 30_000},
            STAMP,
        )
    with store.transaction():
        store.situations.save_changes(
            "R", [SituationChange(cancelled, "3", "D3", "TICKET2", "123456")], {(WORKER_A, 2026): 0}, STAMP
        )
    assert store.situations.by_key("R", [(BRASSERIE, WORKER_A, "rel-1")]) == [cancelled]
    assert store.situations.totals_of("R", WORKER_A) == {2026: 0}
    assert store.situations.versions("R", (BRASSERIE, WORKER_A, "rel-1")) == [
        VersionRecord(1, "0", "ACTIVE", "D1", "TICKET", STAMP),
        VersionRecord(2, "1", "ACTIVE", "D2", "TICKET", STAMP),
        VersionRecord(3, "3", "CANCELLED", "D3", "TICKET2", STAMP),
    ]
    assert store.situations.versions("T", (BRASSERIE, WORKER_A, "rel-1")) == []
