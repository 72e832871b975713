"""SPEC 1, 2, 4 and 5 seen from a sender: file names, triggers, receipts and where the files end up.

Every refused file must come back as a negative receipt that says what is wrong (ResultCode 0, the
ErrorID, a Diagnostic with a Message), get no NOTI, leave the inbox for the quarantine, and change no
state.
"""

from __future__ import annotations

import csv
import io
import re
import time
from datetime import datetime

import pytest

from support.answers import SPEC_NOTI_CSV_COLUMNS, validated
from support.builders import (
    INSZ_A,
    INSZ_B,
    NOSS_AURORA,
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
    answers,
    in_inbox,
    one_in,
    outbox_snapshot,
)


def test_a_two_part_file_waits_for_its_last_part_then_is_read_as_one_file(channel: Channel) -> None:
    content = dimona(dimona_in(), dimona_in(insz=INSZ_B))
    half = len(content) // 2
    part_1, part_2 = f"FI.DIMN.{KEY}.2.1.xml", f"FI.DIMN.{KEY}.2.2.xml"
    go = f"GO.DIMN.{KEY}.2"
    channel.drop(part_1, content[:half], SENDER)
    channel.drop(go, b"", SENDER)

    channel.run()

    assert answers(channel) == set(), "nothing is answered while a part is missing"
    assert in_inbox(channel) == sorted([go, part_1]), "nothing is taken while a part is missing"

    channel.drop(part_2, content[half:], SENDER)
    channel.run()

    receipt = channel.receipt(KEY)
    assert receipt.accepted, receipt.diagnostics
    assert receipt.file_name == part_1, "a multi-part file is named by its part 1"
    decisions = channel.decisions(KEY)
    assert [(d.form_index, d.insz, d.accepted) for d in decisions] == [
        (1, [INSZ_A], True),
        (2, [INSZ_B], True),
    ]
    assert in_inbox(channel) == []
    assert channel.store.periods.count() == 2


def test_an_fi_is_not_read_before_its_go_arrives(channel: Channel) -> None:
    channel.drop(FI, one_in(), SENDER)

    channel.run()

    assert answers(channel) == set()
    assert in_inbox(channel) == [FI]
    assert channel.store.periods.count() == 0

    channel.drop(GO, b"", SENDER)
    channel.run()

    assert channel.receipt(KEY).accepted
    assert in_inbox(channel) == []


def test_an_fi_without_extension_is_sniffed_as_xml(channel: Channel) -> None:
    key = channel.submit(one_in(), extension="")

    channel.run()

    receipt = channel.receipt(key)
    assert receipt.accepted, receipt.diagnostics
    assert receipt.file_name == f"FI.DIMN.{key}.1.1"
    (decision,) = channel.decisions(key)
    assert decision.accepted


@pytest.mark.parametrize(
    "name",
    [
        f".{FI}",
        f"{FI}.filepart",
        f"{FI}.part",
        f"{FI}.tmp",
        f"{FI}~",
        "report.txt.part",
    ],
)
def test_an_upload_in_progress_is_ignored_and_left_in_place(channel: Channel, name: str) -> None:
    channel.drop(name, one_in(), SENDER, mtime=time.time() - A_DAY_AND_MORE_AGO)

    channel.run()

    assert answers(channel) == set()
    assert in_inbox(channel) == [name]


def test_an_upload_in_progress_does_not_complete_a_submission(channel: Channel) -> None:
    channel.drop(f"{FI}.filepart", one_in(), SENDER)
    channel.drop(GO, b"", SENDER)

    channel.run()

    assert answers(channel) == set()

    (channel.inbox / SENDER / f"{FI}.filepart").rename(channel.inbox / SENDER / FI)
    channel.run()

    assert channel.receipt(KEY).accepted


def test_answers_mirror_the_folder_the_file_was_dropped_in(channel: Channel) -> None:
    at_root = channel.submit(one_in(), folder=None)
    in_folder = channel.submit(dimona(dimona_in(noss=NOSS_AURORA)), sender="654321")

    channel.run()

    assert channel.receipt(at_root, folder=None).accepted
    assert channel.receipt(in_folder, folder="654321").accepted
    assert (channel.outbox / f"FO.ACRF.{at_root}.DIMN").is_file()
    assert not (channel.outbox / SENDER).exists(), "an answer to inbox/X goes to outbox/"
    assert not (channel.outbox / f"FO.ACRF.{in_folder}.DIMN").exists()


def test_every_answer_is_followed_by_its_empty_go_marker(channel: Channel) -> None:
    accepted = channel.submit(one_in())
    refused = channel.submit(b"")

    channel.run()

    names = {p.name: p for p in (channel.outbox / SENDER).iterdir()}
    assert set(names) == {
        f"FO.ACRF.{accepted}.DIMN",
        f"GO.ACRF.{accepted}.DIMN",
        f"FO.NOTI.{accepted}.DIMN",
        f"GO.NOTI.{accepted}.DIMN",
        f"FO.NOTI.{accepted}.DIMN.csv",
        f"FO.ACRF.{refused}.DIMN",
        f"GO.ACRF.{refused}.DIMN",
    }
    assert all(path.stat().st_size == 0 for name, path in names.items() if name.startswith("GO."))


