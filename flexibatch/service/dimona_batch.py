"""Deciding Dimona declarations in bulk against the store, with one-by-one meaning.

For each batch: one query for the periods named by id, one for the active periods of every
(employer, worker) pair the batch touches; then every declaration is decided in document order against
that in-memory book, which records each accepted effect; then all changes are written in one go.
Period ids and declaration tickets come from counters in the store, issued in document order, inside
the submission's transaction, so a submission processed again after a crash issues the same numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flexibatch.domain.decisions import Decided, PeriodImpact
from flexibatch.domain.dimona import Action, DimonaDeclaration, EmployerId, PeriodBook, PeriodChange
from flexibatch.domain.dimona_rules import DimonaDecision, decide
from flexibatch.domain.parties import DecisionContext, resolve_employer
from flexibatch.service.numbers import PERIOD_BASE, PERIOD_COUNTER, Numbers, declaration_tickets
from flexibatch.store.ports import Store


def preload(store: Store, ctx: DecisionContext, declarations: Sequence[DimonaDeclaration]) -> PeriodBook:
    """The periods a batch can touch: those it names, and those of the employer-worker pairs it concerns
    that can still overlap one of its schedules (an UPDATE's new schedule starts on its StartingDate
    or on the period's)."""
    named = store.periods.by_id(ctx.env, {d.period_id for d in declarations if d.period_id})
    pairs = {(p.employer_key, p.worker_key) for p in named}
    starts = [d.start_date for d in declarations if d.start_date] + [p.schedule.start_date for p in named]
    first_start = min(starts) if starts else None
    for decl in declarations:
        if decl.action is Action.IN and decl.employer is not None:
            record, _ = resolve_employer(
                decl.employer.noss or decl.employer.provisional,
                decl.employer.company_id,
                ctx.refdata,
                noss_field="",
                company_field="",
            )
            if record is not None:
                pairs.add((record.key, decl.worker_key))
    return PeriodBook([*named, *store.periods.by_pair(ctx.env, pairs, first_start)])


@dataclass
class DimonaBatch:
    """Decides the batches of one submission, each declaration under its own ticket."""

    store: Store
    ctx: DecisionContext
    submission_ticket: str

    def __post_init__(self) -> None:
        self._period_ids = Numbers(self.store, PERIOD_COUNTER, PERIOD_BASE)
        self._tickets = declaration_tickets(self.store)

    def decide(self, declarations: Sequence[DimonaDeclaration]) -> list[Decided]:
        book = preload(self.store, self.ctx, declarations)
        decided: list[Decided] = []
        changes: list[PeriodChange] = []
        for decl in declarations:
            decision = decide(decl, book, self.ctx, self._period_ids)
            ticket = self._tickets()
            if decision.accepted and decision.after is not None:
                changes.append(
                    PeriodChange(decision.after, decl.action, ticket, self.submission_ticket, self.ctx.sender)
                )
            decided.append(_decided(decision, ticket))
        self.store.periods.save_changes(changes, self.ctx.reception)
        self._period_ids.save()
        self._tickets.save()
        return decided


def _decided(decision: DimonaDecision, ticket: str) -> Decided:
    decl = decision.declaration
    employer = decision.employer or EmployerId()
    accepted = decision.accepted
    return Decided(
        form_index=decl.index,
        source_line=decl.line,
        action=decl.action,
        header=decl.header,
        references=decl.references,
        noss=employer.noss or employer.provisional,
        company_id=employer.company_id,
        insz=(decision.insz,) if decision.insz else (),
        ticket=ticket,
        anomalies=decision.anomalies,
        impact=PeriodImpact(decision.before, decision.after) if accepted else None,
        period_id=decision.period_id,
    )
