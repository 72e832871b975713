"""The numbers the processor issues from counters in the store: period ids and declaration tickets.

Values are issued in document order inside the submission's transaction. They are reserved in
blocks as a batch needs them (16 first, twice as many each time after), and what a batch did not
issue is given back when it is done, so consecutive batches issue consecutive values. In SQLite the
reservations roll back with the transaction, so a submission decided again after a crash issues the
same numbers; in PostgreSQL workers reserve at the same time, and a reservation is never shared.
"""

from __future__ import annotations

from flexibatch.domain.ids import with_check
from flexibatch.store.ports import Store

PERIOD_COUNTER = "dimona_period"
PERIOD_BASE = 2_000_000_000
TICKET_COUNTER = "declaration_ticket"
TICKET_BASE = 7_000_000_000
#: The first block a batch reserves, and the largest it grows to.
FIRST_BLOCK, LARGEST_BLOCK = 16, 4096


class Numbers:
    """Issues consecutive values of a store counter from its reservations, giving back at the end
    of the batch what it did not issue."""

    def __init__(self, store: Store, counter: str, base: int) -> None:
        self._store = store
        self._counter = counter
        self._base = base
        self._next = 0  # the next value to issue...
        self._end = 0  # ...up to this one (excluded): what is left of the last reservation
        self._block = FIRST_BLOCK

    def __call__(self) -> str:
        if self._next == self._end:
            self._next = self._store.counters.reserve(self._counter, self._block)
            self._end = self._next + self._block
            self._block = min(2 * self._block, LARGEST_BLOCK)
        value = with_check(self._base + self._next)
        self._next += 1
        return value

    def save(self) -> None:
        """The batch is done: give back what it reserved and did not issue."""
        if self._end > self._next:
            self._store.counters.release(self._counter, self._next, self._end - self._next)
        self._next = self._end = 0
        self._block = FIRST_BLOCK


def declaration_tickets(store: Store) -> Numbers:
    return Numbers(store, TICKET_COUNTER, TICKET_BASE)