def test_after_a_run_the_inbox_is_empty_and_the_outbox_holds_only_answers(channel: Channel) -> None:
    channel.submit(one_in())
    channel.submit(b"<Dimona/>")
    channel.submit(one_in(), folder=None, seq="00009")
    channel.drop("hello.txt", b"hello", SENDER)

    channel.run()

    assert in_inbox(channel) == []
    names = [p.name for p in channel.all_answers()]
    assert len(names) >= 9
    assert all(re.match(r"(FO|GO)\.(ACRF|NOTI)\.|(GO\.)?ERR\.", name) for name in names), names
    assert not [n for n in names if n.startswith(".") or n.endswith(".tmp")], "no temporary file left"
    assert not [p for p in channel.outbox.rglob("*") if p.name.startswith(".")]


def test_a_second_run_answers_nothing_again(channel: Channel) -> None:
    channel.submit(one_in())
    channel.submit(b"")
    channel.drop("hello.txt", b"hello", None)
    first = channel.run()
    assert len(first) == 3
    answered = outbox_snapshot(channel)

    second = channel.run()

    assert second == []
    assert outbox_snapshot(channel) == answered, "answered exactly once"
    assert channel.store.periods.count() == 1


def test_an_iso_8859_1_file_with_accents_is_accepted(channel: Channel) -> None:
    person = {"WorkerName": "Dupr\u00e9", "WorkerFirstName": "Ana\u00efs", "WorkerCity": "Li\u00e8ge"}
    content = dimona(dimona_in(insz=INSZ_A, person=person), encoding="ISO-8859-1")
    assert b"Dupr\xe9" in content, "really Latin-1 bytes"
    key = channel.submit(content)

    channel.run()

    receipt = channel.receipt(key)
    assert receipt.accepted, receipt.diagnostics
    (decision,) = channel.decisions(key)
    assert decision.accepted, decision.anomalies


def test_answers_are_stamped_with_the_reception_time(channel: Channel) -> None:
    key = channel.submit(one_in())

    channel.run(now=datetime(2026, 6, 24, 11, 50, 0, 250_000))

    for name in (f"FO.ACRF.{key}.DIMN", f"FO.NOTI.{key}.DIMN"):
        form = validated(channel.outbox / SENDER / name).find("Form")
        assert form.findtext("FormCreationDate") == "2026-06-24"
        assert form.findtext("FormCreationHour") == "11:50:00.250"


def test_a_positive_receipt_carries_the_file_ticket_echoed_by_the_noti(channel: Channel) -> None:
    key = channel.submit(one_in())

    channel.run()

    receipt = channel.receipt(key)
    assert receipt.ticket is not None and re.fullmatch(r"[0-9A-Z]{13}", receipt.ticket)
    noti = validated(channel.outbox / SENDER / f"FO.NOTI.{key}.DIMN")
    assert noti.findtext("Form/FileReference/ReferenceNbr") == receipt.ticket


# The NOTI CSV twin --------------------------------------------------------------------------------


def test_the_csv_twin_has_one_row_per_declaration_with_the_spec_columns(channel: Channel) -> None:
    key = channel.submit(
        dimona(
            dimona_in(reference="BRS-1"),
            dimona_in(insz=INSZ_B, worker_type="STU", reference="BRS-2"),
        )
    )

    channel.run()

    decisions = channel.decisions(key)
    rows = channel.csv_rows(key)
    assert len(rows) == len(decisions) == 2
    assert list(rows[0]) == SPEC_NOTI_CSV_COLUMNS
    accepted, refused = rows
    assert accepted["form_index"] == "1" and refused["form_index"] == "2"
    assert [int(r["source_line"]) for r in rows] == [d.source_line for d in decisions]
    assert accepted["purpose"] == "DIMN" and accepted["action"] == "IN"
    assert accepted["own_reference"] == "BRS-1" and refused["own_reference"] == "BRS-2"
    assert accepted["insz"] == INSZ_A
    assert accepted["result"] == "ACCEPTED" and accepted["period_id"] == decisions[0].period_id
    assert refused["result"] == "REFUSED" and refused["period_id"] == ""
    assert refused["error_ids"] == "; ".join(decisions[1].codes)
    assert refused["labels"]


@pytest.mark.parametrize("reference", ["=1+2", '=HYPERLINK("x",1)', "+32 9 1", "@SUM(A1)", "-5;a"])
def test_a_reference_that_looks_like_a_formula_comes_out_inert_in_the_csv(
    channel: Channel, reference: str
) -> None:
    key = channel.submit(dimona(dimona_in(reference=reference)))

    channel.run()

    (row,) = channel.csv_rows(key)
    assert row["own_reference"] == "'" + reference
    raw = (channel.outbox / SENDER / f"FO.NOTI.{key}.DIMN.csv").read_text(encoding="utf-8-sig")
    (again,) = list(csv.DictReader(io.StringIO(raw)))
    assert again == row, "the file round-trips through the csv module"
