"""CSV twins of XML submissions (SPEC 6.3), made without the project's readers.

A twin is the CSV a payroll export would produce for the same declarations: the XML is parsed here
with lxml, every field goes to its SPEC 6.3 column, and the rows are written with Python's `csv`
module in document order, in one of several dialects (separator, date, hour and amount notation,
column order and case). An XML construct that has no CSV column (a provisional RSZ number, planned
hours, a Features without financial element, ...) raises `NotExpressible` instead of being dropped,
so a twin is always the same declarations, never an approximation of them.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from lxml import etree

DIMONA_COLUMNS = (
    "action",
    "own_reference",
    "noss",
    "company_id",
    "insz",
    "last_name",
    "first_name",
    "birth_date",
    "birth_place",
    "birth_country",
    "sex",
    "street",
    "house_nbr",
    "post_box",
    "zip",
    "city",
    "country",
    "nationality",
    "joint_commission",
    "worker_type",
    "start_date",
    "start_hour",
    "end_date",
    "end_hour",
    "period_id",
)
FLEXI_COLUMNS = (
    "status",
    "form_reference",
    "company_id",
    "noss",
    "insz",
    "relation_uuid",
    "relation_reference",
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
)

#: The XML element (last step of an XPath) -> the CSV column that carries its value.
DIMONA_COLUMN_OF_ELEMENT = {
    "NOSSRegistrationNbr": "noss",
    "CompanyID": "company_id",
    "INSS": "insz",
    "WorkerName": "last_name",
    "WorkerFirstName": "first_name",
    "WorkerBirthdate": "birth_date",
    "WorkerBirthplace": "birth_place",
    "WorkerBirthplaceCountry": "birth_country",
    "WorkerSex": "sex",
    "WorkerStreet": "street",
    "WorkerHouseNbr": "house_nbr",
    "WorkerPostBox": "post_box",
    "WorkerZIPCode": "zip",
    "WorkerCity": "city",
    "WorkerCountry": "country",
    "Nationality": "nationality",
    "JointCommissionNbr": "joint_commission",
    "WorkerType": "worker_type",
    "StartingDate": "start_date",
    "StartingHour": "start_hour",
    "EndingDate": "end_date",
    "EndingHour": "end_hour",
    "DimonaPeriodId": "period_id",
}
FLEXI_COLUMN_OF_ELEMENT = {
    "CompanyID": "company_id",
    "NOSSRegistrationNbr": "noss",
    "INSS": "insz",
    "CalculationPeriodStartingDate": "calc_start",
    "CalculationPeriodEndingDate": "calc_end",
    "CalculationDate": "calc_date",
    "ValidityPeriodStartingDate": "validity_start",
    "ValidityPeriodEndingDate": "validity_end",
    "EmployerClass": "employer_class",
    "WorkerCode": "worker_code",
    "FinancialElementCode": "element_code",
    "Amount": "amount",
    "BonusPaymentFrequency": "frequency",
}
_DATE_COLUMNS = {
    "birth_date",
    "start_date",
    "end_date",
    "calc_start",
    "calc_end",
    "calc_date",
    "validity_start",
    "validity_end",
}
_HOUR_COLUMNS = {"start_hour", "end_hour"}
_ACTIONS = {"DimonaIn": "IN", "DimonaOut": "OUT", "DimonaUpdate": "UPDATE", "DimonaCancel": "CANCEL"}
_ELEMENT_WORDS = {"0001001000": "WAGE", "0002001000": "PREMIUM"}
FLXWAGE_NS = "http://socialsecurity.be/xml/ns/FLXWAGE"


class NotExpressible(ValueError):
    """The XML says something the CSV layout of SPEC 6.3 has no column for."""


@dataclass(frozen=True)
class CsvDialect:
    """How one payroll export writes its CSV."""

    name: str
    separator: str
    day_first: bool  # dates DD/MM/YYYY instead of YYYY-MM-DD
    hour_colon: bool  # hours HH:MM instead of HHMM
    decimal_comma: bool  # amounts 500,00 instead of 500.00
    element_words: bool  # WAGE / PREMIUM instead of the 10-digit codes
    reversed_columns: bool = False
    upper_header: bool = False
    bom: bool = False
    line_end: str = "\r\n"

    def __str__(self) -> str:
        return self.name


#: A Belgian spreadsheet saved as "CSV UTF-8": `;`, 25/06/2026, 10:00, 500,00, with a BOM.
BELGIAN = CsvDialect("belgian", ";", True, True, True, True, bom=True)
#: A plain export: `,`, 2026-06-25, 1000, 500.00, the 10-digit codes, Unix line ends.
PLAIN = CsvDialect("plain", ",", False, False, False, False, line_end="\n")
#: `;` with ISO notations, columns in reverse order and an upper-case header.
SHUFFLED = CsvDialect("shuffled", ";", False, True, False, False, reversed_columns=True, upper_header=True)
DIALECTS = (BELGIAN, PLAIN, SHUFFLED)


@dataclass(frozen=True)
class CsvTwin:
    """The CSV bytes, and per form (in document order) the reference its rows carry."""

    content: bytes
    references: list[str]
    first_rows: list[int]  # the row number (header = 1) of each form's first row
    generated: list[bool]  # True where the XML form had no reference of type 1 (FLEX only)

    def rows(self) -> list[list[str]]:
        """The CSV as Python's csv module reads it; row number n (header = 1) is `rows()[n - 1]`."""
        return read_rows(self.content)


