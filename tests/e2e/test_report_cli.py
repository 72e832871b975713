"""`flexibatch report` as a command that only reads (SPEC 10), and its mistakes, through the real CLI.

The state-level mistakes every reader shares (a state that does not exist, one of a later release,
a folder) are in test_operator_mistakes.py; here what is the report's own.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from flexibatch.store.sqlite.migrations import MIGRATIONS
from support.cli import flexibatch, one_sentence
from support.mounts import read_only, tmpfs


def _dump(state: Path) -> list[str]:
    with sqlite3.connect(state) as db:
        return list(db.iterdump())


def _ran(installed: Path) -> Path:
    assert flexibatch(installed, "run").returncode == 0
    return installed


def test_a_state_of_an_earlier_release_is_not_migrated_by_the_report(installed: Path) -> None:
    """A reader never migrates: the state stays as the earlier release left it."""
    with sqlite3.connect(installed / "state.db") as db:
        db.execute("DELETE FROM schema_migrations WHERE version = ?", (len(MIGRATIONS),))
    before = _dump(installed / "state.db")

    result = flexibatch(installed, "report", "--out", "report")

    one_sentence(result, 2, "earlier release")
    assert _dump(installed / "state.db") == before
    assert not (installed / "report").exists()


def test_a_period_that_ends_before_it_starts_is_a_usage_error(installed: Path) -> None:
    result = flexibatch(
        _ran(installed), "report", "--out", "report", "--since", "2026-06-30", "--until", "2026-06-01"
    )

    one_sentence(result, 2, "--since 2026-06-30 is after --until 2026-06-01")
    assert not (installed / "report").exists()


def test_a_date_that_is_not_one_is_a_usage_error(installed: Path) -> None:
    result = flexibatch(installed, "report", "--out", "report", "--since", "2026-02-30")

    assert result.returncode == 2
    assert "'2026-02-30' is not a date written YYYY-MM-DD" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_report_folder_that_is_a_file_is_a_configuration_error(installed: Path) -> None:
    (installed / "report").write_text("not a folder")

    result = flexibatch(_ran(installed), "report", "--out", "report")

    one_sentence(result, 2, "report folder", "is a file")


def test_the_report_never_waits_for_the_writer(installed: Path) -> None:
    """While `run` holds the write lock deciding a big file, the report shows the last commit at once."""
    _ran(installed)
    committed = len(
        json.loads(flexibatch(installed, "status", "--json", "--limit", "1000").stdout)["submissions"]
    )
    writer = sqlite3.connect(installed / "state.db", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("DELETE FROM submissions")  # not committed: the report does not see it
    try:
        result = flexibatch(installed, "report", "--out", "report", FLEXIBATCH_BUSY_TIMEOUT="0")
    finally:
        writer.execute("ROLLBACK")
        writer.close()

    assert result.returncode == 0, result.stderr
    assert f": {committed} submission(s)" in result.stdout
    assert (installed / "report" / "index.html").is_file()


def test_a_period_without_submissions_is_a_report_that_says_so(installed: Path) -> None:
    result = flexibatch(
        _ran(installed), "report", "--out", "report", "--since", "2020-01-01", "--until", "2020-01-31"
    )

    assert result.returncode == 0, result.stderr
    assert ": 0 submission(s)" in result.stdout
    index = (installed / "report" / "index.html").read_text(encoding="utf-8")
    assert (
        index.count("None in this period.") == 7
    )  # every table: days, errors twice, employers, senders, ceiling, submissions
    assert list((installed / "report" / "submissions").iterdir()) == []


def test_a_report_folder_that_fills_up_fails_in_one_sentence(installed: Path) -> None:
    """A disk that fills while the pages are written: exit 1, one sentence, no traceback, no half page."""
    _ran(installed)
    with tmpfs(installed / "report", "4k"):  # one page: the first fits, the rest does not
        result = flexibatch(installed, "report", "--out", "report")
        left = sorted(p.name for p in (installed / "report").rglob("*") if p.is_file())

    one_sentence(result, 1, "report folder", "No space left on device")
    assert not [name for name in left if name.startswith(".")], "no temporary page left behind"


def test_a_read_only_report_folder_is_refused_before_anything_is_written(installed: Path) -> None:
    (installed / "report").mkdir()
    _ran(installed)
    with read_only(installed / "report"):
        result = flexibatch(installed, "report", "--out", "report")

    one_sentence(result, 2, "report folder", "cannot be")
