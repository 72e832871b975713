"""Who a declaration is about: the employer (repertory, mandate) and the worker (INSZ).

Shared by the Dimona and Flexi at work rules: the checks of SPEC 7 "every declaration".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flexibatch.domain.anomalies import N_, Anomaly, anomaly
from flexibatch.domain.ids import (
    company_id_compact,
    company_id_is_valid,
    insz_is_valid,
    noss_is_valid,
)
from flexibatch.domain.refdata import EmployerRecord, RefData


@dataclass(frozen=True, slots=True)
class DecisionContext:
    """What a rule may know besides the declaration and the state: who sent it, where and when."""

    env: str
    sender: str
    purpose: str
    reception: datetime
    refdata: RefData
    joint_committees: frozenset[str]


def resolve_employer(
    noss: str | None,
    company_id: str | None,
    refdata: RefData,
    *,
    noss_field: str,
    company_field: str,
) -> tuple[EmployerRecord | None, list[Anomaly]]:
    """Check the employer numbers a declaration gives and find the employer in the repertory."""
    found: list[EmployerRecord] = []
    problems: list[Anomaly] = []
    if noss:
        if not noss_is_valid(noss):
            problems.append(anomaly("00011-004", noss_field, noss))
        elif (by_noss := refdata.employer_by_noss(noss)) is None:
            problems.append(anomaly("00011-235", noss_field, noss))
        else:
            found.append(by_noss)
    if company_id:
        if not company_id_is_valid(company_id):
            problems.append(anomaly("00014-004", company_field, company_id))
        elif (by_company := refdata.employer_by_company(company_id)) is None:
            problems.append(anomaly("00014-235", company_field, company_id))
        else:
            found.append(by_company)
    if len(found) == 2 and found[0].key != found[1].key:
        problems.append(
            anomaly(
                "00014-235",
                company_field,
                company_id,
                N_("The enterprise number belongs to another employer than the RSZ number."),
            )
        )
        return None, problems
    return (found[0] if found and not problems else None), problems


def check_mandate(record: EmployerRecord, ctx: DecisionContext, field: str) -> list[Anomaly]:
    """90256-155: the sender must hold a mandate for this employer and purpose on the reception date."""
    if ctx.refdata.has_mandate(ctx.sender, record.key, ctx.purpose, ctx.reception.date()):
        return []
    return [anomaly("90256-155", field, record.noss or record.company_id)]


def check_insz(insz: str | None, field: str) -> list[Anomaly]:
    """00024-004: an INSZ, when given, passes its check."""
    if insz and not insz_is_valid(insz):
        return [anomaly("00024-004", field, insz)]
    return []


def normal_company_id(company_id: str | None) -> str | None:
    return company_id_compact(company_id) if company_id else None
