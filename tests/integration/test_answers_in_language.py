"""SPEC 9 and 4: answers in the sender's language, and a refused file's every schema error at once.

libxml2 stops checking an element's children at the first one out of place; a refused file is looked
at again with xmlschema, so the sender reads every error, with line, column and path, in words.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest

from flexibatch.formats.refdata import read_refdata
from support.builders import INSZ_B, dimona, dimona_in
from support.channel import Channel
from support.channel_checks import line_of, refused_submission

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "refdata"


def _speak(channel: Channel, tmp_path: Path, language: str) -> None:
    """The sample reference data, sender 123456 given `language` in senders.csv (empty: none)."""
    folder = tmp_path / "refdata"
    shutil.copytree(SAMPLES, folder)
    (folder / "senders.csv").write_text(
        f"sender,name,language\n123456,Payroll Partners,{language}\n654321,Horeca Payroll Services,\n",
        encoding="utf-8",
    )
    channel.store.refdata.replace(read_refdata(folder), "languages", datetime(2026, 1, 1))


def _missing_worker_type() -> bytes:
    """An element out of place in DimonaIn (libxml2 stops there), then a Form without WorkerType and
    a joint committee that is not one."""
    form = dimona_in(insz=INSZ_B).replace(
        "<EndingHour>1400</EndingHour>", "<EndingHour>1400</EndingHour><Foo/>"
    )
    form = form.replace(
        "<JointCommissionNbr>302</JointCommissionNbr><WorkerType>FLX</WorkerType>",
        "<JointCommissionNbr>30</JointCommissionNbr>",
    )
    return dimona(dimona_in(), form)


def test_a_refused_file_lists_every_schema_error_with_line_column_and_path(channel: Channel) -> None:
    content = _missing_worker_type()
    receipt = refused_submission(channel, channel.submit(content), "ACRF-312")

    by_path = {d["Path"]: d for d in receipt.diagnostics}
    features = by_path["/Dimona/Form[2]/DimonaIn/DimonaFeatures"]
    assert "WorkerType" in features["Message"], "the missing element the sender must add is named"
    unexpected = by_path["/Dimona/Form[2]/DimonaIn/Foo"]
    assert unexpected["Line"] == str(line_of(content, b"<Foo/>"))
    line = content.splitlines()[int(unexpected["Line"]) - 1]
    assert unexpected["Column"] == str(line.index(b"<Foo/>") + 1)
    committee = by_path["/Dimona/Form[2]/DimonaIn/DimonaFeatures/JointCommissionNbr"]
    assert "'30'" in committee["Message"] and "302" in committee["Message"]
    assert all(d.get("Column") for d in receipt.diagnostics), "every diagnostic has its column"


def test_schema_messages_say_what_is_expected_in_words_not_a_pattern(channel: Channel) -> None:
    receipt = refused_submission(channel, channel.submit(dimona(dimona_in(end_hour="2500"))), "ACRF-312")

    (problem,) = receipt.diagnostics
    assert "'2500'" in problem["Message"] and "0000" in problem["Message"] and "2359" in problem["Message"]
    assert not any(sign in problem["Message"] for sign in ("[", "|", "facet", "pattern")), problem


@pytest.mark.parametrize(
    ("language", "word"), [("nl", "verwacht"), ("fr", "attendu"), ("de", "erwartet"), ("en", "expected")]
)
def test_a_refused_file_is_answered_in_the_sender_language(
    channel: Channel, tmp_path: Path, language: str, word: str
) -> None:
    _speak(channel, tmp_path, language)
    receipt = refused_submission(channel, channel.submit(dimona(dimona_in(end_hour="2500"))), "ACRF-312")

    (problem,) = receipt.diagnostics
    assert word in problem["Message"]


def test_labels_of_the_noti_and_its_twin_are_in_the_sender_language(channel: Channel, tmp_path: Path) -> None:
    _speak(channel, tmp_path, "de")
    key = channel.submit(dimona(dimona_in(worker_type="STU")))
    channel.run()

    (decision,) = channel.decisions(key)
    labels = [a["AnomalyLabel"] for a in decision.anomalies]
    assert labels == ["Die Arbeitnehmerart ist nicht FLX: Dieser Kanal nimmt nur Flexi-Jobs an."]
    (row,) = channel.csv_rows(key)
    assert row["labels"] == labels[0]


def test_without_a_language_the_default_language_setting_answers(channel: Channel, tmp_path: Path) -> None:
    _speak(channel, tmp_path, "")
    key = channel.submit(dimona(dimona_in(worker_type="STU")))
    channel.run(default_language="fr")

    (decision,) = channel.decisions(key)
    assert decision.anomalies[0]["AnomalyLabel"].startswith("Le type de travailleur n'est pas FLX")


def test_a_wage_transfer_schema_error_names_its_own_form_in_the_namespaced_document(channel: Channel) -> None:
    sample = SAMPLES.parent / "inbox" / "123456" / "FI.FLEX.123456.20260624.00011.R.1.1.xml"
    content = sample.read_bytes().replace(b"<WorkerCode>450</WorkerCode>", b"<WorkerCode>45</WorkerCode>")
    key = channel.submit(content, purpose="FLEX")
    channel.run()

    receipt = channel.receipt(key, purpose="FLEX")
    (problem,) = receipt.diagnostics
    assert (
        problem["Path"] == "/FLXWAGE/Form[3]/Debtor/Beneficiary/Relation/Calculation/Features[2]/WorkerCode"
    )
    assert "'45'" in problem["Message"] and "3 digits" in problem["Message"]
    line = content.splitlines()[int(problem["Line"]) - 1]
    assert line[int(problem["Column"]) - 1 :].startswith(b"<WorkerCode>45<")
