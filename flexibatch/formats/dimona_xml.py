"""Dimona XML (SPEC 6.1): a validated `Form` element becomes a `DimonaDeclaration`."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from flexibatch.domain.dimona import (
    ACTION_ELEMENT,
    PERSON_FIELDS,
    Action,
    DimonaDeclaration,
    EmployerId,
    FormHeader,
    Reference,
)
from flexibatch.formats.xml import XmlReader, load_schema

_ACTION_OF_ELEMENT = {element: action for action, element in ACTION_ELEMENT.items()}


Fields = dict[str, Any]


def _fields(element: Any) -> Fields:
    """An element's children by tag: text for leaves, the child element itself for the others."""
    found: Fields = {}
    for child in element:
        if len(child):
            found[child.tag] = child
        else:
            text = (child.text or "").strip()
            if text:
                found[child.tag] = text
    return found


def _nested(fields: Fields, tag: str) -> Fields:
    node = fields.get(tag)
    return _fields(node) if node is not None and not isinstance(node, str) else {}


def _date(fields: Fields, tag: str) -> date | None:
    value = fields.get(tag)
    return date.fromisoformat(value) if value else None


def _hour(fields: Fields, tag: str) -> time | None:
    value = fields.get(tag)
    return time(int(value[:2]), int(value[2:])) if value else None


def _insz(value: str | None) -> str | None:
    return None if value in (None, "0") else value


def _employer(fields: Fields) -> EmployerId | None:
    if "EmployerId" not in fields:
        return None
    employer = _nested(fields, "EmployerId")
    return EmployerId(
        noss=employer.get("NOSSRegistrationNbr"),
        provisional=employer.get("ProvisionalNSSONbr"),
        company_id=employer.get("CompanyID"),
    )


def _planned(fields: Fields) -> tuple[str, str] | None:
    for tag in ("PlannedHoursNbr", "PlannedDaysNbr"):
        if (value := fields.get(tag)) is not None:
            return tag, value
    return None


def declaration_from_form(form: Any, index: int) -> DimonaDeclaration:
    """The declaration a schema-valid Form carries."""
    head = _fields(form)
    body_element = form[-1]
    action = _ACTION_OF_ELEMENT[body_element.tag]
    body = _fields(body_element)
    header = FormHeader(
        creation_date=head.get("FormCreationDate", ""),
        creation_hour=head.get("FormCreationHour", ""),
        attestation_status=head.get("AttestationStatus", ""),
        type_form=head.get("TypeForm", ""),
    )
    references = []
    for node in form.iterfind("Reference"):
        ref = _fields(node)
        references.append(
            Reference(
                ref.get("ReferenceType", ""), ref.get("ReferenceOrigin", ""), ref.get("ReferenceNbr", "")
            )
        )
    common: dict[str, Any] = {
        "index": index,
        "line": form.sourceline or 0,
        "action": action,
        "header": header,
        "references": tuple(references),
        "employer": _employer(body),
        "start_date": _date(body, "StartingDate"),
        "start_hour": _hour(body, "StartingHour"),
        "end_date": _date(body, "EndingDate"),
        "end_hour": _hour(body, "EndingHour"),
        "planned": _planned(body),
        "period_id": body.get("DimonaPeriodId"),
    }
    if action is not Action.IN:
        return DimonaDeclaration(insz=_insz(body.get("INSS")), **common)
    person = _nested(body, "NaturalPerson")
    features = _nested(body, "DimonaFeatures")
    return DimonaDeclaration(
        insz=_insz(person.get("INSS")),
        person={tag: person[tag] for tag in PERSON_FIELDS if tag in person},
        worker_type=features.get("WorkerType"),
        joint_commission=features.get("JointCommissionNbr"),
        **common,
    )


def dimona_reader(batch_size: int) -> XmlReader[DimonaDeclaration]:
    return XmlReader(load_schema("Dimona.xsd"), "Dimona", None, declaration_from_form, batch_size)