def read_rows(content: bytes) -> list[list[str]]:
    text = content.decode("utf-8-sig")
    separator = ";" if text.split("\n", 1)[0].count(";") >= text.split("\n", 1)[0].count(",") else ","
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))


def column_index(rows: list[list[str]], column: str) -> int:
    return [name.lower() for name in rows[0]].index(column)


# ---- notations --------------------------------------------------------------------------------------


def _date(text: str, dialect: CsvDialect) -> str:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise NotExpressible(f"date {text!r}")
    return f"{text[8:10]}/{text[5:7]}/{text[:4]}" if dialect.day_first else text


def _hour(text: str, dialect: CsvDialect) -> str:
    if not re.fullmatch(r"\d{4}", text):
        raise NotExpressible(f"hour {text!r}")
    return f"{text[:2]}:{text[2:]}" if dialect.hour_colon else text


def _euros(cents_text: str, dialect: CsvDialect) -> str:
    cents = int(cents_text)
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    mark = "," if dialect.decimal_comma else "."
    return f"{sign}{whole}{mark}{rest:02d}"


def _cell(column: str, text: str, dialect: CsvDialect) -> str:
    if column in _DATE_COLUMNS:
        return _date(text, dialect)
    if column in _HOUR_COLUMNS:
        return _hour(text, dialect)
    return text


def _write(columns: tuple[str, ...], rows: list[dict[str, str]], dialect: CsvDialect) -> bytes:
    order = tuple(reversed(columns)) if dialect.reversed_columns else columns
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=dialect.separator, lineterminator=dialect.line_end)
    writer.writerow([c.upper() if dialect.upper_header else c for c in order])
    for row in rows:
        unknown = set(row) - set(columns)
        assert not unknown, unknown
        writer.writerow([row.get(c, "") for c in order])
    return ("\ufeff" if dialect.bom else "").encode() + out.getvalue().encode("utf-8")


# ---- XML reading ------------------------------------------------------------------------------------


