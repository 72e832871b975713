"""Flexi at work CSV (SPEC 6.3): one row per financial element, grouped into the XML twin's tree.

Rows sharing a `form_reference` (or, when it is empty, sharing debtor, INSZ and relation UUID) form one
declaration; they must follow each other. Within it, rows are grouped by worker, relation, calculation
period and features in the order they first appear, and each part gets the logical path its XML twin
would have, so the rules and their anomalies are the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from flexibatch.domain.anomalies import N_, Anomaly, anomaly
from flexibatch.domain.dimona import Reference
from flexibatch.domain.flexi import (
    PREMIUM,
    WAGE,
    Beneficiary,
    Calculation,
    Features,
    FinancialElement,
    FlexiAction,
    FlexiDeclaration,
    Relation,
)
from flexibatch.formats.csv import Cells, CsvReader, Row, forbidden_anomalies

COLUMNS = (
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
_CODES = {"WAGE": WAGE, WAGE: WAGE, "PREMIUM": PREMIUM, PREMIUM: PREMIUM}
_STATUSES = {action.value: action.value for action in FlexiAction}
#: Lengths FLXWAGE.xsd allows for the XML twin of each column.
LIMITS = {
    "form_reference": 20,
    "company_id": 10,
    "noss": 9,
    "insz": 11,
    "relation_uuid": 64,
    "relation_reference": 64,
    "employer_class": 3,
    "worker_code": 3,
    "element_code": 10,
}
_COLUMN_OF = {
    "INSS": "insz",
    "Reference": "relation_uuid",
    "Calculation": "calc_start",
    "CalculationPeriodStartingDate": "calc_start",
    "CalculationPeriodEndingDate": "calc_end",
    "CalculationDate": "calc_date",
    "Features": "validity_start",
    "ValidityPeriodStartingDate": "validity_start",
    "ValidityPeriodEndingDate": "validity_end",
    "WorkerCode": "worker_code",
    "FinancialElement": "element_code",
    "FinancialElementCode": "element_code",
    "Amount": "amount",
    "BonusPaymentFrequency": "frequency",
    "Debtor": "company_id",
    "CompanyID": "company_id",
    "NOSSRegistrationNbr": "noss",
}


_FeaturesKey = tuple[date | None, date | None, str, str]


def csv_locator(field: str, form_index: int) -> str:
    """An anomaly's Path for a CSV declaration: the column (cell errors already name theirs)."""
    last = re.sub(r"\[\d+\]$", "", field.rsplit("/", 1)[-1])
    return _COLUMN_OF.get(last, field)


def _group_key(row: Row) -> tuple[str, ...]:
    if reference := row.cells.get("form_reference"):
        return ("ref", reference)
    cells = row.cells
    uuid = cells.get("relation_uuid", "").lower()
    return ("situation", cells.get("company_id", ""), cells.get("noss", ""), cells.get("insz", ""), uuid)


def _groups(rows: Iterator[Row]) -> Iterator[tuple[list[Row], bool]]:
    """Consecutive rows of one declaration; the flag says its key was seen before (scattered rows)."""
    seen: set[tuple[str, ...]] = set()
    group: list[Row] = []
    key: tuple[str, ...] | None = None
    for row in rows:
        row_key = _group_key(row)
        if group and row_key != key:
            yield group, key in seen
            seen.add(key)  # type: ignore[arg-type]
            group = []
        key = row_key
        group.append(row)
    if group:
        yield group, key in seen


