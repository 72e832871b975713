"""What `flexibatch status`, `worker` and `employer` show: typed records, rendered by the CLI.

The worker view is the worker's own overview: flexi income per employer and in total for a year,
against the ceiling, their Dimona periods of that year, and the year's wage run per employer. The
employer view is the service's home page: the workers with wage transfers, their situations, and
their Dimona periods; with a range of days, it is the wage run (`wage_run_views.py`): the workers
with a Dimona or a wage transfer in it, and what does not match. The status view lists the
recent submissions, those waiting in the inbox and those the processor failed. Each record's fields
are the keys of its `--json` (`dataclasses.asdict`). They are value records like the domain's
(`unsafe_hash`, tests/unit/test_records.py): made once, never assigned to.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flexibatch.channel.inbox import scan
from flexibatch.domain.dimona import Period
from flexibatch.domain.flexi import Situation, ceiling_for
from flexibatch.domain.ids import company_id_compact
from flexibatch.domain.refdata import EmployerRecord, RefData
from flexibatch.domain.wage_run import RunStatus, days
from flexibatch.errors import NotFound
from flexibatch.store.base import FailureRecord, SubmissionRecord
from flexibatch.store.ports import Store
from flexibatch.wage_run_views import (
    CalculationView,
    RunWorker,
    calculation_views,
    employer_name,
    euros,
    period_times,
    wage_run,
)


@dataclass(frozen=True, slots=True, unsafe_hash=True)
class PeriodView:
    period_id: str
    employer: str
    insz: str | None
    start: str
    end: str | None
    status: str


@dataclass(frozen=True, slots=True, unsafe_hash=True)
class SituationView:
    relation_id: str
    version: int
    status: str
    calculations: list[CalculationView]


@dataclass(frozen=True, slots=True, unsafe_hash=True)
class WorkerView:
    insz: str
    env: str
    year: int
    income_per_employer: dict[str, str]
    total: str
    ceiling: str | None
    margin: str | None
    pensioner: bool
    #: The worker's Dimona periods that run in the year, cancelled ones too.
    dimona_periods: list[PeriodView]
    #: The year's wage run, per employer: the active periods against the active wage transfers.
    wage_run: list[RunWorker]


@dataclass(frozen=True, slots=True, unsafe_hash=True)
class EmployerIdentity:
    name: str
    noss: str | None
    company_id: str | None


@dataclass(frozen=True, slots=True, unsafe_hash=True)
class EmployerWorker:
    insz: str
    situations: list[SituationView]
    dimona_periods: list[PeriodView]


@dataclass(frozen=True, slots=True, unsafe_hash=True)
class EmployerView:
    employer: EmployerIdentity
    env: str
    workers: list[EmployerWorker]


@dataclass(frozen=True, slots=True, unsafe_hash=True)
class EmployerRunView:
    """`employer ID --from --to`: the flexi-jobbers with an active Dimona period or wage transfer in
    the range, with their status; `counts` holds every status's number of workers in the range
    (before `--missing` keeps the workers still to pay)."""

    employer: EmployerIdentity
    env: str
    first_day: str
    last_day: str
    missing_only: bool
    counts: dict[str, int]
    workers: list[RunWorker]


@dataclass(frozen=True, slots=True, unsafe_hash=True)
class SubmissionLine:
    ticket: str
    received: str
    file: str
    outcome: str
    error_ids: list[str]
    declarations: int
    accepted: int
    warnings: int
    refused: int


@dataclass(frozen=True, slots=True, unsafe_hash=True)
class WaitingLine:
    folder: str | None
    key: str
    has_go: bool
    parts: int


@dataclass(frozen=True, slots=True, unsafe_hash=True)
class FailureLine:
    stage: str
    folder: str
    file: str
    ticket: str | None
    attempts: int
    reason: str
    failed_at: str
    retry_at: str | None
    quarantined: str | None


@dataclass(frozen=True, slots=True, unsafe_hash=True)
class StatusView:
    submissions: list[SubmissionLine]
    waiting: list[WaitingLine]
    failed: list[FailureLine]


def _period(period: Period, refdata: RefData) -> PeriodView:
    start, end = period_times(period)
    return PeriodView(
        period_id=period.period_id,
        employer=employer_name(period.employer_key, refdata),
        insz=period.insz,
        start=start,
        end=end,
        status=period.status.value,
    )


def _situation(situation: Situation) -> SituationView:
    return SituationView(
        relation_id=situation.relation_id,
        version=situation.version,
        status=situation.status.value,
        calculations=calculation_views(situation),
    )


def worker_view(store: Store, insz: str, year: int, env: str, ceilings: Mapping[int, int]) -> WorkerView:
    refdata = store.refdata.current()
    per_employer: dict[str, int] = {}
    for situation in store.situations.of(env, insz=insz):
        amount = situation.year_amounts().get(year, 0)
        if amount:
            name = employer_name(situation.employer_key, refdata)
            per_employer[name] = per_employer.get(name, 0) + amount
    total = store.situations.totals_of(env, insz).get(year, 0)
    pensioner = refdata.is_pensioner(insz, year)
    ceiling = None if pensioner else ceiling_for(ceilings, year)
    first, last = date(year, 1, 1), date(year, 12, 31)
    the_year = days(first, last)
    return WorkerView(
        insz=insz,
        env=env,
        year=year,
        income_per_employer={name: euros(cents) for name, cents in sorted(per_employer.items())},
        total=euros(total),
        ceiling=None if ceiling is None else euros(ceiling),
        margin=None if ceiling is None else euros(ceiling - total),
        pensioner=pensioner,
        dimona_periods=[
            _period(p, refdata) for p in store.periods.of(env, insz=insz) if p.schedule.overlaps(the_year)
        ],
        wage_run=wage_run(store, env, first, last, refdata, insz=insz),
    )


def find_employer(refdata: RefData, number: str) -> EmployerRecord:
    """An employer by its RSZ number or its enterprise number, as operators write them
    (`0400.767.772`, `BE0400767772`, `175110801`); NotFound when none is in the repertory."""
    number = re.sub(r"[^0-9]", "", number.strip().upper().removeprefix("BE"))
    record = refdata.employer_by_noss(number) if len(number) == 9 else None
    record = record or refdata.employer_by_company(company_id_compact(number))
    if record is None:
        raise NotFound(f"no employer {number} in the repertory: give its RSZ or enterprise number")
    return record


def employer_view(store: Store, number: str, env: str) -> EmployerView:
    refdata = store.refdata.current()
    record = find_employer(refdata, number)
    workers: dict[str, EmployerWorker] = {}

    def entry(insz: str) -> EmployerWorker:
        return workers.setdefault(insz, EmployerWorker(insz, [], []))

    for situation in store.situations.of(env, employer_key=record.key):
        entry(situation.insz).situations.append(_situation(situation))
    for period in store.periods.of(env, employer_key=record.key):
        entry(period.insz or period.worker_key).dimona_periods.append(_period(period, refdata))
    return EmployerView(
        employer=EmployerIdentity(record.name, record.noss, record.company_id),
        env=env,
        workers=[workers[k] for k in sorted(workers)],
    )


def employer_run_view(
    store: Store, number: str, env: str, first: date, last: date, *, missing_only: bool = False
) -> EmployerRunView:
    refdata = store.refdata.current()
    record = find_employer(refdata, number)
    workers = wage_run(store, env, first, last, refdata, employer_key=record.key)
    counts = {status.value: sum(w.status == status.value for w in workers) for status in RunStatus}
    if missing_only:
        workers = [w for w in workers if w.status == RunStatus.DIMONA_WITHOUT_WAGES.value]
    return EmployerRunView(
        employer=EmployerIdentity(record.name, record.noss, record.company_id),
        env=env,
        first_day=first.isoformat(),
        last_day=last.isoformat(),
        missing_only=missing_only,
        counts=counts,
        workers=workers,
    )


def _submission(record: SubmissionRecord) -> SubmissionLine:
    return SubmissionLine(
        ticket=record.ticket,
        received=record.reception_time.isoformat(timespec="seconds"),
        file=record.file_name,
        outcome=record.outcome,
        error_ids=list(record.error_ids),
        declarations=record.declarations,
        accepted=record.accepted,
        warnings=record.warnings,
        refused=record.refused,
    )


def _failure(failure: FailureRecord) -> FailureLine:
    return FailureLine(
        stage=failure.stage,
        folder=failure.folder,
        file=failure.file_name,
        ticket=failure.subject if failure.stage == "FINISH" else None,
        attempts=failure.attempts,
        reason=failure.reason,
        failed_at=failure.failed_at.isoformat(),
        retry_at=None if failure.quarantined else failure.next_attempt.isoformat(),
        quarantined=failure.quarantined,
    )


def status_view(
    store: Store, inbox: Path, limit: int, settle_seconds: float, go_timeout_seconds: float
) -> StatusView:
    """The recent submissions and failures from the state, and what waits in the inbox (none when
    the inbox is not a folder: `status` also serves where the channel has not run yet)."""
    records = store.submissions.latest(limit)
    failures = store.failures.all()
    waiting = []
    if inbox.is_dir():
        waiting = [
            WaitingLine(p.folder, p.key.stem, p.trigger is not None, len(p.data))
            for p in scan(inbox, settle_seconds, go_timeout_seconds).waiting
        ]
    return StatusView(
        submissions=[_submission(r) for r in records],
        waiting=waiting,
        failed=[_failure(f) for f in failures],
    )
