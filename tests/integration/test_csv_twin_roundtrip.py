"""Issue 4 and SPEC 5: the NOTI CSV twin, opened with Python's csv module, gives back what was sent.

Own references with separators, quotes, accents, a line break and leading formula characters come back
unchanged, except that a cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`) is made inert
with exactly one leading `'`. The header is the SPEC 5 column list, every row has that many cells, and
every other cell agrees with the NOTI itself.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from support.answers import SPEC_NOTI_CSV_COLUMNS, validated
from support.builders import CBE_BRASSERIE, INSZ_A, NOSS_BRASSERIE, dimona, dimona_in
from support.channel import Channel
from support.csv_twin import read_rows, write_csv

FORMULA_STARTS = ("=", "+", "-", "@")

#: Each fits the Dimona XML ReferenceNbr (1..20 characters).
TRICKY_REFERENCES = [
    "semi;colon",
    "com,ma",
    'say "hi"',
    "\";\",'x'",
    "Liège é ü ß ç",
    "=SUM(A1:A9)",
    '=HYPERLINK("x")',
    "+32 2 555 00 00",
    "-12",
    "@SUM(1)",
    "'already quoted",
    "a=b+c-d@e",
    "tab\there",
]
LINE_BREAK = "line\nbreak"
_JUNE = ["2026-06-01", "2026-06-30", "2026-06-24", "2026-06-01", "2026-06-30"]


def expected_cell(sent: str) -> str:
    return "'" + sent if sent.startswith(FORMULA_STARTS) else sent


def _in_rows(references: list[str]) -> list[dict[str, str]]:
    """One accepted IN per reference: the same flexi worker on successive July days, 10:00 to 14:00."""
    return [
        {
            "action": "IN",
            "own_reference": reference,
            "noss": NOSS_BRASSERIE,
            "insz": INSZ_A,
            "joint_commission": "302",
            "worker_type": "FLX",
            "start_date": f"2026-07-{day:02d}",
            "start_hour": "10:00",
            "end_hour": "14:00",
        }
        for day, reference in enumerate(references, start=1)
    ]


def _submit(channel: Channel, references: list[str], as_csv: bool, separator: str = ";") -> str:
    if as_csv:
        header = list(_in_rows(["x"])[0])
        content = write_csv(header, _in_rows(references), separator)
        return channel.submit(content, extension=".csv")
    forms = [
        dimona_in(f"2026-07-{day:02d}", "1000", "1400", reference=reference)
        for day, reference in enumerate(references, start=1)
    ]
    return channel.submit(dimona(*forms), extension=".xml")


def _noti_csv(channel: Channel, key: str) -> list[list[str]]:
    path = channel.outbox / key[:6] / f"FO.NOTI.{key}.DIMN.csv"
    return read_rows(path.read_bytes())  # its BOM and separator as a spreadsheet reads them


def _noti_forms(channel: Channel, key: str) -> list[etree._Element]:
    return list(validated(channel.outbox / key[:6] / f"FO.NOTI.{key}.DIMN").iterfind("Form"))


@pytest.mark.parametrize(
    ("submitted_as", "references"),
    [
        ("xml", TRICKY_REFERENCES),
        ("csv-semicolon", [*TRICKY_REFERENCES, LINE_BREAK]),
        ("csv-comma", [*TRICKY_REFERENCES, LINE_BREAK]),
    ],
)
def test_the_noti_csv_gives_back_every_own_reference_made_inert_only_where_needed(
    channel: Channel, submitted_as: str, references: list[str]
) -> None:
    key = _submit(channel, references, submitted_as != "xml", "," if submitted_as == "csv-comma" else ";")
    channel.run()
    assert channel.receipt(key).accepted
    table = _noti_csv(channel, key)

    header, rows = table[0], table[1:]
    assert header == SPEC_NOTI_CSV_COLUMNS
    assert len(rows) == len(references)
    assert all(len(row) == len(SPEC_NOTI_CSV_COLUMNS) for row in rows), [len(r) for r in rows]
    assert [row[SPEC_NOTI_CSV_COLUMNS.index("own_reference")] for row in rows] == [
        expected_cell(r) for r in references
    ]
    # The NOTI itself is XML, not a spreadsheet: it echoes the reference exactly as sent.
    forms = _noti_forms(channel, key)
    assert [f.findtext("Reference/ReferenceNbr") for f in forms] == references


def test_every_other_noti_csv_cell_agrees_with_the_noti(channel: Channel) -> None:
    references = ["=first", "second"]
    rows = _in_rows(references)
    rows.append(
        {
            **rows[1],
            "own_reference": "-refused",
            "worker_type": "STU",
            "joint_commission": "999",
            "start_date": "20/07/2026",
        }
    )
    key = channel.submit(write_csv(list(rows[0]), rows), extension=".csv")
    channel.run()
    table = [dict(zip(SPEC_NOTI_CSV_COLUMNS, row, strict=True)) for row in _noti_csv(channel, key)[1:]]
    forms = _noti_forms(channel, key)
    assert len(table) == len(forms) == 3
    for row, form in zip(table, forms, strict=True):
        anomalies = form.findall("HandlingResult/AnomalyReport")
        accepted = form.findtext("HandlingResult/ResultCode") == "1"
        assert row["form_index"] == form.findtext("HandledOriginalForm/FormIndex")
        assert row["source_line"] == form.findtext("HandledOriginalForm/SourceLine")
        assert (row["purpose"], row["action"]) == ("DIMN", "IN")
        assert row["employer"] == form.findtext("EmployerId/NOSSRegistrationNbr") == NOSS_BRASSERIE
        assert row["insz"] == form.findtext("NaturalPerson/INSS") == INSZ_A
        assert row["result"] == (
            "REFUSED" if not accepted else "ACCEPTED_WITH_WARNING" if anomalies else "ACCEPTED"
        )
        assert row["period_id"] == (form.findtext(".//DimonaPeriodId") or "")
        assert row["relation_id"] == ""
        assert row["error_ids"] == "; ".join(a.findtext("ErrorID") for a in anomalies)
        assert row["labels"] == "; ".join(a.findtext("AnomalyLabel") for a in anomalies)
    assert [r["result"] for r in table] == ["ACCEPTED", "ACCEPTED", "REFUSED"]
    assert len(table[2]["error_ids"].split("; ")) == 2, "both anomalies of the refused row are listed"
    assert [r["own_reference"] for r in table] == ["'=first", "second", "'-refused"]


def test_flexi_form_references_round_trip_too(channel: Channel) -> None:
    references = [*TRICKY_REFERENCES, LINE_BREAK]
    relation_ids = [f"00000000-0000-4000-8000-{n:012d}" for n in range(len(references))]
    header = ["status", "form_reference", "company_id", "insz", "relation_uuid", "calc_start", "calc_end"]
    header += ["calc_date", "validity_start", "validity_end", "employer_class", "worker_code", "element_code"]
    rows = [
        dict(
            zip(
                header,
                ["0", reference, CBE_BRASSERIE, INSZ_A, relation_id, *_JUNE, "000", "050", "WAGE"],
                strict=True,
            )
        )
        | {"amount": "10"}
        for reference, relation_id in zip(references, relation_ids, strict=True)
    ]
    key = channel.submit(write_csv([*header, "amount"], rows, ","), purpose="FLEX", extension=".csv")
    channel.run()
    assert channel.receipt(key, purpose="FLEX").accepted
    path = channel.outbox / key[:6] / f"FO.NOTI.{key}.FLEX.csv"
    table = read_rows(path.read_bytes())
    assert table[0] == SPEC_NOTI_CSV_COLUMNS
    assert all(len(row) == len(SPEC_NOTI_CSV_COLUMNS) for row in table)
    own = SPEC_NOTI_CSV_COLUMNS.index("own_reference")
    assert [row[own] for row in table[1:]] == [expected_cell(r) for r in references]
    assert [row[SPEC_NOTI_CSV_COLUMNS.index("relation_id")] for row in table[1:]] == relation_ids
    assert [row[SPEC_NOTI_CSV_COLUMNS.index("purpose")] for row in table[1:]] == ["FLEX"] * len(references)


@pytest.mark.parametrize("length", [21, 64, 65, 200])
def test_a_long_csv_own_reference_never_makes_the_noti_invalid(channel: Channel, length: int) -> None:
    """SPEC 5: every answer validates against NOTIFICATION.xsd, whatever a CSV cell holds."""
    reference = ("REF-" + "x" * length)[:length]
    key = _submit(channel, [reference], as_csv=True)
    channel.run()
    assert channel.receipt(key).accepted
    (decision,) = channel.decisions(key)  # fails unless the NOTI is valid against its XSD
    assert decision.form_index == 1
    assert Path(channel.outbox / key[:6] / f"FO.NOTI.{key}.DIMN.csv").exists()
