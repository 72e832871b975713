"""What an operator finds in the JSON log when a submission fails for a reason of the processor's own."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

FAILING = """
import structlog
from flexibatch import logs
logs.configure()
try:
    open("/nonexistent-folder/answer")
except OSError:
    structlog.get_logger().exception("submission failed: kept in its claim folder for the next run")
"""


def test_a_json_log_line_carries_the_traceback_of_the_error(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", FAILING], cwd=tmp_path, capture_output=True, text=True, check=True, timeout=60
    )
    (line,) = [json.loads(text) for text in result.stderr.splitlines()]
    assert line["level"] == "error"
    assert "Traceback" in line["exception"]
    assert "No such file or directory: '/nonexistent-folder/answer'" in line["exception"]
