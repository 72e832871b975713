"""Flexi at work (SPEC 6.2, 8): wage transfers, situations and each worker's yearly flexi income.

A situation is one (employer, worker, relation UUID): an original creates it, a modification replaces
it whole, a cancellation withdraws it. A worker's flexi income for a year is the sum of every amount
of every active situation, across all employers, whose calculation period falls in that year.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from flexibatch.domain.anomalies import Anomaly
from flexibatch.domain.dimona import FormHeader, Reference

WAGE = "0001001000"
PREMIUM = "0002001000"
FLEXI_WORKER_CODES = ("050", "450")


class FlexiAction(StrEnum):
    """What a FLXWAGE form does to its relations (its AttestationStatus): the NOTI's action."""

    ORIGINAL = "0"
    MODIFICATION = "1"
    CANCELLATION = "3"


class SituationStatus(StrEnum):
    ACTIVE = "ACTIVE"
    CANCELLED = "CANCELLED"


@dataclass(unsafe_hash=True)
class FinancialElement:
    path: str
    type: str
    code: str
    amount: int  # gross, in euro cents
    frequency: int | None

    # Written out: mypyc compiles it (a generated one runs as Python; see Schedule).
    def __init__(
        self,
        path: str,
        type: str,
        code: str,
        amount: int,
        frequency: int | None,
    ) -> None:
        self.path = path
        self.type = type
        self.code = code
        self.amount = amount
        self.frequency = frequency


@dataclass(unsafe_hash=True)
class Features:
    path: str
    validity_start: date
    validity_end: date
    employer_class: str
    worker_code: str
    elements: tuple[FinancialElement, ...]

    # Written out: mypyc compiles it (a generated one runs as Python; see Schedule).
    def __init__(  # noqa: PLR0917 - the fields, positional as in the generated one
        self,
        path: str,
        validity_start: date,
        validity_end: date,
        employer_class: str,
        worker_code: str,
        elements: tuple[FinancialElement, ...],
    ) -> None:
        self.path = path
        self.validity_start = validity_start
        self.validity_end = validity_end
        self.employer_class = employer_class
        self.worker_code = worker_code
        self.elements = elements


@dataclass(unsafe_hash=True)
class Calculation:
    path: str
    start: date
    end: date
    calculation_date: date
    features: tuple[Features, ...]

    @property
    def amount(self) -> int:
        return sum(e.amount for f in self.features for e in f.elements)


@dataclass(unsafe_hash=True)
class Relation:
    path: str
    #: Every ReferenceNbr of origin 8 given (there must be exactly one, a UUID).
    relation_ids: tuple[str, ...]
    own_key: str | None
    calculations: tuple[Calculation, ...]

    @property
    def relation_id(self) -> str | None:
        """The relation UUID as sent, when exactly one was given."""
        return self.relation_ids[0] if len(self.relation_ids) == 1 else None


@dataclass(unsafe_hash=True)
class Beneficiary:
    path: str
    insz: str
    relations: tuple[Relation, ...]


@dataclass(unsafe_hash=True)
class FlexiDeclaration:
    """One FLXWAGE Form: one payslip, possibly for several workers and relations."""

    index: int
    line: int
    action: FlexiAction
    header: FormHeader | None
    references: tuple[Reference, ...]
    company_id: str | None
    noss: str | None
    beneficiaries: tuple[Beneficiary, ...]
    #: Cells of CSV rows that could not be read (90000-102): the declaration is refused with them.
    unreadable: tuple[Anomaly, ...] = ()

    # Written out: mypyc compiles it (a generated one runs as Python; see Schedule).
    def __init__(  # noqa: PLR0917 - the fields, positional as in the generated one
        self,
        index: int,
        line: int,
        action: FlexiAction,
        header: FormHeader | None,
        references: tuple[Reference, ...],
        company_id: str | None,
        noss: str | None,
        beneficiaries: tuple[Beneficiary, ...],
        unreadable: tuple[Anomaly, ...] = (),
    ) -> None:
        self.index = index
        self.line = line
        self.action = action
        self.header = header
        self.references = references
        self.company_id = company_id
        self.noss = noss
        self.beneficiaries = beneficiaries
        self.unreadable = unreadable


