"""SPEC 10: an operator's mistake is refused before anything moves, rather than harming senders.

Each mistake exits 2 with one sentence on standard error and no traceback; the inbox keeps every
file, no answer is written, no state file or work folder is made.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from flexibatch.store.sqlite import SqliteStore
from support.builders import INSZ_A, NOSS_BRASSERIE
from support.channel import SAMPLES
from support.cli import flexibatch, one_sentence

READERS = {
    "status": ["status"],
    "worker": ["worker", INSZ_A],
    "employer": ["employer", NOSS_BRASSERIE],
    "report": ["report", "--out", "report"],
}
COMMANDS = {**READERS, "run": ["run"], "watch": ["watch"]}


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def refused(result: subprocess.CompletedProcess[str], *words: str) -> str:
    """The one sentence a configuration error prints, after checking it is one."""
    return one_sentence(result, 2, *words)


def dump(state: Path) -> list[str]:
    with sqlite3.connect(state) as db:
        return list(db.iterdump())


@pytest.fixture
def inbox_only(tmp_path: Path) -> Path:
    """A copy of the sample inbox and nothing else: no state, no outbox."""
    shutil.copytree(SAMPLES / "inbox", tmp_path / "inbox", copy_function=shutil.copy)
    return tmp_path


# a state that does not exist, or holds no reference data -----------------------------------------


@pytest.mark.parametrize("command", READERS.values(), ids=READERS.keys())
def test_a_reader_on_a_state_that_does_not_exist_says_so_and_creates_nothing(
    installed: Path, command: list[str]
) -> None:
    result = flexibatch(installed, *command, "--state", "typo.db")

    refused(result, "typo.db", "does not exist")
    assert not list(installed.glob("typo*"))


@pytest.mark.parametrize("command", [["run"], ["watch"]], ids=["run", "watch"])
def test_run_on_a_state_that_does_not_exist_refuses_to_start_and_creates_nothing(
    inbox_only: Path, command: list[str]
) -> None:
    before = files(inbox_only / "inbox")

    result = flexibatch(inbox_only, *command)

    refused(result, "state.db", "refdata load")
    assert files(inbox_only / "inbox") == before
    assert sorted(p.name for p in inbox_only.iterdir()) == ["inbox"]


@pytest.mark.parametrize("command", [["run"], ["watch"]], ids=["run", "watch"])
def test_run_on_a_state_without_reference_data_refuses_to_start(inbox_only: Path, command: list[str]) -> None:
    SqliteStore(str(inbox_only / "state.db")).close()
    before = files(inbox_only / "inbox")

    result = flexibatch(inbox_only, *command)

    refused(result, "no reference data", "refdata load")
    assert files(inbox_only / "inbox") == before
    assert not (inbox_only / "outbox").exists() and not (inbox_only / "state.work").exists()


def test_refdata_load_still_creates_a_new_state(inbox_only: Path) -> None:
    loaded = flexibatch(inbox_only, "refdata", "load", str(SAMPLES / "refdata"))

    assert loaded.returncode == 0, loaded.stderr
    assert flexibatch(inbox_only, "run").returncode == 0


# a state written by a later release ---------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [*COMMANDS.values(), ["refdata", "load", str(SAMPLES / "refdata")]],
    ids=[*COMMANDS.keys(), "refdata-load"],
)
def test_a_state_of_a_later_release_is_refused_by_every_command(installed: Path, command: list[str]) -> None:
    with sqlite3.connect(installed / "state.db") as db:
        db.execute("INSERT INTO schema_migrations VALUES (999, 'from a later release', '2027-01-01')")
    state, inbox = dump(installed / "state.db"), files(installed / "inbox")

    result = flexibatch(installed, *command)

    refused(result, "state.db", "later release")
    assert dump(installed / "state.db") == state
    assert files(installed / "inbox") == inbox
    assert not (installed / "outbox").exists()


# folders that overlap -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "where"),
    [
        ({"FLEXIBATCH_OUTBOX": "inbox"}, "the outbox is the inbox"),
        ({"FLEXIBATCH_OUTBOX": "inbox/answers"}, "the outbox inside the inbox"),
        ({"FLEXIBATCH_INBOX": "outbox/drops", "FLEXIBATCH_OUTBOX": "outbox"}, "the inbox inside the outbox"),
        ({"FLEXIBATCH_WORK": "inbox/work"}, "the work folder inside the inbox"),
        ({"FLEXIBATCH_WORK": "outbox"}, "the work folder is the outbox"),
        ({"FLEXIBATCH_WORK": "."}, "the inbox inside the work folder"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
@pytest.mark.parametrize("command", ["run", "watch"])
def test_folders_that_overlap_are_refused_before_anything_moves(
    installed: Path, setting: dict[str, str], where: str, command: str
) -> None:
    (installed / "outbox" / "drops").mkdir(parents=True)
    shutil.copytree(installed / "inbox", installed / "outbox" / "drops", dirs_exist_ok=True)
    before = files(installed)
    settings = {name: str(installed / value) for name, value in setting.items()}

    result = flexibatch(installed, command, **settings)

    refused(result, "inside" if "inside" in where else "same folder")
    assert files(installed) == before


@pytest.mark.parametrize("command", ["run", "watch"])
def test_a_state_inside_the_inbox_is_refused_before_it_is_answered_as_a_foreign_file(
    tmp_path: Path, command: str
) -> None:
    (tmp_path / "inbox").mkdir()
    state = str(tmp_path / "inbox" / "state.db")
    assert (
        flexibatch(tmp_path, "refdata", "load", str(SAMPLES / "refdata"), FLEXIBATCH_STATE=state).returncode
        == 0
    )
    work = str(tmp_path / "work")  # the work folder elsewhere: only the state is misplaced
    before = files(tmp_path)

    result = flexibatch(tmp_path, command, FLEXIBATCH_STATE=state, FLEXIBATCH_WORK=work)

    refused(result, "state", "inside the inbox")
    assert files(tmp_path) == before


# a state or an outbox that cannot serve ------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [*COMMANDS.values(), ["refdata", "load", str(SAMPLES / "refdata")]],
    ids=[*COMMANDS.keys(), "refdata-load"],
)
def test_a_state_that_is_a_folder_is_a_configuration_error(inbox_only: Path, command: list[str]) -> None:
    (inbox_only / "state.db").mkdir()

    result = flexibatch(inbox_only, *command)

    refused(result, "state.db", "folder")
    assert not list((inbox_only / "state.db").iterdir())


@pytest.mark.parametrize("command", ["run", "watch"])
def test_an_outbox_that_is_a_file_is_a_configuration_error(installed: Path, command: str) -> None:
    (installed / "outbox").write_bytes(b"not a folder")
    before = files(installed)

    result = flexibatch(installed, command)

    refused(result, "outbox", "not a folder")
    assert files(installed) == before


def test_a_state_that_is_not_a_database_is_a_configuration_error(installed: Path) -> None:
    (installed / "other.db").write_bytes(b"these are not the pages of a SQLite database" * 100)

    for command in COMMANDS.values():
        refused(flexibatch(installed, *command, "--state", "other.db"), "other.db", "not a flexibatch state")


# settings out of range ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variable", "raw"),
    [
        ("FLEXIBATCH_GO_TIMEOUT", "-1"),
        ("FLEXIBATCH_MAX_FILE_BYTES", "-5"),
        ("FLEXIBATCH_MAX_FILE_BYTES", "2GB"),
        ("FLEXIBATCH_SETTLE", "nan"),
        ("FLEXIBATCH_RESCAN", "-1"),
        ("FLEXIBATCH_BUSY_TIMEOUT", "forever"),
        ("FLEXIBATCH_CEILINGS", "2027=inf"),
    ],
)
def test_a_setting_out_of_range_stops_run_before_anything_moves(
    installed: Path, variable: str, raw: str
) -> None:
    before = files(installed)

    result = flexibatch(installed, "run", **{variable: raw})

    refused(result, variable, repr(raw))
    assert files(installed) == before
