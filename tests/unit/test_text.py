"""The one escaper of sender text (SPEC 5): XML character data and CSV answer cells, whatever the text."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from flexibatch.channel.names import safe_name
from flexibatch.formats.text import has_forbidden, spreadsheet_cell, xml_text

#: XML 1.0 `Char`, written out here rather than taken from the code under test.
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
NASTY = [chr(c) for c in range(32)] + ["\ufffe", "\uffff", "\ud800", "\udcff", "\U0001f600", "]]>", "&", "<"]
texts = st.lists(st.one_of(st.sampled_from(NASTY), st.characters()), max_size=20).map("".join)


@given(texts)
def test_any_text_is_character_data_that_reads_back_with_u_fffd_for_what_xml_forbids(text: str) -> None:
    parsed = etree.fromstring(f"<a>{xml_text(text)}</a>".encode())
    expected = XML_FORBIDDEN.sub("\ufffd", text).replace("\r\n", "\n").replace("\r", "\n")
    assert (parsed.text or "") == expected
    assert has_forbidden(text) == bool(XML_FORBIDDEN.search(text))


@given(texts)
def test_an_answer_cell_is_never_a_formula_and_holds_nothing_xml_forbids(text: str) -> None:
    cell = spreadsheet_cell(text)
    shown = XML_FORBIDDEN.sub("\ufffd", text)
    assert cell in (shown, "'" + shown)
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert (cell != shown) == shown.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_a_shown_name_has_no_character_xml_forbids() -> None:
    assert safe_name("payroll\ufffe\uffff\x01\udcff.xml") == "payroll____.xml"
    assert safe_name("caf\u00e9 \U0001f600.csv") == "caf\u00e9 \U0001f600.csv"
