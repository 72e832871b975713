"""SPEC 8: the Flexi at work rules and the yearly counter's ceiling warning.

Pure: a declaration, the situations and yearly totals it can touch, the Dimona periods of its
employer and workers, and the context in; a decision out. Accepted declarations update the book,
so each declaration of a file sees the ones before it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from flexibatch.domain.anomalies import N_, Anomaly, anomaly, is_blocking
from flexibatch.domain.dimona import PeriodBook, Schedule
from flexibatch.domain.flexi import (
    FLEXI_WORKER_CODES,
    PREMIUM,
    WAGE,
    Beneficiary,
    FlexiAction,
    FlexiDeclaration,
    Relation,
    Situation,
    SituationBook,
    SituationKey,
    SituationStatus,
    ceiling_for,
    summarize,
)
from flexibatch.domain.parties import DecisionContext, check_insz, check_mandate, resolve_employer
from flexibatch.domain.refdata import EmployerRecord

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
FLEXI_START = date(2025, 1, 1)
LATE_AFTER_DAYS = 5


@dataclass(unsafe_hash=True)
class RelationImpact:
    """A FlexiImpactReport: the situation after the declaration and its worker's yearly totals."""

    relation_id: str
    situation: Situation
    year_totals: tuple[tuple[int, int], ...]

    # Written out: mypyc compiles it (a generated one runs as Python; see Schedule).
    def __init__(
        self,
        relation_id: str,
        situation: Situation,
        year_totals: tuple[tuple[int, int], ...],
    ) -> None:
        self.relation_id = relation_id
        self.situation = situation
        self.year_totals = year_totals


@dataclass(unsafe_hash=True)
class FlexiDecision:
    declaration: FlexiDeclaration
    anomalies: tuple[Anomaly, ...]
    impacts: tuple[RelationImpact, ...]
    changes: tuple[tuple[Situation | None, Situation], ...]

    # Written out: mypyc compiles it (a generated one runs as Python; see Schedule).
    def __init__(
        self,
        declaration: FlexiDeclaration,
        anomalies: tuple[Anomaly, ...],
        impacts: tuple[RelationImpact, ...],
        changes: tuple[tuple[Situation | None, Situation], ...],
    ) -> None:
        self.declaration = declaration
        self.anomalies = anomalies
        self.impacts = impacts
        self.changes = changes

    @property
    def accepted(self) -> bool:
        return not is_blocking(self.anomalies)


@dataclass(unsafe_hash=True)
class _Planned:
    beneficiary: Beneficiary
    relation: Relation
    key: SituationKey
    before: Situation | None

    # Written out: mypyc compiles it (a generated one runs as Python; see Schedule).
    def __init__(
        self,
        beneficiary: Beneficiary,
        relation: Relation,
        key: SituationKey,
        before: Situation | None,
    ) -> None:
        self.beneficiary = beneficiary
        self.relation = relation
        self.key = key
        self.before = before


def decide_flexi(
    decl: FlexiDeclaration,
    book: SituationBook,
    periods: PeriodBook,
    ctx: DecisionContext,
    ceilings: Mapping[int, int],
) -> FlexiDecision:
    """Decide one wage transfer and, when it is accepted, record its effect in the book."""
    if decl.unreadable:
        return FlexiDecision(decl, decl.unreadable, (), ())
    problems: list[Anomaly] = []
    record: EmployerRecord | None = None
    if not (decl.company_id or decl.noss):
        problems.append(anomaly("90256-364", "Debtor"))
    else:
        record, employer_problems = resolve_employer(
            decl.noss,
            decl.company_id,
            ctx.refdata,
            noss_field="Debtor/NOSSRegistrationNbr",
            company_field="Debtor/CompanyID",
        )
        problems += employer_problems
        if record is not None:
            problems += check_mandate(record, ctx, "Debtor")

    planned: list[_Planned] = []
    for beneficiary in decl.beneficiaries:
        problems += check_insz(beneficiary.insz, f"{beneficiary.path}/INSS")
        for relation in beneficiary.relations:
            problems += _relation_shape(decl.action, relation)
            problems += _calculation_rules(relation, beneficiary.insz, record, periods, ctx)
            relation_id = relation.relation_id
            if record is None or relation_id is None or not _UUID.fullmatch(relation_id):
                continue
            key = (record.key, beneficiary.insz, relation_id.lower())
            if any(p.key == key for p in planned):
                problems.append(anomaly("95001-003", f"{relation.path}/Reference", relation_id))
                continue
            before = book.get(key)
            problems += _lifecycle(decl.action, before, relation)
            planned.append(_Planned(beneficiary, relation, key, before))

    if is_blocking(problems):
        return FlexiDecision(decl, tuple(problems), (), ())
    assert record is not None
    changes = [(p.before, _after(decl, record, p, ctx.env)) for p in planned]
    for before, after in changes:
        book.replace(before, after)
    problems += _ceiling_warnings(planned, book, ctx, ceilings)
    impacts = tuple(
        RelationImpact(p.relation.relation_id or "", after, _year_totals(book, p.before, after))
        for p, (_, after) in zip(planned, changes, strict=True)
    )
    return FlexiDecision(decl, tuple(problems), impacts, tuple(changes))


def _relation_shape(action: FlexiAction, relation: Relation) -> list[Anomaly]:
    problems = []
    ids = relation.relation_ids
    if len(ids) != 1 or not _UUID.fullmatch(ids[0]):
        problems.append(anomaly("95001-003", f"{relation.path}/Reference", ", ".join(ids) or None))
    if (action is FlexiAction.CANCELLATION) == bool(relation.calculations):
        problems.append(anomaly("95001-005", f"{relation.path}/Calculation", action.value))
    return problems


