"""Builders of Flexi at work (FLXWAGE) XML submissions for tests."""

from __future__ import annotations

from xml.sax.saxutils import escape

from support.builders import CBE_BRASSERIE

NS = "http://socialsecurity.be/xml/ns/FLXWAGE"
WAGE = "0001001000"
PREMIUM = "0002001000"
UUID_1 = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"
UUID_2 = "9a6d2c1e-0b7f-4a3c-8f1e-2d4b5c6a7e80"
UUID_3 = "C0FFEE00-1234-4ABC-9DEF-00112233AABB"


def _el(tag: str, value: object | None) -> str:
    return "" if value is None else f"<{tag}>{escape(str(value))}</{tag}>"


def element(code: str = WAGE, amount: int = 50_000, frequency: int | None = None) -> str:
    """A financial element; amounts in euro cents (50 000 = 500.00 EUR)."""
    return (
        "<FinancialElement>"
        + _el("FinancialElementType", 1)
        + _el("FinancialElementCode", code)
        + _el("Amount", amount)
        + _el("BonusPaymentFrequency", frequency)
        + "</FinancialElement>"
    )


def features(
    start: str, end: str, *elements: str, worker_code: str = "050", employer_class: str = "000"
) -> str:
    return (
        "<Features>"
        + _el("ValidityPeriodStartingDate", start)
        + _el("ValidityPeriodEndingDate", end)
        + _el("EmployerClass", employer_class)
        + _el("WorkerCode", worker_code)
        + "".join(elements)
        + "</Features>"
    )


def calculation(start: str, end: str, *features_xml: str, calculated: str | None = None) -> str:
    return (
        "<Calculation>"
        + _el("CalculationPeriodStartingDate", start)
        + _el("CalculationPeriodEndingDate", end)
        + _el("CalculationDate", calculated or end)
        + "".join(features_xml)
        + "</Calculation>"
    )


def month(
    start: str, end: str, amount: int = 50_000, *, worker_code: str = "050", calculated: str | None = None
) -> str:
    """A calculation of one flexi wage line over the whole period."""
    return calculation(
        start,
        end,
        features(start, end, element(WAGE, amount), worker_code=worker_code),
        calculated=calculated,
    )


def relation(
    relation_id: str | None, *calculations: str, own_key: str | None = None, also: str | None = None
) -> str:
    refs = ""
    for origin, number in (("8", relation_id), ("8", also), ("1", own_key)):
        if number is not None:
            refs += f"<Reference><ReferenceType>10</ReferenceType><ReferenceOrigin>{origin}</ReferenceOrigin>{_el('ReferenceNbr', number)}</Reference>"
    return "<Relation><RelationType>1</RelationType>" + refs + "".join(calculations) + "</Relation>"


def beneficiary(insz: str, *relations: str) -> str:
    return f"<Beneficiary>{_el('INSS', insz)}{''.join(relations)}</Beneficiary>"


def wage_form(
    *beneficiaries: str,
    status: str = "0",
    company_id: str | None = CBE_BRASSERIE,
    noss: str | None = None,
    reference: str | None = None,
    modifies: str | None = None,
) -> str:
    refs = ""
    for kind, number in (("1", reference), ("3", modifies)):
        if number is not None:
            refs += f"<Reference><ReferenceType>{kind}</ReferenceType><ReferenceOrigin>1</ReferenceOrigin>{_el('ReferenceNbr', number)}</Reference>"
    return (
        "  <Form><Identification>FLXWAGE</Identification><FormCreationDate>2026-06-24</FormCreationDate>"
        f"<FormCreationHour>10:15:00.000</FormCreationHour><AttestationStatus>{status}</AttestationStatus>"
        f"<TypeForm>SU</TypeForm>{refs}<Debtor>{_el('CompanyID', company_id)}{_el('NOSSRegistrationNbr', noss)}"
        + "".join(beneficiaries)
        + "</Debtor></Form>\n"
    )


def flxwage(*forms: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<FLXWAGE xmlns="{NS}">\n' + "".join(forms) + "</FLXWAGE>\n"
    ).encode()
