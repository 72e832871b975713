"""The state store's interface: what the pipeline and the views need, whatever the database.

SQLite implements it now; a PostgreSQL implementation can follow without touching the rules, which
only ever see `Period` values and a `RefData` snapshot.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from flexibatch.domain.dimona import Period, PeriodChange
from flexibatch.domain.flexi import Situation, SituationChange, SituationKey, TotalKey
from flexibatch.domain.refdata import RefData
from flexibatch.domain.results import SubmissionOutcome


@dataclass(frozen=True, slots=True)
class SubmissionRecord:
    """One claimed file or submission and how it was answered."""

    ticket: str
    folder: str
    file_name: str
    purpose: str | None
    sender: str | None
    file_date: str | None
    sequence: str | None
    env: str | None
    sha256: str | None
    reception_time: datetime
    outcome: SubmissionOutcome
    #: The ErrorIDs of its ReceptionResult, each once, in order (a comma-joined column in SQLite).
    error_ids: tuple[str, ...] = ()
    declarations: int = 0
    accepted: int = 0
    warnings: int = 0
    refused: int = 0


@dataclass(frozen=True, slots=True)
class AnswerRecord:
    """An answer file: where it is published, in which order; its bytes wait in the claim folder."""

    ticket: str
    order: int
    folder: str
    name: str
    published: bool = False


@dataclass(frozen=True, slots=True)
class FailureRecord:
    """A submission the processor failed to claim or to finish for a reason of its own (not the
    sender's): how often, the last reason, when it is tried again, where it went when given up."""

    stage: str  # CLAIM: its files are still in the inbox; FINISH: they are in its claim folder
    subject: str  # CLAIM: the first file's path in the inbox, %-quoted ("123456/FI..."); FINISH: the ticket
    folder: str
    file_name: str
    attempts: int
    reason: str
    failed_at: datetime  # the real clock (UTC), like every wait on the file system
    next_attempt: datetime
    #: CLAIM: the names, sizes and times of the files; changed files are a new upload, tried afresh.
    fingerprint: str = ""
    #: Given up: the quarantine folder of a claim, or "inbox" for files that could not leave it.
    quarantined: str | None = None


class Store(Protocol):
    def close(self) -> None: ...

    def transaction(self) -> AbstractContextManager[None]:
        """All writes of one submission: committed together or not at all."""
        ...

    # reference data
    def replace_refdata(self, refdata: RefData, source: str, loaded_at: datetime) -> None: ...
    def refdata(self) -> RefData: ...
    def refdata_version(self) -> int:
        """Which load of the reference data is current (0 before the first): changes with every load."""
        ...

    # submissions and answers
    def record_submission(self, record: SubmissionRecord) -> None: ...
    def submission(self, ticket: str) -> SubmissionRecord | None: ...
    def submissions(self, limit: int) -> list[SubmissionRecord]: ...
    def name_used(self, folder: str, file_name_key: tuple[str, str, str, str, str]) -> bool: ...
    def content_received(self, sha256: str, env: str) -> str | None:
        """The name under which these bytes were accepted in this environment (ACRF-134), if any."""
        ...

    def answer_name_taken(self, folder: str, name: str) -> bool: ...
    def record_answers(self, answers: Iterable[AnswerRecord]) -> None: ...
    def unpublished_answers(self, ticket: str) -> list[AnswerRecord]: ...
    def mark_published(self, ticket: str, order: int) -> None:
        """One answer is in the outbox: a recovery publishes only the answers after it."""
        ...

    # submissions that failed for a reason of the processor's own
    def failure(self, stage: str, subject: str) -> FailureRecord | None: ...
    def failures(self) -> list[FailureRecord]: ...
    def record_failure(self, record: FailureRecord) -> None:
        """Insert or replace the record of (stage, subject)."""
        ...

    def forget_failure(self, stage: str, subject: str) -> None: ...

    # issued numbers
    def reserve(self, counter: str, count: int) -> int:
        """Reserve `count` consecutive values of a counter and return the first."""
        ...

    # Dimona periods
    def periods_by_id(self, env: str, period_ids: Iterable[str]) -> list[Period]: ...
    def periods_by_pair(
        self, env: str, pairs: Iterable[tuple[str, str]], running_on: date | None = None
    ) -> list[Period]:
        """The periods of these (employer, worker) pairs; with `running_on`, only those that can
        still run on that day or later (`Schedule.last_day`): a worker's older history stays out."""
        ...

    def save_period_changes(self, changes: Iterable[PeriodChange], recorded_at: datetime) -> None: ...
    def count_periods(self, env: str | None = None) -> int: ...
    def periods_of(
        self, env: str, *, insz: str | None = None, employer_key: str | None = None
    ) -> list[Period]: ...

    # Flexi at work situations and yearly totals
    def situations_by_key(self, env: str, keys: Iterable[SituationKey]) -> list[Situation]: ...
    def flexi_totals(self, env: str, keys: Iterable[TotalKey]) -> dict[TotalKey, int]: ...
    def save_situation_changes(
        self,
        env: str,
        changes: Iterable[SituationChange],
        totals: Mapping[TotalKey, int],
        recorded_at: datetime,
    ) -> None: ...
    def situations_of(
        self, env: str, *, insz: str | None = None, employer_key: str | None = None
    ) -> list[Situation]: ...
    def totals_of(self, env: str, insz: str) -> dict[int, int]: ...
