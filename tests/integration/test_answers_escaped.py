"""SPEC 5, 6.3: every answer is XML that validates, whatever text a submission holds.

Arbitrary text (every C0 control, U+FFFE, U+FFFF, astral characters, quotes, `]]>`, markup) is
written into a CSV cell, a CSV header, an XML text node or a file name; the channel runs; every
answer that comes out is parsed and validated against its XSD, and every cell of a NOTI's CSV twin
is inert and free of what XML forbids. A CSV cell holding a character XML 1.0 forbids refuses its
own declaration only (90000-102, Path = the column) and changes nothing; one in the header refuses
the file (ACRF-102).
"""

from __future__ import annotations

import csv
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from support.answers import read_acrf, read_noti, validated
from support.builders import INSZ_A, INSZ_B, INSZ_C, dimona, dimona_in
from support.channel import Channel
from support.csv_rows import DIMONA_HEADER, FLEXI_HEADER, one_day, wage_line
from support.csv_twin import read_rows, write_csv
from support.flexi_builders import UUID_1, UUID_2, UUID_3

#: What XML 1.0 forbids, written out here rather than taken from the code under test.
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: Pieces that break XML, CSV or spreadsheets; drawn among arbitrary characters (astral ones too).
NASTY = [chr(c) for c in range(32)] + ["\ufffe", "\uffff", "\U0001f600", "\U0010fffd", '"', "'"]
NASTY += ["]]>", "<!--", "&", "&amp;", "<", ">", ";", ",", "=", "+", "-", "@", "\x7f", "\x85"]
hostile = st.lists(
    st.one_of(st.sampled_from(NASTY), st.characters(exclude_categories=("Cs",))), min_size=1, max_size=8
).map("".join)
#: Text that does hold a forbidden character, somewhere in it.
forbidden_inside = st.tuples(hostile, st.sampled_from([*NASTY[:32:3], "\ufffe", "\uffff"]), hostile).map(
    "".join
)

EXAMPLES = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@contextmanager
def installation() -> Iterator[Channel]:
    """A fresh channel per example (Hypothesis runs many inside one test)."""
    with tempfile.TemporaryDirectory() as root:
        channel = Channel(Path(root))
        try:
            yield channel
        finally:
            channel.close()


def every_answer_checked(channel: Channel) -> list[Path]:
    """Parse and validate every XML answer, check every CSV twin; the receipts, which must exist."""
    receipts = []
    for answer in channel.all_answers():
        name = answer.name
        if name.startswith("GO."):
            assert answer.stat().st_size == 0, name
        elif name.endswith(".csv"):
            for row in read_rows(answer.read_bytes()):
                for cell in row:
                    assert not cell.startswith(FORMULA_STARTS), f"{name}: {cell!r} is a live formula"
                    assert not XML_FORBIDDEN.search(cell), f"{name}: {cell!r}"
        else:
            try:
                validated(answer)
            except etree.XMLSyntaxError as exc:
                pytest.fail(f"{name!r} is not well-formed XML: {exc}")
            if name.startswith(("FO.ACRF.", "ERR.")):
                receipts.append(answer)
    assert receipts, "the submission got its receipt"
    return receipts


def _decisions(channel: Channel, key: str, purpose: str) -> list:  # type: ignore[type-arg]
    receipt = channel.receipt(key, purpose=purpose)
    assert receipt.accepted, receipt.diagnostics
    return channel.decisions(key, purpose=purpose)


def _refused_for_its_cell(decision: object, column: str) -> None:
    assert not decision.accepted  # type: ignore[attr-defined]
    found = [(a["ErrorID"], a.get("Path")) for a in decision.anomalies]  # type: ignore[attr-defined]
    assert ("90000-102", column) in found, found


# ---- CSV cells -------------------------------------------------------------------------------------


