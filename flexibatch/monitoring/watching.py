"""`flexibatch watch` with what watches it: the loop (channel/watch.py) around the processor, the
metrics and /healthz of `--metrics HOST:PORT`, and systemd's notifications and watchdog."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from contextlib import ExitStack

import structlog

from flexibatch.channel.watch import watch
from flexibatch.config import Settings
from flexibatch.errors import FlexibatchError
from flexibatch.monitoring.metrics import ChannelMetrics, Health
from flexibatch.monitoring.server import MonitoringServer
from flexibatch.monitoring.systemd import Notifier
from flexibatch.service.run import Outcome, Processor
from flexibatch.store import opened

log = structlog.get_logger()


def store_answers(settings: Settings) -> Callable[[], str | None]:
    """A check that the store answers, on a read-only connection of its own (never the writer's,
    never waiting for it): None when it does, else why not."""

    def check() -> str | None:
        try:
            with opened(settings.state, "read", 0.0) as store:
                store.refdata.version()
        except (FlexibatchError, sqlite3.Error) as exc:
            return str(exc)
        return None

    return check


def serve(
    settings: Settings,
    processor: Processor,
    stop: threading.Event,
    wake: threading.Event,
    *,
    notifier: Notifier,
    metrics_at: tuple[str, int] | None,
) -> None:
    """Run the loop until `stop`, telling systemd and the metrics how each scan went."""
    metrics = ChannelMetrics()
    health = Health(store_answers(settings))
    processor.submissions.heartbeat = notifier.ping
    processor.conflicted = metrics.conflicted
    seen_failures = 0

    def process(should_stop: Callable[[], bool]) -> list[Outcome]:
        outcomes = processor.run_once(should_stop)
        metrics.answered(outcomes)
        return outcomes

    def scanned(failure: Exception | None) -> None:
        nonlocal seen_failures
        metrics.scanned(
            None if failure else processor.last_view,
            processor.failures - seen_failures,
            processor.wall_clock(),
        )
        seen_failures = processor.failures
        health.scanned("" if failure is None else str(failure) or type(failure).__name__)
        notifier.ping()
        if failure is not None:
            notifier.status(f"scan failed: {failure}")

    with ExitStack() as stack:
        if metrics_at is not None:
            server = stack.enter_context(MonitoringServer(metrics_at, metrics.registry, health.check))
            log.info(
                "serving metrics", address=f"{metrics_at[0]}:{server.port}", paths=["/metrics", "/healthz"]
            )
        notifier.ready()
        watch(settings.inbox, settings.rescan_seconds, process, stop, wake, scanned=scanned)
        notifier.stopping()
