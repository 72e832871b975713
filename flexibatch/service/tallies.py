"""What a submission's declarations come to per employer and per ErrorID, counted as it is decided.

The figures `flexibatch report` sums over a month (store `Tallies`): a handful of rows per
submission, so the report never reads the answers again. Compiled with the deciders: it sees
every declaration of a monthly file.
"""

from __future__ import annotations

from collections.abc import Sequence

from flexibatch.domain.decisions import Decided
from flexibatch.store.base import EmployerTally, ErrorTally


class Tallies:
    """The running counts of one submission: per employer, and per (ErrorID, class)."""

    def __init__(self) -> None:
        #: employer -> [accepted (with a warning too), with a warning, refused]
        self.employers: dict[str, list[int]] = {}
        self.errors: dict[tuple[str, str], int] = {}

    def add(self, entries: Sequence[Decided]) -> tuple[int, int, int]:
        """Count a batch's declarations; return how many were accepted, warned, refused."""
        accepted = warnings = refused = 0
        for entry in entries:
            employer = entry.noss or entry.company_id or ""
            row = self.employers.get(employer)
            if row is None:
                row = self.employers[employer] = [0, 0, 0]
            if not entry.accepted:
                row[2] += 1
                refused += 1
            else:
                row[0] += 1
                accepted += 1
                if entry.anomalies:
                    row[1] += 1
                    warnings += 1
            if entry.anomalies:
                for key in {(a.code, a.cls.value) for a in entry.anomalies}:
                    self.errors[key] = self.errors.get(key, 0) + 1
        return accepted, warnings, refused

    def error_records(self, ticket: str) -> list[ErrorTally]:
        return [ErrorTally(ticket, code, cls, n) for (code, cls), n in sorted(self.errors.items())]

    def employer_records(self, ticket: str) -> list[EmployerTally]:
        return [EmployerTally(ticket, e, *counts) for e, counts in sorted(self.employers.items())]
