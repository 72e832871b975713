"""The intake role (docs/decisions.md, decision 89): the inbox host hands its claims on, and
publishes what the decide workers answered.

The loop (service/run.py) claims as ever; instead of deciding a claim, the intake registers it in
the state's queue (its claim record and its files' bytes), once, and leaves the claim folder as it
is. Each round it looks at its claims again (they are its own unlocked claim folders, which the
loop's recovery walks): a claim whose submission a worker committed gets its answers written back
from the state into its answers folder, published as ever, and the claim filed away. The intake
is the only process that renames in the inbox, the outbox and the work folder.
"""

from __future__ import annotations

import structlog

from flexibatch.channel.claims import Claim, ClaimKind
from flexibatch.files import private_dir
from flexibatch.service.answers import answers_dir
from flexibatch.service.submission import data_bytes
from flexibatch.store.ports import Queue, Store

log = structlog.get_logger()


class Intake:
    """Registers claims for the decide workers and fetches their answers back."""

    def __init__(self, store: Store, queue: Queue, max_file_bytes: int) -> None:
        self.store = store
        self.queue = queue
        self.max_file_bytes = max_file_bytes

    def decides_here(self, taken: Claim) -> bool:
        """A submission larger than max_file_bytes is refused unread (ACRF-184): here, at once,
        rather than its bytes carried into the state for a worker to refuse."""
        return taken.kind == ClaimKind.SUBMISSION and data_bytes(taken) > self.max_file_bytes

    def hand_on(self, taken: Claim) -> None:
        """Register the claim for a worker, unless it is already (a claim seen again each round)."""
        if self.queue.registered(taken.ticket):
            return
        self.queue.register(
            taken.ticket,
            taken.folder or "",
            taken.as_record(),
            [taken.directory / name for name in taken.files],
        )
        log.info("submission handed on to the decide workers", ticket=taken.ticket, file=taken.file_name)

    def fetch(self, taken: Claim) -> None:
        """The answers a worker committed and the outbox lacks, into the claim's answers folder."""
        if not self.queue.registered(taken.ticket):
            return  # decided here (too large), or fetched and published before a crash
        pending = self.store.answers.unpublished(taken.ticket)
        if pending:
            folder = private_dir(answers_dir(taken))
            self.queue.fetch_answers(taken.ticket, {a.order: folder / a.name for a in pending})

    def forget(self, taken: Claim) -> None:
        """Every answer is in the outbox: the queue's row and its bytes go (none for one decided here)."""
        self.queue.forget(taken.ticket)
