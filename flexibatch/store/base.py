"""The records of the submission log, whatever the database keeps them in (`store/ports.py`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flexibatch.domain.results import FileOutcome, SubmissionOutcome


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
class SubmissionQuery:
    """Which submissions `status` lists: each given field narrows the list."""

    #: The 6-digit sender number of the file's name.
    sender: str | None = None
    #: Received on this (Belgian) day or later.
    since: date | None = None
    #: What the file came to as a whole (domain/results.file_outcome).
    outcome: FileOutcome | None = None


#: Every submission: no filter.
EVERY_SUBMISSION = SubmissionQuery()


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


@dataclass(frozen=True, slots=True)
class VersionRecord:
    """One version of a period or a situation and who made it: the history behind the current row."""

    version: int
    action: str  # a period's IN, UPDATE, CANCEL...; a situation's kind (AttestationStatus 0, 1, 3)
    status: str
    declaration_ticket: str
    submission_ticket: str
    recorded_at: datetime


@dataclass(frozen=True, slots=True, unsafe_hash=True)
class ErrorTally:
    """How many declarations of an accepted submission carried one ErrorID (each counted once)."""

    ticket: str
    error_id: str
    cls: str  # B (the declaration was refused) or NP (a warning)
    declarations: int


@dataclass(frozen=True, slots=True, unsafe_hash=True)
class EmployerTally:
    """What an accepted submission's declarations for one employer came to, counted as the
    submission's own record counts them: `accepted` includes those accepted with a warning."""

    ticket: str
    #: The RSZ number the NOTI echoes, else the enterprise number; "" for a declaration without either.
    employer: str
    accepted: int
    warnings: int
    refused: int


@dataclass(frozen=True, slots=True, unsafe_hash=True)
class YearTotal:
    """A worker's flexi income for one year across every employer, in cents."""

    env: str
    insz: str
    year: int
    amount: int
