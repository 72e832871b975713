"""The loop: finish interrupted claims, scan the inbox, claim each submission and hand it on.

Jobs come in the order the scan gives (ready submissions, then those past their GO timeout, then
foreign files); each is claimed with a fresh ticket and decided (service/submission.py), published
and filed away (service/answers.py). Whatever the moment a process dies, the next run finishes its
claims: a committed submission is only published (again, to the same names), an uncommitted one is
decided again with the reception time and ticket it was claimed with, so it gets the same answer
exactly once.

With the intake role (service/intake.py) a claim is handed on to decide workers on other hosts
instead of decided here, and published once they committed it.

A submission that cannot be claimed or finished (a folder that cannot be written, a full disk, a
bug) is that submission's failure (service/failures.py): recorded, tried again later, given up
after a few attempts, while the others are answered.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

import structlog

from flexibatch.channel.claims import Claim, ClaimKind, claim, claim_jobs, claims_dir, file_away
from flexibatch.channel.ignored import Mentions
from flexibatch.channel.inbox import Drop, InboxView, scan
from flexibatch.channel.recovery import Recovery, orphaned_claims, resume
from flexibatch.config import Settings
from flexibatch.domain.anomalies import Diagnostic
from flexibatch.domain.ids import new_file_ticket
from flexibatch.domain.results import FileOutcome, SubmissionOutcome, file_outcome
from flexibatch.errors import StoreConflict
from flexibatch.files import private_dir
from flexibatch.service.answers import Answers
from flexibatch.service.failures import Failures, Subject
from flexibatch.service.intake import Intake
from flexibatch.service.restore import record_again
from flexibatch.service.submission import Counts, SubmissionDecider
from flexibatch.store.base import SubmissionRecord
from flexibatch.store.ports import Queue, Store

log = structlog.get_logger()

#: How often a submission is decided when its transaction keeps losing races (a deadlock, a lock not
#: granted within the busy timeout) before that is the submission's failure (service/failures.py).
CONFLICT_ATTEMPTS = 10

T = TypeVar("T")


def again_on_conflict(
    decide: Callable[[], T], ticket: str, conflicted: Callable[[str], None] = lambda reason: None
) -> T:
    """Decide, again from the start when the transaction lost a race with another worker of a
    shared state (a deadlock): rolled back whole, it is no answer, and the next try sees the
    other's commit. `conflicted` hears each lost race's reason (the conflicts metric)."""
    for attempt in range(1, CONFLICT_ATTEMPTS):
        try:
            return decide()
        except StoreConflict as conflict:
            log.warning("deciding again", ticket=ticket, attempt=attempt, reason=str(conflict))
            conflicted(conflict.reason)
    return decide()


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one claimed submission or file (the summary line an operator reads)."""

    ticket: str
    file_name: str
    folder: str | None
    outcome: SubmissionOutcome
    error_ids: tuple[str, ...] = ()
    declarations: int = 0
    accepted: int = 0
    warnings: int = 0
    refused: int = 0
    answers: tuple[str, ...] = ()
    purpose: str | None = None
    #: How long it took to decide (or finish) and answer, in seconds.
    duration_seconds: float = 0.0

    @property
    def file_outcome(self) -> FileOutcome:
        """What the file came to as a whole: its receipt and its declarations (domain/results.py)."""
        return file_outcome(self.outcome, self.declarations, self.warnings, self.refused)


