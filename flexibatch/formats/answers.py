"""The answers of SPEC 4 and 5: the receipt (ACRF), the notification (NOTI) and its CSV twin.

The NOTI is written form by form to a file, so a monthly batch never sits in memory. Answers are
stamped with the submission's reception time, so a submission processed again after a crash gets
the same bytes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from types import TracebackType
from typing import IO, Self

from flexibatch.domain.anomalies import Anomaly, Diagnostic
from flexibatch.domain.decisions import Decided, Impact, PeriodImpact
from flexibatch.domain.dimona import Period, Reference, hhmm, iso_day
from flexibatch.domain.flexi_rules import RelationImpact
from flexibatch.files import open_private, start_writing_back
from flexibatch.formats.located import Locator, label
from flexibatch.formats.text import spreadsheet_cell, xml_text
from flexibatch.i18n import Translate, english

NOTI_CSV_COLUMNS = (
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
)
#: Forms joined into one write (some 360 KB): cheaper than a write per form (text-file buffering) or
#: one per batch of 5 000 (7 MB, past the processor's caches); docs/performance.md, "Measured costs".
_FORMS_PER_WRITE = 256
#: What NOTIFICATION.xsd lets the NOTI echo of a declaration's identifiers: digits, so many of them.
#: A CSV cell can hold anything; the anomaly already says what is wrong with it, the echo must not
#: break the answer.
_ECHOABLE = {"NOSSRegistrationNbr": (1, 10), "CompanyID": (9, 10), "INSS": (11, 11)}


def _own_reference(references: Sequence[Reference]) -> str | None:
    """The sender's own reference (type 1), else the first one."""
    for reference in references:
        if reference.type == "1":
            return reference.number
    return references[0].number if references else None


def _echo(tag: str, value: str | None) -> str:
    """The identifier as its element, when the schema lets it be echoed (digits need no escaping)."""
    if value is None or not value.isascii() or not value.isdigit():
        return ""
    shortest, longest = _ECHOABLE[tag]
    return f"<{tag}>{value}</{tag}>" if shortest <= len(value) <= longest else ""


@lru_cache(maxsize=1 << 14)
def _employer_echo(noss: str | None, company_id: str | None) -> str:
    """Cached: a file names its employers over and over."""
    echoed = _echo("NOSSRegistrationNbr", noss) + _echo("CompanyID", company_id)
    return f"<EmployerId>{echoed}</EmployerId>" if echoed else ""


def _element(tag: str, value: object) -> str:
    return f"<{tag}>{xml_text(str(value))}</{tag}>"


def _optional(tag: str, value: object) -> str:
    return "" if value is None else _element(tag, value)


def _stamp(created: datetime) -> str:
    hour = f"{created:%H:%M:%S}.{created.microsecond // 1000:03d}"
    return _element("FormCreationDate", f"{created:%Y-%m-%d}") + _element("FormCreationHour", hour)


def _form_start(identification: str, created: datetime) -> str:
    return (
        "<Form>"
        + _element("Identification", identification)
        + _stamp(created)
        + _element("AttestationStatus", 0)
        + _element("TypeForm", "FA")
    )


def render_acrf(
    file_name: str,
    ticket: str | None,
    diagnostics: Sequence[Diagnostic],
    created: datetime,
    translate: Translate = english,
) -> bytes:
    """The receipt: positive (ResultCode 1) when there is no diagnostic, else negative with them all,
    each Message in the translator's language."""
    accepted = not diagnostics
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<ACRF>', _form_start("ACRF001", created)]
    parts.append("<FileReference>" + _element("FileName", file_name))
    if ticket is not None:
        parts.append(_element("ReferenceOrigin", 2) + _element("ReferenceNbr", ticket))
    parts.append("</FileReference><ReceptionResult>" + _element("ResultCode", int(accepted)))
    codes = list(dict.fromkeys(d.code for d in diagnostics))
    parts.extend(_element("ErrorID", code) for code in codes)
    parts.append("</ReceptionResult>")
    for problem in diagnostics:
        parts.append(
            "<Diagnostic>"
            + _element("ErrorID", problem.code)
            + _optional("Line", problem.line)
            + _optional("Column", problem.column)
            + _optional("Path", problem.path)
            + _element("Message", problem.text(translate))
            + "</Diagnostic>"
        )
    parts.append("</Form></ACRF>\n")
    return "".join(parts).encode("utf-8")