def _parse(xml: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
    return etree.fromstring(xml, parser)


def _local(node: etree._Element) -> str:
    return etree.QName(node).localname


def _children(node: etree._Element, tag: str | None = None) -> list[etree._Element]:
    return [c for c in node if isinstance(c.tag, str) and (tag is None or _local(c) == tag)]


def _text(node: etree._Element) -> str:
    return (node.text or "").strip()


def _leaves(node: etree._Element) -> dict[str, str]:
    """Leaf children by name; a repeated leaf is not expressible."""
    found: dict[str, str] = {}
    for child in _children(node):
        if _children(child):
            continue
        name = _local(child)
        if name in found:
            raise NotExpressible(f"{name} given twice")
        if text := _text(child):
            found[name] = text
    return found


# ---- Dimona -----------------------------------------------------------------------------------------

_DIMONA_HEAD = {"Identification", "FormCreationDate", "FormCreationHour", "AttestationStatus", "TypeForm"}
_EMPLOYER = {"NOSSRegistrationNbr": "noss", "CompanyID": "company_id"}
_PERSON = {
    element: column
    for element, column in DIMONA_COLUMN_OF_ELEMENT.items()
    if element.startswith("Worker") or element in ("INSS", "Nationality")
}
_FEATURES = {"JointCommissionNbr": "joint_commission", "WorkerType": "worker_type"}
_BODY = {
    "StartingDate": "start_date",
    "StartingHour": "start_hour",
    "EndingDate": "end_date",
    "EndingHour": "end_hour",
    "DimonaPeriodId": "period_id",
    "INSS": "insz",
}


def _own_reference(form: etree._Element) -> str | None:
    own = None
    for ref in _children(form, "Reference"):
        fields = _leaves(ref)
        if fields.get("ReferenceType") != "1":
            raise NotExpressible(f"Reference of type {fields.get('ReferenceType')}: no CSV column")
        if own is not None:
            raise NotExpressible("two references of type 1")
        own = fields.get("ReferenceNbr", "")
    return own


def _map_into(
    row: dict[str, str], node: etree._Element, mapping: dict[str, str], dialect: CsvDialect
) -> None:
    for child in _children(node):
        name = _local(child)
        if name not in mapping or _children(child):
            raise NotExpressible(f"{name} has no CSV column")
        if text := _text(child):
            column = mapping[name]
            if column in row:
                raise NotExpressible(f"{column} given twice")
            row[column] = _cell(column, text, dialect)


def _dimona_row(form: etree._Element, dialect: CsvDialect) -> tuple[dict[str, str], str]:
    for child in _children(form):
        if _local(child) not in {*_DIMONA_HEAD, "Reference", *_ACTIONS}:
            raise NotExpressible(f"{_local(child)} has no CSV column")
    (body,) = [c for c in _children(form) if _local(c) in _ACTIONS]
    own = _own_reference(form)
    row = {"action": _ACTIONS[_local(body)]}
    if own is not None:
        row["own_reference"] = own
    for child in _children(body):
        name = _local(child)
        if name == "EmployerId":
            _map_into(row, child, _EMPLOYER, dialect)
        elif name == "NaturalPerson":
            _map_into(row, child, _PERSON, dialect)
        elif name == "DimonaFeatures":
            _map_into(row, child, _FEATURES, dialect)
        elif name in _BODY and not _children(child):
            if text := _text(child):
                row[_BODY[name]] = _cell(_BODY[name], text, dialect)
        else:
            raise NotExpressible(f"{name} has no CSV column")
    return row, own or ""


def dimona_csv_twin(xml: bytes, dialect: CsvDialect) -> CsvTwin:
    """The Dimona CSV (one row per Form, in document order) carrying the same declarations."""
    root = _parse(xml)
    assert _local(root) == "Dimona", root.tag
    rows, references = [], []
    for form in _children(root, "Form"):
        row, own = _dimona_row(form, dialect)
        rows.append(row)
        references.append(own)
    first_rows = list(range(2, len(rows) + 2))
    return CsvTwin(_write(DIMONA_COLUMNS, rows, dialect), references, first_rows, [False] * len(rows))


# ---- Flexi at work ----------------------------------------------------------------------------------


def _unique(seen: set[object], key: object, what: str) -> None:
    """Rows of one declaration that share a key merge in CSV: two such XML parts are not expressible."""
    if key in seen:
        raise NotExpressible(f"{what} {key!r} appears twice in one form: CSV rows would merge")
    seen.add(key)


def _relation_rows(relation: etree._Element, dialect: CsvDialect) -> list[dict[str, str]]:
    if _leaves(relation).get("RelationType") != "1":
        raise NotExpressible("RelationType other than 1")
    base: dict[str, str] = {}
    for ref in _children(relation, "Reference"):
        fields = _leaves(ref)
        column = {"8": "relation_uuid", "1": "relation_reference"}.get(fields.get("ReferenceOrigin", ""))
        if fields.get("ReferenceType") != "10" or column is None or column in base:
            raise NotExpressible(f"relation reference {fields}")
        base[column] = fields.get("ReferenceNbr", "")
    calculations = _children(relation, "Calculation")
    if not calculations:
        return [base]  # a relation named without calculation (a cancellation)
    rows = []
    periods: set[object] = set()
    for calc in calculations:
        calc_fields = _leaves(calc)
        calc_row = {
            "calc_start": _date(calc_fields["CalculationPeriodStartingDate"], dialect),
            "calc_end": _date(calc_fields["CalculationPeriodEndingDate"], dialect),
            "calc_date": _date(calc_fields["CalculationDate"], dialect),
        }
        _unique(periods, (calc_row["calc_start"], calc_row["calc_end"]), "calculation period")
        seen_features: set[object] = set()
        for features in _children(calc, "Features"):
            f = _leaves(features)
            features_row = {
                "validity_start": _date(f["ValidityPeriodStartingDate"], dialect),
                "validity_end": _date(f["ValidityPeriodEndingDate"], dialect),
                "employer_class": f["EmployerClass"],
                "worker_code": f["WorkerCode"],
            }
            _unique(seen_features, tuple(features_row.values()), "features")
            elements = _children(features, "FinancialElement")
            if not elements:
                raise NotExpressible("a Features without FinancialElement has no CSV row")
            for element in elements:
                e = _leaves(element)
                if e.get("FinancialElementType") != "1":
                    raise NotExpressible("FinancialElementType other than 1")
                code = e["FinancialElementCode"]
                element_row = {
                    "element_code": _ELEMENT_WORDS.get(code, code) if dialect.element_words else code,
                    "amount": _euros(e["Amount"], dialect),
                }
                if "BonusPaymentFrequency" in e:
                    element_row["frequency"] = e["BonusPaymentFrequency"]
                rows.append({**base, **calc_row, **features_row, **element_row})
    return rows


def flexi_csv_twin(xml: bytes, dialect: CsvDialect) -> CsvTwin:
    """The Flexi at work CSV (one row per financial element) carrying the same declarations.

    form_reference is the form's Reference of type 1 or, when it has none, a generated one unique in
    the file, so that two forms never merge into one declaration.
    """
    root = _parse(xml)
    assert _local(root) == "FLXWAGE" and etree.QName(root).namespace == FLXWAGE_NS, root.tag
    forms = _children(root, "Form")
    given = [
        {r.get("ReferenceType"): r.get("ReferenceNbr", "") for r in map(_leaves, _children(f, "Reference"))}
        for f in forms
    ]
    taken = [g["1"] for g in given if "1" in g]
    if len(set(taken)) != len(taken):
        raise NotExpressible("two forms share a reference of type 1: CSV rows would merge")
    rows: list[dict[str, str]] = []
    references, first_rows, generated = [], [], []
    for index, (form, refs) in enumerate(zip(forms, given, strict=True), start=1):
        if set(refs) - {"1", "3"}:
            raise NotExpressible(f"form references {refs}")
        reference = refs.get("1") or next(
            r for n in range(index, index + len(forms) + 1) if (r := f"twin-form-{n}") not in taken
        )
        taken.append(reference)
        references.append(reference)
        first_rows.append(len(rows) + 2)
        generated.append("1" not in refs)
        head = _leaves(form)
        (debtor,) = _children(form, "Debtor")
        debtor_fields = _leaves(debtor)
        form_row = {"status": head["AttestationStatus"], "form_reference": reference}
        if "CompanyID" in debtor_fields:
            form_row["company_id"] = debtor_fields["CompanyID"]
        if "NOSSRegistrationNbr" in debtor_fields:
            form_row["noss"] = debtor_fields["NOSSRegistrationNbr"]
        workers: set[object] = set()
        for beneficiary in _children(debtor, "Beneficiary"):
            insz = _leaves(beneficiary)["INSS"]
            _unique(workers, insz, "INSS")
            relations: set[object] = set()
            for relation in _children(beneficiary, "Relation"):
                relation_rows = _relation_rows(relation, dialect)
                _unique(relations, relation_rows[0].get("relation_uuid", "").lower(), "relation")
                rows.extend({**form_row, "insz": insz, **row} for row in relation_rows)
    return CsvTwin(_write(FLEXI_COLUMNS, rows, dialect), references, first_rows, generated)


def csv_twin(xml: bytes, dialect: CsvDialect) -> CsvTwin:
    """The twin of a Dimona or FLXWAGE document, whichever `xml` is."""
    root = _local(_parse(xml))
    return dimona_csv_twin(xml, dialect) if root == "Dimona" else flexi_csv_twin(xml, dialect)


def write_csv(
    header: list[str], rows: list[dict[str, str]], separator: str = ";", quoting: int = csv.QUOTE_MINIMAL
) -> bytes:
    """A CSV file with this header and these rows (missing cells empty), written by the csv module.

    QUOTE_ALL keeps a cell whole whatever it holds (a lone CR is not quoted otherwise)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=separator, lineterminator="\n", quoting=quoting)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column.lower(), "") for column in header])
    return out.getvalue().encode("utf-8")
