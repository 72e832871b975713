"""`flexibatch watch`: filesystem events wake the loop; a periodic rescan decides what is there.

watchdog can miss events (network mounts, queue overflow, files present at start), so an event only
makes the next scan happen now rather than at the next rescan tick.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import structlog
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

log = structlog.get_logger()


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
) -> None:
    """Call `process` (which is told when to stop between submissions) until `stop` is set."""
    wake = wake or threading.Event()
    observer = Observer()
    observer.schedule(_Wake(wake), str(inbox), recursive=True)
    observer.daemon = True
    observer.start()
    try:
        while not stop.is_set():
            wake.clear()
            try:
                process(stop.is_set)
            except Exception:  # the file system or the store failing for a moment must not end watch
                log.exception("scan failed: trying again at the next rescan")
            wake.wait(timeout=rescan_seconds)
    finally:
        observer.stop()
        observer.join(timeout=5)
