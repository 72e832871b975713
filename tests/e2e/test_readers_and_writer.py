"""SPEC 10: a command that only reads never waits for the writer of the state.

A second process holds the state's write lock (`BEGIN IMMEDIATE`, as `run` does while it decides a
file) until the test lets it go; the readers must have answered while it still held it.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.builders import INSZ_A, NOSS_BRASSERIE
from support.cli import flexibatch

#: Holds the write lock until its standard input closes (or ten minutes pass: never left behind).
HOLD_THE_LOCK = """
import select, sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
db.execute("INSERT INTO counters (name, value) VALUES ('held', 1)")
print("locked", flush=True)
select.select([sys.stdin], [], [], 600)
db.execute("ROLLBACK")
"""


@pytest.fixture
def locked(installed: Path) -> Iterator[subprocess.Popen[str]]:
    """The installation with its sample inbox answered, its state's write lock held by another process."""
    assert flexibatch(installed, "run").returncode == 0
    with subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_LOCK, str(installed / "state.db")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as holder:
        assert holder.stdin is not None and holder.stdout is not None
        try:
            assert holder.stdout.readline() == "locked\n"
            yield holder
        finally:
            holder.stdin.close()
            holder.wait(timeout=60)


@pytest.mark.parametrize(
    "command",
    [["status"], ["worker", INSZ_A], ["employer", NOSS_BRASSERIE], ["status", "--json"]],
    ids=["status", "worker", "employer", "status-json"],
)
def test_a_reader_answers_while_another_process_holds_the_write_lock(
    installed: Path, locked: subprocess.Popen[str], command: list[str]
) -> None:
    result = flexibatch(installed, *command, FLEXIBATCH_BUSY_TIMEOUT="100")

    assert locked.poll() is None, "the lock was held all along"
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()


def test_a_writer_waits_no_longer_than_the_busy_timeout_and_moves_nothing(
    installed: Path, locked: subprocess.Popen[str]
) -> None:
    (installed / "inbox" / "123456").mkdir(parents=True, exist_ok=True)
    late = installed / "inbox" / "123456" / "FI.DIMN.123456.20260624.00009.R.1.1.xml"
    late.write_bytes(b"<DimonaRequest/>")
    (installed / "inbox" / "123456" / "GO.DIMN.123456.20260624.00009.R.1").write_bytes(b"")

    result = flexibatch(installed, "run", FLEXIBATCH_BUSY_TIMEOUT="0")

    assert locked.poll() is None
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert "FLEXIBATCH_BUSY_TIMEOUT" in line
    assert late.exists(), "nothing was claimed"
