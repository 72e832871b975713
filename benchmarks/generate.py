"""Synthetic submissions of any size for the benchmarks, with reference data that accepts them.

Dimona: one-day flexi-job INs over many employers and workers, with UPDATEs (a shorter shift) and
CANCELs of earlier INs mixed in; they name the period ids a fresh store issues, in order, so every
declaration is accepted. FLEX: one monthly payslip per form. Everything is deterministic in N.

    python benchmarks/generate.py dimona 100000 /tmp/bench      # writes refdata/ and inbox/
"""

from __future__ import annotations

import argparse
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

SENDER = "123456"
PERIOD_BASE = 2_000_000_000  # flexibatch.service.numbers.PERIOD_BASE: a fresh store issues BASE + 1, + 2, ...
FIRST_DAY = date(2026, 7, 1)
HEADER = (
    "<Identification>{kind}</Identification><FormCreationDate>2026-06-24</FormCreationDate>"
    "<FormCreationHour>10:15:00.000</FormCreationHour><AttestationStatus>0</AttestationStatus>"
    "<TypeForm>SU</TypeForm>"
)


def insz(i: int) -> str:
    """The i-th of 13 million distinct valid INSZ numbers (born 1960-1999)."""
    serial, rest = i % 997 + 1, i // 997
    day, rest = rest % 28 + 1, rest // 28
    month, rest = rest % 12 + 1, rest // 12
    base = f"{60 + rest % 40:02d}{month:02d}{day:02d}{serial:03d}"
    return base + f"{97 - int(base) % 97:02d}"


def noss(i: int) -> str:
    """The i-th valid RSZ number (the whole number mod 97 is 96)."""
    return str(175110801 + 97 * i)


def company_id(i: int) -> str:
    base = f"0{4_000_000 + i:07d}"
    return base + f"{97 - int(base) % 97:02d}"


def period_id(n: int) -> str:
    base = PERIOD_BASE + n
    return f"{base:010d}{base % 97:02d}"


def write_refdata(folder: Path, employers: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "senders.csv").write_text(f"sender,name\n{SENDER},Benchmark payroll\n")
    with (folder / "employers.csv").open("w") as out:
        out.write("noss,company_id,name\n")
        out.writelines(f"{noss(e)},{company_id(e)},Employer {e}\n" for e in range(employers))
    with (folder / "mandates.csv").open("w") as out:
        out.write("sender,noss,company_id,purpose,valid_from,valid_to\n")
        out.writelines(f"{SENDER},{noss(e)},,*,2025-01-01,\n" for e in range(employers))
    (folder / "workers.csv").write_text("insz,quarter,status\n")


def _form(kind: str, body: str) -> str:
    return f"<Form>{HEADER.format(kind=kind)}{body}</Form>\n"


def _actions(count: int) -> Iterator[str]:
    """IN, UPDATE or CANCEL for each of `count` forms: 80 %, 12 % and 8 %."""
    issued = 0
    for i in range(count):
        slot = i % 25
        if slot in (7, 19, 23) and issued > 50:
            yield "UPDATE"
        elif slot in (11, 17) and issued > 50:
            yield "CANCEL"
        else:
            issued += 1
            yield "IN"


