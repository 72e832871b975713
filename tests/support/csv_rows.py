"""CSV submissions as the tests write them: a header and rows of a valid declaration, any cell changed."""

from __future__ import annotations

from support.builders import NOSS_BRASSERIE

DIMONA_HEADER = [
    "action",
    "own_reference",
    "noss",
    "insz",
    "joint_commission",
    "worker_type",
    "start_date",
    "start_hour",
    "end_date",
    "end_hour",
    "period_id",
    "birth_date",
]
FLEXI_HEADER = [
    "status",
    "form_reference",
    "company_id",
    "insz",
    "relation_uuid",
    "calc_start",
    "calc_end",
    "calc_date",
    "validity_start",
    "validity_end",
    "employer_class",
    "worker_code",
    "element_code",
    "amount",
    "frequency",
]


def one_day(insz: str, reference: str, **cells: str) -> dict[str, str]:
    """A Dimona CSV row: an IN for a flexi-job on 25/06/2026 from 10:00 to 14:00 at the Brasserie."""
    row = {
        "action": "IN",
        "own_reference": reference,
        "noss": NOSS_BRASSERIE,
        "insz": insz,
        "joint_commission": "302",
        "worker_type": "FLX",
        "start_date": "25/06/2026",
        "start_hour": "10:00",
        "end_hour": "14:00",
    }
    row.update(cells)
    return {k: v for k, v in row.items() if v != ""}


def wage_line(insz: str, relation_id: str, reference: str, **cells: str) -> dict[str, str]:
    """A Flexi at work CSV row: 500,00 EUR of flexi wage for June 2026, paid by the Brasserie."""
    row = {
        "status": "0",
        "form_reference": reference,
        "company_id": "0400767772",
        "insz": insz,
        "relation_uuid": relation_id,
        "calc_start": "01/06/2026",
        "calc_end": "30/06/2026",
        "calc_date": "24/06/2026",
        "validity_start": "01/06/2026",
        "validity_end": "30/06/2026",
        "employer_class": "000",
        "worker_code": "050",
        "element_code": "WAGE",
        "amount": "500,00",
    }
    row.update(cells)
    return {k: v for k, v in row.items() if v != ""}