@dataclass(unsafe_hash=True)
class CalculationSummary:
    """What the state keeps of a calculation: enough for the views, the yearly counter and the
    employer's wage run. `validity` holds the distinct validity periods of its Features, in order
    (what 00024-152 compares with the Dimona periods); it is empty for a calculation stored before
    the state kept them (migration 9), whose calculation period then stands in (`validities`)."""

    start: date
    end: date
    worker_code: str
    wage: int
    premium: int
    validity: tuple[tuple[date, date], ...] = ()

    # Written out: mypyc compiles it (a generated one runs as Python; see Schedule).
    def __init__(  # noqa: PLR0917 - the fields, positional as in the generated one
        self,
        start: date,
        end: date,
        worker_code: str,
        wage: int,
        premium: int,
        validity: tuple[tuple[date, date], ...] = (),
    ) -> None:
        self.start = start
        self.end = end
        self.worker_code = worker_code
        self.wage = wage
        self.premium = premium
        self.validity = validity

    def validities(self) -> tuple[tuple[date, date], ...]:
        """The validity periods, or the calculation period when they were not kept."""
        return self.validity or ((self.start, self.end),)


@dataclass(unsafe_hash=True)
class Situation:
    env: str
    employer_key: str
    insz: str
    relation_id: str  # lower-case UUID: compared without regard to case
    noss: str | None
    company_id: str | None
    status: SituationStatus
    version: int
    calculations: tuple[CalculationSummary, ...]

    # Written out: mypyc compiles it (a generated one runs as Python; see Schedule).
    def __init__(  # noqa: PLR0917 - the fields, positional as in the generated one
        self,
        env: str,
        employer_key: str,
        insz: str,
        relation_id: str,
        noss: str | None,
        company_id: str | None,
        status: SituationStatus,
        version: int,
        calculations: tuple[CalculationSummary, ...],
    ) -> None:
        self.env = env
        self.employer_key = employer_key
        self.insz = insz
        self.relation_id = relation_id
        self.noss = noss
        self.company_id = company_id
        self.status = status
        self.version = version
        self.calculations = calculations

    @property
    def key(self) -> SituationKey:
        return (self.employer_key, self.insz, self.relation_id)

    @property
    def active(self) -> bool:
        return self.status is SituationStatus.ACTIVE

    def year_amounts(self) -> dict[int, int]:
        """What this situation adds to its worker's yearly income (nothing once cancelled)."""
        totals: dict[int, int] = {}
        if self.active:
            for calc in self.calculations:
                totals[calc.start.year] = totals.get(calc.start.year, 0) + calc.wage + calc.premium
        return totals


@dataclass(unsafe_hash=True)
class SituationChange:
    """An accepted Flexi at work relation's effect, which the store records with its history."""

    situation: Situation
    action: str  # AttestationStatus of the form: 0, 1 or 3
    declaration_ticket: str
    submission_ticket: str
    sender: str

    # Written out: mypyc compiles it (a generated one runs as Python; see Schedule).
    def __init__(
        self, situation: Situation, action: str, declaration_ticket: str, submission_ticket: str, sender: str
    ) -> None:
        self.situation = situation
        self.action = action
        self.declaration_ticket = declaration_ticket
        self.submission_ticket = submission_ticket
        self.sender = sender


SituationKey = tuple[str, str, str]
TotalKey = tuple[str, int]  # (INSZ, year)


def summarize(calculations: Iterable[Calculation]) -> tuple[CalculationSummary, ...]:
    summaries = []
    for calc in calculations:
        elements = [e for f in calc.features for e in f.elements]
        codes = {f.worker_code for f in calc.features}
        summaries.append(
            CalculationSummary(
                calc.start,
                calc.end,
                "/".join(sorted(codes)),
                sum(e.amount for e in elements if e.code == WAGE),
                sum(e.amount for e in elements if e.code == PREMIUM),
                tuple(dict.fromkeys((f.validity_start, f.validity_end) for f in calc.features)),
            )
        )
    return tuple(summaries)


@dataclass
class SituationBook:
    """The situations and yearly totals a batch can touch, updated as declarations are accepted."""

    situations: dict[SituationKey, Situation] = field(default_factory=dict)
    totals: dict[TotalKey, int] = field(default_factory=dict)

    def get(self, key: SituationKey) -> Situation | None:
        return self.situations.get(key)

    def total(self, insz: str, year: int) -> int:
        return self.totals.get((insz, year), 0)

    def replace(self, before: Situation | None, after: Situation) -> None:
        """Swap a situation's contribution to the yearly totals for its new version's."""
        for year, amount in (before.year_amounts() if before else {}).items():
            self.totals[(after.insz, year)] = self.total(after.insz, year) - amount
        for year, amount in after.year_amounts().items():
            self.totals[(after.insz, year)] = self.total(after.insz, year) + amount
        self.situations[after.key] = after


def ceiling_for(ceilings: Mapping[int, int], year: int) -> int | None:
    """The ceiling of a year, or of the latest configured year before it (until the index is set)."""
    known = [y for y in ceilings if y <= year]
    return ceilings[max(known)] if known else None
