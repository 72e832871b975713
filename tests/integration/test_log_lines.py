"""Workers that log into one file (a shared log, `2>>` of several processes, as the stream tests
and a simple deployment do) keep each JSON line whole: one write per line, never a line of one
process cut by another's."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

LINES = 3000
#: Each process configures the logs as the CLI does (off a terminal: JSON lines), then logs.
_LOGGING = f"""
from flexibatch import logs
import structlog
logs.configure()
log = structlog.get_logger()
for n in range({LINES}):
    log.info("a submission of many declarations decided", n=n, file="FI.DIMN." + "0" * 60)
"""


def test_processes_logging_into_one_file_never_break_a_line(tmp_path: Path) -> None:
    shared = tmp_path / "flexibatch.log"
    with shared.open("ab") as log:
        processes = [subprocess.Popen([sys.executable, "-c", _LOGGING], stderr=log) for _ in range(6)]
        assert [p.wait(timeout=120) for p in processes] == [0] * 6
    lines = shared.read_text().splitlines()
    assert len(lines) == 6 * LINES
    broken = [line for line in lines if not _is_json(line)]
    assert broken == [], f"{len(broken)} lines cut by another process's, e.g. {broken[:1]}"


def _is_json(line: str) -> bool:
    try:
        json.loads(line)
    except ValueError:
        return False
    return True
