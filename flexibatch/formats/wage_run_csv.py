"""The wage run as CSV for the payroll system that prepares the next FLXWAGE file, and for Excel.

Semicolon-separated, UTF-8 with a byte-order mark and CRLF line ends: what Excel on a Belgian
machine opens straight into columns (a comma is its decimal separator there). One row per Dimona
period and one per calculation of a wage transfer, each with its worker's status and its own; a
calculation's validity periods are written `start/end` (ISO 8601 intervals), space-separated, and
so are the ids a line is matched with.
Columns and status codes are language-neutral, as the `--json` keys are; amounts are euro cents,
as in FLXWAGE, so no decimal separator is needed. Every cell goes through the same guard as the
NOTI's CSV twin (`formats/text.spreadsheet_cell`): never run as a formula.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Final

from flexibatch.formats.text import spreadsheet_cell
from flexibatch.views import EmployerRunView

COLUMNS: Final = (
    "employer_noss",
    "employer_company_id",
    "insz",
    "worker_status",
    "line",
    "status",
    "period_id",
    "relation_id",
    "version",
    "start",
    "end",
    "validity",
    "wage_cents",
    "premium_cents",
    "matched",
)
BOM: Final = "\ufeff"


def _cents(euros: str) -> str:
    return str(int(Decimal(euros) * 100))


def wage_run_csv(view: EmployerRunView) -> bytes:
    """The whole CSV, BOM included, as the bytes to write."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    employer = (view.employer.noss or "", view.employer.company_id or "")
    for worker in view.workers:
        head = (*employer, worker.insz, worker.status)
        for p in worker.periods:
            row = (
                "dimona",
                p.status,
                p.period_id,
                "",
                "",
                p.start,
                p.end or "",
                "",
                "",
                "",
                " ".join(p.wages),
            )
            writer.writerow([spreadsheet_cell(cell) for cell in (*head, *row)])
        for s in worker.situations:
            for c in s.calculations:
                row = (
                    *("wages", s.status, "", s.relation_id, str(s.version), c.start, c.end),
                    " ".join(f"{v.start}/{v.end}" for v in c.validity),
                    *(_cents(c.wage), _cents(c.premium), " ".join(s.dimona)),
                )
                writer.writerow([spreadsheet_cell(cell) for cell in (*head, *row)])
    return (BOM + out.getvalue()).encode("utf-8")
