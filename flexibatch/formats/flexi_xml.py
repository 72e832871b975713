"""Flexi at work XML (SPEC 6.2): a validated FLXWAGE `Form` element becomes a `FlexiDeclaration`.

Every part of the declaration carries its logical path inside the Form
(`Debtor/Beneficiary[1]/Relation[2]/Calculation[1]`), which answers turn into an XPath or a CSV column.
As for Dimona, in two steps: the Form's values as nested plain tuples (what the read-ahead process
sends), then those as the declaration's records.
"""

from __future__ import annotations

import sys
from datetime import date
from functools import lru_cache
from typing import Any

from flexibatch.domain.dimona import HEADER_TAGS, Reference, form_header
from flexibatch.domain.flexi import (
    Beneficiary,
    Calculation,
    Features,
    FinancialElement,
    FlexiDeclaration,
    FlexiKind,
    Relation,
)
from flexibatch.formats.xml import XmlReader, load_schema

NAMESPACE = "http://socialsecurity.be/xml/ns/FLXWAGE"
_PREFIX = f"{{{NAMESPACE}}}"
RELATION_ID_ORIGIN = "8"

#: (index, line, header, references, company id, NOSS, beneficiaries), each part a tuple of its own
#: parts down to the financial elements: strings, None and tuples only.
FlexiRow = tuple[Any, ...]


#: The FLXWAGE elements that hold others (FLXWAGE.xsd); every other element is a leaf. The schema
#: has been checked before a Form is read, so the tag says which is which.
_CONTAINERS = frozenset(
    f"{_PREFIX}{tag}"
    for tag in [
        "Reference",
        "Debtor",
        "Beneficiary",
        "Relation",
        "Calculation",
        "Features",
        "FinancialElement",
    ]
)

_Children = tuple[dict[str, str], dict[str, list[Any]]]


def _parts(element: Any) -> _Children:
    """In one pass over an element's children: the leaves' texts and the other children, by tag.

    Texts are interned, and paths made once (`_path`): a file repeats its dates, codes, amounts and
    paths on every Form, and a string that is one object throughout a batch is pickled once for it
    (formats/dimona_xml.py)."""
    texts: dict[str, str] = {}
    nested: dict[str, list[Any]] = {}
    for child in element:
        tag = child.tag
        if tag in _CONTAINERS:
            nested.setdefault(tag.removeprefix(_PREFIX), []).append(child)
        else:
            texts[tag.removeprefix(_PREFIX)] = sys.intern((child.text or "").strip())
    return texts, nested


def _texts(element: Any) -> dict[str, str]:
    return _parts(element)[0]


@lru_cache(maxsize=1 << 12)
def _path(parent: str, tag: str, position: int) -> str:
    return f"{parent}/{tag}[{position}]"


def _numbered(nested: dict[str, list[Any]], tag: str, path: str) -> list[tuple[str, Any]]:
    """The `tag` children of a node with their logical paths (`path/tag[i]`)."""
    return [(_path(path, tag, i), child) for i, child in enumerate(nested.get(tag, ()), start=1)]


def _element_row(node: Any, path: str) -> tuple[Any, ...]:
    fields = _texts(node)
    frequency = fields.get("BonusPaymentFrequency")
    return (
        path,
        fields["FinancialElementType"],
        fields["FinancialElementCode"],
        fields["Amount"],
        frequency or None,
    )


def _features_row(node: Any, path: str) -> tuple[Any, ...]:
    fields, nested = _parts(node)
    return (
        path,
        fields["ValidityPeriodStartingDate"],
        fields["ValidityPeriodEndingDate"],
        fields["EmployerClass"],
        fields["WorkerCode"],
        tuple(_element_row(child, p) for p, child in _numbered(nested, "FinancialElement", path)),
    )


def _calculation_row(node: Any, path: str) -> tuple[Any, ...]:
    fields, nested = _parts(node)
    return (
        path,
        fields["CalculationPeriodStartingDate"],
        fields["CalculationPeriodEndingDate"],
        fields["CalculationDate"],
        tuple(_features_row(child, p) for p, child in _numbered(nested, "Features", path)),
    )


