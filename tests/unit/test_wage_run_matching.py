"""The wage run's matching (domain/wage_run.py) on the edges the CLI tests do not reach."""

from __future__ import annotations

from datetime import date, time

from flexibatch.domain.dimona import Period, PeriodStatus, Schedule
from flexibatch.domain.flexi import CalculationSummary, Situation, SituationStatus
from flexibatch.domain.wage_run import RunStatus, reconcile, window

JUNE = (date(2026, 6, 1), date(2026, 6, 30))
WORKER = "85031212362"


def period(
    pid: str, schedule: Schedule, status: PeriodStatus = PeriodStatus.ACTIVE, employer: str = "E"
) -> Period:
    return Period(pid, "R", employer, None, None, WORKER, WORKER, schedule, status)


def situation(
    relation: str, *validity: tuple[date, date], status: SituationStatus = SituationStatus.ACTIVE
) -> Situation:
    calc = CalculationSummary(date(2026, 6, 1), date(2026, 6, 30), "050", 100, 0, validity)
    return Situation("R", "E", WORKER, relation, None, None, status, 1, (calc,))


def test_a_period_ending_at_midnight_before_the_range_does_not_meet_it() -> None:
    night = period("P1", Schedule(date(2026, 5, 31), time(20, 0), date(2026, 6, 1), time(0, 0)))

    assert reconcile([night], [], *JUNE) == []


def test_a_transfer_is_backed_only_when_each_of_its_validity_periods_in_the_range_is() -> None:
    shift = period("P1", Schedule(date(2026, 6, 10), time(10, 0), None, time(14, 0)))
    two = situation("r", (date(2026, 6, 10), date(2026, 6, 10)), (date(2026, 6, 20), date(2026, 6, 20)))

    (run,) = reconcile([shift], [two], *JUNE)

    assert [(s.status, s.backed_by) for s in run.situations] == [(RunStatus.WAGES_WITHOUT_DIMONA, ("P1",))]
    assert [(p.status, p.paid_by) for p in run.periods] == [(RunStatus.WAGES_SENT, ("r",))]
    assert run.status is RunStatus.WAGES_WITHOUT_DIMONA


def test_a_validity_period_outside_the_range_is_not_asked_for_a_dimona() -> None:
    shift = period("P1", Schedule(date(2026, 6, 10), time(10, 0), None, time(14, 0)))
    spanning = situation("r", (date(2026, 6, 10), date(2026, 6, 10)), (date(2026, 7, 2), date(2026, 7, 2)))

    (run,) = reconcile([shift], [spanning], date(2026, 6, 1), date(2026, 6, 15))

    assert run.status is RunStatus.WAGES_SENT


def test_a_still_unpaid_period_comes_before_a_transfer_without_dimona() -> None:
    shift = period("P1", Schedule(date(2026, 6, 10), time(10, 0), None, time(14, 0)))
    elsewhere = situation("r", (date(2026, 6, 20), date(2026, 6, 20)))

    (run,) = reconcile([shift], [elsewhere], *JUNE)

    assert run.status is RunStatus.DIMONA_WITHOUT_WAGES


def test_cancelled_periods_and_situations_count_as_absent() -> None:
    cancelled = period(
        "P1", Schedule(date(2026, 6, 10), time(10, 0), None, time(14, 0)), PeriodStatus.CANCELLED
    )
    withdrawn = situation("r", (date(2026, 6, 10), date(2026, 6, 10)), status=SituationStatus.CANCELLED)

    assert reconcile([cancelled], [withdrawn], *JUNE) == []


def test_each_employer_is_reconciled_apart() -> None:
    shift = period("P1", Schedule(date(2026, 6, 10), time(10, 0), None, time(14, 0)), employer="OTHER")
    pay = situation("r", (date(2026, 6, 10), date(2026, 6, 10)))

    runs = reconcile([shift], [pay], *JUNE)

    assert [(r.employer_key, r.status) for r in runs] == [
        ("E", RunStatus.WAGES_WITHOUT_DIMONA),
        ("OTHER", RunStatus.DIMONA_WITHOUT_WAGES),
    ]


def test_the_window_reaches_the_whole_of_what_meets_the_range() -> None:
    open_ended = period("P1", Schedule(date(2026, 5, 20)))  # no hours, no end: to the end of Q2

    assert window([open_ended], [situation("r")], *JUNE) == (date(2026, 5, 20), date(2026, 6, 30))
    assert window([], [], *JUNE) == JUNE