class Processor:
    """Processes ready submissions; one instance per command, sharing one store."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        wall_clock: Callable[[], float] = time.time,
        *,
        queue: Queue | None = None,
    ) -> None:
        """With a `queue`, the intake role: claims are handed on to decide workers (service/intake.py)."""
        self.settings = settings
        self.store = store
        self.wall_clock = wall_clock
        self.work = private_dir(settings.work_dir)
        #: Failures this run of a submission, for a reason of the processor's own (not the sender's).
        self.failures = 0
        self.retries = Failures(store, settings, wall_clock)
        self.answers = Answers(settings, store)
        self.submissions = SubmissionDecider(settings, store, self.answers)
        self.intake = None if queue is None else Intake(store, queue, settings.max_file_bytes)
        #: What the inbox holds that is not read, said once while this processor lives (watch).
        self.mentions = Mentions()
        self._restore_checked = False
        #: What the last scan found (`watch --metrics` reports what waits).
        self.last_view: InboxView | None = None
        #: Told the reason of each conflict that has a submission decided again (`watch --metrics`).
        self.conflicted: Callable[[str], None] = lambda reason: None

    def run_once(self, should_stop: Callable[[], bool] = lambda: False) -> list[Outcome]:
        """Finish interrupted claims, then answer everything the inbox holds that can be answered;
        what failed before waits for its next attempt (service/failures.py)."""
        if not self._restore_checked:  # once: a state is copied back only while no processor runs
            record_again(self.work, self.store, self.finish)
            self._restore_checked = True
        recovery = Recovery(self.settings.inbox, self.settings.business_now, self._received)
        outcomes = [o for taken in orphaned_claims(self.work, recovery) if (o := self._recover(taken))]
        view = scan(
            self.settings.inbox,
            self.settings.settle_seconds,
            self.settings.go_timeout_seconds,
            self.wall_clock(),
        )
        self.mentions.say(view.ignored)
        self.last_view = view
        others: set[str] = set()  # senders whose turn another worker holds: none of theirs this round
        for drops, kind, problems in claim_jobs(view):
            if should_stop():
                break
            sender = drops[0].folder or ""
            if sender in others:
                continue
            with self.store.turns.take(sender) as ours:
                if not ours:
                    others.add(sender)
                    continue
                if outcome := self._take(drops, kind, problems):
                    outcomes.append(outcome)
        self.retries.forget_stale(self.settings.inbox, claims_dir(self.work))
        return outcomes

    def _recover(self, taken: Claim) -> Outcome | None:
        subject = Subject.claimed(taken)
        if self.retries.postponed(subject):
            taken.release()
            return None
        return self._finish_safely(taken, subject, recovered=True)

    def _take(self, drops: list[Drop], kind: ClaimKind, problems: list[Diagnostic]) -> Outcome | None:
        """Claim one submission and finish it. A failure to claim it is its own: its files stay in
        the inbox and it is tried again later."""
        subject = Subject.in_inbox(drops)
        if self.retries.postponed(subject):
            return None
        ticket = self.new_ticket()
        try:
            taken = self._claim(drops, kind, problems, ticket)
        except Exception as error:
            self.failures += 1
            # claim() leaves no claim folder behind unless it took a file: then the failure is the claim's.
            if (claims_dir(self.work) / ticket).exists():
                self.retries.succeeded(subject)
                self.retries.failed(Subject.partly_claimed(ticket, drops), error)
            else:
                self.retries.failed(subject, error)
            return None
        self.retries.succeeded(subject)
        return None if taken is None else self._finish_safely(taken, Subject.claimed(taken))

    def _finish_safely(self, taken: Claim, subject: Subject, *, recovered: bool = False) -> Outcome | None:
        """A failure in one submission (a bug, a full disk) must not stop the others or lose files:
        the claim stays in its folder, with its reception time and ticket, for a later attempt, and
        goes to quarantine when given up."""
        try:
            if recovered and not resume(taken):
                return None  # its process died before it took anything: nothing to finish
            outcome = self._finish(taken)
        except Exception as error:
            self.failures += 1
            self.retries.failed(subject, error, quarantine=lambda: file_away(taken, self.work, refused=True))
            return None
        finally:
            taken.release()
        self.retries.succeeded(subject)
        return outcome

    def finish(self, taken: Claim) -> Outcome | None:
        """Finish one claim made outside the loop (`replay`), as the loop finishes its own."""
        return self._finish_safely(taken, Subject.claimed(taken), recovered=True)

    def _decide(self, taken: Claim) -> tuple[SubmissionRecord, Counts]:
        return again_on_conflict(lambda: self.submissions.decide(taken), taken.ticket, self.conflicted)

    def _received(self, ticket: str) -> tuple[str | None, datetime] | None:
        """Where and when the store says a ticket was received, for a claim that lost its record."""
        record = self.store.submissions.by_ticket(ticket)
        return None if record is None else (record.folder or None, record.reception_time)

    def new_ticket(self) -> str:
        ticket = new_file_ticket()
        while self.store.submissions.by_ticket(ticket) is not None:
            ticket = new_file_ticket()
        return ticket

    def _claim(
        self, drops: list[Drop], kind: ClaimKind, problems: list[Diagnostic], ticket: str
    ) -> Claim | None:
        reception = self.settings.business_now()
        return claim(drops, self.work, ticket=ticket, reception=reception, kind=kind, diagnostics=problems)

    def _finish(self, taken: Claim) -> Outcome | None:
        """Decide (unless committed before a crash), publish, file away. The intake hands an
        undecided claim on instead (None: not answered yet), and fetches a decided one's answers."""
        started = time.perf_counter()
        logger = log.bind(ticket=taken.ticket, file=taken.file_name, folder=taken.folder)
        record = self.store.submissions.by_ticket(taken.ticket)
        counts = Counts()
        if record is None and self.intake is not None and not self.intake.decides_here(taken):
            self.intake.hand_on(taken)
            return None
        if record is None:
            record, counts = self._decide(taken)
        if self.intake is not None:
            self.intake.fetch(taken)
        self.answers.publish(taken)
        if self.intake is not None:
            self.intake.forget(taken)
        file_away(taken, self.work, refused=record.outcome is not SubmissionOutcome.ACCEPTED)
        outcome = Outcome(
            ticket=taken.ticket,
            file_name=taken.file_name,
            folder=taken.folder,
            outcome=record.outcome,
            error_ids=record.error_ids,
            declarations=record.declarations,
            accepted=record.accepted,
            warnings=record.warnings,
            refused=record.refused,
            answers=tuple(counts.answers),
            purpose=record.purpose,
            duration_seconds=time.perf_counter() - started,
        )
        logger.info(
            "submission answered",
            outcome=outcome.file_outcome,
            receipt=outcome.outcome,
            error_ids=list(outcome.error_ids),
            declarations=outcome.declarations,
            accepted=outcome.accepted,
            warnings=outcome.warnings,
            refused=outcome.refused,
            duration_ms=round(outcome.duration_seconds * 1000, 1),
        )
        return outcome
