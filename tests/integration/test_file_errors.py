"""SPEC 4 seen from a sender: every file-level ErrorID for DIMN, and what a refused file gets.

Every refused file must come back as a negative receipt that says what is wrong (ResultCode 0, the
ErrorID, a Diagnostic with a Message), get no NOTI, leave the inbox for the quarantine, and change no
state.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import pytest

from support.builders import (
    INSZ_A,
    INSZ_B,
    SENDER,
    dimona,
    dimona_in,
)
from support.channel import Channel
from support.channel_checks import (
    A_DAY_AND_MORE_AGO,
    FI,
    GO,
    KEY,
    NOTI,
    answers,
    assert_no_noti_and_no_state,
    assert_out_of_inbox_into_quarantine,
    assert_refused,
    err_answer,
    in_inbox,
    line_of,
    one_in,
    outbox_snapshot,
    quarantined,
    refused_submission,
)

# ACRF-102 -----------------------------------------------------------------------------------------


def test_invalid_utf8_bytes_are_refused_with_102_and_the_line(channel: Channel) -> None:
    content = dimona(dimona_in(reference="CAFE")).replace(b"CAFE", b"CAF\xe9")  # Latin-1 byte in UTF-8
    key = channel.submit(content)

    receipt = refused_submission(channel, key, "ACRF-102")

    (problem,) = [d for d in receipt.diagnostics if d["ErrorID"] == "ACRF-102"]
    assert problem["Line"] == str(line_of(content, b"CAF\xe9"))


def test_xml_that_is_not_well_formed_is_refused_with_102(channel: Channel) -> None:
    content = one_in().replace(b"</Dimona>", b"")

    refused_submission(channel, channel.submit(content), "ACRF-102")


# Names: ACRF-107, 108, 109, 112, 114, 117, 129, 131 -----------------------------------------------


def test_a_go_name_with_too_few_elements_is_answered_err_with_107(channel: Channel) -> None:
    bad_go = f"GO.DIMN.{KEY}"  # the PARTS element is missing
    channel.drop(bad_go, b"", SENDER)

    channel.run()

    assert_refused(err_answer(channel, bad_go), "ACRF-107")
    assert_no_noti_and_no_state(channel)
    assert_out_of_inbox_into_quarantine(channel, bad_go)


def test_a_file_dropped_in_another_senders_folder_is_refused_with_108(channel: Channel) -> None:
    key = channel.submit(one_in(), sender="123456", folder="654321")

    refused_submission(channel, key, "ACRF-108", folder="654321")

    assert not (channel.outbox / "123456").exists(), "the answer goes where the file was dropped"


@pytest.mark.parametrize(
    "made_on", ["20260231", "20260625"], ids=["not-a-real-date", "after-the-reception-date"]
)
def test_a_bad_date_in_the_name_is_refused_with_109(channel: Channel, made_on: str) -> None:
    key = channel.submit(one_in(), date=made_on)

    refused_submission(channel, key, "ACRF-109")


def test_the_date_of_the_reception_day_itself_is_fine(channel: Channel) -> None:
    key = channel.submit(one_in(), date="20260624")
    channel.run(now=datetime(2026, 6, 24, 0, 0, 1))

    assert channel.receipt(key).accepted


def test_sequence_00000_is_refused_with_112(channel: Channel) -> None:
    key = channel.submit(one_in(), seq="00000")

    refused_submission(channel, key, "ACRF-112")


def test_a_malformed_sequence_makes_both_names_foreign_with_112(channel: Channel) -> None:
    key = channel.submit(one_in(), seq="0001a")

    channel.run()

    assert_refused(err_answer(channel, f"FI.DIMN.{key}.1.1.xml"), "ACRF-112", "ACRF-131")
    assert_refused(err_answer(channel, f"GO.DIMN.{key}.1"), "ACRF-112", "ACRF-107")
    assert not (channel.outbox / SENDER / f"FO.ACRF.{key}.DIMN").exists()
    assert_no_noti_and_no_state(channel)
    assert_out_of_inbox_into_quarantine(channel, f"FI.DIMN.{key}.1.1.xml", f"GO.DIMN.{key}.1")


def test_a_part_number_beyond_the_parts_is_refused_with_114(channel: Channel) -> None:
    content = one_in()
    channel.drop(f"FI.DIMN.{KEY}.1.1.xml", content, SENDER)
    channel.drop(f"FI.DIMN.{KEY}.1.2.xml", b"", SENDER)
    channel.drop(GO, b"", SENDER)

    channel.run()

    assert_refused(channel.receipt(KEY), "ACRF-114")
    assert_no_noti_and_no_state(channel)
    assert_out_of_inbox_into_quarantine(channel, FI, f"FI.DIMN.{KEY}.1.2.xml", GO)


def test_a_lone_part_2_of_1_is_refused_with_114_without_waiting_for_the_go_timeout(
    channel: Channel,
) -> None:
    part = f"FI.DIMN.{KEY}.1.2.xml"
    channel.drop(part, one_in(), SENDER)
    channel.drop(GO, b"", SENDER)

    channel.run()

    receipt = channel.receipt(KEY)
    assert_refused(receipt, "ACRF-114")
    assert_no_noti_and_no_state(channel)
    assert_out_of_inbox_into_quarantine(channel, part, GO)


def test_malformed_parts_make_the_name_foreign_with_114(channel: Channel) -> None:
    name = f"FI.DIMN.{KEY}.0.1.xml"
    channel.drop(name, one_in(), SENDER)

    channel.run()

    assert_refused(err_answer(channel, name), "ACRF-114", "ACRF-131")
    assert_out_of_inbox_into_quarantine(channel, name)


def test_environment_x_makes_both_names_foreign_with_117(channel: Channel) -> None:
    key = channel.submit(one_in(), env="X")

    channel.run()

    assert_refused(err_answer(channel, f"FI.DIMN.{key}.1.1.xml"), "ACRF-117", "ACRF-131")
    assert_refused(err_answer(channel, f"GO.DIMN.{key}.1"), "ACRF-117", "ACRF-107")
    assert_no_noti_and_no_state(channel)
    assert_out_of_inbox_into_quarantine(channel, f"FI.DIMN.{key}.1.1.xml", f"GO.DIMN.{key}.1")


def test_a_dimn_file_whose_root_is_not_dimona_is_refused_with_129(channel: Channel) -> None:
    content = one_in().replace(b"<Dimona>", b"<Declarations>").replace(b"</Dimona>", b"</Declarations>")
    key = channel.submit(content)

    receipt = refused_submission(channel, key, "ACRF-129")

    (problem,) = [d for d in receipt.diagnostics if d["ErrorID"] == "ACRF-129"]
    assert problem["Path"] == "/Declarations"
    assert problem["Line"] == "2"


def test_an_unknown_prefix_is_answered_err_with_129_and_131(channel: Channel) -> None:
    name = f"XX.DIMN.{KEY}.1.1.xml"
    channel.drop(name, one_in(), SENDER)

    channel.run()

    assert_refused(err_answer(channel, name), "ACRF-129", "ACRF-131")
    assert_no_noti_and_no_state(channel)
    assert_out_of_inbox_into_quarantine(channel, name)


def test_an_unknown_purpose_is_answered_err_with_129_and_131(channel: Channel) -> None:
    name = f"FI.WAGE.{KEY}.1.1.xml"
    channel.drop(name, one_in(), SENDER)

    channel.run()

    assert_refused(err_answer(channel, name), "ACRF-129", "ACRF-131")
    assert_out_of_inbox_into_quarantine(channel, name)


def test_a_foreign_file_is_answered_err_with_its_own_name_and_131(channel: Channel) -> None:
    channel.drop("hello.txt", b"hello", None)
    channel.drop("notes.csv", b"a,b\n1,2\n", SENDER)

    channel.run()

    receipt = err_answer(channel, "hello.txt", folder=None)
    assert_refused(receipt, "ACRF-131")
    assert receipt.file_name == "hello.txt"
    assert_refused(err_answer(channel, "notes.csv", folder=SENDER), "ACRF-131")
    assert_no_noti_and_no_state(channel)
    assert_out_of_inbox_into_quarantine(channel, "hello.txt", "notes.csv")


def test_an_fi_name_with_a_missing_element_is_foreign_with_131(channel: Channel) -> None:
    name = f"FI.DIMN.{KEY}.1.xml"  # PART is missing
    channel.drop(name, one_in(), SENDER)

    channel.run()

    assert_refused(err_answer(channel, name), "ACRF-131")
    assert_out_of_inbox_into_quarantine(channel, name)


# ACRF-130: the GO timeout on the real clock ------------------------------------------------------


def test_an_fi_without_its_go_waits_until_the_go_timeout(channel: Channel) -> None:
    channel.drop(FI, one_in(), SENDER)

    channel.run()

    assert answers(channel) == set()
    assert in_inbox(channel) == [FI]


def test_an_fi_without_its_go_after_the_go_timeout_is_refused_with_130(channel: Channel) -> None:
    channel.drop(FI, one_in(), SENDER, mtime=time.time() - A_DAY_AND_MORE_AGO)

    channel.run()

    receipt = channel.receipt(KEY)
    assert_refused(receipt, "ACRF-130")
    assert receipt.file_name == FI
    assert_no_noti_and_no_state(channel)
    assert_out_of_inbox_into_quarantine(channel, FI)


def test_a_go_whose_parts_are_missing_after_the_go_timeout_is_refused_with_130(channel: Channel) -> None:
    aged = time.time() - A_DAY_AND_MORE_AGO
    go = f"GO.DIMN.{KEY}.2"
    part_1 = f"FI.DIMN.{KEY}.2.1.xml"
    channel.drop(go, b"", SENDER, mtime=aged)
    channel.drop(part_1, one_in(), SENDER, mtime=aged)

    channel.run()

    receipt = channel.receipt(KEY)
    assert_refused(receipt, "ACRF-130")
    assert receipt.file_name == part_1
    assert_no_noti_and_no_state(channel)
    assert_out_of_inbox_into_quarantine(channel, go, part_1)


def test_a_go_alone_after_the_go_timeout_is_refused_with_130_naming_the_go(channel: Channel) -> None:
    channel.drop(GO, b"", SENDER, mtime=time.time() - A_DAY_AND_MORE_AGO)

    channel.run()

    receipt = channel.receipt(KEY)
    assert_refused(receipt, "ACRF-130")
    assert receipt.file_name == GO
    assert_out_of_inbox_into_quarantine(channel, GO)


# ACRF-133 and 134: only earlier accepted submissions count ---------------------------------------


def test_a_name_used_again_after_an_accepted_file_is_refused_with_133_under_suffix_2(
    channel: Channel,
) -> None:
    channel.submit(one_in(), seq="00001")
    channel.run()
    first = outbox_snapshot(channel)
    assert channel.receipt(KEY).accepted

    channel.submit(dimona(dimona_in(insz=INSZ_B)), seq="00001")
    channel.run()

    assert_refused(channel.receipt(KEY, suffix=".2"), "ACRF-133")
    assert (channel.outbox / SENDER / f"GO.ACRF.{KEY}.DIMN.2").exists()
    assert not (channel.outbox / SENDER / f"{NOTI}.2").exists(), "a refused file gets no NOTI"
    now = outbox_snapshot(channel)
    assert {name: now[name] for name in first} == first, "the first answers are untouched"
    assert channel.store.periods.count() == 1, "the second file changed nothing"
    assert in_inbox(channel) == []


def test_a_refused_file_can_be_corrected_and_resent_under_the_same_name(channel: Channel) -> None:
    broken = dimona(dimona_in(end_hour="2500"))
    channel.submit(broken, seq="00001")
    channel.run()
    assert_refused(channel.receipt(KEY), "ACRF-312")

    channel.submit(one_in(), seq="00001")
    channel.run()

    corrected = channel.receipt(KEY, suffix=".2")
    assert corrected.accepted, corrected.diagnostics
    (decision,) = channel.decisions(KEY, suffix=".2")
    assert decision.accepted
    assert len(channel.csv_rows(KEY, suffix=".2")) == 1
    assert {f"GO.ACRF.{KEY}.DIMN.2", f"GO.NOTI.{KEY}.DIMN.2"} <= {p.name for p in channel.all_answers()}
    assert channel.store.periods.count() == 1


def test_the_same_bytes_under_a_new_sequence_are_refused_with_134(channel: Channel) -> None:
    content = one_in()
    channel.submit(content, seq="00001")
    channel.run()
    assert channel.receipt(KEY).accepted

    again = channel.submit(content, seq="00002")
    channel.run()

    assert_refused(channel.receipt(again), "ACRF-134")
    assert not (channel.outbox / SENDER / f"FO.NOTI.{again}.DIMN").exists()
    assert channel.store.periods.count() == 1, "the declaration was not made twice"
    assert f"FI.DIMN.{again}.1.1.xml" in quarantined(channel)


def test_a_file_tried_in_t_may_then_be_sent_unchanged_to_r(channel: Channel) -> None:
    """SPEC 4: ACRF-134 compares within one environment; R and T are separate worlds (SPEC 7)."""
    content = one_in()
    tried = channel.submit(content, seq="00001", env="T")
    channel.run()
    assert channel.receipt(tried).accepted

    production = channel.submit(content, seq="00001", env="R")
    channel.run()
    receipt = channel.receipt(production)
    assert receipt.accepted, receipt.diagnostics
    (decision,) = channel.decisions(production)
    assert decision.accepted, decision.anomalies
    assert channel.store.periods.count() == 2, "one period in T, one in R"

    for env in ("R", "T"):
        again = channel.submit(content, seq="00002", env=env)
        channel.run()
        assert_refused(channel.receipt(again), "ACRF-134")
    assert channel.store.periods.count() == 2


def test_the_same_bytes_as_a_refused_file_are_accepted_under_a_new_name(channel: Channel) -> None:
    content = one_in()
    first = channel.submit(content, date="20260625", seq="00001")  # after the reception date
    channel.run()
    assert_refused(channel.receipt(first), "ACRF-109")

    second = channel.submit(content, seq="00002")
    channel.run()

    assert channel.receipt(second).accepted
    assert channel.store.periods.count() == 1


# ACRF-157, 184, 190 -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [b'<?xml version="1.0" encoding="UTF-8"?>\n<Dimona/>\n', b"<Dimona></Dimona>", b""],
    ids=["empty-dimona-element", "dimona-without-form", "empty-file"],
)
def test_a_file_without_a_declaration_is_refused_with_157(channel: Channel, content: bytes) -> None:
    refused_submission(channel, channel.submit(content), "ACRF-157")


def test_a_file_larger_than_max_file_bytes_is_refused_with_184(channel: Channel) -> None:
    key = channel.submit(one_in())
    channel.run(max_file_bytes=100)

    assert_refused(channel.receipt(key), "ACRF-184")
    assert_no_noti_and_no_state(channel)
    assert_out_of_inbox_into_quarantine(channel, f"FI.DIMN.{key}.1.1.xml")


def test_a_multi_part_file_is_measured_as_a_whole_for_184(channel: Channel) -> None:
    content = one_in()
    half = len(content) // 2
    channel.drop(f"FI.DIMN.{KEY}.2.1.xml", content[:half], SENDER)
    channel.drop(f"FI.DIMN.{KEY}.2.2.xml", content[half:], SENDER)
    channel.drop(f"GO.DIMN.{KEY}.2", b"", SENDER)

    channel.run(max_file_bytes=half + 10)

    assert_refused(channel.receipt(KEY), "ACRF-184")
    assert channel.store.periods.count() == 0


def test_an_unknown_sender_is_refused_with_190(channel: Channel) -> None:
    key = channel.submit(one_in(), sender="999999")

    refused_submission(channel, key, "ACRF-190")


def test_every_problem_of_one_file_is_listed(channel: Channel) -> None:
    key = channel.submit(one_in(), sender="999999", date="20260231")

    receipt = refused_submission(channel, key, "ACRF-109", "ACRF-190")

    assert receipt.error_ids.count("ACRF-109") == 1, "each ErrorID once in ReceptionResult"


def test_name_problems_and_schema_errors_are_listed_together(channel: Channel) -> None:
    key = channel.submit(dimona(dimona_in(end_hour="2500")), sender="999999")

    refused_submission(channel, key, "ACRF-190", "ACRF-312")


# ACRF-312 -----------------------------------------------------------------------------------------


def test_each_schema_error_gets_its_own_diagnostic_with_line_and_path(channel: Channel) -> None:
    content = dimona(
        dimona_in(),
        dimona_in(insz=INSZ_B, end_hour="2500"),
        dimona_in(start="2026-02-30", insz=INSZ_A),
    )
    key = channel.submit(content)

    receipt = refused_submission(channel, key, "ACRF-312")

    schema_errors = [d for d in receipt.diagnostics if d["ErrorID"] == "ACRF-312"]
    assert len(schema_errors) == 2, schema_errors
    by_path = {d.get("Path"): d for d in schema_errors}
    assert set(by_path) == {"/Dimona/Form[2]/DimonaIn/EndingHour", "/Dimona/Form[3]/DimonaIn/StartingDate"}
    assert by_path["/Dimona/Form[2]/DimonaIn/EndingHour"]["Line"] == str(line_of(content, b">2500<"))
    assert by_path["/Dimona/Form[3]/DimonaIn/StartingDate"]["Line"] == str(line_of(content, b">2026-02-30<"))
    assert receipt.error_ids == ["ACRF-312"], "the ErrorID is listed once in ReceptionResult"


def test_a_valid_form_in_a_file_with_a_schema_error_is_not_decided(channel: Channel) -> None:
    key = channel.submit(dimona(dimona_in(), dimona_in(insz=INSZ_B, end_hour="2500")))
    refused_submission(channel, key, "ACRF-312")

    later = channel.submit(dimona(dimona_in(), dimona_in(insz=INSZ_B)))
    channel.run()

    assert [d.accepted for d in channel.decisions(later)] == [True, True], "no duplicate of a refused file"


# ACRF-901 -----------------------------------------------------------------------------------------


def test_a_doctype_with_an_internal_entity_is_refused_with_901(channel: Channel) -> None:
    content = one_in().replace(b"<Dimona>", b'<!DOCTYPE Dimona [<!ENTITY worker "85031212362">]>\n<Dimona>')
    key = channel.submit(content.replace(b"<INSS>85031212362</INSS>", b"<INSS>&worker;</INSS>"))

    refused_submission(channel, key, "ACRF-901")


def test_an_external_entity_is_refused_with_901_and_never_read(channel: Channel) -> None:
    secret = Path("/etc/passwd").read_text(encoding="utf-8", errors="replace").splitlines()[0]
    content = (
        one_in()
        .replace(b"<Dimona>", b'<!DOCTYPE Dimona [<!ENTITY leak SYSTEM "file:///etc/passwd">]>\n<Dimona>')
        .replace(b"<WorkerType>FLX</WorkerType>", b"<WorkerType>&leak;</WorkerType>")
    )
    key = channel.submit(content)

    refused_submission(channel, key, "ACRF-901")

    for answer in channel.all_answers():
        assert secret.encode() not in answer.read_bytes(), f"{answer.name} leaks /etc/passwd"


def test_nesting_300_deep_is_refused_with_901(channel: Channel) -> None:
    deep = b"<Extra>" * 300 + b"x" + b"</Extra>" * 300
    content = one_in().replace(b"<TypeForm>SU</TypeForm>", b"<TypeForm>SU</TypeForm>" + deep)
    key = channel.submit(content)

    refused_submission(channel, key, "ACRF-901")


# The channel: readiness, multi-part files, content type, folders, markers -------------------------