def first_day(month: int) -> date:
    """The first day of the shifts of the `month`-th monthly file (0: July 2026)."""
    months = FIRST_DAY.month - 1 + month
    return date(FIRST_DAY.year + months // 12, months % 12 + 1, 1)


def dimona_forms(count: int, employers: int, month: int = 0) -> Iterator[str]:
    """80 % INs, 12 % UPDATEs and 8 % CANCELs of earlier INs; every one of them acceptable.

    `month` n is the n-th monthly file on the same store, for the same workers and employers: its
    shifts fall in a later month, and its period ids follow those the earlier months were issued.
    """
    workers = max(count // 4, 1)
    before = month * sum(action == "IN" for action in _actions(count))
    start = first_day(month)
    issued = 0
    for i, action in enumerate(_actions(count)):
        if action == "UPDATE":  # end an earlier shift an hour sooner
            body = f"<DimonaUpdate><DimonaPeriodId>{period_id(before + issued - 40)}</DimonaPeriodId><EndingHour>1300</EndingHour></DimonaUpdate>"
            yield _form("DIMONA", body)
        elif action == "CANCEL":  # an earlier shift never updated
            yield _form(
                "DIMONA",
                f"<DimonaCancel><DimonaPeriodId>{period_id(before + issued - 45)}</DimonaPeriodId></DimonaCancel>",
            )
        else:
            worker = issued % workers
            day = start + timedelta(days=issued // workers)
            employer = worker % employers
            issued += 1
            body = (
                f"<DimonaIn><StartingDate>{day.isoformat()}</StartingDate><StartingHour>1000</StartingHour>"
                f"<EndingHour>1400</EndingHour><EmployerId><NOSSRegistrationNbr>{noss(employer)}"
                f"</NOSSRegistrationNbr></EmployerId><NaturalPerson><INSS>{insz(worker)}</INSS></NaturalPerson>"
                "<DimonaFeatures><JointCommissionNbr>302</JointCommissionNbr><WorkerType>FLX</WorkerType>"
                "</DimonaFeatures></DimonaIn>"
            )
            yield _form(
                "DIMONA",
                f"<Reference><ReferenceType>1</ReferenceType><ReferenceOrigin>1</ReferenceOrigin><ReferenceNbr>B{i}</ReferenceNbr></Reference>{body}",
            )


def flex_forms(count: int, employers: int) -> Iterator[str]:
    """One monthly June payslip per form: a flexi wage, and a premium on every fifth."""
    for i in range(count):
        relation = uuid.uuid5(uuid.NAMESPACE_OID, f"flexibatch-bench-{i}")
        premium = (
            "<FinancialElement><FinancialElementType>1</FinancialElementType><FinancialElementCode>0002001000"
            "</FinancialElementCode><Amount>2500</Amount><BonusPaymentFrequency>12</BonusPaymentFrequency>"
            "</FinancialElement>"
            if i % 5 == 0
            else ""
        )
        body = (
            f"<Debtor><CompanyID>{company_id(i % employers)}</CompanyID><Beneficiary><INSS>{insz(i)}</INSS>"
            "<Relation><RelationType>1</RelationType><Reference><ReferenceType>10</ReferenceType>"
            f"<ReferenceOrigin>8</ReferenceOrigin><ReferenceNbr>{relation}</ReferenceNbr></Reference>"
            "<Calculation><CalculationPeriodStartingDate>2026-06-01</CalculationPeriodStartingDate>"
            "<CalculationPeriodEndingDate>2026-06-30</CalculationPeriodEndingDate>"
            "<CalculationDate>2026-06-22</CalculationDate><Features>"
            "<ValidityPeriodStartingDate>2026-06-01</ValidityPeriodStartingDate>"
            "<ValidityPeriodEndingDate>2026-06-30</ValidityPeriodEndingDate><EmployerClass>000</EmployerClass>"
            "<WorkerCode>050</WorkerCode><FinancialElement><FinancialElementType>1</FinancialElementType>"
            f"<FinancialElementCode>0001001000</FinancialElementCode><Amount>{40_000 + i % 50_000}</Amount>"
            f"</FinancialElement>{premium}</Features></Calculation></Relation></Beneficiary></Debtor>"
        )
        yield _form("FLXWAGE", body)


def write_submission(inbox: Path, purpose: str, count: int, employers: int, month: int = 0) -> Path:
    """One single-part submission and its GO file; returns the FI path. See `dimona_forms` for `month`."""
    inbox.mkdir(parents=True, exist_ok=True)
    key = f"{SENDER}.20260624.{month + 1:05d}.R"
    path = inbox / f"FI.{purpose}.{key}.1.1.xml"
    if purpose == "DIMN":
        root, forms = "<Dimona>\n", dimona_forms(count, employers, month)
        closing = "</Dimona>\n"
    else:
        root, forms = (
            '<FLXWAGE xmlns="http://socialsecurity.be/xml/ns/FLXWAGE">\n',
            flex_forms(count, employers),
        )
        closing = "</FLXWAGE>\n"
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n' + root)
        for form in forms:
            out.write(form)
        out.write(closing)
    (inbox / f"GO.{purpose}.{key}.1").write_bytes(b"")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description="Write synthetic flexibatch submissions and reference data.")
    parser.add_argument("kind", choices=("dimona", "flex"))
    parser.add_argument("count", type=int, help="declarations (Dimona) or payslips (FLEX)")
    parser.add_argument("folder", type=Path, help="gets refdata/ and inbox/")
    parser.add_argument("--employers", type=int, default=2000)
    args = parser.parse_args()
    write_refdata(args.folder / "refdata", args.employers)
    path = write_submission(
        args.folder / "inbox", "DIMN" if args.kind == "dimona" else "FLEX", args.count, args.employers
    )
    print(f"{path} ({path.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