@EXAMPLES
@given(column=st.sampled_from(DIMONA_HEADER), text=st.one_of(hostile, forbidden_inside))
def test_any_text_in_a_dimona_csv_cell_gets_valid_answers(column: str, text: str) -> None:
    rows = [one_day(INSZ_A, "ROW-2"), {**one_day(INSZ_B, "ROW-3"), column: text}, one_day(INSZ_C, "ROW-4")]
    with installation() as channel:
        key = channel.submit(write_csv(DIMONA_HEADER, rows, quoting=csv.QUOTE_ALL), extension=".csv")
        channel.run()
        every_answer_checked(channel)
        if XML_FORBIDDEN.search(text):
            first, bad, last = _decisions(channel, key, "DIMN")
            _refused_for_its_cell(bad, column)
            assert first.accepted and last.accepted
            assert channel.store.periods.count() == 2, "the refused row created no period"


@EXAMPLES
@given(column=st.sampled_from(FLEXI_HEADER), text=st.one_of(hostile, forbidden_inside))
def test_any_text_in_a_flexi_csv_cell_gets_valid_answers(column: str, text: str) -> None:
    rows = [
        wage_line(INSZ_A, UUID_1, "PAY-A"),
        {**wage_line(INSZ_B, UUID_2, "PAY-B"), column: text},
        wage_line(INSZ_C, UUID_3, "PAY-C"),
    ]
    with installation() as channel:
        key = channel.submit(
            write_csv(FLEXI_HEADER, rows, quoting=csv.QUOTE_ALL), purpose="FLEX", extension=".csv"
        )
        channel.run()
        every_answer_checked(channel)
        if XML_FORBIDDEN.search(text):
            first, bad, last = _decisions(channel, key, "FLEX")
            _refused_for_its_cell(bad, column)
            assert first.accepted and last.accepted
            assert channel.store.situations.of("R", insz=INSZ_B) == [], "the refused payslip stored nothing"


# ---- CSV headers -----------------------------------------------------------------------------------


@EXAMPLES
@given(
    purpose=st.sampled_from(["DIMN", "FLEX"]),
    position=st.integers(0, len(FLEXI_HEADER) - 1),
    at=st.integers(0, 20),
    text=st.one_of(hostile, forbidden_inside),
)
def test_any_text_in_a_csv_header_gets_a_valid_receipt(
    purpose: str, position: int, at: int, text: str
) -> None:
    header = list(DIMONA_HEADER if purpose == "DIMN" else FLEXI_HEADER)
    rows = [one_day(INSZ_A, "ROW-2")] if purpose == "DIMN" else [wage_line(INSZ_A, UUID_1, "PAY-A")]
    name = header[position % len(header)]
    header[position % len(header)] = name[:at] + text + name[at:]
    with installation() as channel:
        key = channel.submit(write_csv(header, rows), purpose=purpose, extension=".csv")
        channel.run()
        every_answer_checked(channel)
        if XML_FORBIDDEN.search(text):
            receipt = channel.receipt(key, purpose=purpose)
            assert not receipt.accepted
            assert "ACRF-102" in receipt.error_ids, receipt.diagnostics
            assert channel.store.periods.count() == 0
            assert channel.store.situations.of("R", insz=INSZ_A) == []


# ---- XML text nodes --------------------------------------------------------------------------------

_MARK = "MARK-7Q"


def _leaves(document: bytes) -> list[str]:
    root = etree.fromstring(document)
    return [root.getroottree().getpath(leaf) for leaf in root.iter() if len(leaf) == 0]


SEED = dimona(dimona_in(reference="F1"))
SEED_LEAVES = _leaves(SEED)


@EXAMPLES
@given(leaf=st.sampled_from(SEED_LEAVES), text=st.one_of(hostile, forbidden_inside))
def test_any_text_in_an_xml_text_node_gets_valid_answers(leaf: str, text: str) -> None:
    """The text goes in raw (markup escaped, the rest as it is): a forbidden character makes the
    document not well-formed, and its receipt must still be XML."""
    root = etree.fromstring(SEED)
    (node,) = root.xpath(leaf)
    node.text = _MARK
    document = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    document = document.replace(_MARK.encode(), escape(text).encode("utf-8"))
    with installation() as channel:
        key = channel.submit(document)
        channel.run()
        every_answer_checked(channel)
        if XML_FORBIDDEN.search(text):
            assert not channel.receipt(key).accepted
            assert channel.store.periods.count() == 0


# ---- file names ------------------------------------------------------------------------------------


