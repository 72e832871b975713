"""The Prometheus metrics of `watch --metrics` (prometheus_client, a registry of its own) and the
health `/healthz` answers: 200 while the last scan succeeded and the store answers; 503 before the
first scan, while the inbox is missing or unreadable, or while the store does not answer (SPEC 10).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from flexibatch.channel.inbox import InboxView
from flexibatch.domain.results import DeclarationResult, FileOutcome
from flexibatch.errors import CONFLICT_REASONS
from flexibatch.service.run import Outcome

#: Seconds to decide and answer one submission: a one-line file takes milliseconds, a monthly
#: file of a million declarations some minutes.
PROCESSING_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600)


class ChannelMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.submissions = Counter(
            "flexibatch_submissions",
            "Submissions answered, by what the file came to",
            ["outcome"],
            registry=r,
        )
        self.declarations = Counter(
            "flexibatch_declarations",
            "Declarations decided, by result and purpose",
            ["result", "purpose"],
            registry=r,
        )
        self.waiting = Gauge(
            "flexibatch_submissions_waiting",
            "Submissions in the inbox waiting for their GO or parts",
            registry=r,
        )
        self.oldest = Gauge(
            "flexibatch_oldest_waiting_seconds", "Age of the oldest file of a waiting submission", registry=r
        )
        self.processing = Histogram(
            "flexibatch_processing_seconds",
            "Time to decide and answer one submission",
            buckets=PROCESSING_BUCKETS,
            registry=r,
        )
        self.failures = Counter(
            "flexibatch_failures", "Submissions that failed for a reason of the processor's own", registry=r
        )
        self.scan_failures = Counter(
            "flexibatch_scan_failures",
            "Scans that failed (the inbox missing or unreadable, the store)",
            registry=r,
        )
        self.conflicts = Counter(
            "flexibatch_conflicts",
            "Submissions decided again: their transaction lost a race with another worker of a "
            "PostgreSQL state (a deadlock, a serialization failure, a lock timeout, a lost session)",
            ["reason"],
            registry=r,
        )
        self.last_scan = Gauge(
            "flexibatch_last_successful_scan_timestamp_seconds",
            "When the last scan that succeeded ended (Unix time)",
            registry=r,
        )
        for outcome in FileOutcome:  # every series from the start, at 0: a rate needs a first point
            self.submissions.labels(outcome=outcome.value)
        for reason in CONFLICT_REASONS:  # on SQLite, never more than 0
            self.conflicts.labels(reason=reason)

    def conflicted(self, reason: str) -> None:
        self.conflicts.labels(reason=reason).inc()

    def answered(self, outcomes: Sequence[Outcome]) -> None:
        for o in outcomes:
            self.submissions.labels(outcome=o.file_outcome.value).inc()
            self.processing.observe(o.duration_seconds)
            purpose = o.purpose or "NONE"
            for result, count in (
                (DeclarationResult.ACCEPTED, o.accepted - o.warnings),
                (DeclarationResult.ACCEPTED_WITH_WARNING, o.warnings),
                (DeclarationResult.REFUSED, o.refused),
            ):
                if count:
                    self.declarations.labels(result=result.value, purpose=purpose).inc(count)

    def scanned(self, view: InboxView | None, failures: int, wall_now: float) -> None:
        if failures:
            self.failures.inc(failures)
        if view is None:
            self.scan_failures.inc()
            return
        self.last_scan.set(wall_now)
        self.waiting.set(len(view.waiting))
        self.oldest.set(max((wall_now - p.oldest for p in view.waiting), default=0.0))


@dataclass
class Health:
    """What /healthz answers: the last scan's result and whether the store answers."""

    store_answers: Callable[[], str | None]
    #: None before the first scan; "" after one that succeeded; else why the last one failed.
    last_scan: str | None = None

    def scanned(self, failure: str) -> None:
        self.last_scan = failure

    def check(self) -> tuple[bool, str]:
        if self.last_scan is None:
            return False, "no scan yet"
        if self.last_scan:
            return False, f"the last scan failed: {self.last_scan}"
        if (problem := self.store_answers()) is not None:
            return False, f"the store does not answer: {problem}"
        return True, "ok"
