"""Issue 4: what a CSV sender gets for a malformed cell, a malformed file, and each accepted notation.

A cell that cannot be read refuses its own declaration only (90000-102, Path = the column, Value = the
cell, the label naming row and column); the other declarations of the file are decided normally. A
file that cannot be read as a whole is refused (ACRF-102, or ACRF-157 when it holds no declaration)
and changes nothing.
"""

from __future__ import annotations

import re

import pytest

from support.answers import Decision, Receipt
from support.builders import INSZ_A, INSZ_B, INSZ_C
from support.channel import Channel
from support.channel_checks import assert_refused
from support.csv_rows import DIMONA_HEADER, FLEXI_HEADER, one_day, wage_line
from support.csv_twin import write_csv
from support.flexi_builders import UUID_1, UUID_2, UUID_3

UNREADABLE = "90000-102"


def send_csv(
    channel: Channel, content: bytes, purpose: str = "DIMN", **settings: object
) -> tuple[str, Receipt]:
    key = channel.submit(content, purpose=purpose, extension=".csv")
    channel.run(**settings)  # type: ignore[arg-type]
    return key, channel.receipt(key, purpose=purpose)


def decided(channel: Channel, content: bytes, purpose: str = "DIMN") -> list[Decision]:
    key, receipt = send_csv(channel, content, purpose)
    assert receipt.accepted, f"the file was refused: {receipt.diagnostics}"
    return channel.decisions(key, purpose=purpose)


def assert_unreadable_cell(decision: Decision, *, row: int, column: str, value: str | None) -> None:
    """Refused for exactly one unreadable cell, located by column (Path) and row (label)."""
    assert not decision.accepted
    (found,) = decision.anomalies
    assert (found["ErrorID"], found["AnomalyClass"], found.get("Path"), found.get("Value")) == (
        UNREADABLE,
        "B",
        column,
        value,
    )
    assert re.search(rf"\brow {row}\b", found["AnomalyLabel"], re.IGNORECASE), found["AnomalyLabel"]
    assert decision.source_line == row
    assert (decision.period_id, decision.after, decision.flexi) == (None, None, [])


def assert_decided_normally(decision: Decision, row: int) -> None:
    assert decision.accepted, decision.anomalies
    assert decision.source_line == row
    assert decision.period_id is not None or decision.flexi


# ---- a malformed cell refuses its own declaration, and only it ---------------------------------------


@pytest.mark.parametrize(
    ("column", "cell"),
    [
        ("start_date", "31/06/2026"),
        ("start_date", "2026-13-01"),
        ("start_date", "tomorrow"),
        ("start_date", "2026/06/25"),
        ("end_date", "32/06/2026"),
        ("start_hour", "25:00"),
        ("end_hour", "9h"),
        ("end_hour", "14:60"),
        ("birth_date", "30/02/1998"),
        ("action", "HIRE"),
    ],
)
def test_a_malformed_dimona_cell_refuses_its_row_and_names_row_and_column(
    channel: Channel, column: str, cell: str
) -> None:
    content = write_csv(
        DIMONA_HEADER,
        [
            one_day(INSZ_A, "ROW-2"),
            one_day(INSZ_B, "ROW-3", **{column: cell}),
            one_day(INSZ_C, "ROW-4"),
        ],
    )
    first, bad, last = decided(channel, content)
    assert_unreadable_cell(bad, row=3, column=column, value=cell)
    assert column in bad.anomalies[0]["AnomalyLabel"]
    assert_decided_normally(first, 2)
    assert_decided_normally(last, 4)
    assert first.period_id != last.period_id
    assert channel.store.periods.count() == 2, "the refused row created no period"


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ({"action": "IN", "start_date": ""}, "start_date"),
        ({"action": "UPDATE", "end_hour": "13:00"}, "period_id"),
        ({"action": "CANCEL"}, "period_id"),
        ({"action": "OUT", "end_date": "30/06/2026"}, "period_id"),
    ],
    ids=["IN-without-start", "UPDATE-without-period", "CANCEL-without-period", "OUT-without-period"],
)
def test_a_dimona_row_without_a_required_cell_is_refused_naming_the_column(
    channel: Channel, row: dict[str, str], column: str
) -> None:
    content = write_csv(DIMONA_HEADER, [one_day(INSZ_A, "ROW-2"), one_day(INSZ_B, "ROW-3", **row)])
    first, bad = decided(channel, content)
    assert_decided_normally(first, 2)
    assert not bad.accepted
    assert [(a["ErrorID"], a.get("Path"), a.get("Value")) for a in bad.anomalies] == [
        (UNREADABLE, column, None)
    ]
    assert re.search(r"\brow 3\b", bad.anomalies[0]["AnomalyLabel"], re.IGNORECASE)


