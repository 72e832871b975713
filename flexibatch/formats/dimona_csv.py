"""Dimona CSV (SPEC 6.3): one row is one declaration, read into the same record as its XML twin."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from flexibatch.domain.anomalies import N_
from flexibatch.domain.dimona import ACTION_ELEMENT, Action, DimonaDeclaration, EmployerId, Reference
from flexibatch.formats.csv import Cells, CsvReader, Row, forbidden_anomalies

_NEEDS = N_("Row {row}: a {element} needs its {column}.")

#: CSV column -> NaturalPerson element of the XML twin.
PERSON_COLUMNS = {
    "last_name": "WorkerName",
    "first_name": "WorkerFirstName",
    "birth_date": "WorkerBirthdate",
    "birth_place": "WorkerBirthplace",
    "birth_country": "WorkerBirthplaceCountry",
    "sex": "WorkerSex",
    "street": "WorkerStreet",
    "house_nbr": "WorkerHouseNbr",
    "post_box": "WorkerPostBox",
    "zip": "WorkerZIPCode",
    "city": "WorkerCity",
    "country": "WorkerCountry",
    "nationality": "Nationality",
}
COLUMNS = (
    "action",
    "own_reference",
    "noss",
    "company_id",
    "insz",
    *PERSON_COLUMNS,
    "joint_commission",
    "worker_type",
    "start_date",
    "start_hour",
    "end_date",
    "end_hour",
    "period_id",
)
#: The last element of an anomaly's logical path -> the CSV column that holds it.
_COLUMN_OF = {
    **{element: column for column, element in PERSON_COLUMNS.items()},
    "EmployerId": "noss",
    "NOSSRegistrationNbr": "noss",
    "ProvisionalNSSONbr": "noss",
    "CompanyID": "company_id",
    "INSS": "insz",
    "JointCommissionNbr": "joint_commission",
    "WorkerType": "worker_type",
    "StartingDate": "start_date",
    "StartingHour": "start_hour",
    "EndingDate": "end_date",
    "EndingHour": "end_hour",
    "DimonaPeriodId": "period_id",
}
_ACTIONS = {action.value: action.value for action in Action}
#: Lengths Dimona.xsd allows for the XML twin of each column.
LIMITS = {
    "own_reference": 20,
    "noss": 10,
    "company_id": 10,
    "insz": 11,
    "last_name": 48,
    "first_name": 24,
    "birth_place": 35,
    "birth_country": 5,
    "sex": 1,
    "street": 35,
    "house_nbr": 10,
    "post_box": 10,
    "zip": 12,
    "city": 40,
    "country": 5,
    "nationality": 5,
    "joint_commission": 6,
    "worker_type": 3,
    "period_id": 12,
}


#: The RSZ country codes of the worker: 1 to 5 digits, as in the XML twin (SPEC 6.1).
_COUNTRIES = frozenset({"birth_country", "country", "nationality"})


def csv_locator(field: str, form_index: int) -> str:
    """An anomaly's Path for a CSV declaration: the column (cell errors already name theirs)."""
    return _COLUMN_OF.get(field.rsplit("/", 1)[-1], field)


def declaration_from_row(row: Row, index: int) -> DimonaDeclaration:
    cells = Cells(row, LIMITS)
    action = Action(cells.choice("action", _ACTIONS) or Action.IN.value)
    birth = cells.date("birth_date")
    person = {
        element: cells.code(column, "150 (Belgium)") if column in _COUNTRIES else cells.text(column)
        for column, element in PERSON_COLUMNS.items()
    }
    person["WorkerBirthdate"] = birth.isoformat() if birth else None
    noss, company_id = cells.text("noss"), cells.text("company_id")
    own = cells.text("own_reference")
    insz = cells.text("insz")
    declaration = DimonaDeclaration(
        index=index,
        line=row.line,
        action=action,
        references=(Reference("1", "1", own),) if own else (),
        employer=EmployerId(noss=noss, company_id=company_id) if noss or company_id else None,
        insz=None if insz in (None, "0") else insz,
        person={k: v for k, v in person.items() if v},
        worker_type=cells.text("worker_type"),
        joint_commission=cells.text("joint_commission"),
        start_date=cells.date("start_date"),
        start_hour=cells.hour("start_hour"),
        end_date=cells.date("end_date"),
        end_hour=cells.hour("end_hour"),
        period_id=cells.text("period_id"),
    )
    element = ACTION_ELEMENT[action]
    if action is Action.IN:
        cells.require("start_date", _NEEDS, element=element)
    else:
        cells.require("period_id", _NEEDS, element=element)
    if action is Action.OUT:
        cells.require("end_date", _NEEDS, element=element)
    errors = [*forbidden_anomalies(row), *cells.errors]
    return replace(declaration, unreadable=tuple(errors)) if errors else declaration


def _declarations(rows: Iterator[Row]) -> Iterator[DimonaDeclaration]:
    for index, row in enumerate(rows, start=1):
        yield declaration_from_row(row, index)


def dimona_csv_reader(batch_size: int) -> CsvReader[DimonaDeclaration]:
    return CsvReader(COLUMNS, ("action",), _declarations, batch_size)
