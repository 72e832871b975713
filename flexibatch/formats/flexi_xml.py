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
from typing import Any, Final

from flexibatch.domain.dimona import HEADER_TAGS, Reference, form_header
from flexibatch.domain.flexi import (
    Beneficiary,
    Calculation,
    Features,
    FinancialElement,
    FlexiAction,
    FlexiDeclaration,
    Relation,
)
from flexibatch.formats.xml import XmlReader

NAMESPACE = "http://socialsecurity.be/xml/ns/FLXWAGE"
_PREFIX = f"{{{NAMESPACE}}}"
RELATION_ID_ORIGIN = "8"

#: (index, line, header, references, company id, NOSS, beneficiaries), each part a tuple of its own
#: parts down to the financial elements: strings, None and tuples only.
FlexiRow = tuple[Any, ...]


#: The FLXWAGE tree level by level (FLXWAGE.xsd): each level's element and the leaves it holds, in
#: the order its row takes them. The Form's own header and its Debtor's two fields are level 0;
#: References hang from the Form or from a Relation, whichever is open.
_LEVELS: Final = (
    ("Debtor", (*HEADER_TAGS, "CompanyID", "NOSSRegistrationNbr")),
    ("Beneficiary", ("INSS",)),
    ("Relation", ()),
    ("Calculation", ("CalculationPeriodStartingDate", "CalculationPeriodEndingDate", "CalculationDate")),
    ("Features", ("ValidityPeriodStartingDate", "ValidityPeriodEndingDate", "EmployerClass", "WorkerCode")),
    ("FinancialElement", ("FinancialElementType", "FinancialElementCode", "Amount", "BonusPaymentFrequency")),
    ("Reference", ("ReferenceType", "ReferenceOrigin", "ReferenceNbr")),
)
_RELATION: Final = 2
_CALCULATION: Final = 3
_FEATURES: Final = 4
_ELEMENT: Final = 5
_REFERENCE: Final = 6
_NAMES: Final[tuple[str, ...]] = tuple(name for name, _ in _LEVELS)
_MOST_LEAVES: Final = max(len(leaves) for _, leaves in _LEVELS)
#: Each tag that carries a value, as `level << 4 | slot`: slot 0 opens a node of that level, slot k
#: is its k-th leaf. Every other tag (the Form, Identification, Debtor, RelationType) is passed over.
_SLOT: Final[dict[str, int]] = {
    f"{_PREFIX}{tag}": level << 4 | slot
    for level, (container, leaves) in enumerate(_LEVELS)
    for slot, tag in enumerate((container, *leaves))
    if tag != "Debtor"
}
_intern: Final = sys.intern


@lru_cache(maxsize=1 << 12)
def _path(parent: str, tag: str, position: int) -> str:
    return f"{parent}/{tag}[{position}]"


class _Node:
    """An element being read: its logical path, its finished children's rows, its References and
    its leaves' texts."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.children: list[tuple[Any, ...]] = []
        self.references: list[list[str]] = []
        self.leaves = [""] * _MOST_LEAVES


def row_from_form(form: Any, index: int) -> FlexiRow:
    """The values a schema-valid FLXWAGE Form carries.

    In one walk over the Form's elements in document order (`iter()`), not one loop per element over
    its children: the schema has been checked, so each tag says where its value goes, and an element
    ends where the next one of its level or above begins. Texts are interned, and paths made once
    (`_path`): a file repeats its dates, codes, amounts and paths on every Form, and a string that is
    one object throughout a batch is pickled once for it (formats/dimona_xml.py)."""
    stack = [_Node("Debtor")]  # the open node of each level, the Form's at the bottom
    reference: list[str] = []
    for element in form.iter():
        found = _SLOT.get(element.tag, -1)
        if found < 0:
            continue
        level = found >> 4
        slot = found & 15
        if slot:
            text: str | None = element.text
            value = _intern(text.strip()) if text else ""
            if level == _REFERENCE:
                reference[slot - 1] = value
            else:
                stack[level].leaves[slot - 1] = value
        elif level == _REFERENCE:
            reference = ["", "", ""]
            stack[-1].references.append(reference)
        else:
            while len(stack) > level:
                _close(stack)
            parent = stack[-1]
            stack.append(_Node(_path(parent.path, _NAMES[level], len(parent.children) + 1)))
    while len(stack) > 1:
        _close(stack)
    node = stack[0]
    leaves = node.leaves
    return (
        index,
        form.sourceline or 0,
        (leaves[0], leaves[1], leaves[2], leaves[3]),
        tuple([(r[0], r[1], r[2]) for r in node.references]),
        leaves[4] or None,
        leaves[5] or None,
        tuple(node.children),
    )


def _close(stack: list[_Node]) -> None:
    """The deepest open node is complete: its row joins its parent's children."""
    node = stack.pop()
    level = len(stack)
    path, children, leaves = node.path, node.children, node.leaves
    row: tuple[Any, ...]
    if level == _ELEMENT:
        row = (path, leaves[0], leaves[1], leaves[2], leaves[3] or None)
    elif level == _FEATURES:
        row = (path, leaves[0], leaves[1], leaves[2], leaves[3], tuple(children))
    elif level == _CALCULATION:
        row = (path, leaves[0], leaves[1], leaves[2], tuple(children))
    elif level == _RELATION:
        references = node.references
        row = (
            path,
            tuple([r[2] for r in references if r[1] == RELATION_ID_ORIGIN]),
            next((r[2] for r in references if r[1] == "1"), None),
            tuple(children),
        )
    else:  # a Beneficiary
        row = (path, leaves[0], tuple(children))
    stack[-1].children.append(row)


def _element(row: tuple[Any, ...]) -> FinancialElement:
    path, element_type, code, amount, frequency = row
    return FinancialElement(
        path, element_type, code, int(amount), None if frequency is None else int(frequency)
    )


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
        action=FlexiAction(header[2]),
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
    return XmlReader("FLXWAGE.xsd", "FLXWAGE", NAMESPACE, declaration_from_form, batch_size)


def flexi_row_reader(batch_size: int) -> XmlReader[FlexiRow]:
    """The reader a second process runs for a large file: rows, turned into declarations here."""
    return XmlReader("FLXWAGE.xsd", "FLXWAGE", NAMESPACE, row_from_form, batch_size)


def xml_locator(field: str, form_index: int) -> str:
    """An anomaly's Path for an XML declaration: the XPath of its field in its Form."""
    return f"/FLXWAGE/Form[{form_index}]/{field}"