def _period_xml(tag: str, period: Period) -> str:
    s = period.schedule
    start_hour = "" if s.start_hour is None else f"<StartingHour>{hhmm(s.start_hour)}</StartingHour>"
    end_date = "" if s.end_date is None else f"<EndingDate>{iso_day(s.end_date)}</EndingDate>"
    end_hour = "" if s.end_hour is None else f"<EndingHour>{hhmm(s.end_hour)}</EndingHour>"
    return (
        f"<{tag}><StartingDate>{iso_day(s.start_date)}</StartingDate>{start_hour}{end_date}{end_hour}"
        f"<Status>{period.status!s}</Status></{tag}>"
    )


def dimona_impact(before: Period | None, after: Period | None) -> str:
    """The DimonaImpactReport of an accepted declaration (issued ids and dates need no escaping)."""
    period = after or before
    assert period is not None
    was = "" if before is None else _period_xml("DimonaPeriodBefore", before)
    becomes = "" if after is None else _period_xml("DimonaPeriodAfter", after)
    return (
        f"<DimonaImpactReport><DimonaPeriodId>{period.period_id}</DimonaPeriodId>{was}{becomes}"
        "</DimonaImpactReport>"
    )


def flexi_impact(impacts: Sequence[RelationImpact]) -> str:
    """The FlexiImpactReports of an accepted wage transfer: each situation and its worker's year totals.
    Numbers and statuses need no escaping; the relation id is the sender's text."""
    reports = []
    for impact in impacts:
        years = "".join(
            [
                f"<YearTotal><Year>{year}</Year><Amount>{amount}</Amount></YearTotal>"
                for year, amount in impact.year_totals
            ]
        )
        situation = impact.situation
        reports.append(
            f"<FlexiImpactReport><RelationId>{xml_text(impact.relation_id)}</RelationId>"
            f"<Version>{situation.version}</Version><Status>{situation.status!s}</Status>{years}"
            "</FlexiImpactReport>"
        )
    return "".join(reports)


def impact_xml(impact: Impact) -> str:
    """The ImpactReport's content of an accepted declaration."""
    if isinstance(impact, PeriodImpact):
        return dimona_impact(impact.before, impact.after)
    return flexi_impact(impact)


def _anomaly_xml(a: Anomaly, path: str | None, label: str) -> str:
    return (
        f"<AnomalyReport><ErrorID>{a.code}</ErrorID><AnomalyClass>{a.cls.value}</AnomalyClass>"
        + _optional("Path", path)
        + _optional("Value", a.value)
        + f"<AnomalyLabel>{xml_text(label)}</AnomalyLabel></AnomalyReport>"
    )