COUNTRY_COLUMNS = ("birth_country", "country", "nationality")


@pytest.mark.parametrize("country", ["150", "1", "12345"])
def test_a_dimona_row_takes_a_country_of_1_to_5_digits(channel: Channel, country: str) -> None:
    """SPEC 6.1, as for the XML twin: Belgium is 150."""
    cells = dict.fromkeys(COUNTRY_COLUMNS, country)
    (decision,) = decided(
        channel, write_csv([*DIMONA_HEADER, *COUNTRY_COLUMNS], [one_day(INSZ_A, "R", **cells)])
    )
    assert_decided_normally(decision, 2)


@pytest.mark.parametrize("column", COUNTRY_COLUMNS)
@pytest.mark.parametrize("country", ["123456", "BE", "15O", "-150"])
def test_a_dimona_country_that_is_not_1_to_5_digits_refuses_its_row(
    channel: Channel, column: str, country: str
) -> None:
    """As its XML twin is a schema error: the RSZ country code is digits (SPEC 6.1)."""
    row = one_day(INSZ_A, "R", **{column: country})
    (decision,) = decided(channel, write_csv([*DIMONA_HEADER, *COUNTRY_COLUMNS], [row]))
    assert_unreadable_cell(decision, row=2, column=column, value=country)


def test_an_out_without_its_end_date_is_refused_naming_end_date(channel: Channel) -> None:
    (opened,) = decided(
        channel, write_csv(DIMONA_HEADER, [one_day(INSZ_A, "OPEN", start_hour="", end_hour="")])
    )
    assert opened.period_id is not None
    (out,) = decided(
        channel, write_csv(DIMONA_HEADER, [{"action": "OUT", "period_id": opened.period_id}], separator=",")
    )
    assert [(a["ErrorID"], a.get("Path")) for a in out.anomalies] == [(UNREADABLE, "end_date")]


@pytest.mark.parametrize(
    ("column", "cell"),
    [
        ("amount", "five hundred"),
        ("amount", "500 EUR"),
        ("amount", "1.234"),  # a thousand, or one euro twenty-three and a half? (SPEC 6.3)
        ("amount", "1,234"),
        ("amount", "1.234.56"),
        ("amount", "€€500"),
        ("frequency", "monthly"),
        ("frequency", "1.5"),
        ("status", "7"),
        ("status", "ORIGINAL"),
        ("calc_date", "31/06/2026"),
        ("validity_end", "2026-13-01"),
        ("calc_end", "tomorrow"),
    ],
)
def test_a_malformed_flexi_cell_refuses_its_declaration_only(
    channel: Channel, column: str, cell: str
) -> None:
    bad_line = wage_line(INSZ_B, UUID_2, "PAY-B", **{column: cell})
    if column == "frequency":
        bad_line["element_code"] = "PREMIUM"
    content = write_csv(
        FLEXI_HEADER,
        [wage_line(INSZ_A, UUID_1, "PAY-A"), bad_line, wage_line(INSZ_C, UUID_3, "PAY-C")],
    )
    first, bad, last = decided(channel, content, "FLEX")
    assert_unreadable_cell(bad, row=3, column=column, value=cell)
    assert column in bad.anomalies[0]["AnomalyLabel"]
    assert_decided_normally(first, 2)
    assert_decided_normally(last, 4)
    assert [f.relation_id for f in (*first.flexi, *last.flexi)] == [UUID_1, UUID_3]
    assert channel.store.situations.of("R", insz=INSZ_B) == [], "the refused payslip stored nothing"


@pytest.mark.parametrize(
    "column",
    [
        "calc_start",
        "calc_end",
        "calc_date",
        "validity_start",
        "validity_end",
        "employer_class",
        "worker_code",
        "amount",
    ],
)
def test_a_wage_line_without_a_required_cell_is_refused_naming_the_column(
    channel: Channel, column: str
) -> None:
    content = write_csv(
        FLEXI_HEADER, [wage_line(INSZ_A, UUID_1, "PAY-A"), wage_line(INSZ_B, UUID_2, "PAY-B", **{column: ""})]
    )
    first, bad = decided(channel, content, "FLEX")
    assert_decided_normally(first, 2)
    assert not bad.accepted
    assert [(a["ErrorID"], a.get("Path")) for a in bad.anomalies] == [(UNREADABLE, column)]