def _relation_row(node: Any, path: str) -> tuple[Any, ...]:
    nested = _parts(node)[1]
    references = [_texts(ref) for ref in nested.get("Reference", ())]
    return (
        path,
        tuple(r["ReferenceNbr"] for r in references if r.get("ReferenceOrigin") == RELATION_ID_ORIGIN),
        next((r["ReferenceNbr"] for r in references if r.get("ReferenceOrigin") == "1"), None),
        tuple(_calculation_row(child, p) for p, child in _numbered(nested, "Calculation", path)),
    )


def row_from_form(form: Any, index: int) -> FlexiRow:
    """The values a schema-valid FLXWAGE Form carries."""
    head, parts = _parts(form)
    (debtor,) = parts["Debtor"]
    debtor_fields, debtor_parts = _parts(debtor)
    beneficiaries = []
    for path, node in _numbered(debtor_parts, "Beneficiary", "Debtor"):
        fields, nested = _parts(node)
        relations = tuple(_relation_row(c, p) for p, c in _numbered(nested, "Relation", path))
        beneficiaries.append((path, fields["INSS"], relations))
    references = tuple(
        (r.get("ReferenceType", ""), r.get("ReferenceOrigin", ""), r.get("ReferenceNbr", ""))
        for r in map(_texts, parts.get("Reference", ()))
    )
    return (
        index,
        form.sourceline or 0,
        tuple(head[tag] for tag in HEADER_TAGS),
        references,
        debtor_fields.get("CompanyID") or None,
        debtor_fields.get("NOSSRegistrationNbr") or None,
        tuple(beneficiaries),
    )


def _element(row: tuple[Any, ...]) -> FinancialElement:
    path, kind, code, amount, frequency = row
    return FinancialElement(path, kind, code, int(amount), None if frequency is None else int(frequency))


def _features(row: tuple[Any, ...]) -> Features:
    path, start, end, employer_class, worker_code, elements = row
    return Features(
        path,
        date.fromisoformat(start),
        date.fromisoformat(end),
        employer_class,
        worker_code,
        tuple(map(_element, elements)),
    )


def _calculation(row: tuple[Any, ...]) -> Calculation:
    path, start, end, calculation_date, features = row
    return Calculation(
        path,
        date.fromisoformat(start),
        date.fromisoformat(end),
        date.fromisoformat(calculation_date),
        tuple(map(_features, features)),
    )


def _relation(row: tuple[Any, ...]) -> Relation:
    path, relation_ids, own_key, calculations = row
    return Relation(path, relation_ids, own_key, tuple(map(_calculation, calculations)))


def declaration_from_row(row: FlexiRow) -> FlexiDeclaration:
    """The declaration of a row of `row_from_form`."""
    index, line, header, references, company_id, noss, beneficiaries = row
    return FlexiDeclaration(
        index=index,
        line=line,
        kind=FlexiKind(header[2]),
        header=form_header(header),
        references=tuple([Reference(ref[0], ref[1], ref[2]) for ref in references]),
        company_id=company_id,
        noss=noss,
        beneficiaries=tuple(
            Beneficiary(path, insz, tuple(map(_relation, relations)))
            for path, insz, relations in beneficiaries
        ),
    )


def declaration_from_form(form: Any, index: int) -> FlexiDeclaration:
    """The declaration a schema-valid FLXWAGE Form carries."""
    return declaration_from_row(row_from_form(form, index))


def flexi_reader(batch_size: int) -> XmlReader[FlexiDeclaration]:
    return XmlReader(load_schema("FLXWAGE.xsd"), "FLXWAGE", NAMESPACE, declaration_from_form, batch_size)


def flexi_row_reader(batch_size: int) -> XmlReader[FlexiRow]:
    """The reader a second process runs for a large file: rows, turned into declarations here."""
    return XmlReader(load_schema("FLXWAGE.xsd"), "FLXWAGE", NAMESPACE, row_from_form, batch_size)
