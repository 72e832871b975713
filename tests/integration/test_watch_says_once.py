"""`watch` says a failing scan once until the reason changes (issue 22: "each warning about the
inbox said once until it changes"), not every rescan, and says when it works again."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from structlog.testing import capture_logs

from flexibatch.channel.watch import watch
from flexibatch.errors import ChannelError


def _logged(tmp_path: Path, script: list[Exception | None]) -> list[dict[str, object]]:
    """What watch logs while its scans end as `script` says, one outcome a scan."""
    stop = threading.Event()

    def process(should_stop: Callable[[], bool]) -> bool:
        outcome = script.pop(0)
        if not script:
            stop.set()
        if outcome is not None:
            raise outcome
        return False

    with capture_logs() as logs:
        watch(tmp_path, 0.01, process, stop)
    return logs


def test_a_scan_failing_the_same_way_is_said_once_then_its_new_reason_then_its_end(tmp_path: Path) -> None:
    gone = ChannelError(f"the inbox {tmp_path} cannot be read: No such file or directory")
    denied = ChannelError(f"the inbox {tmp_path} cannot be read: Permission denied")
    script: list[Exception | None] = [gone, gone, gone, denied, denied, None, None, gone]
    logs = _logged(tmp_path, script)

    said = [(line["event"], line.get("failed_with")) for line in logs]
    assert said == [
        ("scan failed: trying again at each rescan, said again if the reason changes", None),
        ("scan failed: trying again at each rescan, said again if the reason changes", None),
        ("scan works again", f"ChannelError: {denied}"),
        ("scan failed: trying again at each rescan, said again if the reason changes", None),
    ]
    # the inbox gone or unreadable is the operator's to fix, in one line: no traceback (issue 22)
    assert [line.get("exc_info") for line in logs if line["log_level"] == "error"] == [None] * 3
    assert [line["reason"] for line in logs if line["log_level"] == "error"] == [
        str(gone),
        str(denied),
        str(gone),
    ]


def test_a_fault_of_the_processor_own_keeps_its_traceback(tmp_path: Path) -> None:
    script: list[Exception | None] = [RuntimeError("a bug of ours"), None]
    logs = _logged(tmp_path, script)

    (failed,) = [line for line in logs if line["log_level"] == "error"]
    assert failed["exc_info"] is True, "the traceback goes with it, for whoever fixes the bug"
