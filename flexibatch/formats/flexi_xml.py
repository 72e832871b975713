"""Flexi at work XML (SPEC 6.2): a validated FLXWAGE `Form` element becomes a `FlexiDeclaration`.

Every part of the declaration carries its logical path inside the Form
(`Debtor/Beneficiary[1]/Relation[2]/Calculation[1]`), which answers turn into an XPath or a CSV column.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flexibatch.domain.dimona import FormHeader, Reference
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


def _local(element: Any) -> str:
    return str(element.tag).removeprefix(_PREFIX)


def _texts(element: Any) -> dict[str, str]:
    return {_local(child): (child.text or "").strip() for child in element if not len(child)}


def _children(element: Any, tag: str) -> list[Any]:
    return [child for child in element if _local(child) == tag]


def _date(value: str) -> date:
    return date.fromisoformat(value)


def _element(node: Any, path: str) -> FinancialElement:
    fields = _texts(node)
    frequency = fields.get("BonusPaymentFrequency")
    return FinancialElement(
        path=path,
        type=fields["FinancialElementType"],
        code=fields["FinancialElementCode"],
        amount=int(fields["Amount"]),
        frequency=int(frequency) if frequency not in (None, "") else None,
    )


def _features(node: Any, path: str) -> Features:
    fields = _texts(node)
    return Features(
        path=path,
        validity_start=_date(fields["ValidityPeriodStartingDate"]),
        validity_end=_date(fields["ValidityPeriodEndingDate"]),
        employer_class=fields["EmployerClass"],
        worker_code=fields["WorkerCode"],
        elements=tuple(
            _element(child, f"{path}/FinancialElement[{i}]")
            for i, child in enumerate(_children(node, "FinancialElement"), start=1)
        ),
    )


def _calculation(node: Any, path: str) -> Calculation:
    fields = _texts(node)
    return Calculation(
        path=path,
        start=_date(fields["CalculationPeriodStartingDate"]),
        end=_date(fields["CalculationPeriodEndingDate"]),
        calculation_date=_date(fields["CalculationDate"]),
        features=tuple(
            _features(child, f"{path}/Features[{i}]")
            for i, child in enumerate(_children(node, "Features"), start=1)
        ),
    )


def _relation(node: Any, path: str) -> Relation:
    references = [_texts(ref) for ref in _children(node, "Reference")]
    return Relation(
        path=path,
        relation_ids=tuple(
            r["ReferenceNbr"] for r in references if r.get("ReferenceOrigin") == RELATION_ID_ORIGIN
        ),
        own_key=next((r["ReferenceNbr"] for r in references if r.get("ReferenceOrigin") == "1"), None),
        calculations=tuple(
            _calculation(child, f"{path}/Calculation[{i}]")
            for i, child in enumerate(_children(node, "Calculation"), start=1)
        ),
    )


def declaration_from_form(form: Any, index: int) -> FlexiDeclaration:
    """The declaration a schema-valid FLXWAGE Form carries."""
    head = _texts(form)
    (debtor,) = _children(form, "Debtor")
    debtor_fields = _texts(debtor)
    beneficiaries = []
    for b, node in enumerate(_children(debtor, "Beneficiary"), start=1):
        path = f"Debtor/Beneficiary[{b}]"
        relations = tuple(
            _relation(child, f"{path}/Relation[{r}]")
            for r, child in enumerate(_children(node, "Relation"), start=1)
        )
        beneficiaries.append(Beneficiary(path, _texts(node)["INSS"], relations))
    return FlexiDeclaration(
        index=index,
        line=form.sourceline or 0,
        kind=FlexiKind(head["AttestationStatus"]),
        header=FormHeader(
            head["FormCreationDate"], head["FormCreationHour"], head["AttestationStatus"], head["TypeForm"]
        ),
        references=tuple(
            Reference(r.get("ReferenceType", ""), r.get("ReferenceOrigin", ""), r.get("ReferenceNbr", ""))
            for r in map(_texts, _children(form, "Reference"))
        ),
        company_id=debtor_fields.get("CompanyID") or None,
        noss=debtor_fields.get("NOSSRegistrationNbr") or None,
        beneficiaries=tuple(beneficiaries),
    )


def flexi_reader(batch_size: int) -> XmlReader[FlexiDeclaration]:
    return XmlReader(load_schema("FLXWAGE.xsd"), "FLXWAGE", NAMESPACE, declaration_from_form, batch_size)
