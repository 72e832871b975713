"""SPEC 1, SFTP: the answers in outbox_dir/<sender>/ readable by the sender's group when configured;
everything else the processor writes owner-only, whatever the umask."""

from __future__ import annotations

import contextlib
import grp
import json
import os
import secrets
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.cli import flexibatch

#: The sender folders of the sample inbox.
SENDERS = ("123456", "654321")


@contextlib.contextmanager
def groups(prefix: str) -> Iterator[None]:
    """Real groups named after the sample senders, as the deployment's `sftp{sender}` are."""
    for sender in SENDERS:
        subprocess.run(["groupadd", f"{prefix}{sender}"], check=True)
    try:
        yield
    finally:
        for sender in SENDERS:
            subprocess.run(["groupdel", f"{prefix}{sender}"], check=True)


@pytest.fixture
def sender_group() -> Iterator[str]:
    prefix = f"fb{secrets.token_hex(2)}x"
    with groups(prefix):
        yield prefix


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def _everything_else(root: Path) -> list[Path]:
    """What the processor wrote outside outbox_dir/<sender>/ (the sender's dropped files aside)."""
    senders = {root / "outbox" / sender for sender in SENDERS}
    made = [root / "state.db", *(root / "state.work").rglob("*"), *(root / "outbox").iterdir()]
    return [
        p for p in made if p not in senders and not p.name.startswith(("FI.", "GO.DIMN", "GO.FLEX", "FS."))
    ]


def test_answers_of_a_sender_folder_get_its_group_and_the_rest_stays_owner_only(
    installed: Path, sender_group: str
) -> None:
    old = os.umask(0o002)  # a permissive umask must not open anything up
    try:
        result = flexibatch(
            installed,
            "run",
            FLEXIBATCH_SENDER_GROUP=f"{sender_group}{{sender}}",
            FLEXIBATCH_SENDER_FOLDER_MODE="2750",
            FLEXIBATCH_ANSWER_MODE="640",
        )
    finally:
        os.umask(old)
    assert result.returncode == 0, result.stderr
    answers = []
    for sender in SENDERS:
        folder = installed / "outbox" / sender
        gid = grp.getgrnam(f"{sender_group}{sender}").gr_gid
        assert (_mode(folder), folder.stat().st_gid) == (0o2750, gid)
        mine = sorted(folder.iterdir())
        assert {p.name.split(".")[1] for p in mine} >= {"ACRF", "NOTI"}
        for answer in mine:  # the receipts, the NOTIs and their GO markers
            assert (answer.name, _mode(answer), answer.stat().st_gid) == (answer.name, 0o640, gid)
        answers += mine
    # The archived answers are the same files (hard links), behind owner-only folders.
    others = _everything_else(installed)
    assert any(p.name.startswith("FO.ACRF.222222") for p in others)  # an answer directly in outbox/
    for path in others:
        if path.is_dir():
            assert (path, _mode(path)) == (path, 0o700)
        elif not any(path.samefile(answer) for answer in answers):
            assert (path, _mode(path)) == (path, 0o600)


def test_by_default_the_answers_are_owner_only(installed: Path) -> None:
    assert flexibatch(installed, "run").returncode == 0
    folder = installed / "outbox" / "123456"
    assert _mode(folder) == 0o700
    assert {_mode(p) for p in folder.iterdir()} == {0o600}


def test_a_sender_group_that_does_not_exist_fails_the_submission_until_it_is_created(
    installed: Path,
) -> None:
    prefix = f"fb{secrets.token_hex(2)}y"
    env = {"FLEXIBATCH_SENDER_GROUP": f"{prefix}{{sender}}", "FLEXIBATCH_RETRY": "0"}
    first = flexibatch(installed, "run", **env)
    assert first.returncode == 1, first.stderr
    assert not (installed / "outbox" / "123456").exists()
    status = json.loads(flexibatch(installed, "status", "--json").stdout)
    reasons = [f["reason"] for f in status["failed"] if f["folder"] == "123456"]
    assert reasons and all(f"the group {prefix}123456 of sender 123456" in r for r in reasons)
    with groups(prefix):
        second = flexibatch(installed, "run", **env)
        assert second.returncode == 0, second.stderr
        answers = list((installed / "outbox" / "123456").glob("FO.ACRF.*"))
        assert answers and {a.stat().st_gid for a in answers} == {grp.getgrnam(f"{prefix}123456").gr_gid}


@pytest.mark.parametrize(
    ("variable", "raw"),
    [
        ("FLEXIBATCH_SENDER_FOLDER_MODE", "2755"),
        ("FLEXIBATCH_SENDER_FOLDER_MODE", "0600"),
        ("FLEXIBATCH_ANSWER_MODE", "664"),
        ("FLEXIBATCH_SENDER_GROUP", "sftp {sender}"),
    ],
)
def test_a_mode_or_group_out_of_range_is_refused_before_anything_moves(
    installed: Path, variable: str, raw: str
) -> None:
    result = flexibatch(installed, "run", **{variable: raw})
    assert result.returncode == 2
    assert result.stderr.startswith(f"flexibatch: {variable} must be") and repr(raw) in result.stderr
    assert not (installed / "outbox").exists()
