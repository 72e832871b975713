"""How the long-running commands (`watch`, `decide`) stop: SIGTERM or SIGINT sets an event they
look at between submissions, so the submission in hand is finished, never cut."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from types import FrameType

import structlog

log = structlog.get_logger()


def stop_on_signals(then: Callable[[], None] = lambda: None) -> threading.Event:
    """The event SIGTERM and SIGINT set; `then` runs after it is set (waking the loop, telling the
    service manager), so a loop woken sees it."""
    stop = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        log.info("stopping after the submission in hand", signal=signal.Signals(signum).name)
        stop.set()
        then()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    return stop