class NotiWriter:
    """Writes a NOTI and its CSV twin form by form, from the decisions of one purpose's declarations
    read in one format (whose locator gives each anomaly its Path), the labels in the translator's
    language."""

    def __init__(
        self,
        xml_path: Path,
        csv_path: Path,
        file_name: str,
        ticket: str,
        created: datetime,
        *,
        identification: str,
        purpose: str,
        locate: Locator,
        translate: Translate = english,
        separator: str = ",",
    ) -> None:
        """`separator`: the twin's, `;` or `,` as the submission's CSV (SPEC 5)."""
        self._translate = translate
        self._identification = identification
        self._purpose = purpose
        self._locate = locate
        self._form_start = _form_start("NOTI001", created)
        self._file_reference = (
            "<FileReference>"
            + _element("FileName", file_name)
            + _element("ReferenceOrigin", 2)
            + _element("ReferenceNbr", ticket)
            + "</FileReference>"
        )
        self._xml: IO[str] = open_private(xml_path, "w", encoding="utf-8", newline="\n")
        # A byte-order mark first: a Belgian spreadsheet then reads the accents as UTF-8 (SPEC 5).
        self._csv_file: IO[str] = open_private(csv_path, "w", encoding="utf-8-sig", newline="")
        self._lines = io.StringIO()  # a chunk's CSV lines, then written to the file at once
        self._csv = csv.writer(self._lines, delimiter=separator)
        self._xml.write('<?xml version="1.0" encoding="UTF-8"?>\n<NOTIFICATION>\n')
        self._csv.writerow(NOTI_CSV_COLUMNS)
        self._write_lines()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def add(self, entries: Sequence[Decided]) -> None:
        """A batch's entries, some hundreds of forms to a write; then handed to the disk."""
        for start in range(0, len(entries), _FORMS_PER_WRITE):
            chunk = entries[start : start + _FORMS_PER_WRITE]
            # each label rendered once, for the NOTI and its twin
            labelled = [(entry, self._labels(entry)) for entry in chunk]
            self._xml.write("".join([self._form(entry, labels) for entry, labels in labelled]))
            self._csv.writerows([self._row(entry, labels) for entry, labels in labelled])
            self._write_lines()
        start_writing_back(self._xml)
        start_writing_back(self._csv_file)

    def _write_lines(self) -> None:
        self._csv_file.write(self._lines.getvalue())
        self._lines.seek(0)
        self._lines.truncate()

    def close(self) -> None:
        if not self._xml.closed:
            self._xml.write("</NOTIFICATION>\n")
            self._xml.close()
            self._csv_file.close()

    def _labels(self, entry: Decided) -> list[str]:
        """Each anomaly's label in the translator's language, its `{where}` filled in."""
        if not entry.anomalies:
            return []
        locate, translate, index = self._locate, self._translate, entry.form_index
        return [label(a, locate, index, translate) for a in entry.anomalies]

    def _anomalies(self, entry: Decided, labels: list[str]) -> str:
        locate, index = self._locate, entry.form_index
        return "".join(
            [
                _anomaly_xml(a, locate(a.field, index) if a.field else None, text)
                for a, text in zip(entry.anomalies, labels, strict=True)
            ]
        )

    def _form(self, entry: Decided, labels: list[str]) -> str:
        header = entry.header
        original = (
            ""
            if header is None
            else f"<FormCreationDate>{xml_text(header.creation_date)}</FormCreationDate>"
            f"<FormCreationHour>{xml_text(header.creation_hour)}</FormCreationHour>"
            f"<AttestationStatus>{xml_text(header.attestation_status)}</AttestationStatus>"
            f"<TypeForm>{xml_text(header.type_form)}</TypeForm>"
        )
        references = "".join(
            [
                f"<Reference><ReferenceType>{xml_text(ref.type)}</ReferenceType>"
                f"<ReferenceOrigin>{xml_text(ref.origin)}</ReferenceOrigin>"
                f"<ReferenceNbr>{xml_text(ref.number)}</ReferenceNbr></Reference>"
                for ref in entry.references
            ]
        )
        employer = _employer_echo(entry.noss, entry.company_id)
        persons = "".join(
            [
                f"<NaturalPerson>{echoed}</NaturalPerson>"
                for insz in entry.insz
                if (echoed := _echo("INSS", insz))
            ]
        )
        accepted = entry.accepted
        anomalies = self._anomalies(entry, labels) if entry.anomalies else ""
        impact = (
            f"<ImpactReport>{impact_xml(entry.impact)}</ImpactReport>" if accepted and entry.impact else ""
        )
        return (
            f"{self._form_start}{self._file_reference}<HandledOriginalForm>"
            f"<Identification>{self._identification}</Identification>{original}"
            f"<FormIndex>{entry.form_index}</FormIndex><SourceLine>{entry.source_line}</SourceLine>"
            f"</HandledOriginalForm>{references}{employer}{persons}<HandledReference>"
            "<ReferenceType>1</ReferenceType><ReferenceOrigin>2</ReferenceOrigin>"
            f"<ReferenceNbr>{entry.ticket}</ReferenceNbr></HandledReference>"
            f"<HandlingResult><ResultCode>{int(accepted)}</ResultCode>{anomalies}{impact}"
            "</HandlingResult></Form>\n"
        )

    def _row(self, entry: Decided, labels: list[str]) -> list[str]:
        """The twin's line. Every cell that can hold a sender's text (a reference, an employer, an
        INSZ, a period or relation id as declared, a label quoting a value) is made inert; the
        others are the processor's own numbers and words."""
        anomalies = entry.anomalies
        return [
            str(entry.form_index),
            str(entry.source_line),
            self._purpose,
            entry.action,
            spreadsheet_cell(_own_reference(entry.references)),
            spreadsheet_cell(entry.noss or entry.company_id),
            spreadsheet_cell(" ".join(entry.insz)),
            entry.result,
            spreadsheet_cell(entry.period_id),
            spreadsheet_cell(entry.relation_id),
            "; ".join([a.code for a in anomalies]) if anomalies else "",
            spreadsheet_cell("; ".join(labels)) if labels else "",
        ]
