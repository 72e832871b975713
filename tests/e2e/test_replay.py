"""`flexibatch replay TICKET`: a file refused by the operator's own mistake is processed again under
a new ticket; the first answers stay, the new ones take the next suffix; accepted files never twice."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from support.answers import read_acrf
from support.builders import dimona, dimona_in
from support.channel import SAMPLES
from support.cli import flexibatch, one_sentence
from support.mounts import read_only

NAME = "FI.DIMN.123456.20260624.00001.R.1.1.xml"


@pytest.fixture
def refused_for_want_of_refdata(tmp_path: Path) -> tuple[Path, str]:
    """Reference data loaded without sender 123456 (the operator's mistake), a file of it refused."""
    partial = tmp_path / "partial-refdata"
    shutil.copytree(SAMPLES / "refdata", partial)
    senders = (partial / "senders.csv").read_text(encoding="utf-8").splitlines()
    (partial / "senders.csv").write_text(
        "\n".join(line for line in senders if not line.startswith("123456")) + "\n", encoding="utf-8"
    )
    assert flexibatch(tmp_path, "refdata", "load", str(partial)).returncode == 0
    inbox = tmp_path / "inbox" / "123456"
    inbox.mkdir(parents=True)
    (inbox / NAME).write_bytes(dimona(dimona_in(insz="93051822361")))
    (inbox / "GO.DIMN.123456.20260624.00001.R.1").write_bytes(b"")
    assert flexibatch(tmp_path, "run").returncode == 0
    (row,) = json.loads(flexibatch(tmp_path, "status", "--json").stdout)["submissions"]
    assert row["outcome"] == "REFUSED" and row["error_ids"] == ["ACRF-190"]
    return tmp_path, row["ticket"]


def test_a_refused_file_is_replayed_under_a_new_ticket_and_the_first_answer_stays(
    refused_for_want_of_refdata: tuple[Path, str],
) -> None:
    root, ticket = refused_for_want_of_refdata
    outbox = root / "outbox" / "123456"
    first = (outbox / "FO.ACRF.123456.20260624.00001.R.DIMN").read_bytes()
    assert flexibatch(root, "refdata", "load", str(SAMPLES / "refdata")).returncode == 0

    result = flexibatch(root, "replay", ticket)

    assert result.returncode == 0, result.stderr
    rows = json.loads(flexibatch(root, "status", "--json").stdout)["submissions"]
    again = next(r for r in rows if r["ticket"] != ticket)
    assert again["outcome"] == "ACCEPTED" and again["file"] == NAME
    assert again["ticket"] in result.stdout
    assert (outbox / "FO.ACRF.123456.20260624.00001.R.DIMN").read_bytes() == first, "the first answer stays"
    assert not read_acrf(outbox / "FO.ACRF.123456.20260624.00001.R.DIMN").accepted
    assert read_acrf(outbox / "FO.ACRF.123456.20260624.00001.R.DIMN.2").accepted
    assert (outbox / "FO.NOTI.123456.20260624.00001.R.DIMN.2").exists()
    quarantined = list((root / "state.work" / "quarantine").glob(f"*/{ticket}/{NAME}"))
    assert len(quarantined) == 1, "the refused file stays where it was filed"
    assert list((root / "state.work" / "archive").glob(f"*/{again['ticket']}/{NAME}"))
    assert not list((root / "state.work" / "claims").iterdir())

    answered = sorted(p.name for p in outbox.iterdir())
    twice = flexibatch(root, "replay", again["ticket"])
    one_sentence(twice, 2, "accepted", "never decided twice")
    assert sorted(p.name for p in outbox.iterdir()) == answered, "nothing answered for a refused replay"


def test_replay_of_an_unknown_ticket_is_a_usage_error(refused_for_want_of_refdata: tuple[Path, str]) -> None:
    root, _ = refused_for_want_of_refdata
    one_sentence(flexibatch(root, "replay", "0000000000000"), 2, "0000000000000")


def test_a_submission_given_up_while_publishing_is_finished_under_its_own_ticket(tmp_path: Path) -> None:
    assert flexibatch(tmp_path, "refdata", "load", str(SAMPLES / "refdata")).returncode == 0
    inbox, outbox = tmp_path / "inbox" / "123456", tmp_path / "outbox" / "123456"
    inbox.mkdir(parents=True)
    outbox.mkdir(parents=True)
    (inbox / NAME).write_bytes(dimona(dimona_in(insz="93051822361")))
    (inbox / "GO.DIMN.123456.20260624.00001.R.1").write_bytes(b"")
    with read_only(outbox):
        assert flexibatch(tmp_path, "run", FLEXIBATCH_FAILURE_ATTEMPTS="1").returncode == 1
    (failed,) = json.loads(flexibatch(tmp_path, "status", "--json").stdout)["failed"]
    ticket = failed["ticket"]

    result = flexibatch(tmp_path, "replay", ticket)

    assert result.returncode == 0, result.stderr
    assert f"replayed {ticket} as {ticket}" in result.stdout
    assert read_acrf(outbox / "FO.ACRF.123456.20260624.00001.R.DIMN").accepted
    assert sorted(p.name for p in outbox.iterdir() if p.name.startswith("FO.")) == [
        "FO.ACRF.123456.20260624.00001.R.DIMN",
        "FO.NOTI.123456.20260624.00001.R.DIMN",
        "FO.NOTI.123456.20260624.00001.R.DIMN.csv",
    ], "published once, under the names it was decided with"
    shown = json.loads(flexibatch(tmp_path, "status", "--json").stdout)
    assert shown["failed"] == [] and [r["ticket"] for r in shown["submissions"]] == [ticket]
    (archived,) = (tmp_path / "state.work" / "archive").glob(f"*/{ticket}")
    assert not (archived / "FAILED.txt").exists()
