"""Dimona XML (SPEC 6.1): a validated `Form` element becomes a `DimonaDeclaration`.

In two steps: the Form's values as a plain row (strings and tuples, which a second process reading a
large file sends through a pipe for a microsecond each), then the row as a declaration.
"""

from __future__ import annotations

import sys
from datetime import date
from functools import lru_cache
from typing import Any, Final

from flexibatch.domain.dimona import (
    ACTION_ELEMENT,
    HEADER_TAGS,
    PERSON_FIELDS,
    DimonaDeclaration,
    EmployerId,
    Reference,
    form_header,
    hour_of,
)
from flexibatch.formats.xml import XmlReader

_ACTION_OF_ELEMENT: Final = {element: action for action, element in ACTION_ELEMENT.items()}
_intern: Final = sys.intern

Fields = dict[str, Any]
#: (index, line, action, header, references, employer, INSS, person, worker type, joint committee,
#: start date, start hour, end date, end hour, planned, period id): every value a str, None or a tuple.
DimonaRow = tuple[Any, ...]

#: The elements of a Form that hold others (Dimona.xsd); every other element is a leaf. The
#: schema has been checked before a Form is read, so the tag says which is which.
_CONTAINERS: Final = frozenset(
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
    """An element's children by tag: text for leaves, the child element itself for the others.

    Texts are interned: a file repeats its dates, hours, codes and employers on every Form, and a
    string that is one object throughout a batch is pickled once for it (a Dimona batch's pickle
    halves: docs/performance.md, "Measured costs"), as the processor's records then share it."""
    found: Fields = {}
    for child in element:
        tag: str = child.tag
        if tag in _CONTAINERS:
            found[tag] = child
        else:
            text: str | None = child.text
            if text and (text := text.strip()):
                found[tag] = _intern(text)
    return found


def _nested(fields: Fields, tag: str) -> Fields:
    node = fields.get(tag)
    return _fields(node) if node is not None else {}


def _planned(fields: Fields) -> tuple[str, str] | None:
    if (value := fields.get("PlannedHoursNbr")) is not None:
        return "PlannedHoursNbr", value
    if (value := fields.get("PlannedDaysNbr")) is not None:
        return "PlannedDaysNbr", value
    return None


def row_from_form(form: Any, index: int) -> DimonaRow:
    """The values a schema-valid Form carries."""
    head: dict[str, str] = {}
    references = []
    action = "DimonaIn"
    body: Fields = {}
    for child in form:  # one pass over the Form's own children: header, references, the action
        tag: str = child.tag
        if tag == "Reference":
            ref = _fields(child)
            references.append(
                (ref.get("ReferenceType", ""), ref.get("ReferenceOrigin", ""), ref.get("ReferenceNbr", ""))
            )
        elif tag in _ACTION_OF_ELEMENT:
            action = _intern(tag)
            body = _fields(child)
        else:
            text: str | None = child.text
            head[tag] = _intern(text.strip()) if text else ""
    employer = None
    if (ids_element := body.get("EmployerId")) is not None:
        ids = _fields(ids_element)
        employer = (ids.get("NOSSRegistrationNbr"), ids.get("ProvisionalNSSONbr"), ids.get("CompanyID"))
    if action == "DimonaIn":  # the worker and their features: an IN's own
        person = _nested(body, "NaturalPerson")
        features = _nested(body, "DimonaFeatures")
        insz = person.get("INSS")
        identity = tuple([(tag, person[tag]) for tag in PERSON_FIELDS if tag in person])
        worker_type, joint_commission = features.get("WorkerType"), features.get("JointCommissionNbr")
        period_id = None
    else:  # the period it changes: the others'
        insz, identity, worker_type, joint_commission = body.get("INSS"), (), None, None
        period_id = body.get("DimonaPeriodId")
    # Written out, not assembled from starred parts or generators: compiled, those go through a
    # list or a generator object each, and a file has a million Forms.
    return (
        index,
        form.sourceline or 0,
        action,
        tuple([head.get(tag, "") for tag in HEADER_TAGS]),
        tuple(references),
        employer,
        insz,
        identity,
        worker_type,
        joint_commission,
        body.get("StartingDate"),
        body.get("StartingHour"),
        body.get("EndingDate"),
        body.get("EndingHour"),
        _planned(body),
        period_id,
    )


@lru_cache(maxsize=1 << 14)
def _employer(ids: tuple[str | None, str | None, str | None]) -> EmployerId:
    return EmployerId(*ids)


def declaration_from_row(row: DimonaRow) -> DimonaDeclaration:
    """The declaration of a row of `row_from_form`."""
    (index, line, action, header, references, employer, insz, person, worker_type, joint_commission) = row[
        :10
    ]
    start_date, start_hour, end_date, end_hour, planned, period_id = row[10:]
    return DimonaDeclaration(
        index,
        line,
        _ACTION_OF_ELEMENT[action],
        form_header(header),
        tuple([Reference(ref[0], ref[1], ref[2]) for ref in references]),
        None if employer is None else _employer(employer),
        None if insz in (None, "0") else insz,
        dict(person),
        worker_type,
        joint_commission,
        start_date and date.fromisoformat(start_date),
        start_hour and hour_of(start_hour),
        end_date and date.fromisoformat(end_date),
        end_hour and hour_of(end_hour),
        planned,
        period_id,
    )


def declaration_from_form(form: Any, index: int) -> DimonaDeclaration:
    """The declaration a schema-valid Form carries."""
    return declaration_from_row(row_from_form(form, index))


def dimona_reader(batch_size: int) -> XmlReader[DimonaDeclaration]:
    return XmlReader("Dimona.xsd", "Dimona", None, declaration_from_form, batch_size)


def dimona_row_reader(batch_size: int) -> XmlReader[DimonaRow]:
    """The reader a second process runs for a large file: rows, turned into declarations here."""
    return XmlReader("Dimona.xsd", "Dimona", None, row_from_form, batch_size)


def xml_locator(field: str, form_index: int) -> str:
    """An anomaly's Path for an XML declaration: the XPath of its field in its Form."""
    return f"/Dimona/Form[{form_index}]/{field}"
