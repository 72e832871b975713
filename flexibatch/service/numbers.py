"""The numbers the processor issues from counters in the store: period ids and declaration tickets.

Values are issued in document order inside the submission's transaction and the counter is saved at
the end of each batch, so a submission decided again after a crash issues the same numbers.
"""

from __future__ import annotations

from flexibatch.domain.ids import with_check
from flexibatch.store.ports import Store

PERIOD_COUNTER = "dimona_period"
PERIOD_BASE = 2_000_000_000
TICKET_COUNTER = "declaration_ticket"
TICKET_BASE = 7_000_000_000


class Numbers:
    """Issues consecutive values of a store counter, saving the last one when the batch is done."""

    def __init__(self, store: Store, counter: str, base: int) -> None:
        self._store = store
        self._counter = counter
        self._base = base
        self._next = store.counters.next_value(counter)
        self._issued = 0

    def __call__(self) -> str:
        value = with_check(self._base + self._next + self._issued)
        self._issued += 1
        return value

    def save(self) -> None:
        self._store.counters.reserve(self._counter, self._issued)
        self._next += self._issued
        self._issued = 0


def declaration_tickets(store: Store) -> Numbers:
    return Numbers(store, TICKET_COUNTER, TICKET_BASE)
