"""The wage run's lookups (`active_between`), on every backend: an employer's or a worker's active
periods and situations that meet a range of days, in one environment."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time

from flexibatch.domain.dimona import Period, PeriodChange, PeriodStatus, Schedule
from flexibatch.domain.flexi import CalculationSummary, Situation, SituationChange, SituationStatus
from flexibatch.store import Store

STAMP = datetime(2026, 6, 24, 11, 50)
EMPLOYER, OTHER = "175110801", "175110995"
WORKER = "85073003328"
JUNE = (date(2026, 6, 1), date(2026, 6, 30))


def _period(pid: str, schedule: Schedule, employer: str = EMPLOYER, env: str = "R") -> Period:
    return Period(pid, env, employer, employer, None, WORKER, WORKER, schedule)


def _situation(
    relation: str, first: date, last: date, *validity: tuple[date, date], env: str = "R"
) -> Situation:
    calc = CalculationSummary(first, last, "050", 10_000, 0, validity)
    return Situation(env, EMPLOYER, WORKER, relation, EMPLOYER, None, SituationStatus.ACTIVE, 1, (calc,))


def test_active_periods_meeting_the_range_by_employer_or_worker(store: Store) -> None:
    may_to_june = _period("P1", Schedule(date(2026, 5, 20), None, date(2026, 6, 2)))
    june = _period("P2", Schedule(date(2026, 6, 30), time(22, 0), date(2026, 7, 1), time(2, 0)))
    july = _period("P3", Schedule(date(2026, 7, 1), time(10, 0), None, time(14, 0)))
    cancelled = _period("P4", Schedule(date(2026, 6, 10), time(10, 0), None, time(14, 0)))
    elsewhere = _period("P5", Schedule(date(2026, 6, 10), time(10, 0), None, time(14, 0)), employer=OTHER)
    in_test = _period("P6", Schedule(date(2026, 6, 11), time(10, 0), None, time(14, 0)), env="T")
    withdrawn = cancelled.changed(status=PeriodStatus.CANCELLED)
    changes = [may_to_june, june, july, cancelled, elsewhere, in_test]
    with store.transaction():
        store.periods.save_changes(
            [PeriodChange(p, "IN", f"D{p.period_id}", "TICKET", "123456") for p in changes]
            + [PeriodChange(withdrawn, "CANCEL", "DC", "TICKET", "123456")],
            STAMP,
        )

    by_employer = store.periods.active_between("R", *JUNE, employer_key=EMPLOYER)
    by_worker = store.periods.active_between("R", *JUNE, insz=WORKER)

    assert by_employer == [may_to_june, june]
    assert by_worker == [may_to_june, elsewhere, june]
    assert store.periods.active_between("T", *JUNE, insz=WORKER) == [in_test]
    assert store.periods.active_between("R", date(2026, 7, 1), date(2026, 7, 1), employer_key=EMPLOYER) == [
        june,
        july,
    ]


def test_active_situations_whose_calculations_meet_the_range(store: Store) -> None:
    june = _situation("june", *JUNE, (date(2026, 6, 25), date(2026, 6, 25)))
    may = _situation("may", date(2026, 5, 1), date(2026, 5, 31))
    cancelled = _situation("gone", *JUNE)
    in_test = _situation("test", *JUNE, env="T")
    with store.transaction():
        store.situations.save_changes(
            "R",
            [SituationChange(s, "0", f"F{s.relation_id}", "TICKET", "123456") for s in (june, may, cancelled)]
            + [
                SituationChange(
                    replace(cancelled, status=SituationStatus.CANCELLED, version=2),
                    "3",
                    "FX",
                    "TICKET",
                    "123456",
                )
            ],
            {},
            STAMP,
        )
        store.situations.save_changes(
            "T", [SituationChange(in_test, "0", "FT", "TICKET", "123456")], {}, STAMP
        )

    found = store.situations.active_between("R", date(2026, 6, 30), date(2026, 7, 31), employer_key=EMPLOYER)

    assert found == [june], "read back with its validity"
    assert store.situations.active_between("R", *JUNE, insz=WORKER) == [june]
    assert store.situations.active_between("R", date(2026, 5, 31), date(2026, 6, 1), insz=WORKER) == [
        june,
        may,
    ]
    assert store.situations.active_between("T", *JUNE, employer_key=EMPLOYER) == [in_test]
