"""What a submission and each of its declarations came to: the words the answers and the state use."""

from __future__ import annotations

from enum import StrEnum


class SubmissionOutcome(StrEnum):
    """A submission as a whole (SPEC 4): accepted, its declarations then decided one by one, or refused."""

    ACCEPTED = "ACCEPTED"
    REFUSED = "REFUSED"


class DeclarationResult(StrEnum):
    """One declaration of an accepted submission (SPEC 5): a B anomaly refuses it, others warn."""

    ACCEPTED = "ACCEPTED"
    ACCEPTED_WITH_WARNING = "ACCEPTED_WITH_WARNING"
    REFUSED = "REFUSED"


class FileOutcome(StrEnum):
    """What a submission came to as a whole, in the words `status`, the log and the metrics use:
    the receipt's result (the state keeps it) with what its declarations came to. A positive
    receipt whose declarations were all refused is not "accepted" to the operator who reads it."""

    #: Every declaration accepted, none with a warning.
    ACCEPTED = "ACCEPTED"
    #: Every declaration accepted, some with a warning (NP anomalies).
    ACCEPTED_WITH_WARNINGS = "ACCEPTED_WITH_WARNINGS"
    #: A positive receipt; some declarations accepted, some refused.
    PARTLY_REFUSED = "PARTLY_REFUSED"
    #: A positive receipt, but every declaration refused: nothing of the file is in force.
    ALL_DECLARATIONS_REFUSED = "ALL_DECLARATIONS_REFUSED"
    #: A negative receipt: the file itself refused (SPEC 4), no declaration decided.
    REFUSED = "REFUSED"


def file_outcome(receipt: SubmissionOutcome, declarations: int, warnings: int, refused: int) -> FileOutcome:
    """The file outcome of a receipt and its declarations' counts."""
    if receipt is SubmissionOutcome.REFUSED:
        return FileOutcome.REFUSED
    if refused and refused >= declarations:
        return FileOutcome.ALL_DECLARATIONS_REFUSED
    if refused:
        return FileOutcome.PARTLY_REFUSED
    return FileOutcome.ACCEPTED_WITH_WARNINGS if warnings else FileOutcome.ACCEPTED