def _declaration(rows: list[Row], index: int, scattered: bool) -> FlexiDeclaration:
    first = Cells(rows[0], LIMITS)
    action = FlexiAction(first.choice("status", _STATUSES) or FlexiAction.ORIGINAL.value)
    errors = [anomaly for row in rows for anomaly in forbidden_anomalies(row)]
    errors += first.errors
    if scattered:
        errors.append(
            anomaly(
                "90000-102",
                "form_reference",
                rows[0].cells.get("form_reference"),
                N_("Row {row}: the rows of one declaration must follow each other."),
                row=rows[0].line,
            )
        )
    debtor = (first.text("company_id"), first.text("noss"))
    beneficiaries: dict[str, dict[str, list[Row]]] = {}
    for row in rows:
        if (row.cells.get("status"), row.cells.get("company_id"), row.cells.get("noss")) != (
            rows[0].cells.get("status"),
            *debtor,
        ):
            errors.append(
                anomaly(
                    "90000-102",
                    "status",
                    None,
                    N_("Row {row}: status and debtor must be the same on every row of a declaration."),
                    row=row.line,
                )
            )
        relations = beneficiaries.setdefault(row.cells.get("insz", ""), {})
        relations.setdefault(row.cells.get("relation_uuid", "").lower(), []).append(row)
    built = []
    for b, (insz, relations) in enumerate(beneficiaries.items(), start=1):
        path = f"Debtor/Beneficiary[{b}]"
        parts = []
        for r, relation_rows in enumerate(relations.values(), start=1):
            relation, relation_errors = _relation(relation_rows, f"{path}/Relation[{r}]")
            parts.append(relation)
            errors += relation_errors
        built.append(Beneficiary(path, insz, tuple(parts)))
    reference = first.text("form_reference")
    return FlexiDeclaration(
        index=index,
        line=rows[0].line,
        action=action,
        header=None,
        references=(Reference("1", "1", reference),) if reference else (),
        company_id=debtor[0],
        noss=debtor[1],
        beneficiaries=tuple(built),
        unreadable=tuple(errors),
    )


def _relation(rows: list[Row], path: str) -> tuple[Relation, list[Anomaly]]:
    calculations: dict[tuple[date | None, ...], dict[_FeaturesKey, list[FinancialElement]]] = {}
    calc_dates: dict[tuple[date | None, ...], date | None] = {}
    errors: list[Anomaly] = []
    for row in rows:
        cells = Cells(row, LIMITS)
        if cells.text("calc_start") is None and cells.text("element_code") is None:
            errors += cells.errors
            continue  # a relation named without calculation: a cancellation
        for column in ("calc_start", "calc_end", "calc_date", "validity_start", "validity_end"):
            cells.require(column, N_("Row {row}: a wage line needs its {column}."))
        for column in ("employer_class", "worker_code", "element_code", "amount"):
            cells.require(column, N_("Row {row}: a wage line needs its {column}."))
        period = (cells.date("calc_start"), cells.date("calc_end"))
        calc_dates.setdefault(period, cells.date("calc_date"))
        features_key: _FeaturesKey = (
            cells.date("validity_start"),
            cells.date("validity_end"),
            cells.text("employer_class") or "",
            cells.text("worker_code") or "",
        )
        elements = calculations.setdefault(period, {}).setdefault(features_key, [])
        code = cells.text("element_code") or ""
        elements.append(
            FinancialElement(
                "",
                "1",
                _CODES.get(code.upper(), code),
                cells.cents("amount") or 0,
                cells.integer("frequency"),
            )
        )
        errors += cells.errors
    relation_id = rows[0].cells.get("relation_uuid")
    built = []
    if not errors and not any(row.forbidden for row in rows):  # their anomalies: `_declaration`'s
        for c, ((start, end), features) in enumerate(calculations.items(), start=1):
            calc_path = f"{path}/Calculation[{c}]"
            feature_parts = []
            for f, ((v_start, v_end, employer_class, worker_code), elements) in enumerate(
                features.items(), start=1
            ):
                f_path = f"{calc_path}/Features[{f}]"
                numbered = tuple(
                    FinancialElement(f"{f_path}/FinancialElement[{e}]", x.type, x.code, x.amount, x.frequency)
                    for e, x in enumerate(elements, start=1)
                )
                assert v_start and v_end
                feature_parts.append(Features(f_path, v_start, v_end, employer_class, worker_code, numbered))
            calc_date = calc_dates[(start, end)]
            assert start and end and calc_date
            built.append(Calculation(calc_path, start, end, calc_date, tuple(feature_parts)))
    relation = Relation(
        path,
        (relation_id,) if relation_id else (),
        rows[0].cells.get("relation_reference"),
        tuple(built),
    )
    return relation, errors


def _declarations(rows: Iterator[Row]) -> Iterator[FlexiDeclaration]:
    for index, (group, scattered) in enumerate(_groups(rows), start=1):
        yield _declaration(group, index, scattered)


def flexi_csv_reader(batch_size: int) -> CsvReader[FlexiDeclaration]:
    return CsvReader(COLUMNS, ("status", "insz", "relation_uuid"), _declarations, batch_size)
