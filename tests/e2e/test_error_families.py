"""SPEC 10: errors are one sentence on standard error, never a traceback, whatever fails.

Real faults met at the adapters, each mapped into its family (flexibatch/errors.py) there and to an
exit status at the CLI: a state whose pages went bad after it was opened (StoreError, 1), a work
folder that cannot be written (ChannelError, 1), a fault of flexibatch's own (1, the traceback
only in the log, at debug level).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from support.builders import INSZ_A
from support.cli import flexibatch, installation_env, one_sentence
from support.mounts import read_only


def spoil_tables(state: Path, *tables: str) -> None:
    """Overwrite the root page of each table with garbage: the file still opens and its migrations
    still read, the first query of those tables fails (`database disk image is malformed`)."""
    with sqlite3.connect(state) as db:
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        roots = dict(db.execute("SELECT name, rootpage FROM sqlite_master WHERE type = 'table'").fetchall())
    db.close()
    with state.open("r+b") as file:
        for table in tables:
            file.seek((roots[table] - 1) * page_size)
            file.write(b"\xff" * page_size)


REFDATA = ("ref_senders", "ref_employers", "ref_mandates", "ref_workers", "refdata_loads")


@pytest.mark.parametrize(
    "command",
    [["status"], ["worker", INSZ_A], ["run"]],
    ids=["status", "worker", "run"],
)
def test_a_state_gone_bad_after_it_opened_is_one_sentence_and_exit_1(
    installed: Path, command: list[str]
) -> None:
    assert flexibatch(installed, "run").returncode == 0
    spoil_tables(installed / "state.db", "submissions", "failures", *REFDATA)

    result = flexibatch(installed, *command)

    one_sentence(result, 1, str(installed / "state.db"), "malformed")


def test_a_read_only_work_folder_stops_run_with_one_sentence_and_exit_1(installed: Path) -> None:
    work = installed / "state.work"
    work.mkdir()
    inbox = sorted(p.relative_to(installed) for p in (installed / "inbox").rglob("*"))
    with read_only(work):
        result = flexibatch(installed, "run")

    one_sentence(result, 1, "work folder", str(work), "Read-only file system")
    assert sorted(p.relative_to(installed) for p in (installed / "inbox").rglob("*")) == inbox


def test_a_fault_of_our_own_is_one_sentence_and_exit_1_its_traceback_in_the_verbose_log(
    installed: Path,
) -> None:
    too_many = "99999999999999999999999"  # more than SQLite's integers hold: nothing checks it

    plain = flexibatch(installed, "status", "--limit", too_many)
    verbose = flexibatch(installed, "status", "--limit", too_many, "--verbose")

    sentence = one_sentence(plain, 1, "OverflowError", "--verbose")
    assert plain.stdout == ""
    assert verbose.returncode == 1
    logged = [json.loads(line) for line in verbose.stderr.splitlines() if line.startswith("{")]
    (failure,) = [line for line in logged if "exception" in line]
    assert failure["level"] == "debug" and "OverflowError" in failure["exception"]
    assert verbose.stderr.splitlines()[-1] == sentence


def test_status_json_lists_each_submissions_error_ids_as_the_log_does(installed: Path) -> None:
    ran = flexibatch(installed, "run")
    logged = {
        (line["ticket"], tuple(line["error_ids"]))
        for line in map(json.loads, ran.stderr.splitlines())
        if line.get("event") == "submission answered"
    }

    shown = json.loads(flexibatch(installed, "status", "--json").stdout)["submissions"]

    assert {(row["ticket"], tuple(row["error_ids"])) for row in shown} == logged
    assert all(isinstance(row["error_ids"], list) for row in shown)
    assert any(row["error_ids"] for row in shown), "a refused sample says why"


def test_a_settings_file_with_an_unknown_key_exits_2_with_one_sentence(installed: Path) -> None:
    (installed / "flexibatch.toml").write_text('inbox = "inbox"\nrescan = 1\n', encoding="utf-8")

    result = flexibatch(installed, "run", "--config", "flexibatch.toml")

    one_sentence(result, 2, "flexibatch.toml", "unknown key 'rescan'")
    assert not (installed / "outbox").exists() or not any((installed / "outbox").iterdir())


def test_config_overrides_flexibatch_config_and_the_command_line_overrides_both(installed: Path) -> None:
    (installed / "etc").mkdir()
    (installed / "etc" / "named.toml").write_text('state = "../named.db"\n', encoding="utf-8")
    (installed / "etc" / "given.toml").write_text('state = "../state.db"\n', encoding="utf-8")
    named = {"FLEXIBATCH_CONFIG": str(installed / "etc" / "named.toml"), "FLEXIBATCH_STATE": ""}

    from_env = flexibatch(installed, "status", **named)
    from_option = flexibatch(installed, "status", "--config", "etc/given.toml", **named)
    from_command_line = flexibatch(
        installed, "status", "--config", "etc/given.toml", "--state", "named.db", **named
    )

    one_sentence(from_env, 2, str(installed / "etc" / ".." / "named.db"), "does not exist")
    assert from_option.returncode == 0, from_option.stderr
    one_sentence(from_command_line, 2, "named.db", "does not exist")


@pytest.mark.parametrize(
    "command", [["status"], ["status", "--json"], ["worker", INSZ_A]], ids=["status", "json", "worker"]
)
def test_a_reader_gone_from_the_pipe_ends_the_view_quietly_as_sigpipe_would(
    installed: Path, command: list[str]
) -> None:
    """`flexibatch status | head -1`: once `head` has its line and goes, the view stops without a
    word, with the status of a command SIGPIPE ended (128 + 13), never as a fault of its own."""
    assert flexibatch(installed, "run").returncode == 0
    reading, writing = os.pipe()
    os.close(reading)  # the reader is gone before the first line: every write meets a broken pipe
    try:
        ended = subprocess.run(
            [sys.executable, "-m", "flexibatch", *command],
            env=installation_env(installed),
            cwd=installed,
            stdout=writing,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        os.close(writing)
    assert ended.returncode == 128 + signal.SIGPIPE, ended.stderr
    assert ended.stderr == ""
