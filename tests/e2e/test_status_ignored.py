"""`flexibatch status` (and `--json`) shows what in the inbox the channel will not read."""

from __future__ import annotations

import json
from pathlib import Path

from support.cli import flexibatch


def test_status_names_a_sender_subfolder_and_a_folder_not_named_as_a_sender(installed: Path) -> None:
    (installed / "inbox" / "123456" / "upload").mkdir()
    (installed / "inbox" / "123456" / "upload" / "GO.DIMN.123456.20260624.00031.R.1").write_bytes(b"")
    (installed / "inbox" / "Sender 123456").mkdir()

    text = flexibatch(installed, "status")
    listed = json.loads(flexibatch(installed, "status", "--json").stdout)["ignored"]

    assert text.returncode == 0, text.stderr
    assert {(i["entry"], i["kind"]) for i in listed} == {
        ("123456/upload/", "SUBFOLDER"),
        ("Sender 123456/", "NOT_A_SENDER_FOLDER"),
    }
    lines = [line for line in text.stdout.splitlines() if line.startswith("not read")]
    assert len(lines) == 2 and any(
        "123456/upload/ (a folder inside a sender folder" in line for line in lines
    )
