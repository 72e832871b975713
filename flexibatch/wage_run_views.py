"""The wage run as the views show it (`employer ID --from --to`, `worker INSZ --year`), and the
values every view writes the same way: amounts, a period's times, a calculation, an employer.

The records' fields are the `--json` keys; statuses are the language-neutral codes of
`domain/wage_run.RunStatus`. Reading: the active periods and situations that meet the range, then,
when they reach beyond it, those of the days they cover (`domain/wage_run.window`), so that a
period crossing the range's end is matched with the transfer for its last days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flexibatch.domain.dimona import Period
from flexibatch.domain.flexi import Situation
from flexibatch.domain.refdata import RefData
from flexibatch.domain.wage_run import PeriodRun, SituationRun, reconcile, window
from flexibatch.store.ports import Store


@dataclass(frozen=True, slots=True, unsafe_hash=True)
class DaysView:
    start: str
    end: str


@dataclass(frozen=True, slots=True, unsafe_hash=True)
class CalculationView:
    start: str
    end: str
    worker_code: str
    wage: str
    premium: str
    #: The validity periods of its Features (the calculation period for one stored before they were kept).
    validity: list[DaysView]


@dataclass(frozen=True, slots=True, unsafe_hash=True)
class RunPeriod:
    period_id: str
    start: str
    end: str | None
    status: str
    #: The relation ids of the wage transfers that pay it.
    wages: list[str]


@dataclass(frozen=True, slots=True, unsafe_hash=True)
class RunSituation:
    relation_id: str
    version: int
    status: str
    #: The Dimona period ids behind it.
    dimona: list[str]
    calculations: list[CalculationView]


@dataclass(frozen=True, slots=True, unsafe_hash=True)
class RunWorker:
    insz: str
    employer: str
    status: str
    periods: list[RunPeriod]
    situations: list[RunSituation]


def euros(cents: int) -> str:
    return f"{cents / 100:.2f}"


def period_times(period: Period) -> tuple[str, str | None]:
    """A period's start and end as the views show them: with hours, date and hour; without, the
    dates (no end while it is open)."""
    s = period.schedule
    if s.has_hours:
        return f"{s.start:%Y-%m-%d %H:%M}", f"{s.end:%Y-%m-%d %H:%M}"
    return s.start_date.isoformat(), s.end_date.isoformat() if s.end_date else None


def calculation_views(situation: Situation) -> list[CalculationView]:
    return [
        CalculationView(
            start=c.start.isoformat(),
            end=c.end.isoformat(),
            worker_code=c.worker_code,
            wage=euros(c.wage),
            premium=euros(c.premium),
            validity=[DaysView(a.isoformat(), b.isoformat()) for a, b in c.validities()],
        )
        for c in situation.calculations
    ]


def employer_name(key: str, refdata: RefData) -> str:
    record = refdata.employer_by_key(key)
    return f"{record.name} ({record.noss or record.company_id})" if record else key


def _period(run: PeriodRun) -> RunPeriod:
    start, end = period_times(run.period)
    return RunPeriod(run.period.period_id, start, end, run.status.value, list(run.paid_by))


def _situation(run: SituationRun) -> RunSituation:
    s = run.situation
    return RunSituation(s.relation_id, s.version, run.status.value, list(run.backed_by), calculation_views(s))


def wage_run(
    store: Store,
    env: str,
    first: date,
    last: date,
    refdata: RefData,
    *,
    employer_key: str | None = None,
    insz: str | None = None,
) -> list[RunWorker]:
    """The wage run of one employer's workers, or of one worker's employers, from `first` to `last`."""

    def read(low: date, high: date) -> tuple[list[Period], list[Situation]]:
        periods = store.periods.active_between(env, low, high, employer_key=employer_key, insz=insz)
        situations = store.situations.active_between(env, low, high, employer_key=employer_key, insz=insz)
        return periods, situations

    periods, situations = read(first, last)
    wider = window(periods, situations, first, last)
    if wider != (first, last):
        periods, situations = read(*wider)
    return [
        RunWorker(
            insz=run.worker,
            employer=employer_name(run.employer_key, refdata),
            status=run.status.value,
            periods=[_period(p) for p in run.periods],
            situations=[_situation(s) for s in run.situations],
        )
        for run in reconcile(periods, situations, first, last)
    ]
