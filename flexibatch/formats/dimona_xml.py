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
    hour_of,
)
from flexibatch.formats.xml import XmlReader, load_schema

_ACTION_OF_ELEMENT = {element: action for action, element in ACTION_ELEMENT.items()}


Fields = dict[str, Any]

#: The elements of a Form that hold others (Dimona.xsd); every other element is a leaf. The
#: schema has been checked before a Form is read, so the tag says which is which.
_CONTAINERS = frozenset(
    {
        *_ACTION_OF_ELEMENT,
        "Reference",
        "EmployerId",
        "NaturalPerson",
        "DimonaFeatures",
        "UsingEmployer",
        "ConstructionControlCards",
        "StudentPlaceOfWork",
        "SmallStatutesInformation",
    }
)


def _fields(element: Any) -> Fields:
    """An element's children by tag: text for leaves, the child element itself for the others."""
    found: Fields = {}
    for child in element:
        tag = child.tag
        if tag in _CONTAINERS:
            found[tag] = child
        elif (text := child.text) and (text := text.strip()):
            found[tag] = text
    return found


def _nested(fields: Fields, tag: str) -> Fields:
    node = fields.get(tag)
    return _fields(node) if node is not None else {}


def _date(fields: Fields, tag: str) -> date | None:
    value = fields.get(tag)
    return date.fromisoformat(value) if value else None


def _hour(fields: Fields, tag: str) -> time | None:
    value = fields.get(tag)
    return hour_of(value) if value else None


def _insz(value: str | None) -> str | None:
    return None if value in (None, "0") else value


def _employer(fields: Fields) -> EmployerId | None:
    if "EmployerId" not in fields:
        return None
    employer = _nested(fields, "EmployerId")
    return EmployerId(
        employer.get("NOSSRegistrationNbr"), employer.get("ProvisionalNSSONbr"), employer.get("CompanyID")
    )


def _planned(fields: Fields) -> tuple[str, str] | None:
    for tag in ("PlannedHoursNbr", "PlannedDaysNbr"):
        if (value := fields.get(tag)) is not None:
            return tag, value
    return None


def declaration_from_form(form: Any, index: int) -> DimonaDeclaration:
    """The declaration a schema-valid Form carries."""
    head: Fields = {}
    references = []
    action = Action.IN
    body: Fields = {}
    for child in form:  # one pass over the Form's own children: header, references, the action
        tag = child.tag
        if tag == "Reference":
            ref = _fields(child)
            references.append(
                Reference(
                    ref.get("ReferenceType", ""), ref.get("ReferenceOrigin", ""), ref.get("ReferenceNbr", "")
                )
            )
        elif tag in _ACTION_OF_ELEMENT:
            action = _ACTION_OF_ELEMENT[tag]
            body = _fields(child)
        else:
            head[tag] = (child.text or "").strip()
    header = FormHeader(
        head.get("FormCreationDate", ""),
        head.get("FormCreationHour", ""),
        head.get("AttestationStatus", ""),
        head.get("TypeForm", ""),
    )
    if action is not Action.IN:
        return DimonaDeclaration(
            index,
            form.sourceline or 0,
            action,
            header,
            tuple(references),
            _employer(body),
            _insz(body.get("INSS")),
            start_date=_date(body, "StartingDate"),
            start_hour=_hour(body, "StartingHour"),
            end_date=_date(body, "EndingDate"),
            end_hour=_hour(body, "EndingHour"),
            planned=_planned(body),
            period_id=body.get("DimonaPeriodId"),
        )
    person = _nested(body, "NaturalPerson")
    features = _nested(body, "DimonaFeatures")
    return DimonaDeclaration(
        index,
        form.sourceline or 0,
        action,
        header,
        tuple(references),
        _employer(body),
        _insz(person.get("INSS")),
        {tag: person[tag] for tag in PERSON_FIELDS if tag in person},
        features.get("WorkerType"),
        features.get("JointCommissionNbr"),
        _date(body, "StartingDate"),
        _hour(body, "StartingHour"),
        _date(body, "EndingDate"),
        _hour(body, "EndingHour"),
        _planned(body),
    )


def dimona_reader(batch_size: int) -> XmlReader[DimonaDeclaration]:
    return XmlReader(load_schema("Dimona.xsd"), "Dimona", None, declaration_from_form, batch_size)
