"""What a decider says of one declaration, in no answer format: the NOTI, its CSV twin and the
state's counts are all made from these (formats/answers renders them).

A `Decided` holds the declaration's identifiers as the answer echoes them, its ticket, its anomalies
with their logical field paths (the reader's locator turns them into an XPath or a CSV column when
the answer is written) and, when accepted, its impact: the Dimona period before and after, or the
wage transfer's situations with their workers' year totals.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flexibatch.domain.anomalies import Anomaly, B
from flexibatch.domain.dimona import FormHeader, Period, Reference
from flexibatch.domain.flexi_rules import RelationImpact
from flexibatch.domain.results import DeclarationResult


@dataclass(unsafe_hash=True)
class PeriodImpact:
    """An accepted Dimona declaration's effect: the period as it was and as it becomes."""

    before: Period | None
    after: Period | None

    # Written out: mypyc compiles it (a generated one runs as Python; see Schedule).
    def __init__(self, before: Period | None, after: Period | None) -> None:
        self.before = before
        self.after = after


#: An accepted declaration's effect: a Dimona period's, or a wage transfer's situations.
Impact = PeriodImpact | tuple[RelationImpact, ...]


@dataclass(unsafe_hash=True)
class Decided:
    """Everything the answers say about one decided declaration."""

    form_index: int
    source_line: int
    action: str
    header: FormHeader | None
    references: tuple[Reference, ...]
    noss: str | None
    company_id: str | None
    insz: tuple[str, ...]
    ticket: str
    anomalies: tuple[Anomaly, ...]
    impact: Impact | None  # only when accepted
    period_id: str | None = None
    relation_id: str | None = None

    accepted: bool = field(init=False, repr=False, compare=False)

    # Written out: mypyc compiles it (a generated one runs as Python; see Schedule).
    def __init__(  # noqa: PLR0917 - the fields, positional as in the generated one
        self,
        form_index: int,
        source_line: int,
        action: str,
        header: FormHeader | None,
        references: tuple[Reference, ...],
        noss: str | None,
        company_id: str | None,
        insz: tuple[str, ...],
        ticket: str,
        anomalies: tuple[Anomaly, ...],
        impact: Impact | None,
        period_id: str | None = None,
        relation_id: str | None = None,
    ) -> None:
        self.form_index = form_index
        self.source_line = source_line
        self.action = action
        self.header = header
        self.references = references
        self.noss = noss
        self.company_id = company_id
        self.insz = insz
        self.ticket = ticket
        self.anomalies = anomalies
        self.impact = impact
        self.period_id = period_id
        self.relation_id = relation_id
        self.accepted = all(a.cls is not B for a in self.anomalies)

    @property
    def result(self) -> DeclarationResult:
        if not self.accepted:
            return DeclarationResult.REFUSED
        return DeclarationResult.ACCEPTED_WITH_WARNING if self.anomalies else DeclarationResult.ACCEPTED
