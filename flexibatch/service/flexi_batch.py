"""Deciding Flexi at work wage transfers in bulk against the store, with one-by-one meaning.

For each batch: one query for the situations the batch names, one for the yearly totals of its
workers, one for the Dimona periods of its (employer, worker) pairs; then every declaration is decided
in document order against that in-memory book; then the situations, their history and the changed
totals are written in one go.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from flexibatch.domain.decisions import Decided
from flexibatch.domain.dimona import PeriodBook
from flexibatch.domain.flexi import FlexiDeclaration, SituationBook, SituationChange, SituationKey
from flexibatch.domain.flexi_rules import FlexiDecision, decide_flexi
from flexibatch.domain.parties import DecisionContext, resolve_employer
from flexibatch.service.numbers import declaration_tickets
from flexibatch.store.ports import Store

ACTIONS = {"0": "ORIGINAL", "1": "MODIFICATION", "3": "CANCELLATION"}


def _employer_key(decl: FlexiDeclaration, ctx: DecisionContext) -> str | None:
    record, _ = resolve_employer(decl.noss, decl.company_id, ctx.refdata, noss_field="", company_field="")
    return None if record is None else record.key


def preload(
    store: Store, ctx: DecisionContext, declarations: Sequence[FlexiDeclaration]
) -> tuple[SituationBook, PeriodBook]:
    """The situations, yearly totals and Dimona periods a batch can touch."""
    keys: set[SituationKey] = set()
    pairs: set[tuple[str, str]] = set()
    years: dict[str, set[int]] = {}
    validity_starts: list[date] = []  # the days a payslip pays for must overlap a Dimona period
    for decl in declarations:
        employer_key = _employer_key(decl, ctx)
        for beneficiary in decl.beneficiaries:
            worker_years = years.setdefault(beneficiary.insz, set())
            for relation in beneficiary.relations:
                worker_years.update(calc.start.year for calc in relation.calculations)
                validity_starts.extend(
                    f.validity_start for calc in relation.calculations for f in calc.features
                )
                if employer_key is not None:
                    pairs.add((employer_key, beneficiary.insz))
                    keys.update(
                        (employer_key, beneficiary.insz, rid.lower()) for rid in relation.relation_ids
                    )
    situations = store.situations.by_key(ctx.env, keys)
    for situation in situations:
        years.setdefault(situation.insz, set()).update(c.start.year for c in situation.calculations)
    totals = store.situations.totals(
        ctx.env, ((insz, year) for insz, wanted in years.items() for year in wanted)
    )
    book = SituationBook({s.key: s for s in situations}, totals)
    first_start = min(validity_starts) if validity_starts else None
    return book, PeriodBook(store.periods.by_pair(ctx.env, pairs, first_start))


@dataclass
class FlexiBatch:
    """Decides the batches of one FLEX submission, each declaration under its own ticket."""

    store: Store
    ctx: DecisionContext
    submission_ticket: str
    ceilings: Mapping[int, int]

    def __post_init__(self) -> None:
        self._tickets = declaration_tickets(self.store)

    def decide(self, declarations: Sequence[FlexiDeclaration]) -> list[Decided]:
        book, periods = preload(self.store, self.ctx, declarations)
        loaded = dict(book.totals)
        decided: list[Decided] = []
        changes: list[SituationChange] = []
        for decl in declarations:
            decision = decide_flexi(decl, book, periods, self.ctx, self.ceilings)
            ticket = self._tickets()
            changes.extend(
                [
                    SituationChange(after, str(decl.action), ticket, self.submission_ticket, self.ctx.sender)
                    for _, after in decision.changes
                ]
            )
            decided.append(_decided(decision, ticket))
        changed = {key: amount for key, amount in book.totals.items() if loaded.get(key) != amount}
        self.store.situations.save_changes(self.ctx.env, changes, changed, self.ctx.reception)
        self._tickets.save()
        return decided


def _decided(decision: FlexiDecision, ticket: str) -> Decided:
    decl = decision.declaration
    relation_ids = [r for b in decl.beneficiaries for rel in b.relations for r in rel.relation_ids]
    return Decided(
        form_index=decl.index,
        source_line=decl.line,
        action=ACTIONS[str(decl.action)],
        header=decl.header,
        references=decl.references,
        noss=decl.noss,
        company_id=decl.company_id,
        insz=tuple(dict.fromkeys(b.insz for b in decl.beneficiaries)),
        ticket=ticket,
        anomalies=decision.anomalies,
        impact=decision.impacts if decision.accepted and decision.impacts else None,
        relation_id="; ".join(relation_ids) or None,
    )
