"""SPEC 7: the Dimona rules. Pure: a declaration, the periods it can touch and the context in;
a decision out. Declarations of a file are decided in order against one `PeriodBook`, which is
updated with each accepted one, so each sees the effect of those before it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from functools import cache

from flexibatch.domain.anomalies import Anomaly, anomaly, is_blocking
from flexibatch.domain.clock import MIDNIGHT, elapsed, longer_than
from flexibatch.domain.dimona import (
    ACTION_ELEMENT,
    IDENTITY_FIELDS,
    Action,
    DimonaDeclaration,
    EmployerId,
    Period,
    PeriodBook,
    PeriodStatus,
    Schedule,
    next_midnight,
    quarter_start,
)
from flexibatch.domain.ids import check_digits_ok
from flexibatch.domain.parties import (
    DecisionContext,
    check_insz,
    check_mandate,
    normal_company_id,
    resolve_employer,
)
from flexibatch.domain.refdata import EmployerRecord, WorkerStatus, quarter_label

FLEXI_WORKER_TYPE = "FLX"
#: Lengths of real time (SPEC 2): the longest one-day declaration, and how long after its planned
#: end a one-day end may still be postponed.
ONE_DAY = timedelta(hours=24)
LATER_END_WINDOW = timedelta(hours=8)


@dataclass(unsafe_hash=True)
class DimonaDecision:
    """The answer to one declaration: its anomalies and, when accepted, the period before and after."""

    declaration: DimonaDeclaration
    anomalies: tuple[Anomaly, ...]
    before: Period | None
    after: Period | None
    #: The employer and worker the NOTI names: as declared, or as stored for UPDATE/CANCEL/OUT.
    employer: EmployerId | None
    insz: str | None
    accepted: bool = field(init=False, repr=False, compare=False)

    # Written out: mypyc compiles it (a generated one runs as Python; see Schedule).
    def __init__(  # noqa: PLR0917 - the fields, positional as in the generated one
        self,
        declaration: DimonaDeclaration,
        anomalies: tuple[Anomaly, ...],
        before: Period | None,
        after: Period | None,
        employer: EmployerId | None,
        insz: str | None,
    ) -> None:
        self.declaration = declaration
        self.anomalies = anomalies
        self.before = before
        self.after = after
        self.employer = employer
        self.insz = insz
        self.accepted = not is_blocking(self.anomalies)

    @property
    def period_id(self) -> str | None:
        period = self.after or self.before
        return period.period_id if period else None


def decide(
    decl: DimonaDeclaration,
    book: PeriodBook,
    ctx: DecisionContext,
    issue_period_id: Callable[[], str],
) -> DimonaDecision:
    """Decide one declaration and, when it is accepted, record its effect in the book."""
    if decl.unreadable:
        return DimonaDecision(decl, decl.unreadable, None, None, decl.employer, decl.insz)
    if decl.action is Action.IN:
        decision = _decide_in(decl, book, ctx, issue_period_id)
    else:
        decision = _decide_change(decl, book, ctx)
    if decision.accepted and decision.after is not None:
        book.put(decision.after)
    return decision


def _path(decl: DimonaDeclaration, name: str) -> str:
    return _field(decl.action, name)


@cache
def _field(action: Action, name: str) -> str:
    return f"{ACTION_ELEMENT[action]}/{name}"


def _employer_checks(
    decl: DimonaDeclaration, ctx: DecisionContext
) -> tuple[EmployerRecord | None, list[Anomaly]]:
    employer = decl.employer or EmployerId()
    noss = employer.noss or employer.provisional
    noss_name = "EmployerId/NOSSRegistrationNbr" if employer.noss else "EmployerId/ProvisionalNSSONbr"
    return resolve_employer(
        noss,
        employer.company_id,
        ctx.refdata,
        noss_field=_path(decl, noss_name),
        company_field=_path(decl, "EmployerId/CompanyID"),
    )


def _schedule_checks(decl: DimonaDeclaration, schedule: Schedule, *, update: bool) -> list[Anomaly]:
    """The shape a period must have (IN rules, applied again to the result of an UPDATE)."""
    problems: list[Anomaly] = []
    if schedule.has_hours:
        if schedule.start_hour is None:
            problems.append(anomaly("00777-001", _path(decl, "StartingHour")))
        if schedule.end_hour is None:
            problems.append(anomaly("00778-001", _path(decl, "EndingHour")))
        if problems:
            return problems
        if schedule.end_date is not None and schedule.end_date < schedule.start_date and not update:
            problems.append(anomaly("00911-014", _path(decl, "EndingDate"), schedule.end_date))
        elif schedule.end <= schedule.start:
            problems.append(anomaly("00778-345", _path(decl, "EndingHour"), f"{schedule.end:%Y-%m-%d %H:%M}"))
        elif longer_than(schedule.start, schedule.end, ONE_DAY):
            code = "90378-341" if update else "90373-341"
            problems.append(anomaly(code, _path(decl, "EndingHour"), f"{schedule.end:%Y-%m-%d %H:%M}"))
        return problems
    if schedule.end_date is None:
        return problems
    if schedule.end_date < schedule.start_date and not update:
        problems.append(anomaly("00911-014", _path(decl, "EndingDate"), schedule.end_date))
    elif schedule.end_date < schedule.start_date or quarter_label(schedule.end_date) != quarter_label(
        schedule.start_date
    ):
        problems.append(anomaly("90373-421", _path(decl, "EndingDate"), schedule.end_date))
    return problems


def _overlap_checks(
    decl: DimonaDeclaration,
    schedule: Schedule,
    others: list[Period],
    *,
    update: bool,
) -> list[Anomaly]:
    for other in others:
        if not update and other.schedule.same_time(schedule):
            return [anomaly("90373-333", _path(decl, "StartingDate"), other.period_id)]
    for other in others:
        if other.schedule.overlaps(schedule):
            code = "90378-334" if update else "90373-334"
            return [anomaly(code, _path(decl, "StartingDate"), other.period_id)]
    return []


def _decide_in(
    decl: DimonaDeclaration,
    book: PeriodBook,
    ctx: DecisionContext,
    issue_period_id: Callable[[], str],
) -> DimonaDecision:
    problems: list[Anomaly] = []
    record: EmployerRecord | None = None
    if decl.employer is None or decl.employer.empty:
        problems.append(anomaly("90256-364", _path(decl, "EmployerId")))
    else:
        record, employer_problems = _employer_checks(decl, ctx)
        problems += employer_problems
        if record is not None:
            problems += check_mandate(record, ctx, _path(decl, "EmployerId"))

    if decl.insz:
        problems += check_insz(decl.insz, _path(decl, "NaturalPerson/INSS"))
    else:
        missing = [name for name in IDENTITY_FIELDS if not decl.person.get(name)]
        if missing:
            problems.append(
                anomaly("90017-363", _path(decl, f"NaturalPerson/{missing[0]}"), ", ".join(missing))
            )

    if decl.worker_type != FLEXI_WORKER_TYPE:
        problems.append(anomaly("00655-350", _path(decl, "DimonaFeatures/WorkerType"), decl.worker_type))
    if decl.joint_commission not in ctx.joint_committees:
        problems.append(
            anomaly("00046-008", _path(decl, "DimonaFeatures/JointCommissionNbr"), decl.joint_commission)
        )
    if decl.planned is not None:
        problems.append(anomaly("01135-005", _path(decl, decl.planned[0]), decl.planned[1]))

    assert decl.start_date is not None, "the schema and the CSV reader require a start date"
    schedule = Schedule(decl.start_date, decl.start_hour, decl.end_date, decl.end_hour)
    shape_problems = _schedule_checks(decl, schedule, update=False)
    problems += shape_problems
    if not shape_problems:
        if not schedule.has_hours:
            earliest = datetime.combine(quarter_start(schedule.start_date) - timedelta(days=31), time(0, 0))
            if ctx.reception < earliest:
                problems.append(anomaly("00910-901", _path(decl, "StartingDate"), schedule.start_date))
        if record is not None:
            problems += _overlap_checks(
                decl, schedule, book.active_for(record.key, decl.worker_key), update=False
            )
        if ctx.reception > schedule.start:
            problems.append(
                anomaly("90373-460", _path(decl, "StartingDate"), f"{schedule.start:%Y-%m-%d %H:%M}")
            )
    if decl.insz and ctx.refdata.worker_status(decl.insz, schedule.start_date) is WorkerStatus.NOT_ELIGIBLE:
        problems.append(anomaly("90017-510", _path(decl, "NaturalPerson/INSS"), decl.insz))

    after = None
    if record is not None and not is_blocking(problems):
        employer = decl.employer or EmployerId()
        after = Period(
            period_id=issue_period_id(),
            env=ctx.env,
            employer_key=record.key,
            noss=employer.noss or employer.provisional,
            company_id=normal_company_id(employer.company_id),
            worker_key=decl.worker_key,
            insz=decl.insz,
            schedule=schedule,
        )
    return DimonaDecision(decl, tuple(problems), None, after, decl.employer, decl.insz)


def _consistency_checks(decl: DimonaDeclaration, period: Period, ctx: DecisionContext) -> list[Anomaly]:
    """UPDATE, CANCEL, OUT: who the declaration names must be who the period is about."""
    problems = check_insz(decl.insz, _path(decl, "INSS"))
    if decl.insz and not problems and decl.insz != period.insz:
        problems.append(anomaly("00024-347", _path(decl, "INSS"), decl.insz))
    if decl.employer is not None and not decl.employer.empty:
        record, employer_problems = _employer_checks(decl, ctx)
        problems += employer_problems
        if record is not None and record.key != period.employer_key:
            problems.append(anomaly("00011-347", _path(decl, "EmployerId"), record.noss or record.company_id))
    stored = ctx.refdata.employer_by_noss(period.noss) if period.noss else None
    if stored is None and period.company_id:
        stored = ctx.refdata.employer_by_company(period.company_id)
    if stored is None or stored.key != period.employer_key:
        problems.append(anomaly("90256-155", _path(decl, "DimonaPeriodId"), period.noss or period.company_id))
    else:
        problems += check_mandate(stored, ctx, _path(decl, "DimonaPeriodId"))
    return problems


def _update_schedule(decl: DimonaDeclaration, current: Schedule) -> Schedule:
    return Schedule(
        decl.start_date or current.start_date,
        decl.start_hour if decl.start_hour is not None else current.start_hour,
        decl.end_date or current.end_date,
        decl.end_hour if decl.end_hour is not None else current.end_hour,
    )


def _end_window(current: Schedule, new: Schedule, reception: datetime) -> bool:
    """00778-181: whether the reception time is inside the window for moving a one-day end. Midnight
    and 08:00 are moments on the clock; the 8 hours are real ones (SPEC 2)."""
    planned_end = current.end
    if new.end < planned_end:
        return reception < next_midnight(planned_end)
    if planned_end.time() >= time(20, 0):
        return reception < datetime.combine(planned_end.date() + timedelta(days=1), time(8, 0))
    if planned_end.time() == MIDNIGHT:  # 24:00 of the day before, written 00:00: "between 20:00 and 24:00"
        return reception < datetime.combine(planned_end.date(), time(8, 0))
    return elapsed(planned_end, reception) < LATER_END_WINDOW


def _update_rules(
    decl: DimonaDeclaration, period: Period, book: PeriodBook, ctx: DecisionContext
) -> tuple[list[Anomaly], Period | None]:
    problems: list[Anomaly] = []
    if decl.planned is not None:
        problems.append(anomaly("01135-005", _path(decl, decl.planned[0]), decl.planned[1]))
    current = period.schedule
    new = _update_schedule(decl, current)
    if new.same_time(current):
        problems.append(anomaly("90378-444", _path(decl, "DimonaPeriodId"), period.period_id))
        return problems, None
    shape_problems = _schedule_checks(decl, new, update=True)
    problems += shape_problems
    if new.start != current.start and (ctx.reception >= current.start or new.start < ctx.reception):
        problems.append(anomaly("00777-181", _path(decl, "StartingDate"), f"{new.start:%Y-%m-%d %H:%M}"))
    if not shape_problems and new.end != current.end:
        if current.has_hours:
            if not _end_window(current, new, ctx.reception):
                problems.append(anomaly("00778-181", _path(decl, "EndingHour"), f"{new.end:%Y-%m-%d %H:%M}"))
        elif new.end > current.end:
            problems.append(anomaly("00911-344", _path(decl, "EndingDate"), new.end_date))
    if not shape_problems:
        others = [
            p
            for p in book.active_for(period.employer_key, period.worker_key)
            if p.period_id != period.period_id
        ]
        problems += _overlap_checks(decl, new, others, update=True)
    return problems, period.changed(schedule=new)


def _decide_change(decl: DimonaDeclaration, book: PeriodBook, ctx: DecisionContext) -> DimonaDecision:
    """UPDATE, CANCEL and OUT: they act on a period the processor issued before."""
    period_field = _path(decl, "DimonaPeriodId")
    period = book.get(decl.period_id or "") if check_digits_ok(decl.period_id or "") else None
    if period is None or period.env != ctx.env:
        problems = [anomaly("00913-354", period_field, decl.period_id)]
        problems += check_insz(decl.insz, _path(decl, "INSS"))
        return DimonaDecision(decl, tuple(problems), None, None, decl.employer, decl.insz)
    problems = _consistency_checks(decl, period, ctx)
    stored_employer = EmployerId(noss=period.noss, company_id=period.company_id)
    if not period.active:
        problems.append(anomaly("00913-355", period_field, decl.period_id))
        return DimonaDecision(decl, tuple(problems), period, None, stored_employer, period.insz)

    after: Period | None = None
    if decl.action is Action.UPDATE:
        rule_problems, after = _update_rules(decl, period, book, ctx)
        problems += rule_problems
    elif decl.action is Action.CANCEL:
        if ctx.reception >= next_midnight(period.schedule.start):
            problems.append(anomaly("00913-181", period_field, f"{ctx.reception:%Y-%m-%d %H:%M}"))
        after = period.changed(status=PeriodStatus.CANCELLED)
    else:
        problems += _out_rules(decl, period)
        assert decl.end_date is not None, "the schema and the CSV reader require the OUT end date"
        after = period.changed(schedule=replace(period.schedule, end_date=decl.end_date))
    if is_blocking(problems):
        after = None
    return DimonaDecision(decl, tuple(problems), period, after, stored_employer, period.insz)


def _out_rules(decl: DimonaDeclaration, period: Period) -> list[Anomaly]:
    current = period.schedule
    if current.has_hours or current.end_date is not None:
        return [anomaly("00913-356", _path(decl, "DimonaPeriodId"), decl.period_id)]
    assert decl.end_date is not None
    return _schedule_checks(decl, replace(current, end_date=decl.end_date), update=False)
