"""`flexibatch decide`: a worker on any host that decides what an intake registered, through the
PostgreSQL state alone (docs/decisions.md, decision 89).

In one transaction: the head of a sender's queue is taken (`FOR UPDATE SKIP LOCKED`: that row lock
is the sender's turn), its files are written from the state into a private folder of this host,
decided by the same service as on the inbox host (service/submission.py: the file-level checks,
the worker lock rows, the answers rendered), and the answers' bytes are stored with the commit.
The worker never touches an inbox or an outbox. A worker killed or cut off loses its session, so
its transaction dies with it, nothing of it is committed, and the row returns to the queue.
"""

from __future__ import annotations

import shutil
import threading

import structlog

from flexibatch.channel.claims import from_record
from flexibatch.config import Settings
from flexibatch.errors import StoreError
from flexibatch.files import private_dir
from flexibatch.logs import SaidOnce
from flexibatch.service.answers import Answers, answers_dir
from flexibatch.service.run import again_on_conflict
from flexibatch.service.submission import SubmissionDecider
from flexibatch.store.base import SubmissionRecord
from flexibatch.store.ports import Queue, Store

log = structlog.get_logger()

#: Where a worker writes the submission in hand, under its own work folder (never shared).
DECIDING = "deciding"


class RemoteDecider:
    """Decides the intake's submissions one after another; one instance per `decide` process."""

    def __init__(self, settings: Settings, store: Store, queue: Queue, name: str) -> None:
        self.settings = settings
        self.store = store
        self.queue = queue
        self.name = name
        self.submissions = SubmissionDecider(settings, store, Answers(settings, store))
        self.scratch = private_dir(settings.work_dir / DECIDING)

    def decide_next(self) -> SubmissionRecord | None:
        """Decide the head of one sender's queue; None when every head is decided or held."""
        return again_on_conflict(self._decide_head, "the head of a sender's queue")

    def _decide_head(self) -> SubmissionRecord | None:
        with self.store.transaction():
            head = self.queue.take()
            if head is None:
                return None
            ticket, record = head
            folder = self.scratch / ticket
            shutil.rmtree(folder, ignore_errors=True)  # left by a worker killed on this host
            taken = from_record(record, private_dir(folder), None)
            if taken is None:
                raise StoreError(f"the queue's submission {ticket} holds no claim record a worker can read")
            taken.spot = None
            try:
                self.queue.fetch_files(ticket, [folder / name for name in taken.files])
                decided, counts = self.submissions.decide(taken)
                answers = [(n, answers_dir(taken) / name) for n, name in enumerate(counts.answers, start=1)]
                self.queue.decided(ticket, self.name, answers)
            finally:
                shutil.rmtree(folder, ignore_errors=True)
        log.info(
            "submission decided for the intake",
            worker=self.name,
            ticket=ticket,
            file=taken.file_name,
            receipt=decided.outcome,
            declarations=decided.declarations,
            refused=decided.refused,
        )
        return decided

    def work(self, stop: threading.Event, *, once: bool = False) -> int:
        """Decide until `stop` (or, `once`, until no head is free); the number decided. A failing
        state is said once and tried again at each rescan: the submission stays in the queue."""
        decided = 0
        failing = SaidOnce("deciding failed: trying again at each rescan", "deciding works again")
        while not stop.is_set():
            try:
                record = self.decide_next()
            except Exception as error:  # the state unreachable, a fault of our own: the row is back
                failing.failed(error)
                stop.wait(self.settings.rescan_seconds)
                continue
            failing.worked()
            if record is not None:
                decided += 1
            elif once:
                break
            else:
                stop.wait(self.settings.rescan_seconds)
        return decided
