"""SPEC 10: the real command line, run as an operator would run it, in a fresh folder."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from support.answers import read_acrf
from support.builders import dimona, dimona_in
from support.channel import SAMPLES
from support.cli import flexibatch, json_lines

NOW = "2026-06-24T11:50:00"

# The Dimona samples and their expected receipts; the sample inbox may hold more (Flexi at work).
SAMPLE_RECEIPTS = {
    "123456/FO.ACRF.123456.20260624.00001.R.DIMN": True,
    "123456/FO.ACRF.123456.20260624.00002.R.DIMN": False,
    "654321/FO.ACRF.654321.20260624.00001.R.DIMN": True,
    "FO.ACRF.222222.20260623.0000A.T.DIMN": True,
}
SAMPLE_FILES = {
    "FI.DIMN.123456.20260624.00001.R.1.1.xml",
    "FI.DIMN.123456.20260624.00002.R.1.1.xml",
    "FI.DIMN.654321.20260624.00001.R.2.1.xml",
    "FI.DIMN.222222.20260623.0000A.T.1.1",
}


def sample_submissions() -> int:
    """One GO file per sample submission."""
    return len(list((SAMPLES / "inbox").rglob("GO.*")))


def outbox_snapshot(root: Path) -> dict[str, bytes]:
    outbox = root / "outbox"
    return {str(p.relative_to(outbox)): p.read_bytes() for p in outbox.rglob("*") if p.is_file()}


# --help ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "says"),
    [
        (["run"], "ready submission"),
        (["watch"], "as files arrive"),
        (["refdata", "load"], "replace the reference data"),
        (["status"], "waiting for a go"),
        (["worker"], "ceiling"),
        (["employer"], "workers an employer declared"),
    ],
    ids=["run", "watch", "refdata-load", "status", "worker", "employer"],
)
def test_help_of_each_command_says_what_it_does(tmp_path: Path, command: list[str], says: str) -> None:
    result = flexibatch(tmp_path, *command, "--help")

    assert result.returncode == 0, result.stderr
    assert says in " ".join(result.stdout.lower().split()), result.stdout


def test_help_lists_every_command(tmp_path: Path) -> None:
    result = flexibatch(tmp_path, "--help")

    assert result.returncode == 0
    for command in ("run", "watch", "refdata", "worker", "employer", "status"):
        assert command in result.stdout


# refdata load ------------------------------------------------------------------------------------


def test_refdata_load_prints_what_it_loaded(tmp_path: Path) -> None:
    result = flexibatch(tmp_path, "refdata", "load", str(SAMPLES / "refdata"))

    assert result.returncode == 0, result.stderr
    rows = {
        name: len((SAMPLES / "refdata" / f"{name}.csv").read_text(encoding="utf-8").strip().splitlines()) - 1
        for name in ("senders", "employers", "mandates", "workers")
    }
    for count in (
        f"{rows['senders']} senders",
        f"{rows['employers']} employers",
        f"{rows['mandates']} mandates",
        f"{rows['workers']} worker statuses",
    ):
        assert count in result.stdout


def test_a_bad_refdata_row_exits_2_naming_the_line_and_keeps_the_previous_data(installed: Path) -> None:
    bad = installed / "bad-refdata"
    shutil.copytree(SAMPLES / "refdata", bad)
    (bad / "senders.csv").write_text("sender,name\n999999,Someone else\n", encoding="utf-8")
    employers = (bad / "employers.csv").read_text(encoding="utf-8").splitlines()
    employers[2] = employers[2].replace("175110898", "175110802")  # fails the mod-97 check
    (bad / "employers.csv").write_text("\n".join(employers) + "\n", encoding="utf-8")

    result = flexibatch(installed, "refdata", "load", str(bad))

    assert result.returncode == 2
    assert "employers.csv:3" in result.stderr
    assert "Traceback" not in result.stderr
    shutil.rmtree(installed / "inbox")
    (installed / "inbox" / "123456").mkdir(parents=True)
    (installed / "inbox" / "123456" / "FI.DIMN.123456.20260624.00001.R.1.1.xml").write_bytes(
        dimona(dimona_in())
    )
    (installed / "inbox" / "123456" / "GO.DIMN.123456.20260624.00001.R.1").write_bytes(b"")
    run = flexibatch(installed, "run")
    assert run.returncode == 0, run.stderr
    receipt = read_acrf(installed / "outbox" / "123456" / "FO.ACRF.123456.20260624.00001.R.DIMN")
    assert receipt.accepted, "sender 123456 is still known: the bad load replaced nothing"


# run ---------------------------------------------------------------------------------------------


def test_run_answers_the_sample_inbox_and_logs_one_json_line_per_submission(installed: Path) -> None:
    result = flexibatch(installed, "run")

    assert result.returncode == 0, result.stderr
    assert f"{sample_submissions()} submission(s) answered" in result.stdout
    for answer, positive in SAMPLE_RECEIPTS.items():
        receipt = read_acrf(installed / "outbox" / answer)
        assert receipt.accepted is positive, answer
    assert len(list((installed / "outbox").rglob("FO.ACRF.*"))) == sample_submissions()
    answered = [e for e in json_lines(result.stderr) if e.get("event") == "submission answered"]
    assert len(answered) == sample_submissions(), "one log line per submission"
    outcome_of = {str(e["file"]): e["outcome"] for e in answered}
    assert set(outcome_of) >= SAMPLE_FILES
    # A positive receipt is not "ACCEPTED" when declarations of it were refused (00001: 3 of 9).
    assert {name: str(outcome_of[name]) for name in SAMPLE_FILES} == {
        "FI.DIMN.123456.20260624.00001.R.1.1.xml": "PARTLY_REFUSED",
        "FI.DIMN.123456.20260624.00002.R.1.1.xml": "REFUSED",
        "FI.DIMN.654321.20260624.00001.R.2.1.xml": "ACCEPTED",
        "FI.DIMN.222222.20260623.0000A.T.1.1": "ACCEPTED",
    }
    for line in answered:
        assert line["receipt"] == ("REFUSED" if line["outcome"] == "REFUSED" else "ACCEPTED"), line
        assert datetime.fromisoformat(str(line["timestamp"])).utcoffset() is not None, line
    assert not [p for p in (installed / "inbox").rglob("*") if p.is_file()], "the inbox is emptied"


def test_run_twice_answers_nothing_the_second_time(installed: Path) -> None:
    assert flexibatch(installed, "run").returncode == 0
    answers = outbox_snapshot(installed)

    again = flexibatch(installed, "run")

    assert again.returncode == 0, again.stderr
    assert "0 submission(s) answered" in again.stdout
    assert not [e for e in json_lines(again.stderr) if e.get("event") == "submission answered"]
    assert outbox_snapshot(installed) == answers


def test_run_with_a_missing_inbox_exits_2(installed: Path) -> None:
    missing = installed / "no-such-folder"

    result = flexibatch(installed, "run", "--inbox", str(missing))

    assert result.returncode == 2
    assert str(missing) in result.stderr
    assert "Traceback" not in result.stderr
    assert not missing.exists()


def test_a_garbage_flexibatch_now_exits_2_with_a_clear_message(installed: Path) -> None:
    result = flexibatch(installed, "run", FLEXIBATCH_NOW="garbage")

    assert result.returncode == 2
    assert "FLEXIBATCH_NOW" in result.stderr and "garbage" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (installed / "outbox").exists() or not any((installed / "outbox").rglob("FO.*"))


# status ------------------------------------------------------------------------------------------


def test_status_lists_the_submissions_and_its_json_agrees(installed: Path) -> None:
    assert flexibatch(installed, "run").returncode == 0

    text = flexibatch(installed, "status")
    as_json = flexibatch(installed, "status", "--json")

    assert text.returncode == 0 and as_json.returncode == 0
    for name in SAMPLE_FILES:
        assert name in text.stdout
    submissions = json.loads(as_json.stdout)["submissions"]
    assert len(submissions) == sample_submissions()
    outcome_of = {s["file"]: s["outcome"] for s in submissions}
    assert sorted(outcome_of[name] for name in SAMPLE_FILES) == [
        "ACCEPTED",
        "ACCEPTED",
        "PARTLY_REFUSED",
        "REFUSED",
    ]
    for row in submissions:
        assert row["ticket"] in text.stdout and row["sender"] in text.stdout
        received = datetime.fromisoformat(row["received"])
        assert received.utcoffset() == timedelta(hours=2), "Belgian summer time, offset shown"
        assert row["received"] in text.stdout


def test_status_shows_a_submission_waiting_for_its_go(installed: Path) -> None:
    (installed / "inbox" / "123456" / "GO.DIMN.123456.20260624.00002.R.1").unlink()
    assert flexibatch(installed, "run").returncode == 0

    result = flexibatch(installed, "status", "--json")

    (waiting,) = json.loads(result.stdout)["waiting"]
    assert waiting["key"] == "123456.20260624.00002.R.DIMN" and waiting["has_go"] is False
    assert len(json.loads(result.stdout)["submissions"]) == sample_submissions() - 1
