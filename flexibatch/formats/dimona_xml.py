"""Dimona XML (SPEC 6.1): a validated `Form` element becomes a `DimonaDeclaration`."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from flexibatch.domain.dimona import (
    ACTION_ELEMENT,
    Action,
    DimonaDeclaration,
    EmployerId,
    FormHeader,
    Reference,
)
from flexibatch.formats.xml import XmlReader, load_schema

_ACTION_OF_ELEMENT = {element: action for action, element in ACTION_ELEMENT.items()}
_PERSON_FIELDS = (
    "WorkerName",
    "WorkerFirstName",
    "WorkerInitial",
    "WorkerBirthdate",
    "WorkerBirthplace",
    "WorkerBirthplaceCountry",
    "WorkerSex",
    "WorkerStreet",
    "WorkerHouseNbr",
    "WorkerPostBox",
    "WorkerZIPCode",
    "WorkerCity",
    "WorkerCountry",
    "Nationality",
)


def _text(parent: Any, tag: str) -> str | None:
    if parent is None:
        return None
    value = parent.findtext(tag)
    return value.strip() if value is not None and value.strip() else None


def _date(parent: Any, tag: str) -> date | None:
    value = _text(parent, tag)
    return date.fromisoformat(value) if value else None


def _hour(parent: Any, tag: str) -> time | None:
    value = _text(parent, tag)
    return time(int(value[:2]), int(value[2:])) if value else None


def _insz(value: str | None) -> str | None:
    return None if value in (None, "0") else value


def _employer(parent: Any) -> EmployerId | None:
    node = parent.find("EmployerId")
    if node is None:
        return None
    return EmployerId(
        noss=_text(node, "NOSSRegistrationNbr"),
        provisional=_text(node, "ProvisionalNSSONbr"),
        company_id=_text(node, "CompanyID"),
    )


def _planned(parent: Any) -> tuple[str, str] | None:
    for tag in ("PlannedHoursNbr", "PlannedDaysNbr"):
        if (value := _text(parent, tag)) is not None:
            return tag, value
    return None


def declaration_from_form(form: Any, index: int) -> DimonaDeclaration:
    """The declaration a schema-valid Form carries."""
    body = form[-1]
    action = _ACTION_OF_ELEMENT[body.tag]
    header = FormHeader(
        creation_date=_text(form, "FormCreationDate") or "",
        creation_hour=_text(form, "FormCreationHour") or "",
        attestation_status=_text(form, "AttestationStatus") or "",
        type_form=_text(form, "TypeForm") or "",
    )
    references = tuple(
        Reference(
            _text(ref, "ReferenceType") or "",
            _text(ref, "ReferenceOrigin") or "",
            _text(ref, "ReferenceNbr") or "",
        )
        for ref in form.iterfind("Reference")
    )
    common: dict[str, Any] = {
        "index": index,
        "line": form.sourceline or 0,
        "action": action,
        "header": header,
        "references": references,
        "employer": _employer(body),
        "start_date": _date(body, "StartingDate"),
        "start_hour": _hour(body, "StartingHour"),
        "end_date": _date(body, "EndingDate"),
        "end_hour": _hour(body, "EndingHour"),
        "planned": _planned(body),
        "period_id": _text(body, "DimonaPeriodId"),
    }
    if action is not Action.IN:
        return DimonaDeclaration(insz=_insz(_text(body, "INSS")), **common)
    person = body.find("NaturalPerson")
    features = body.find("DimonaFeatures")
    return DimonaDeclaration(
        insz=_insz(_text(person, "INSS")),
        person={tag: value for tag in _PERSON_FIELDS if (value := _text(person, tag)) is not None},
        worker_type=_text(features, "WorkerType"),
        joint_commission=_text(features, "JointCommissionNbr"),
        **common,
    )


def dimona_reader(batch_size: int) -> XmlReader[DimonaDeclaration]:
    return XmlReader(load_schema("Dimona.xsd"), "Dimona", None, declaration_from_form, batch_size)