@pytest.mark.parametrize(
    ("amount", "cents"),
    [
        ("500", 50_000),
        ("500.00", 50_000),
        ("500,00", 50_000),
        ("1234,5", 123_450),
        ("0.01", 1),
        ("1.234,56", 123_456),  # as Belgian Excel writes a thousands separator
        ("1,234.56", 123_456),
        ("€ 100,00", 10_000),
        ("1.234,56 €", 123_456),
        ("€500", 50_000),
    ],
)
def test_amounts_in_euros_with_either_decimal_mark_count_in_cents(
    channel: Channel, amount: str, cents: int
) -> None:
    (decision,) = decided(
        channel, write_csv(FLEXI_HEADER, [wage_line(INSZ_A, UUID_1, "PAY", amount=amount)]), "FLEX"
    )
    assert decision.accepted
    assert [f.year_totals for f in decision.flexi] == [[(2026, cents)]]


def test_element_codes_may_be_written_as_words_or_digits(channel: Channel) -> None:
    rows = [
        wage_line(INSZ_A, UUID_1, "PAY", element_code="wage", amount="100"),
        wage_line(INSZ_A, UUID_1, "PAY", element_code="0001001000", amount="200"),
        wage_line(INSZ_A, UUID_1, "PAY", element_code="Premium", amount="30", frequency="1"),
        wage_line(INSZ_A, UUID_1, "PAY", element_code="0002001000", amount="4", frequency="12"),
    ]
    (decision,) = decided(channel, write_csv(FLEXI_HEADER, rows), "FLEX")
    assert decision.accepted, decision.anomalies
    assert [f.year_totals for f in decision.flexi] == [[(2026, 33_400)]]


# ---- the rows of one Flexi declaration must follow each other ----------------------------------------


@pytest.mark.parametrize("with_reference", [True, False], ids=["form_reference", "same-situation"])
def test_a_scattered_flexi_declaration_refuses_its_later_rows(channel: Channel, with_reference: bool) -> None:
    reference_a, reference_b = ("PAY-A", "PAY-B") if with_reference else ("", "")
    rows = [
        wage_line(INSZ_A, UUID_1, reference_a),
        wage_line(INSZ_B, UUID_2, reference_b),
        wage_line(INSZ_A, UUID_1, reference_a, element_code="PREMIUM", amount="20", frequency="1"),
    ]
    first, second, scattered = decided(channel, write_csv(FLEXI_HEADER, rows), "FLEX")
    assert_decided_normally(first, 2)
    assert_decided_normally(second, 3)
    assert [f.year_totals for f in first.flexi] == [[(2026, 50_000)]], "the scattered row is not added"
    assert not scattered.accepted and scattered.source_line == 4
    (found,) = scattered.anomalies
    assert (found["ErrorID"], found["AnomalyClass"], found.get("Path")) == (UNREADABLE, "B", "form_reference")
    if with_reference:
        assert found.get("Value") == reference_a
    assert re.search(r"\brow 4\b", found["AnomalyLabel"], re.IGNORECASE)


# ---- files that cannot be read at all ------------------------------------------------------------------

_GOOD = "IN;OK-1;175110801;85031212362;302;FLX;25/06/2026;10:00;;14:00;;\n"
_HEADER = ";".join(DIMONA_HEADER) + "\n"


@pytest.mark.parametrize(
    ("content", "code", "path"),
    [
        ((_HEADER.replace("birth_date", "shoe_size") + _GOOD).encode(), "ACRF-102", "shoe_size"),
        ((_HEADER.replace("action;", "") + _GOOD.replace("IN;", "", 1)).encode(), "ACRF-102", "action"),
        ((_HEADER.replace("birth_date", "INSZ") + _GOOD).encode(), "ACRF-102", "insz"),
        (
            (_HEADER + _GOOD + 'IN;"OK-2;175110801;93051822361;302;FLX;25/06/2026;10:00;;14:00;;\n').encode(),
            "ACRF-102",
            None,
        ),
        ((_HEADER + _GOOD.replace("\n", ";surplus\n")).encode(), "ACRF-102", None),
        (
            # 0x81: neither UTF-8 nor Windows-1252 (which reads every other byte, SPEC 1.1)
            _HEADER.encode() + b"IN;OK-\x81;175110801;93051822361;302;FLX;25/06/2026;10:00;;14:00;;\n",
            "ACRF-102",
            None,
        ),
        (_HEADER.replace("action", "acti\xf3n").encode("latin-1") + _GOOD.encode(), "ACRF-102", None),
        (_HEADER.encode(), "ACRF-157", None),
        ((_HEADER + "\n" + ";" * 11 + "\n\n").encode(), "ACRF-157", None),
        (b"", "ACRF-157", None),
        (b"\xef\xbb\xbf\n\n", "ACRF-157", None),
    ],
    ids=[
        "unknown-column",
        "missing-action-column",
        "repeated-column",
        "unbalanced-quote",
        "more-cells-than-header",
        "neither-utf8-nor-windows-1252-in-a-row",
        "invalid-utf8-in-the-header",
        "header-only",
        "header-and-blank-rows",
        "empty-file",
        "bom-and-blank-lines",
    ],
)
def test_an_unreadable_dimona_csv_file_is_refused_and_changes_nothing(
    channel: Channel, content: bytes, code: str, path: str | None
) -> None:
    _, receipt = send_csv(channel, content)
    assert_refused(receipt, code)
    if path is not None:
        assert path in [d.get("Path") for d in receipt.diagnostics if d["ErrorID"] == code], (
            receipt.diagnostics
        )
    assert not [p for p in channel.all_answers() if p.name.startswith("FO.NOTI")], (
        "a refused file gets no NOTI"
    )
    assert channel.store.periods.count() == 0


