"""SPEC 9: reference data as pure lookups (senders, employer repertory, mandates, worker status)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from flexibatch.domain.ids import company_id_compact


class WorkerStatus(StrEnum):
    ELIGIBLE = "ELIGIBLE"
    NOT_ELIGIBLE = "NOT_ELIGIBLE"
    PENSIONER = "PENSIONER"


@dataclass(frozen=True, slots=True)
class EmployerRecord:
    """One employer of the repertory: its RSZ number and enterprise number are the same employer."""

    noss: str | None
    company_id: str | None
    name: str

    @property
    def key(self) -> str:
        """The employer's identity in the state, whichever number a declaration used."""
        return self.noss or f"C{self.company_id}"


@dataclass(frozen=True, slots=True)
class Mandate:
    sender: str
    noss: str | None
    company_id: str | None
    purpose: str
    valid_from: date
    valid_to: date | None


def quarter_label(day: date) -> str:
    """2026Q2 for a day in April to June 2026 (the form of workers.csv)."""
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


@dataclass(slots=True)
class RefData:
    """Everything loaded by `flexibatch refdata load`, indexed for the rules."""

    senders: dict[str, str] = field(default_factory=dict)
    employers: list[EmployerRecord] = field(default_factory=list)
    mandates: list[Mandate] = field(default_factory=list)
    workers: dict[tuple[str, str], WorkerStatus] = field(default_factory=dict)
    #: A sender's language (nl, fr, de, en) when senders.csv gives one (SPEC 9).
    languages: dict[str, str] = field(default_factory=dict)
    _by_noss: dict[str, EmployerRecord] = field(default_factory=dict, init=False, repr=False)
    _by_company: dict[str, EmployerRecord] = field(default_factory=dict, init=False, repr=False)
    _by_key: dict[str, EmployerRecord] = field(default_factory=dict, init=False, repr=False)
    _mandates_by_employer: dict[tuple[str, str], list[Mandate]] = field(
        default_factory=dict, init=False, repr=False
    )
    #: has_mandate's answers: a file asks the same few (sender, employer, purpose, day) over and over.
    _mandate_answers: dict[tuple[str, str, str, date], bool] = field(
        default_factory=dict, init=False, repr=False
    )

    def __post_init__(self) -> None:
        for record in self.employers:
            self._by_key[record.key] = record
            if record.noss:
                self._by_noss[record.noss] = record
            if record.company_id:
                self._by_company[company_id_compact(record.company_id)] = record
        for mandate in self.mandates:
            if (holder := self._mandate_employer(mandate)) is not None:
                self._mandates_by_employer.setdefault((mandate.sender, holder.key), []).append(mandate)

    @classmethod
    def build(
        cls,
        senders: dict[str, str],
        employers: Iterable[EmployerRecord],
        mandates: Iterable[Mandate],
        workers: dict[tuple[str, str], WorkerStatus],
        languages: dict[str, str] | None = None,
    ) -> RefData:
        return cls(senders, list(employers), list(mandates), workers, languages or {})

    def employer_by_key(self, key: str) -> EmployerRecord | None:
        """The employer a period or situation in the state belongs to."""
        return self._by_key.get(key)

    def employer_by_noss(self, noss: str) -> EmployerRecord | None:
        return self._by_noss.get(noss)

    def employer_by_company(self, company_id: str) -> EmployerRecord | None:
        return self._by_company.get(company_id_compact(company_id))

    def _mandate_employer(self, mandate: Mandate) -> EmployerRecord | None:
        if mandate.noss and (record := self._by_noss.get(mandate.noss)):
            return record
        if mandate.company_id:
            return self.employer_by_company(mandate.company_id)
        return None

    def has_mandate(self, sender: str, employer_key: str, purpose: str, day: date) -> bool:
        """Whether the sender may declare for this employer and purpose on that day."""
        question = (sender, employer_key, purpose, day)
        answer = self._mandate_answers.get(question)
        if answer is None:
            answer = self._mandate_answers[question] = any(
                mandate.purpose in (purpose, "*")
                and mandate.valid_from <= day
                and (mandate.valid_to is None or day <= mandate.valid_to)
                for mandate in self._mandates_by_employer.get((sender, employer_key), ())
            )
        return answer

    def is_pensioner(self, insz: str, year: int) -> bool:
        """A pensioner in any quarter of the year has no flexi ceiling that year."""
        return any(
            self.workers.get((insz, f"{year}Q{quarter}")) is WorkerStatus.PENSIONER for quarter in range(1, 5)
        )

    def worker_status(self, insz: str, day: date) -> WorkerStatus:
        """A worker or quarter not listed counts as eligible and not a pensioner."""
        return self.workers.get((insz, quarter_label(day)), WorkerStatus.ELIGIBLE)
