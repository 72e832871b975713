"""Builders of Dimona XML submissions for tests: readable defaults, every field overridable."""

from __future__ import annotations

from xml.sax.saxutils import escape

# Valid test identifiers (SPEC 3 and samples/refdata).
INSZ_A = "85031212362"
INSZ_B = "93051822361"
INSZ_C = "90010104576"
INSZ_PENSIONER = "75050522274"  # PENSIONER in 2026Q2 and Q3
INSZ_NOT_ELIGIBLE = "02030411155"  # NOT_ELIGIBLE in 2026Q2
NOSS_BRASSERIE = "175110801"  # with CBE 0400767772; sender 123456 holds a * mandate
CBE_BRASSERIE = "0400767772"
NOSS_AURORA = "175110898"  # with CBE 0477472701; sender 654321 holds a DIMN mandate
CBE_AURORA = "0477472701"
CBE_LEMAIRE = "0412345614"  # NOSS 175110995; sender 123456 holds a DIMN mandate
SENDER = "123456"

IDENTITY = {
    "WorkerName": "Janssens",
    "WorkerFirstName": "Eline",
    "WorkerBirthdate": "1998-04-02",
    "WorkerBirthplace": "Gent",
    "WorkerBirthplaceCountry": "00150",
    "WorkerSex": "2",
    "WorkerStreet": "Veldstraat",
    "WorkerHouseNbr": "12",
    "WorkerZIPCode": "9000",
    "WorkerCity": "Gent",
    "WorkerCountry": "00150",
    "Nationality": "00150",
}


def _el(tag: str, value: object | None) -> str:
    return "" if value is None else f"<{tag}>{escape(str(value))}</{tag}>"


def _employer(noss: str | None, company_id: str | None) -> str:
    if noss is None and company_id is None:
        return ""
    return f"<EmployerId>{_el('NOSSRegistrationNbr', noss)}{_el('CompanyID', company_id)}</EmployerId>"


def _form(body: str, reference: str | None) -> str:
    ref = (
        ""
        if reference is None
        else f"<Reference><ReferenceType>1</ReferenceType><ReferenceOrigin>1</ReferenceOrigin>"
        f"<ReferenceNbr>{escape(reference)}</ReferenceNbr></Reference>"
    )
    return (
        "  <Form>\n    <Identification>DIMONA</Identification><FormCreationDate>2026-06-24</FormCreationDate>"
        "<FormCreationHour>10:15:00.000</FormCreationHour><AttestationStatus>0</AttestationStatus>"
        f"<TypeForm>SU</TypeForm>{ref}\n    {body}\n  </Form>\n"
    )


def dimona_in(
    start: str = "2026-06-25",
    start_hour: str | None = "1000",
    end_hour: str | None = "1400",
    end_date: str | None = None,
    *,
    insz: str | None = INSZ_A,
    person: dict[str, str] | None = None,
    noss: str | None = NOSS_BRASSERIE,
    company_id: str | None = None,
    worker_type: str | None = "FLX",
    joint_commission: str | None = "302",
    planned_hours: int | None = None,
    reference: str | None = None,
) -> str:
    """One DimonaIn Form (a one-day 10:00-14:00 flexi-job on 25/06/2026 by default)."""
    features = (
        ""
        if worker_type is None
        else f"<DimonaFeatures>{_el('JointCommissionNbr', joint_commission)}{_el('WorkerType', worker_type)}</DimonaFeatures>"
    )
    person_xml = _el("INSS", insz) + "".join(_el(k, v) for k, v in (person or {}).items())
    body = (
        "<DimonaIn>"
        + _el("StartingDate", start)
        + _el("StartingHour", start_hour)
        + _el("EndingDate", end_date)
        + _el("EndingHour", end_hour)
        + _el("PlannedHoursNbr", planned_hours)
        + _employer(noss, company_id)
        + f"<NaturalPerson>{person_xml}</NaturalPerson>"
        + features
        + "</DimonaIn>"
    )
    return _form(body, reference)


def dimona_update(
    period_id: str,
    *,
    start: str | None = None,
    start_hour: str | None = None,
    end: str | None = None,
    end_hour: str | None = None,
    insz: str | None = None,
    noss: str | None = None,
    company_id: str | None = None,
    reference: str | None = None,
) -> str:
    body = (
        "<DimonaUpdate>"
        + _el("DimonaPeriodId", period_id)
        + _el("StartingDate", start)
        + _el("StartingHour", start_hour)
        + _el("EndingDate", end)
        + _el("EndingHour", end_hour)
        + _el("INSS", insz)
        + _employer(noss, company_id)
        + "</DimonaUpdate>"
    )
    return _form(body, reference)


def dimona_cancel(
    period_id: str, *, insz: str | None = None, noss: str | None = None, company_id: str | None = None
) -> str:
    body = (
        "<DimonaCancel>" + _el("DimonaPeriodId", period_id) + _el("INSS", insz) + _employer(noss, company_id)
    )
    return _form(body + "</DimonaCancel>", None)


def dimona_out(
    period_id: str,
    end: str,
    *,
    insz: str | None = None,
    noss: str | None = None,
    company_id: str | None = None,
) -> str:
    body = (
        "<DimonaOut>"
        + _el("DimonaPeriodId", period_id)
        + _el("EndingDate", end)
        + _el("INSS", insz)
        + _employer(noss, company_id)
        + "</DimonaOut>"
    )
    return _form(body, None)


def dimona(*forms: str, encoding: str = "UTF-8") -> bytes:
    """A whole Dimona document."""
    text = f'<?xml version="1.0" encoding="{encoding}"?>\n<Dimona>\n' + "".join(forms) + "</Dimona>\n"
    return text.encode("iso-8859-1" if encoding.upper() == "ISO-8859-1" else "utf-8")


# More identifiers for the rule tests (computed with the checks of SPEC 3).
NOSS_LEMAIRE = "175110995"  # Traiteur Lemaire by its RSZ number (the mandate names its enterprise number)
NOSS_UNKNOWN = "999999092"  # passes the mod-97 check, not in the repertory
CBE_UNKNOWN = "0999999823"  # passes the mod-97 check, not in the repertory
NOSS_FONDS = "175111092"  # Fonds social Horeca: sender 123456 holds a FLEX mandate only
CBE_PEETERS = "0876543270"  # enterprise number only; sender 654321 holds a * mandate for 2026
INSZ_BORN_2001 = "01051812304"  # check computed on 2 followed by the first 9 digits
INSZ_BIS = "85231212308"  # BIS number: birth month + 20


def dimona_night(start: str = "2026-06-25", end_date: str | None = "2026-06-26", **fields: object) -> str:
    """A DimonaIn past midnight: 22:00 on `start` to 02:00 on `end_date`."""
    return dimona_in(start, "2200", "0200", end_date, **fields)  # type: ignore[arg-type]


def dimona_day(start: str = "2026-06-25", end_date: str | None = None, **fields: object) -> str:
    """A DimonaIn without hours: from `start`, open until an OUT when `end_date` is None."""
    return dimona_in(start, None, None, end_date, **fields)  # type: ignore[arg-type]