@pytest.mark.parametrize("missing", ["status", "insz", "relation_uuid"])
def test_a_flexi_csv_without_a_required_column_is_refused_naming_it(channel: Channel, missing: str) -> None:
    header = [c for c in FLEXI_HEADER if c != missing]
    _, receipt = send_csv(channel, write_csv(header, [wage_line(INSZ_A, UUID_1, "PAY-A")]), "FLEX")
    assert_refused(receipt, "ACRF-102")
    assert missing in [d.get("Path") for d in receipt.diagnostics]
    assert channel.store.situations.of("R", insz=INSZ_A) == []


def test_a_bad_byte_late_in_a_file_read_in_small_batches_changes_nothing(channel: Channel) -> None:
    rows = [one_day(insz, f"OK-{n}") for n, insz in enumerate((INSZ_A, INSZ_B, INSZ_C), start=1)]
    content = write_csv(DIMONA_HEADER, rows) + b"IN;BROKEN-\x81\n"
    _, receipt = send_csv(channel, content, batch_size=1)
    assert_refused(receipt, "ACRF-102")
    assert channel.store.periods.count() == 0, "the rows decided before the bad byte were not kept"


# ---- notations a sender may use ----------------------------------------------------------------------


@pytest.mark.parametrize("separator", [";", ","])
@pytest.mark.parametrize("bom", [False, True], ids=["no-bom", "bom"])
@pytest.mark.parametrize("upper", [False, True], ids=["lower-header", "upper-header"])
def test_either_separator_a_bom_and_any_header_case_are_read_alike(
    channel: Channel, separator: str, bom: bool, upper: bool
) -> None:
    header = [c.upper() if upper else c for c in DIMONA_HEADER]
    header[1] = "Own_Reference"
    rows = [
        one_day(INSZ_A, "A;1,x", start_date="2026-06-25", start_hour="1000", end_hour="1400"),
        one_day(INSZ_B, "B"),
    ]
    content = (b"\xef\xbb\xbf" if bom else b"") + write_csv(header, rows, separator)
    key, receipt = send_csv(channel, content)
    assert receipt.accepted, receipt.diagnostics
    first, second = channel.decisions(key)
    assert_decided_normally(first, 2)
    assert_decided_normally(second, 3)
    assert first.after == second.after, "ISO and Belgian notations give the same period"
    assert [r["own_reference"] for r in channel.csv_rows(key)] == ["A;1,x", "B"]


@pytest.mark.parametrize("blank", ["", ";;;;;;;;;;;", "   "], ids=["empty-line", "empty-cells", "spaces"])
def test_blank_rows_are_skipped_but_counted_in_row_numbers(channel: Channel, blank: str) -> None:
    lines = write_csv(DIMONA_HEADER, [one_day(INSZ_A, "FIRST"), one_day(INSZ_B, "SECOND")]).split(b"\n")
    content = b"\n".join([lines[0], lines[1], blank.encode(), blank.encode(), lines[2], b""])
    key, receipt = send_csv(channel, content)
    assert receipt.accepted, receipt.diagnostics
    first, second = channel.decisions(key)
    assert_decided_normally(first, 2)
    assert_decided_normally(second, 5)
    assert [r["own_reference"] for r in channel.csv_rows(key)] == ["FIRST", "SECOND"]


def test_a_blank_row_between_two_payslips_is_not_a_declaration(channel: Channel) -> None:
    lines = write_csv(
        FLEXI_HEADER, [wage_line(INSZ_A, UUID_1, "PAY-A"), wage_line(INSZ_B, UUID_2, "PAY-B")]
    ).split(b"\n")
    content = b"\n".join([lines[0], lines[1], b"", lines[2], b""])
    first, second = decided(channel, content, "FLEX")
    assert_decided_normally(first, 2)
    assert_decided_normally(second, 4)
