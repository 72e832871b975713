"""Issue 4: a CSV submission is decided exactly like its XML twin (SPEC 6.3).

Every schema-valid sample submission, and richer generated files (refusals, warnings, UPDATE, CANCEL
and OUT of earlier periods, modifications and cancellations of wage transfers), are sent as XML to one
fresh installation and as their CSV twin (tests/support/csv_twin.py, written without the project's
readers) to another, in the same order at the same reception time. The decisions must be the same:
result, anomalies (ErrorID, class, Value), period ids in the same order, periods before and after,
Flexi impact reports; the SourceLine of a CSV declaration is the row that holds it; the NOTI CSV twins
are the same except for source_line. Only anomaly Paths differ: XPath for XML, the column for CSV.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from lxml import etree

from flexibatch.formats.xml import load_schema
from support.answers import Decision, read_noti_csv
from support.builders import (
    CBE_AURORA,
    CBE_BRASSERIE,
    CBE_LEMAIRE,
    CBE_UNKNOWN,
    IDENTITY,
    INSZ_A,
    INSZ_B,
    INSZ_C,
    INSZ_NOT_ELIGIBLE,
    NOSS_BRASSERIE,
    NOSS_FONDS,
    NOSS_UNKNOWN,
    dimona,
    dimona_cancel,
    dimona_day,
    dimona_in,
    dimona_night,
    dimona_out,
    dimona_update,
)
from support.channel import SAMPLES, Channel
from support.csv_twin import (
    DIALECTS,
    DIMONA_COLUMN_OF_ELEMENT,
    FLEXI_COLUMN_OF_ELEMENT,
    CsvDialect,
    CsvTwin,
    column_index,
    csv_twin,
)
from support.flexi_builders import (
    PREMIUM,
    UUID_1,
    UUID_2,
    UUID_3,
    WAGE,
    beneficiary,
    calculation,
    element,
    features,
    flxwage,
    month,
    relation,
    wage_form,
)

NOW = datetime(2026, 6, 24, 11, 50)
_NAME = re.compile(r"FI\.(DIMN|FLEX)\.(\d{6}\.\d{8}\.[0-9A-Z]{5}\.[RT])\.(\d)\.(\d)(\.xml)?")


# ---- comparing two installations ---------------------------------------------------------------------


def _answers_folder(channel: Channel, folder: str) -> Path:
    return channel.outbox / folder if folder else channel.outbox


def _findings(decision: Decision) -> list[tuple[str, str, str | None]]:
    return [(a["ErrorID"], a["AnomalyClass"], a.get("Value")) for a in decision.anomalies]


def _xml_leaf(path: str) -> str:
    return re.sub(r"\[\d+\]$", "", path.rsplit("/", 1)[-1])


def assert_same_answers(
    as_xml: Channel, as_csv: Channel, *, key: str, purpose: str, folder: str, twin: CsvTwin
) -> list[Decision]:
    """The CSV submission `key` was decided exactly like its XML twin; return the XML decisions."""
    receipts = [c.receipt(key, folder=folder or None, purpose=purpose) for c in (as_xml, as_csv)]
    assert [r.accepted for r in receipts] == [True, True], [r.diagnostics for r in receipts]
    xml = as_xml.decisions(key, folder=folder or None, purpose=purpose)
    csv = as_csv.decisions(key, folder=folder or None, purpose=purpose)
    assert xml, "the XML submission has declarations"
    assert [d.form_index for d in csv] == [d.form_index for d in xml] == list(range(1, len(xml) + 1))
    assert len(twin.references) == len(xml)

    rows = twin.rows()
    header = [name.lower() for name in rows[0]]
    reference_column = column_index(rows, "own_reference" if purpose == "DIMN" else "form_reference")
    column_of = DIMONA_COLUMN_OF_ELEMENT if purpose == "DIMN" else FLEXI_COLUMN_OF_ELEMENT
    for x, c, reference, first_row in zip(xml, csv, twin.references, twin.first_rows, strict=True):
        where = f"form {x.form_index} ({reference})"
        assert c.accepted == x.accepted, where
        assert _findings(c) == _findings(x), where
        assert (c.period_id, c.before, c.after) == (x.period_id, x.before, x.after), where
        assert c.flexi == x.flexi, where
        assert (c.employer, c.insz) == (x.employer, x.insz), where
        # SourceLine: the declaration's first row in the CSV file.
        assert c.source_line == first_row, f"{where}: SourceLine {c.source_line}, first row {first_row}"
        row = rows[c.source_line - 1]
        assert row[reference_column] == reference, f"{where}: row {c.source_line} is {row}"
        # Paths: the CSV column that holds what the XPath points at.
        for xml_anomaly, csv_anomaly in zip(x.anomalies, c.anomalies, strict=True):
            if "Path" not in xml_anomaly:
                assert "Path" not in csv_anomaly, where
                continue
            assert csv_anomaly.get("Path") in header, f"{where}: {csv_anomaly} names no CSV column"
            expected = column_of.get(_xml_leaf(xml_anomaly["Path"]))
            if expected is not None:
                assert csv_anomaly["Path"] == expected, f"{where}: {xml_anomaly['Path']} -> {csv_anomaly}"

    twins = [
        read_noti_csv(_answers_folder(c, folder) / f"FO.NOTI.{key}.{purpose}.csv") for c in (as_xml, as_csv)
    ]
    assert len(twins[0]) == len(twins[1]) == len(xml)
    for x_row, c_row, decision, generated in zip(*twins, csv, twin.generated, strict=True):
        assert int(c_row["source_line"]) == decision.source_line
        ignored = {"source_line", "own_reference"} if generated else {"source_line"}
        # A label naming a field names it as the format does: (BonusPaymentFrequency), (frequency).
        in_csv_words = x_row["labels"]
        for xml_name, column in column_of.items():
            in_csv_words = in_csv_words.replace(f"({xml_name})", f"({column})")
        assert {k: v for k, v in c_row.items() if k not in ignored} == {
            k: v for k, v in {**x_row, "labels": in_csv_words}.items() if k not in ignored
        }
    return xml


@dataclass
class Twins:
    """Two fresh installations: one gets the XML files, the other their CSV twins."""

    as_xml: Channel
    as_csv: Channel
    dialect: CsvDialect

    def send(self, xml: bytes, purpose: str = "DIMN") -> list[Decision]:
        twin = csv_twin(xml, self.dialect)
        key = self.as_xml.submit(xml, purpose=purpose, extension=".xml")
        assert self.as_csv.submit(twin.content, purpose=purpose, extension=".csv") == key
        self.as_xml.run(NOW)
        self.as_csv.run(NOW)
        return assert_same_answers(
            self.as_xml, self.as_csv, key=key, purpose=purpose, folder=key[:6], twin=twin
        )


@pytest.fixture(params=DIALECTS, ids=str)
def twins(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Twins]:
    pair = Twins(Channel(tmp_path / "xml"), Channel(tmp_path / "csv"), request.param)
    yield pair
    pair.as_xml.close()
    pair.as_csv.close()


# ---- the samples -------------------------------------------------------------------------------------


@dataclass
class SampleSubmission:
    folder: str  # "" for the inbox itself, else the sender folder
    purpose: str
    key: str
    parts: list[Path]  # in part order
    go: Path

    @property
    def content(self) -> bytes:
        return b"".join(p.read_bytes() for p in self.parts)

    def schema_valid(self) -> bool:
        try:
            document = etree.fromstring(self.content, etree.XMLParser(resolve_entities=False))
        except etree.XMLSyntaxError:
            return False
        return load_schema("Dimona.xsd" if self.purpose == "DIMN" else "FLXWAGE.xsd").validate(document)


def sample_submissions() -> list[SampleSubmission]:
    inbox = SAMPLES / "inbox"
    found: dict[tuple[str, str, str], list[tuple[int, Path]]] = {}
    for path in sorted(inbox.rglob("FI.*")):
        if path.suffix == ".csv":
            continue  # a sample already CSV: the twins compared here are made from the XML ones
        match = _NAME.fullmatch(path.name)
        assert match, f"unexpected sample name {path.name}"
        folder = str(path.parent.relative_to(inbox)).replace(".", "")
        found.setdefault((folder, match[1], match[2]), []).append((int(match[4]), path))
    submissions = []
    for (folder, purpose, key), parts in found.items():
        ordered = [p for _, p in sorted(parts)]
        go = ordered[0].parent / f"GO.{purpose}.{key}.{len(ordered)}"
        assert go.exists(), go
        submissions.append(SampleSubmission(folder, purpose, key, ordered, go))
    return submissions


def _split(content: bytes, parts: int) -> list[bytes]:
    """The CSV cut at row ends into `parts` pieces; concatenated in part order they are the file."""
    lines = content.splitlines(keepends=True)
    header, rows = lines[:1], lines[1:]
    size = -(-len(rows) // parts)
    pieces = [rows[i * size : (i + 1) * size] for i in range(parts)]
    assert all(pieces), "each part carries at least one row"
    return [b"".join(header + pieces[0]), *(b"".join(p) for p in pieces[1:])]


def _csv_name(path: Path) -> str:
    return path.name.removesuffix(".xml") + ".csv" if path.name.endswith(".xml") else path.name


def test_the_samples_hold_valid_dimona_and_flexi_files_and_one_deliberately_invalid() -> None:
    submissions = sample_submissions()
    valid = [s for s in submissions if s.schema_valid()]
    assert {s.purpose for s in valid} == {"DIMN", "FLEX"}
    assert any(len(s.parts) > 1 for s in valid), "a multi-part sample is compared too"
    assert any(not s.parts[0].name.endswith(".xml") for s in valid), "and one without extension"
    assert len(valid) == len(submissions) - 1, "exactly one sample is schema-invalid on purpose"


@pytest.mark.parametrize("dialect", DIALECTS, ids=str)
def test_every_valid_sample_submission_is_decided_the_same_as_csv(
    tmp_path: Path, dialect: CsvDialect
) -> None:
    as_xml, as_csv = Channel(tmp_path / "xml"), Channel(tmp_path / "csv")
    valid = [s for s in sample_submissions() if s.schema_valid()]
    twins: dict[str, CsvTwin] = {}
    for sample in valid:
        twin = csv_twin(sample.content, dialect)
        twins[sample.key] = twin
        for path, piece in zip(sample.parts, _split(twin.content, len(sample.parts)), strict=True):
            as_csv.drop(_csv_name(path), piece, sample.folder or None)
            as_xml.drop(path.name, path.read_bytes(), sample.folder or None)
        for channel in (as_xml, as_csv):
            channel.drop(sample.go.name, b"", sample.folder or None)
    try:
        as_xml.run(NOW)
        as_csv.run(NOW)
        for sample in valid:
            assert_same_answers(
                as_xml,
                as_csv,
                key=f"{sample.key}",
                purpose=sample.purpose,
                folder=sample.folder,
                twin=twins[sample.key],
            )
        assert as_csv.store.periods.count() == as_xml.store.periods.count() > 0
    finally:
        as_xml.close()
        as_csv.close()


# ---- richer generated files --------------------------------------------------------------------------

ACCENTED = {
    **IDENTITY,
    "WorkerName": "Dubois-Lefèvre",
    "WorkerFirstName": "Zoë",
    "WorkerBirthplace": "Liège",
    "WorkerStreet": 'Rue de l\'Église; bâtiment "B"',
    "WorkerCity": "Liège",
}


def _unknown_period_id() -> str:
    """A well-formed period id (SPEC 3 check digits) far outside what the processor issues."""
    base = 9_999_999_999
    return f"{base:010d}{base % 97:02d}"


def _codes(decisions: list[Decision]) -> set[str]:
    return {code for d in decisions for code in d.codes}


def test_dimona_ins_then_updates_cancels_and_outs_are_decided_the_same_as_csv(twins: Twins) -> None:
    first = twins.send(
        dimona(
            dimona_in(reference="IN-OK"),
            dimona_in("2026-06-24", "0900", "1300", insz=INSZ_B, reference="IN-LATE"),
            dimona_night("2026-06-26", "2026-06-27", insz=INSZ_NOT_ELIGIBLE, company_id=CBE_BRASSERIE),
            dimona_in("2026-06-27", "1100", "1500", insz=None, person=ACCENTED, reference="IN-NO-INSZ"),
            dimona_in(insz=INSZ_C, worker_type="STU", reference="IN-STUDENT"),
            dimona_in(reference="IN-DUPLICATE"),
            dimona_in(insz="85031212363", reference="IN-BAD-INSZ"),
            dimona_in(noss=None, reference="IN-NO-EMPLOYER"),
            dimona_in(noss=NOSS_UNKNOWN, reference="IN-UNKNOWN-NOSS"),
            dimona_in(company_id=CBE_UNKNOWN, noss=None, reference="IN-UNKNOWN-CBE"),
            dimona_in(joint_commission="999", insz=INSZ_C, reference="IN-BAD-PC"),
            dimona_day("2026-07-01", insz=INSZ_C, reference="IN-OPEN"),
            dimona_day("2026-06-26", "2026-06-25", insz=INSZ_B, reference="IN-END-FIRST"),
            dimona_in("2026-06-28", "1200", "2000", insz=INSZ_B, noss=None, company_id=CBE_LEMAIRE),
            dimona_night("2026-06-29", "2026-06-30", insz=INSZ_C, reference="IN-NIGHT"),
            dimona_in("2026-06-25", "1200", "1600", reference="IN-OVERLAP"),
            dimona_in("2026-06-30", "1000", None, insz=INSZ_B, reference="IN-NO-END-HOUR"),
            dimona_in("2026-06-30", "1000", "1400", insz=INSZ_B, noss=None, company_id=CBE_AURORA),
            dimona_in("2026-06-29", "0800", "1000", insz="0", person=IDENTITY, reference="IN-INSS-0"),
        )
    )
    # accepted: the first four, IN-OPEN, the Lemaire IN, IN-NIGHT and IN-INSS-0
    accepted_forms = {1, 2, 3, 4, 12, 14, 15, 19}
    assert [d.form_index for d in first if d.accepted] == sorted(accepted_forms)
    assert {"90373-460", "90017-510"} <= _codes(first), "two are accepted with a warning"
    assert {"00655-350", "90373-333", "00024-004", "90256-364", "00011-235", "00014-235"} <= _codes(first)
    assert {"00046-008", "00911-014", "90373-334", "00778-001", "90256-155"} <= _codes(first)
    ok, open_ended, lemaire, night = (first[i].period_id or "" for i in (0, 11, 13, 14))

    second = twins.send(
        dimona(
            dimona_update(ok, end_hour="1300", reference="UPD-SHORTER"),
            dimona_update(ok, end_hour="1300", reference="UPD-SAME"),
            dimona_update(lemaire, start_hour="1100", reference="UPD-EARLIER"),
            dimona_update(lemaire, insz=INSZ_A, reference="UPD-OTHER-WORKER"),
            dimona_update(lemaire, end_hour="2300", reference="UPD-LATER"),
            dimona_cancel(night),
            dimona_cancel(night),
            dimona_cancel(_unknown_period_id()),
            dimona_out(open_ended, "2026-07-15"),
            dimona_out(ok, "2026-06-30"),
            dimona_out(open_ended, "2026-10-02"),
        )
    )
    assert [d.accepted for d in second] == [
        True,
        False,
        True,
        False,
        True,
        True,
        False,
        False,
        True,
        False,
        False,
    ]
    assert [d.period_id for d in second if d.accepted] == [ok, lemaire, lemaire, night, open_ended]
    assert {"90378-444", "00024-347", "00913-355", "00913-354", "00913-356"} <= _codes(second)
    cancelled = second[5]
    assert cancelled.before is not None and cancelled.before["Status"] == "ACTIVE"
    assert cancelled.after is not None and cancelled.after["Status"] == "CANCELLED"


def _uuid(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def _one_line(insz: str, relation_id: str, *calculations: str, **form: str | None) -> str:
    return wage_form(beneficiary(insz, relation(relation_id, *calculations)), **form)  # type: ignore[arg-type]


def _line(code: str = WAGE, amount: int = 50_000, frequency: int | None = None, **kw: str) -> str:
    start, end = kw.get("start", "2026-06-01"), kw.get("end", "2026-06-30")
    return calculation(
        start,
        end,
        features(
            kw.get("v_start", start),
            kw.get("v_end", end),
            element(code, amount, frequency),
            worker_code=kw.get("worker_code", "050"),
        ),
        calculated=kw.get("calculated", "2026-06-24"),
    )


def test_wage_transfers_and_their_modifications_are_decided_the_same_as_csv(twins: Twins) -> None:
    twins.send(
        dimona(
            dimona_day("2026-06-01", "2026-06-30", insz=INSZ_A, reference="D-A"),
            dimona_day("2026-06-01", "2026-06-30", insz=INSZ_B, reference="D-B"),
        )
    )
    june = ("2026-06-01", "2026-06-30")
    wages = twins.send(
        flxwage(
            _one_line(INSZ_A, UUID_1, month(*june, 62_000, calculated="2026-06-24"), reference="W-A"),
            wage_form(
                beneficiary(
                    INSZ_B,
                    relation(
                        UUID_2,
                        calculation(
                            *june,
                            features("2026-06-01", "2026-06-15", element(WAGE, 30_000)),
                            features(
                                "2026-06-16",
                                "2026-06-30",
                                element(WAGE, 40_000),
                                element(PREMIUM, 5_000, 1),
                                worker_code="450",
                            ),
                            calculated="2026-06-24",
                        ),
                        calculation(
                            "2026-05-01",
                            "2026-05-31",
                            features("2026-05-01", "2026-05-31", element(WAGE, 12_345)),
                            calculated="2026-06-22",
                        ),
                        own_key="PAY-B-06",
                    ),
                ),
                beneficiary(
                    INSZ_A,
                    relation(_uuid(4), _line(amount=1_000)),
                    relation(_uuid(5), _line(PREMIUM, 2_550, 12)),
                ),
                reference="W-TWO-WORKERS",
            ),
            _one_line(INSZ_C, UUID_3, _line(amount=1_850_000, start="2026-01-01"), reference="W-CEILING"),
            _one_line(INSZ_A, _uuid(6), _line(amount=10_000)),  # no reference: the twin generates one
            wage_form(
                beneficiary(INSZ_A, relation(_uuid(7), _line(PREMIUM, 30_000, 12))),
                company_id=None,
                noss=NOSS_FONDS,
                reference="W-FONDS",
            ),
            _one_line(INSZ_B, _uuid(8), _line(PREMIUM), reference="W-PREMIUM-NO-FREQ"),
            _one_line(INSZ_B, _uuid(9), _line(WAGE, 100, 1), reference="W-WAGE-FREQ"),
            _one_line(INSZ_B, _uuid(10), _line(PREMIUM, 100, 13), reference="W-FREQ-13"),
            _one_line(INSZ_B, _uuid(11), _line(amount=0), reference="W-ZERO"),
            _one_line(INSZ_B, _uuid(12), _line(amount=-500), reference="W-NEGATIVE"),
            _one_line(INSZ_B, _uuid(13), _line("0003001000"), reference="W-CODE"),
            _one_line(INSZ_B, _uuid(14), _line(worker_code="999"), reference="W-WORKER-CODE"),
            _one_line(INSZ_B, _uuid(15), _line(start="2025-12-01", end="2026-01-31"), reference="W-YEARS"),
            _one_line(INSZ_B, _uuid(16), _line(start="2024-12-01", end="2024-12-31"), reference="W-2024"),
            _one_line(INSZ_B, _uuid(17), _line(v_start="2026-05-20"), reference="W-VALIDITY"),
            _one_line(INSZ_B, _uuid(18), _line(calculated="2026-06-01"), reference="W-LATE"),
            _one_line(
                INSZ_B, _uuid(19), _line(start="2026-06-30", end="2026-06-01"), reference="W-BACKWARDS"
            ),
            _one_line(INSZ_B, "not-a-uuid", _line(), reference="W-BAD-UUID"),
            _one_line(INSZ_B, _uuid(20), reference="W-NO-CALCULATION"),
            _one_line(INSZ_B, _uuid(21), _line(), company_id=CBE_UNKNOWN, reference="W-UNKNOWN-CBE"),
            _one_line(INSZ_B, _uuid(22), _line(), company_id=CBE_AURORA, reference="W-NO-MANDATE"),
            _one_line("85031212363", _uuid(23), _line(), reference="W-BAD-INSZ"),
            _one_line(INSZ_B, _uuid(24), _line(), company_id=None, reference="W-NO-DEBTOR"),
            _one_line(INSZ_C, _uuid(25), _line(amount=50_000), noss=NOSS_BRASSERIE, reference="W-BOTH"),
        ),
        purpose="FLEX",
    )
    assert [d.accepted for d in wages] == [True] * 5 + [False] * 10 + [True] + [False] * 7 + [True]
    assert wages[0].codes == [] and "00024-902" in wages[2].codes
    assert [len(d.flexi) for d in wages[:5]] == [1, 3, 1, 1, 1]
    assert {"95031-001", "95031-005", "95031-008", "95030-003", "95030-008", "95020-008"} <= _codes(wages)
    assert {"95010-034", "95010-146", "95020-003", "95010-460", "95010-014", "95001-003"} <= _codes(wages)
    assert {"95001-005", "00014-235", "90256-155", "00024-004", "90256-364"} <= _codes(wages)

    changes = twins.send(
        flxwage(
            _one_line(INSZ_A, UUID_1, month(*june, 64_500), status="1", reference="W-A-2", modifies="W-A"),
            wage_form(beneficiary(INSZ_B, relation(UUID_2)), status="3", reference="W-B-CANCEL"),
            _one_line(INSZ_B, UUID_2, month(*june), status="1", reference="W-B-AFTER-CANCEL"),
            _one_line(INSZ_B, _uuid(99), month(*june), status="1", reference="W-UNKNOWN"),
            _one_line(INSZ_A, UUID_1, month(*june), reference="W-A-AGAIN"),
            _one_line(INSZ_C, UUID_3, month(*june), status="3", reference="W-CANCEL-WITH-LINES"),
            wage_form(beneficiary(INSZ_C, relation(UUID_3)), status="3"),
        ),
        purpose="FLEX",
    )
    assert [d.accepted for d in changes] == [True, True, False, False, False, False, True]
    assert [d.codes[0] for d in changes[2:6]] == ["95001-181", "95001-180", "95001-183", "95001-005"]
    assert [(f.version, f.status) for f in changes[0].flexi] == [(2, "ACTIVE")]
    assert [(f.version, f.status) for f in changes[1].flexi] == [(2, "CANCELLED")]