def _lifecycle(action: FlexiAction, before: Situation | None, relation: Relation) -> list[Anomaly]:
    field = f"{relation.path}/Reference"
    if action is FlexiAction.ORIGINAL:
        return [anomaly("95001-183", field, relation.relation_id)] if before and before.active else []
    if before is None:
        return [anomaly("95001-180", field, relation.relation_id)]
    if not before.active:
        return [anomaly("95001-181", field, relation.relation_id)]
    return []


def _calculation_rules(
    relation: Relation,
    insz: str,
    record: EmployerRecord | None,
    periods: PeriodBook,
    ctx: DecisionContext,
) -> list[Anomaly]:
    problems: list[Anomaly] = []
    dimona = periods.active_for(record.key, insz) if record is not None else []
    for calc in relation.calculations:
        if calc.end < calc.start:
            problems.append(anomaly("95010-014", f"{calc.path}/CalculationPeriodEndingDate", calc.end))
        elif calc.start.year != calc.end.year:
            problems.append(anomaly("95010-034", f"{calc.path}/CalculationPeriodEndingDate", calc.end))
        if calc.start < FLEXI_START:
            problems.append(anomaly("95010-146", f"{calc.path}/CalculationPeriodStartingDate", calc.start))
        if (ctx.reception.date() - calc.calculation_date).days > LATE_AFTER_DAYS:
            problems.append(anomaly("95010-460", f"{calc.path}/CalculationDate", calc.calculation_date))
        for features in calc.features:
            path = features.path
            if not (calc.start <= features.validity_start <= features.validity_end <= calc.end):
                problems.append(
                    anomaly("95020-003", f"{path}/ValidityPeriodStartingDate", features.validity_start)
                )
            if features.worker_code not in FLEXI_WORKER_CODES:
                problems.append(anomaly("95020-008", f"{path}/WorkerCode", features.worker_code))
            if not features.elements:
                problems.append(anomaly("95030-001", path))
            for element in features.elements:
                problems += _element_rules(element.path, element.code, element.amount, element.frequency)
            validity = Schedule(
                features.validity_start, end_date=max(features.validity_end, features.validity_start)
            )
            if record is not None and not any(p.schedule.overlaps(validity) for p in dimona):
                problems.append(
                    anomaly("00024-152", f"{path}/ValidityPeriodStartingDate", features.validity_start)
                )
    return problems


def _element_rules(path: str, code: str, amount: int, frequency: int | None) -> list[Anomaly]:
    problems = []
    if amount <= 0:
        problems.append(anomaly("95030-003", f"{path}/Amount", amount))
    if code not in (WAGE, PREMIUM):
        problems.append(anomaly("95030-008", f"{path}/FinancialElementCode", code))
    elif code == PREMIUM and frequency is None:
        problems.append(
            anomaly("95031-001", f"{path}/FinancialElementCode", code, where=f"{path}/BonusPaymentFrequency")
        )
    elif code == WAGE and frequency is not None:
        problems.append(anomaly("95031-005", f"{path}/BonusPaymentFrequency", frequency))
    if frequency is not None and not 0 <= frequency <= 12:
        problems.append(anomaly("95031-008", f"{path}/BonusPaymentFrequency", frequency))
    return problems


def _after(decl: FlexiDeclaration, record: EmployerRecord, planned: _Planned, env: str) -> Situation:
    before = planned.before
    cancelling = decl.action is FlexiAction.CANCELLATION
    employer_key, insz, relation_id = planned.key
    return Situation(
        env=env,
        employer_key=employer_key,
        insz=insz,
        relation_id=relation_id,
        noss=decl.noss,
        company_id=decl.company_id,
        status=SituationStatus.CANCELLED if cancelling else SituationStatus.ACTIVE,
        version=before.version + 1 if before else 1,
        calculations=before.calculations
        if cancelling and before
        else summarize(planned.relation.calculations),
    )


def _years(*situations: Situation | None) -> list[int]:
    return sorted({calc.start.year for s in situations if s for calc in s.calculations})


def _year_totals(
    book: SituationBook, before: Situation | None, after: Situation
) -> tuple[tuple[int, int], ...]:
    return tuple((year, book.total(after.insz, year)) for year in _years(before, after))


def _ceiling_warnings(
    planned: list[_Planned], book: SituationBook, ctx: DecisionContext, ceilings: Mapping[int, int]
) -> list[Anomaly]:
    warnings = []
    seen: set[tuple[str, int]] = set()
    for item in planned:
        insz = item.beneficiary.insz
        after = book.get(item.key)
        for year in _years(item.before, after):
            if (insz, year) in seen:
                continue
            seen.add((insz, year))
            ceiling = ceiling_for(ceilings, year)
            total = book.total(insz, year)
            if ceiling is not None and total > ceiling and not ctx.refdata.is_pensioner(insz, year):
                warnings.append(
                    anomaly(
                        "00024-902",
                        f"{item.beneficiary.path}/INSS",
                        f"{total / 100:.2f}",
                        N_(
                            "After this declaration the worker's flexi income for {year} is {total} EUR, "
                            "over the tax-free ceiling of {ceiling} EUR."
                        ),
                        year=year,
                        total=f"{total / 100:.2f}",
                        ceiling=f"{ceiling / 100:.2f}",
                    )
                )
    return warnings
