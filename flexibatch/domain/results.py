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
