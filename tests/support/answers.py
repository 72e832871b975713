"""Reading the answers the processor wrote, after checking them against the project's XSDs."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from flexibatch.formats.xml import load_schema

#: SPEC 5: the columns of a NOTI's CSV twin, in this order (the tests' oracle, not the code's list).
SPEC_NOTI_CSV_COLUMNS = [
    "form_index",
    "source_line",
    "purpose",
    "action",
    "own_reference",
    "employer",
    "insz",
    "result",
    "period_id",
    "relation_id",
    "error_ids",
    "labels",
]


def validated(path: Path) -> Any:
    """Parse an ACRF, ERR or NOTI answer and fail the test unless it is valid against its XSD."""
    with path.open("rb") as handle:  # not by name: libxml2 reads a name as a URI ('%', '?', not UTF-8)
        tree = etree.parse(handle)
    schema = load_schema("NOTIFICATION.xsd" if tree.getroot().tag == "NOTIFICATION" else "ACRF.xsd")
    assert schema.validate(tree), f"{path.name} is not valid against its XSD: {schema.error_log}"
    return tree.getroot()


@dataclass
class Receipt:
    name: str
    accepted: bool
    ticket: str | None
    file_name: str
    error_ids: list[str]
    diagnostics: list[dict[str, str]]

    @property
    def codes(self) -> set[str]:
        return set(self.error_ids)


def read_acrf(path: Path) -> Receipt:
    form = validated(path).find("Form")
    return Receipt(
        name=path.name,
        accepted=form.findtext("ReceptionResult/ResultCode") == "1",
        ticket=form.findtext("FileReference/ReferenceNbr"),
        file_name=form.findtext("FileReference/FileName"),
        error_ids=[e.text for e in form.iterfind("ReceptionResult/ErrorID")],
        diagnostics=[{child.tag: child.text or "" for child in d} for d in form.iterfind("Diagnostic")],
    )


@dataclass
class FlexiImpact:
    """One FlexiImpactReport: a relation's situation after the declaration and its worker's year totals."""

    relation_id: str
    version: int
    status: str
    year_totals: list[tuple[int, int]]  # (year, amount in cents)

    def total(self, year: int) -> int | None:
        """The worker's flexi income for `year` as announced, or None when the report has no such year."""
        return dict(self.year_totals).get(year)


@dataclass
class Decision:
    form_index: int
    source_line: int
    accepted: bool
    anomalies: list[dict[str, str]]
    ticket: str
    period_id: str | None
    before: dict[str, str] | None
    after: dict[str, str] | None
    employer: dict[str, str] = field(default_factory=dict)
    insz: list[str] = field(default_factory=list)
    flexi: list[FlexiImpact] = field(default_factory=list)

    @property
    def codes(self) -> list[str]:
        return [a["ErrorID"] for a in self.anomalies]

    @property
    def blocking(self) -> list[str]:
        return [a["ErrorID"] for a in self.anomalies if a["AnomalyClass"] == "B"]

    @property
    def warnings(self) -> list[str]:
        return [a["ErrorID"] for a in self.anomalies if a["AnomalyClass"] == "NP"]


def _fields(node: Any) -> dict[str, str] | None:
    return None if node is None else {child.tag: child.text or "" for child in node}


def _flexi_impact(report: Any) -> FlexiImpact:
    return FlexiImpact(
        relation_id=report.findtext("RelationId"),
        version=int(report.findtext("Version")),
        status=report.findtext("Status"),
        year_totals=[
            (int(t.findtext("Year")), int(t.findtext("Amount"))) for t in report.iterfind("YearTotal")
        ],
    )


def read_noti(path: Path) -> list[Decision]:
    decisions = []
    for form in validated(path).iterfind("Form"):
        impact = form.find("HandlingResult/ImpactReport/DimonaImpactReport")
        decisions.append(
            Decision(
                form_index=int(form.findtext("HandledOriginalForm/FormIndex")),
                source_line=int(form.findtext("HandledOriginalForm/SourceLine")),
                accepted=form.findtext("HandlingResult/ResultCode") == "1",
                anomalies=[_fields(a) or {} for a in form.iterfind("HandlingResult/AnomalyReport")],
                ticket=form.findtext("HandledReference/ReferenceNbr"),
                period_id=None if impact is None else impact.findtext("DimonaPeriodId"),
                before=None if impact is None else _fields(impact.find("DimonaPeriodBefore")),
                after=None if impact is None else _fields(impact.find("DimonaPeriodAfter")),
                employer=_fields(form.find("EmployerId")) or {},
                insz=[n.text for n in form.iterfind("NaturalPerson/INSS")],
                flexi=[
                    _flexi_impact(r) for r in form.iterfind("HandlingResult/ImpactReport/FlexiImpactReport")
                ],
            )
        )
    return decisions


def read_noti_csv(path: Path) -> list[dict[str, str]]:
    """The twin as a spreadsheet reads it: a UTF-8 byte-order mark first, then `;` or `,` (SPEC 5)."""
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "the twin starts with a UTF-8 byte-order mark"
    text = raw[3:].decode("utf-8")
    header = text.split("\n", 1)[0]
    separator = ";" if header.count(";") > header.count(",") else ","
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=separator))