def _name_text(text: str) -> str:
    """What a file system lets a name hold: no `/`, no NUL, not too long."""
    return text.replace("/", "_").replace("\x00", "_")[:40]


@EXAMPLES
@given(
    text=st.one_of(hostile, forbidden_inside).map(_name_text),
    shape=st.sampled_from(["payroll {} export.xml", "FI.DIMN.123456.20260624.{}.R.1.1.xml", "{}"]),
)
def test_any_file_name_gets_a_valid_receipt(text: str, shape: str) -> None:
    name = shape.format(text)
    if name.startswith(".") or name.endswith((".filepart", ".part", ".tmp", "~")):
        name = "x" + name + ".xml"  # an upload in progress is not answered (SPEC 1.2)
    with installation() as channel:
        channel.drop(name, dimona(dimona_in(reference="NAMED")), "123456")
        channel.run()
        (receipt_path,) = every_answer_checked(channel)
        receipt = read_acrf(receipt_path)
        assert not XML_FORBIDDEN.search(receipt.file_name), receipt.file_name
        assert channel.store.periods.count() == 0


# ---- the NOTI echoes what it was sent, escaped ----------------------------------------------------


def test_a_refused_cell_is_echoed_with_u_fffd_and_its_state_unchanged(channel: Channel) -> None:
    """The reference and the value come back as the sender wrote them, each forbidden character
    written as U+FFFD, so the sender can find the row; nothing is stored for that row."""
    rows = [
        one_day(INSZ_A, "OK\x1c&<"),
        one_day(INSZ_B, "REF\x01]]>", start_date="25/06\ufffe/2026"),
    ]
    key = channel.submit(write_csv(DIMONA_HEADER, rows, quoting=csv.QUOTE_ALL), extension=".csv")
    channel.run()
    first, second = _decisions(channel, key, "DIMN")
    noti = validated(channel.outbox / "123456" / f"FO.NOTI.{key}.DIMN")
    references = [form.findtext("Reference/ReferenceNbr") for form in noti.iterfind("Form")]
    assert references == ["OK\ufffd&<", "REF\ufffd]]>"]
    assert not first.accepted and not second.accepted
    assert [(a["Path"], a["Value"]) for a in first.anomalies] == [("own_reference", "OK\ufffd&<")]
    assert [(a["Path"], a["Value"]) for a in second.anomalies] == [
        ("own_reference", "REF\ufffd]]>"),
        ("start_date", "25/06\ufffd/2026"),
    ]
    assert all(re.search(r"\brow \d\b", a["AnomalyLabel"], re.IGNORECASE) for a in second.anomalies)
    assert channel.store.periods.count() == 0


def test_a_control_character_at_the_end_of_a_header_name_refuses_the_file(channel: Channel) -> None:
    """strip() would quietly drop U+001F from `action\\x1f`: the header is refused instead."""
    header = ["action\x1f", *DIMONA_HEADER[1:]]
    key = channel.submit(write_csv(header, [one_day(INSZ_A, "ROW-2")]), extension=".csv")
    channel.run()
    receipt = channel.receipt(key)
    assert receipt.error_ids == ["ACRF-102"]
    assert [(d.get("Path"), d.get("Column")) for d in receipt.diagnostics] == [("action", "1")]
    assert channel.store.periods.count() == 0


def test_the_csv_twin_makes_a_relation_id_inert(channel: Channel) -> None:
    """A relation id that starts like a formula is refused, and its twin cell is inert."""
    formula = "=HYPERLINK(1)"
    key = channel.submit(
        write_csv(FLEXI_HEADER, [wage_line(INSZ_A, formula, "PAY-A")]), purpose="FLEX", extension=".csv"
    )
    channel.run()
    (decision,) = read_noti(channel.outbox / "123456" / f"FO.NOTI.{key}.FLEX")
    assert not decision.accepted
    (row,) = _twin(channel, key, "FLEX")
    assert row["relation_id"] == "'" + formula


def _twin(channel: Channel, key: str, purpose: str) -> list[dict[str, str]]:
    rows = read_rows((channel.outbox / "123456" / f"FO.NOTI.{key}.{purpose}.csv").read_bytes())
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
