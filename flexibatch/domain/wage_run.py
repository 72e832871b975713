"""The employer's wage run: Dimona FLX periods against Flexi at work wage transfers, in a range of days.

The Flexi at work service starts every wage transfer this way: the employer gives a range, gets the
flexi-jobbers with a Dimona in it, and pays them. This is that reconciliation, for one employer and
every worker, or one worker and every employer. Pure: active periods and active situations in (a
cancelled period or situation counts as absent), one `WorkerRun` per (employer, worker) out.

- A period *meets* the range when it runs at some moment of it (00:00 of the first day to 24:00 of
  the last): one crossing either end counts. A situation meets it when one of its validity periods
  (those of its Features; dates inclusive) does.
- A period has *wages sent* when a validity period of an active situation of the same employer and
  worker overlaps it, else it is *Dimona without wages*.
- A situation has *wages sent* when each of its validity periods that meets the range is overlapped
  by an active period of the same employer and worker, else it is *wages without Dimona*: 00024-152
  (SPEC 8) seen from the employer's side, on today's state (a period cancelled after the transfer
  counts as absent).
- A worker is *Dimona without wages* when one of their periods is (they are still to be paid), else
  *wages without Dimona* when one of their situations is, else *wages sent*.

Both sides are matched whole, as 00024-152 matches them: a period crossing the range's end is paid
by a transfer for the days after it, and a transfer is backed by a period that began before the
range. `window` says which days to read so that those matches are found too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from flexibatch.domain.dimona import Period, Schedule
from flexibatch.domain.flexi import Situation


class RunStatus(StrEnum):
    """The status of a worker, a period or a situation in a wage run (the `--json` codes)."""

    WAGES_SENT = "wages_sent"
    DIMONA_WITHOUT_WAGES = "dimona_without_wages"
    WAGES_WITHOUT_DIMONA = "wages_without_dimona"


@dataclass(frozen=True, slots=True, unsafe_hash=True)
class PeriodRun:
    period: Period
    status: RunStatus
    #: The relation ids of the active situations whose validity overlaps the period.
    paid_by: tuple[str, ...]


@dataclass(frozen=True, slots=True, unsafe_hash=True)
class SituationRun:
    situation: Situation
    status: RunStatus
    #: The ids of the active periods that overlap a validity period of it meeting the range.
    backed_by: tuple[str, ...]


@dataclass(frozen=True, slots=True, unsafe_hash=True)
class WorkerRun:
    employer_key: str
    worker: str  # the INSZ, or the worker key of a period declared without one
    status: RunStatus
    periods: tuple[PeriodRun, ...]
    situations: tuple[SituationRun, ...]


def days(first: date, last: date) -> Schedule:
    """The range as the time model reads it: 00:00 of `first` to 24:00 of `last`."""
    return Schedule(first, end_date=last)


def validities(situation: Situation) -> list[Schedule]:
    """A situation's validity periods, dates inclusive (as 00024-152 reads them)."""
    return [
        Schedule(start, end_date=max(start, end))
        for calc in situation.calculations
        for start, end in calc.validities()
    ]


def window(
    periods: Iterable[Period], situations: Iterable[Situation], first: date, last: date
) -> tuple[date, date]:
    """The days to read so that every match of what meets the range is found: the range, widened to
    the whole of each period and each situation's calculations that a first reading found."""
    low, high = first, last
    for period in periods:
        low, high = min(low, period.schedule.start_date), max(high, period.schedule.last_day)
    for situation in situations:
        for calc in situation.calculations:
            low, high = min(low, calc.start), max(high, calc.end)
    return low, high


def _worker(period: Period) -> str:
    return period.insz or period.worker_key


def _pair_run(
    key: tuple[str, str], periods: list[Period], situations: list[Situation], span: Schedule
) -> WorkerRun | None:
    valid = {s.relation_id: validities(s) for s in situations}
    period_runs = []
    for period in periods:
        if period.schedule.overlaps(span):
            paid_by = tuple(
                s.relation_id
                for s in situations
                if any(period.schedule.overlaps(v) for v in valid[s.relation_id])
            )
            status = RunStatus.WAGES_SENT if paid_by else RunStatus.DIMONA_WITHOUT_WAGES
            period_runs.append(PeriodRun(period, status, paid_by))
    situation_runs = []
    for situation in situations:
        meeting = [v for v in valid[situation.relation_id] if v.overlaps(span)]
        if meeting:
            backing = [[p.period_id for p in periods if p.schedule.overlaps(v)] for v in meeting]
            backed_by = tuple(dict.fromkeys(pid for ids in backing for pid in ids))
            status = RunStatus.WAGES_SENT if all(backing) else RunStatus.WAGES_WITHOUT_DIMONA
            situation_runs.append(SituationRun(situation, status, backed_by))
    if not period_runs and not situation_runs:
        return None
    statuses = {r.status for r in period_runs} | {r.status for r in situation_runs}
    worst = next(
        (s for s in (RunStatus.DIMONA_WITHOUT_WAGES, RunStatus.WAGES_WITHOUT_DIMONA) if s in statuses),
        RunStatus.WAGES_SENT,
    )
    return WorkerRun(key[0], key[1], worst, tuple(period_runs), tuple(situation_runs))


def reconcile(
    periods: Iterable[Period], situations: Iterable[Situation], first: date, last: date
) -> list[WorkerRun]:
    """The wage run of the days `first` to `last`, one entry per (employer, worker) with a period
    or a situation meeting them, sorted by employer and worker. `periods` and `situations` should
    hold everything of `window`'s days; cancelled ones are left out here too."""
    span = days(first, last)
    pairs: dict[tuple[str, str], tuple[list[Period], list[Situation]]] = {}
    for period in periods:
        if period.active:
            pairs.setdefault((period.employer_key, _worker(period)), ([], []))[0].append(period)
    for situation in situations:
        if situation.active:
            pairs.setdefault((situation.employer_key, situation.insz), ([], []))[1].append(situation)
    runs = (_pair_run(key, *pairs[key], span) for key in sorted(pairs))
    return [run for run in runs if run is not None]
