"""`flexibatch watch` as an operator runs it: answers what arrives, stops cleanly on SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from support.answers import read_acrf, read_noti
from support.builders import INSZ_B, dimona, dimona_in
from support.cli import FORMS, cli, install_with_two_submissions
from support.hostile import wait_for


def _drop(root: Path, seq: str, content: bytes) -> None:
    folder = root / "inbox" / "123456"
    (folder / f"FI.DIMN.123456.20260624.{seq}.R.1.1.xml").write_bytes(content)
    (folder / f"GO.DIMN.123456.20260624.{seq}.R.1").write_bytes(b"")


def _stop(process: subprocess.Popen[bytes]) -> int:
    process.send_signal(signal.SIGTERM)
    return process.wait(timeout=60)


@pytest.mark.slow
def test_watch_answers_files_present_at_start_and_files_that_arrive(tmp_path: Path) -> None:
    install_with_two_submissions(tmp_path)  # two submissions already waiting when watch starts
    process = cli(tmp_path, "watch")
    outbox = tmp_path / "outbox" / "123456"
    try:
        assert wait_for(lambda: len(list(outbox.glob("GO.NOTI.*"))) == 2), "files present at start answered"
        _drop(tmp_path, "00003", dimona(dimona_in(insz=INSZ_B, start="2026-06-29")))
        assert wait_for((outbox / "GO.NOTI.123456.20260624.00003.R.DIMN").exists)
    finally:
        code = _stop(process)
    assert code == 0
    (decision,) = read_noti(outbox / "FO.NOTI.123456.20260624.00003.R.DIMN")
    assert decision.accepted


@pytest.mark.slow
def test_sigterm_lets_the_submission_in_hand_finish(tmp_path: Path) -> None:
    install_with_two_submissions(tmp_path)
    process = cli(tmp_path, "watch")
    claims = tmp_path / "state.work" / "claims"
    assert wait_for(lambda: claims.exists() and any(claims.glob("*/answers/noti.xml")))
    code = _stop(process)
    assert code == 0
    outbox = tmp_path / "outbox" / "123456"
    receipt = read_acrf(outbox / "FO.ACRF.123456.20260624.00001.R.DIMN")
    assert receipt.accepted
    assert len(read_noti(outbox / "FO.NOTI.123456.20260624.00001.R.DIMN")) == FORMS
    assert (outbox / "GO.NOTI.123456.20260624.00001.R.DIMN").exists()
    assert not any(claims.iterdir()), "the submission in hand was finished and filed away"
    # the other submission was not started: it waits, untouched, for the next run
    assert (tmp_path / "inbox" / "123456" / "GO.DIMN.123456.20260624.00002.R.1").exists()


def test_watch_refuses_a_missing_inbox_with_a_usage_error(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "flexibatch",
            "watch",
            "--inbox",
            str(tmp_path / "nowhere"),
            "--state",
            str(tmp_path / "s.db"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "nowhere" in result.stderr
