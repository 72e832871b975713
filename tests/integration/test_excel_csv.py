"""SPEC 1.1, 5 and 6.3: a CSV as Belgian Excel saves it, and a NOTI twin Excel opens as it is."""

from __future__ import annotations

from support.builders import INSZ_A, INSZ_B, dimona, dimona_in
from support.channel import Channel
from support.csv_rows import DIMONA_HEADER, FLEXI_HEADER, one_day, wage_line
from support.csv_twin import write_csv
from support.flexi_builders import UUID_1

ACCENTED = "Müller-Lefèvre"


def _windows_1252(content: bytes) -> bytes:
    """What "CSV (separator: semicolon)" writes on a Belgian machine."""
    return content.decode("utf-8").encode("cp1252")


def test_a_windows_1252_csv_is_read_and_its_accents_echoed_intact(channel: Channel) -> None:
    content = _windows_1252(write_csv(DIMONA_HEADER, [one_day(INSZ_A, ACCENTED)], separator=";"))
    assert b"\xfc" in content and b"\xe8" in content  # ü and è as single bytes: not UTF-8
    key = channel.submit(content, extension=".csv")
    channel.run()

    assert channel.receipt(key).accepted, channel.receipt(key).diagnostics
    (decision,) = channel.decisions(key)
    assert decision.accepted, decision.anomalies
    (row,) = channel.csv_rows(key)
    assert row["own_reference"] == ACCENTED


def test_the_twin_of_a_semicolon_csv_is_semicolon_separated_with_a_byte_order_mark(channel: Channel) -> None:
    key = channel.submit(write_csv(DIMONA_HEADER, [one_day(INSZ_A, "R1")], separator=";"), extension=".csv")
    channel.run()

    raw = (channel.folder_of("123456") / f"FO.NOTI.{key}.DIMN.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfform_index;source_line;purpose;")


def test_the_twin_of_a_comma_csv_is_comma_separated(channel: Channel) -> None:
    key = channel.submit(write_csv(DIMONA_HEADER, [one_day(INSZ_A, "R1")], separator=","), extension=".csv")
    channel.run()

    raw = (channel.folder_of("123456") / f"FO.NOTI.{key}.DIMN.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfform_index,source_line,purpose,")


def test_the_twin_of_an_xml_submission_takes_the_separator_setting(channel: Channel) -> None:
    first = channel.submit(dimona(dimona_in()))
    channel.run()
    second = channel.submit(dimona(dimona_in(insz=INSZ_B)))
    channel.run(answer_csv_separator=";")

    folder = channel.folder_of("123456")
    assert (folder / f"FO.NOTI.{first}.DIMN.csv").read_bytes().startswith(b"\xef\xbb\xbfform_index,")
    assert (folder / f"FO.NOTI.{second}.DIMN.csv").read_bytes().startswith(b"\xef\xbb\xbfform_index;")


def test_a_csv_premium_label_names_the_csv_column_not_the_xml_element(channel: Channel) -> None:
    content = write_csv(FLEXI_HEADER, [wage_line(INSZ_A, UUID_1, "PAY", element_code="PREMIUM", amount="30")])
    key = channel.submit(content, purpose="FLEX", extension=".csv")
    channel.run()

    (decision,) = channel.decisions(key, purpose="FLEX")
    (premium,) = [a for a in decision.anomalies if a["ErrorID"] == "95031-001"]
    assert "(frequency)" in premium["AnomalyLabel"]
    assert "BonusPaymentFrequency" not in premium["AnomalyLabel"]
