"""`flexibatch watch`: filesystem events wake the loop; a periodic rescan decides what is there.

watchdog can miss events (network mounts, queue overflow, files present at start), so an event only
makes the next scan happen now rather than at the next rescan tick.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from flexibatch.logs import SaidOnce

#: watchdog's inotify buffer holds a moved-from event for half a second, to pair it with its moved-to,
#: and the events behind it wait as long. Claiming a submission moves its files out of the inbox, so
#: the next file's events are held back for that time: right after answering, the loop looks again
#: every `_SOON` seconds for `_HELD` seconds instead of waiting for them.
_HELD = 0.6
_SOON = 0.05


class _Wake(FileSystemEventHandler):
    def __init__(self, wake: threading.Event) -> None:
        self._wake = wake

    def on_any_event(self, event: FileSystemEvent) -> None:
        self._wake.set()


def watch(
    inbox: Path,
    rescan_seconds: float,
    process: Callable[[Callable[[], bool]], object],
    stop: threading.Event,
    wake: threading.Event | None = None,
    *,
    scanned: Callable[[Exception | None], None] = lambda failure: None,
) -> None:
    """Call `process` (which is told when to stop between submissions, and returns what it answered)
    until `stop` is set; `scanned` hears after each call whether it failed, and why."""
    wake = wake or threading.Event()
    observer = Observer()
    observer.schedule(_Wake(wake), str(inbox), recursive=True)
    observer.daemon = True
    observer.start()
    try:
        look_soon_until = 0.0
        failing = SaidOnce(
            "scan failed: trying again at each rescan, said again if the reason changes", "scan works again"
        )
        while not stop.is_set():
            wake.clear()
            failure: Exception | None = None
            try:
                answered = process(stop.is_set)
            except Exception as error:  # the file system or the store failing for a moment must not end watch
                failure = error
                failing.failed(error)
            else:
                failing.worked()
                if answered:
                    look_soon_until = time.monotonic() + _HELD
            scanned(failure)
            soon = time.monotonic() < look_soon_until
            wake.wait(timeout=min(_SOON, rescan_seconds) if soon else rescan_seconds)
    finally:
        observer.stop()
        observer.join(timeout=5)
